"""The length-grouped transformer against spacy-transformers' own forward pass, on the
same pipeline, texts and threads: words per second and the share of computed word
pieces that are padding, per `nlp.pipe` batch size, and whether the entities agree.

    python -m benchmarks.length_groups training/model-best ../shared/data/conll2003/test.txt

The two forward passes take turns (grouped, padded, grouped, ...) and each figure is
the median of the repeats, so that a drift of the machine's speed falls on both.
"""

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import srsly
import torch
import typer
from wasabi import msg

from benchmarks.host import machine_description
from benchmarks.pieces import computed_pieces
from ner_project.conversion.corpus import read_documents
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline


def timed_entities(nlp, texts: list[str], batch_size: int) -> tuple[float, list]:
    """Seconds of one `nlp.pipe` pass over the texts, and their entities."""
    start = time.perf_counter()
    entities = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]
    return time.perf_counter() - start, entities


def length_groups(
    model: Path = typer.Argument(
        ..., help="Pipeline with the length-grouped transformer"
    ),
    test_files: list[Path] = typer.Argument(
        ..., help="Annotated test files (any format)"
    ),
    output: Path = typer.Option(
        Path("benchmarks/results/length-groups.json"), help="Results JSON"
    ),
    batch_sizes: str = typer.Option(
        "8,64", help="nlp.pipe batch sizes, comma-separated"
    ),
    repeats: int = typer.Option(3, help="Timed passes of each forward pass"),
    threads: int = typer.Option(2, help="torch threads"),
    also_running: str = typer.Option("nothing else", help="For the record"),
) -> None:
    """Time MODEL's pipeline on TEST_FILES with and without length groups."""
    from spacy_transformers.layers.transformer_model import forward as padded_forward

    torch.set_num_threads(threads)
    nlp = load_pipeline(str(model))
    transformer = nlp.get_pipe("transformer").model
    if "max_padding" not in transformer.attrs:
        msg.fail(f"{model}: its transformer is not the length-grouped one", exits=1)
    grouped_forward = transformer._func
    docs, _ = read_documents(test_files, "en", None)
    texts = [doc.text for doc in docs]
    words = sum(len(doc) for doc in docs)
    rows = []
    for batch_size in [int(size) for size in batch_sizes.split(",")]:
        seconds = {"grouped": [], "padded": []}
        found = {}
        for _ in range(repeats):
            for name, forward in (
                ("grouped", grouped_forward),
                ("padded", padded_forward),
            ):
                transformer._func = forward
                spent, found[name] = timed_entities(nlp, texts, batch_size)
                seconds[name].append(spent)
        transformer._func = grouped_forward
        passages = [(text, len(text.split())) for text in texts]
        padding = computed_pieces(nlp, passages, batch_size)["padding_factor"]
        padded_padding = computed_pieces(nlp, passages, batch_size, grouped=False)[
            "padding_factor"
        ]
        row = {
            "batch_size": batch_size,
            "grouped_words_per_s": round(words / statistics.median(seconds["grouped"])),
            "padded_words_per_s": round(words / statistics.median(seconds["padded"])),
            "grouped_padding_factor": padding,
            "padded_padding_factor": padded_padding,
            "same_entities": found["grouped"] == found["padded"],
        }
        row["speedup"] = round(
            row["grouped_words_per_s"] / row["padded_words_per_s"], 3
        )
        rows.append(row)
        msg.info(str(row))
    result = {
        "model": str(model),
        "test_files": [str(path) for path in test_files],
        "documents": len(texts),
        "words": words,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_description(threads),
        "repeats": repeats,
        "also_running": also_running,
        "rows": rows,
    }
    atomic_write_bytes(output, srsly.json_dumps(result, indent=2).encode())
    msg.good(f"Results in {output}")


if __name__ == "__main__":
    typer.run(length_groups)
