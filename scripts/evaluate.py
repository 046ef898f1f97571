"""Score a trained pipeline on the held-out test corpus (never the dev set that picked
model-best), and write the error-analysis report (`evaluate` command)."""

from pathlib import Path

import spacy
import srsly
import typer
from wasabi import msg

from ner_project.evaluation.report_files import write_report
from ner_project.evaluation.scores import print_metrics, score_corpus
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline


def evaluate(
    model: Path = typer.Argument(..., help="Trained pipeline folder or package name"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Where to write the metrics JSON"),
    report_dir: Path | None = typer.Option(None, help="Folder for the error report"),
    training_log: Path | None = typer.Option(None, help="JSONL log of the training"),
    gpu_id: int = typer.Option(-1, help="-1 for CPU, else the GPU to run on"),
) -> None:
    """Evaluate MODEL on TEST_PATH, print a table, write OUTPUT and the report."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    if not test_path.is_file():
        msg.fail(f"Test corpus {test_path} not found", exits=1)
    metrics, examples = score_corpus(load_pipeline(str(model)), test_path)
    if report_dir is not None:
        write_report(report_dir, metrics, examples, training_log)
    atomic_write_bytes(output, srsly.json_dumps(metrics, indent=2).encode())
    print_metrics(metrics)
    msg.good(
        f"Test F1 {metrics['ents_f']:.3f} on {len(examples)} documents "
        f"({metrics['words_per_s']:.0f} words/s); metrics written to {output}"
    )


if __name__ == "__main__":
    typer.run(evaluate)
