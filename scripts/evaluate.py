"""Score a trained pipeline on the held-out test corpus (never the dev set that picked
model-best), write the error-analysis report, and measure how well the entities'
confidences are calibrated: on the dev set, with the confidence temperature that would
calibrate them best there, and on the test set, which that fit never saw (`evaluate`
command). A model retrained on dev as well (`resume-refit`) has its dev calibration
measured on the held-out run it took its temperature and floors from (`--dev-model`)."""

from pathlib import Path

import srsly
import typer
from wasabi import msg

from ner_project.evaluation.calibration import (
    calibration,
    dev_calibration,
    print_calibration,
    reliability_png,
)
from ner_project.evaluation.report_files import write_report
from ner_project.evaluation.scores import (
    print_metrics,
    read_corpus,
    score_corpus,
)
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline, use_gpu


def evaluate(
    model: Path = typer.Argument(..., help="Trained pipeline folder or package name"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Where to write the metrics JSON"),
    report_dir: Path | None = typer.Option(None, help="Folder for the error report"),
    training_log: Path | None = typer.Option(None, help="JSONL log of the training"),
    gpu_id: int = typer.Option(-1, help="-1 for CPU, else the GPU to run on"),
    dev_path: Path | None = typer.Option(
        None, help="Dev corpus (.spacy) to measure the confidences' calibration on"
    ),
    dev_model: Path | None = typer.Option(
        None,
        help="Pipeline whose calibration on dev is measured (default MODEL): the "
        "held-out run of a MODEL that trained on dev too",
    ),
) -> None:
    """Evaluate MODEL on TEST_PATH, print a table, write OUTPUT and the report."""
    use_gpu(gpu_id)
    for path in (test_path, dev_path):
        if path is not None and not path.is_file():
            msg.fail(f"Corpus {path} not found", exits=1)
    if dev_model is not None and not dev_model.is_dir():
        msg.fail(f"Pipeline {dev_model} not found", exits=1)
    nlp = load_pipeline(str(model))
    metrics, examples = score_corpus(nlp, test_path)
    if dev_path is not None:
        dev_nlp = nlp if dev_model is None else load_pipeline(str(dev_model))
        dev = read_corpus(dev_nlp, dev_path)
        metrics["calibration"] = dev_calibration(dev_nlp, dev, dev_path.as_posix())
        if dev_model is not None:
            metrics["calibration"]["model"] = dev_model.as_posix()
        print_calibration(metrics["calibration"])
    metrics["test_calibration"] = calibration(examples, test_path.as_posix())
    print_calibration(metrics["test_calibration"])
    if report_dir is not None:
        write_report(report_dir, metrics, examples, training_log)
        if "calibration" in metrics:
            png = reliability_png(metrics["calibration"])
            atomic_write_bytes(report_dir / "reliability.png", png)
    atomic_write_bytes(output, srsly.json_dumps(metrics, indent=2).encode())
    print_metrics(metrics)
    msg.good(
        f"Test F1 {metrics['ents_f']:.3f} on {len(examples)} documents "
        f"({metrics['words_per_s']:.0f} words/s); metrics written to {output}"
    )


if __name__ == "__main__":
    typer.run(evaluate)
