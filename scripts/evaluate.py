"""Score a trained pipeline on the held-out test corpus (never the dev set that picked
model-best) and write overall and per-label precision, recall, F1 and support as JSON."""

from collections import Counter
from pathlib import Path

import spacy
import srsly
import typer
from spacy.training import Corpus
from wasabi import msg

from atomic import atomic_write_bytes


def evaluate(
    model: Path = typer.Argument(..., help="Trained pipeline folder or package name"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Where to write the metrics JSON"),
    gpu_id: int = typer.Option(-1, help="-1 for CPU, else the GPU to run on"),
) -> None:
    """Evaluate MODEL on TEST_PATH, print a table and write OUTPUT."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    if not test_path.is_file():
        msg.fail(f"Test corpus {test_path} not found", exits=1)
    nlp = spacy.load(model)
    examples = list(Corpus(test_path)(nlp))
    scores = nlp.evaluate(examples)
    support = Counter(ent.label_ for eg in examples for ent in eg.reference.ents)
    per_label = {
        label: {
            "p": scores["ents_per_type"].get(label, {}).get("p", 0.0),
            "r": scores["ents_per_type"].get(label, {}).get("r", 0.0),
            "f": scores["ents_per_type"].get(label, {}).get("f", 0.0),
            "support": support[label],
        }
        for label in sorted(set(support) | set(scores["ents_per_type"] or {}))
    }
    metrics = {
        "test_path": str(test_path),
        "documents": len(examples),
        "ents_p": scores["ents_p"],
        "ents_r": scores["ents_r"],
        "ents_f": scores["ents_f"],
        "ents_per_type": per_label,
        "words_per_s": scores["speed"],
    }
    atomic_write_bytes(output, srsly.json_dumps(metrics, indent=2).encode())
    rows = [
        (label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["support"])
        for label, s in per_label.items()
    ]
    rows.append(
        (
            "ALL",
            f"{metrics['ents_p']:.3f}",
            f"{metrics['ents_r']:.3f}",
            f"{metrics['ents_f']:.3f}",
            sum(support.values()),
        )
    )
    msg.table(
        rows,
        header=("label", "P", "R", "F1", "support"),
        divider=True,
        aligns=("l", "r", "r", "r", "r"),
    )
    msg.good(
        f"Test F1 {metrics['ents_f']:.3f} on {len(examples)} documents; "
        f"metrics written to {output}"
    )


if __name__ == "__main__":
    typer.run(evaluate)
