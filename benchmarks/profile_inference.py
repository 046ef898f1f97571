"""Where a trained pipeline's inference time goes, from the limit the machine's matrix
products allow down to the whole pipeline, on the same test passages and threads:

  limit          words/s if every FLOP of the transformer ran at the measured fp32 rate
  bare forward   the transformer alone in PyTorch: word pieces in, vectors out, batches
                 of passages sorted by length and padded to their longest (no spaCy)
  component      spaCy's transformer component alone (tokenizing, aligning pieces to
                 tokens, strided spans, its own batching)
  pipeline       the whole pipeline (adds the NER head)

and the pieces the component computes against those the text holds (overlap of the
strided spans, padding of its batches). Writes a JSON file and prints a table.
"""

import json
import sys
import time
from pathlib import Path

import torch
import typer
from spacy.tokens import DocBin
from wasabi import msg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from speed import matmul_gflops, speed_texts, words_per_s

import functions  # noqa: F401  (the pipelines' registered functions)
from atomic import atomic_write_bytes


def computed_pieces(nlp, texts: list, batch_size: int) -> dict:
    """Word pieces the transformer component computes against those the texts hold.

    The component sorts each `nlp.pipe` batch by length and cuts it into sub-batches
    of at most `max_batch_items` padded tokens; each sub-batch's spans are padded to
    the longest of them. Overlap: strided spans reading a token twice."""
    from spacy_transformers.util import batch_by_length

    component = nlp.get_pipe("transformer")
    get_spans = component.model.attrs["get_spans"]
    tokenizer = component.model.tokenizer
    text_pieces = span_pieces = padded_pieces = 0
    for first in range(0, len(texts), batch_size):
        docs = [nlp.make_doc(text) for text, _ in texts[first : first + batch_size]]
        text_pieces += sum(len(tokenizer(doc.text)["input_ids"]) for doc in docs)
        for indices in batch_by_length(docs, component.cfg["max_batch_items"]):
            lengths = [
                len(tokenizer(span.text)["input_ids"])
                for spans in get_spans([docs[i] for i in indices])
                for span in spans
            ]
            span_pieces += sum(lengths)
            padded_pieces += len(lengths) * max(lengths, default=0)
    return {
        "overlap_factor": round(span_pieces / text_pieces, 3),
        "padding_factor": round(padded_pieces / max(span_pieces, 1), 3),
    }


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
    import spacy
    from compare import speed_limit
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    for path in (model, test_path):
        if not path.exists():
            msg.fail(f"{path} not found", exits=1)
    nlp = spacy.load(model)
    if "transformer" not in nlp.pipe_names:
        msg.fail(f"{model} has no transformer component", exits=1)
    references = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    texts = speed_texts(references, speed_words)
    gflops = matmul_gflops(threads)
    per_word, limit = speed_limit(transformer, test_path, speed_words, gflops)
    speeds = {"limit": limit}
    start = time.perf_counter()
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
    rows = [
        (name, f"{value:.0f}", f"{result['share_of_limit'][name]:.2f}")
        for name, value in speeds.items()
    ]
    msg.table(rows, header=("stage", "words/s", "share of limit"), divider=True)
    for setting, factors in result["pieces"].items():
        msg.info(f"{setting}: {factors}")
    msg.good(f"{time.perf_counter() - start:.0f} s; results in {output}")


if __name__ == "__main__":
    typer.run(profile)
