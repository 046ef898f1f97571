"""Where a trained pipeline's inference time goes, from the limit the machine's matrix
products allow down to the whole pipeline, on the same test passages and threads:

  limit          words/s if every FLOP of the transformer ran at the measured fp32 rate
  bare forward   the transformer alone in PyTorch: word pieces in, vectors out, batches
                 of passages sorted by length and padded to their longest (no spaCy)
  component      spaCy's transformer component alone (tokenizing, aligning pieces to
                 tokens, strided spans, its own batching)
  pipeline       the whole pipeline (adds the NER head)

and the pieces the component computes against those the text holds (overlap of the
strided spans, padding of its batches). Writes a JSON file and prints a table:

    python -m benchmarks.profile_inference MODEL TEST_PATH OUTPUT
"""

import json
import time
from pathlib import Path

import torch
import typer
from spacy.tokens import DocBin
from wasabi import msg

from benchmarks.pieces import computed_pieces
from benchmarks.speed import matmul_gflops, speed_limit, speed_texts, words_per_s
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline


def bare_forward(tokenizer, model, texts: list, batch_size: int) -> float:
    """Words/s of the transformer's forward pass alone, batches sorted by length."""
    by_length = sorted(texts, key=lambda pair: len(pair[0]))

    def run(strings: list[str]) -> None:
        with torch.inference_mode():
            for first in range(0, len(strings), batch_size):
                batch = tokenizer(
                    strings[first : first + batch_size],
                    padding=True,
                    truncation=True,
                    return_tensors="pt",
                )
                model(**batch)

    return words_per_s(run, by_length)


def stage_speeds(nlp, transformer: str, texts: list, batch_size: int) -> dict:
    """Words/s of the bare forward pass (batch 1 and `batch_size`), of spaCy's
    transformer component alone and of the whole pipeline."""
    from transformers import AutoModel, AutoTokenizer

    speeds = {}
    tokenizer = AutoTokenizer.from_pretrained(transformer)
    bare_model = AutoModel.from_pretrained(transformer).eval()
    for size in (1, batch_size):
        speeds[f"bare forward, batch {size}"] = bare_forward(
            tokenizer, bare_model, texts, size
        )
    with nlp.select_pipes(enable=["transformer"]):
        speeds[f"component, batch {batch_size}"] = words_per_s(
            lambda s: list(nlp.pipe(s, batch_size=batch_size)), texts
        )
    speeds[f"pipeline, batch {batch_size}"] = words_per_s(
        lambda s: list(nlp.pipe(s, batch_size=batch_size)), texts
    )
    return speeds


def print_profile(speeds: dict, result: dict) -> None:
    rows = [
        (name, f"{value:.0f}", f"{result['share_of_limit'][name]:.2f}")
        for name, value in speeds.items()
    ]
    msg.table(rows, header=("stage", "words/s", "share of limit"), divider=True)
    for setting, factors in result["pieces"].items():
        msg.info(f"{setting}: {factors}")


def profile(
    model: Path = typer.Argument(..., help="Trained pipeline (transformer + ner)"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Where to write the JSON"),
    transformer: str = typer.Option(
        "assets/all-minilm-l6-v2", help="The pipeline's base transformer folder"
    ),
    threads: int = typer.Option(2, help="torch threads"),
    speed_words: int = typer.Option(30000, help="Test words timed"),
    batch_size: int = typer.Option(8, help="Passages a batch"),
) -> None:
    """Time MODEL on TEST_PATH's passages, layer by layer; write OUTPUT."""
    torch.set_num_threads(threads)
    for path in (model, test_path):
        if not path.exists():
            msg.fail(f"{path} not found", exits=1)
    nlp = load_pipeline(str(model))
    if "transformer" not in nlp.pipe_names:
        msg.fail(f"{model} has no transformer component", exits=1)
    references = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    texts = speed_texts(references, speed_words)
    gflops = matmul_gflops(threads)
    per_word, limit = speed_limit(transformer, test_path, speed_words, gflops)
    start = time.perf_counter()
    speeds = {"limit": limit, **stage_speeds(nlp, transformer, texts, batch_size)}
    result = {
        "model": str(model),
        "threads": threads,
        "matmul_gflops": round(gflops, 1),
        "pieces_per_word": round(per_word, 3),
        "speed_words": sum(words for _, words in texts),
        "words_per_s": {name: round(value, 1) for name, value in speeds.items()},
        "share_of_limit": {
            name: round(value / limit, 3) for name, value in speeds.items()
        },
        "pieces": {
            f"batch {size}": computed_pieces(nlp, texts, size)
            for size in (batch_size, 64)
        },
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output, json.dumps(result, indent=2).encode())
    print_profile(speeds, result)
    msg.good(f"{time.perf_counter() - start:.0f} s; results in {output}")


if __name__ == "__main__":
    typer.run(profile)
