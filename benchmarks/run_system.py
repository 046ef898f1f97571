"""Load one trained system, score it on the test corpus with the shared scorer, and
time its inference on the test texts; one process per system, so the comparison's
peak memory figure is this system's alone.

Systems: `ours`, `ours-token` and `ours-cnn` (spaCy pipelines, `nlp.pipe`), `ours-int8` (ours with
its transformer's linear layers dynamically quantized to int8 for the CPU), and
`hf-trainer` (`pipeline("token-classification")`). Each is timed at several batch
sizes and reported at its fastest; for ours, a breakdown says where the time goes.

    python -m benchmarks.run_system SYSTEM MODEL TEST_PATH OUTPUT
"""

import json
import time
from pathlib import Path

import torch
import typer
from spacy.tokens import Doc, DocBin
from wasabi import msg

from benchmarks.hf_recipe import predict_tags
from benchmarks.pieces import computed_pieces
from benchmarks.scoring import score_docs, score_predictions
from benchmarks.speed import speed_texts, words_per_s
from ner_project.evaluation.scores import predict
from ner_project.pipeline.meta import load_pipeline
from ner_project.pipeline.quantize import quantize_transformer

BATCH_SIZES = (1, 8, 64)


def time_spacy(nlp, texts: list) -> dict:
    speeds = {}
    for size in BATCH_SIZES:
        speeds[f"batch {size}"] = words_per_s(
            lambda s, size=size: list(nlp.pipe(s, batch_size=size)), texts
        )
    by_length = sorted(texts, key=lambda pair: len(pair[0]))
    speeds["batch 64, sorted by length"] = words_per_s(
        lambda s: list(nlp.pipe(s, batch_size=64)), by_length
    )
    return speeds


def run_spacy(
    system: str, model: Path, references: list[Doc], texts: list, timed: bool = True
) -> dict:
    nlp = load_pipeline(str(model))
    if system == "ours-int8":
        quantize_transformer(nlp)
    examples = predict(nlp, references)
    result = score_docs(references, [eg.predicted for eg in examples])
    if not timed:
        return result
    speeds = time_spacy(nlp, texts)
    result["speeds"] = {name: round(value, 1) for name, value in speeds.items()}
    if "transformer" in nlp.pipe_names:
        by_length = sorted(texts, key=lambda pair: len(pair[0]))
        with nlp.select_pipes(enable=["transformer"]):
            alone = words_per_s(lambda s: list(nlp.pipe(s, batch_size=64)), by_length)
        result["transformer_alone_words_per_s"] = round(alone, 1)
        result["breakdown"] = {
            "batch 64": computed_pieces(nlp, texts, 64),
            "batch 64, sorted by length": computed_pieces(
                nlp, sorted(texts, key=lambda pair: len(pair[0])), 64
            ),
        }
    return result


def run_hf(
    model_dir: Path, references: list[Doc], texts: list, window: int, timed: bool = True
) -> dict:
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        pipeline,
    )

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    tags = predict_tags(model, tokenizer, references, window)
    result = score_predictions(references, tags)
    if not timed:
        return result
    classifier = pipeline(
        "token-classification", model=model, tokenizer=tokenizer, device=-1
    )
    speeds = {}
    for size in BATCH_SIZES:
        speeds[f"batch {size}"] = round(
            words_per_s(lambda s, size=size: classifier(s, batch_size=size), texts), 1
        )
    result["speeds"] = speeds
    return result


def run_system(
    system: str = typer.Argument(
        ..., help="ours, ours-int8, ours-token, ours-cnn or hf-trainer"
    ),
    model: Path = typer.Argument(..., help="Trained pipeline or model folder"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Where to write the result JSON"),
    threads: int = typer.Option(2, help="torch threads"),
    speed_words: int = typer.Option(30000, help="Test words to time inference on"),
    window: int = typer.Option(128, help="hf-trainer: word pieces per window"),
    timed: bool = typer.Option(True, help="Time inference too (--no-timed: F1 only)"),
) -> None:
    """Score SYSTEM's MODEL on TEST_PATH and time it; write OUTPUT."""
    import spacy

    torch.set_num_threads(threads)
    references = list(DocBin().from_disk(test_path).get_docs(spacy.blank("en").vocab))
    texts = speed_texts(references, speed_words)
    start = time.perf_counter()
    if system == "hf-trainer":
        result = run_hf(model, references, texts, window, timed)
    else:
        result = run_spacy(system, model, references, texts, timed)
    if not timed:
        output.write_text(json.dumps(result, indent=2))
        msg.good(f"{system}: F1 {result['f1']:.3f} ({model})")
        return
    result["words_per_s"] = max(result["speeds"].values())
    result["fastest"] = max(result["speeds"], key=result["speeds"].get)
    result["speed_words"] = sum(words for _, words in texts)
    result["threads"] = torch.get_num_threads()
    output.write_text(json.dumps(result, indent=2))
    msg.good(
        f"{system}: F1 {result['f1']:.3f}, {result['words_per_s']:.0f} words/s "
        f"({result['fastest']}), {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    typer.run(run_system)
