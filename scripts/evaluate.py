"""Score a trained pipeline on the held-out test corpus (never the dev set that picked
model-best): overall and per-label precision, recall, F1 and support as JSON, and an
error-analysis report (Markdown, JSON, gold-vs-predicted HTML, training curves PNG)."""

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import spacy
import srsly
import typer
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from wasabi import msg

import functions  # noqa: F401  (registers the functions the pipeline's config names)
from atomic import atomic_write_bytes
from error_analysis import error_summary
from evaluation_report import markdown_report, side_by_side_html, training_curves_png


def predict(nlp: Language, references: list[Doc]) -> list[Example]:
    """Run the pipeline over the gold documents' own tokens, with no annotation kept
    (the NER component would take preset entities as given)."""
    blanks = (
        Doc(
            nlp.vocab,
            words=[t.text for t in ref],
            spaces=[bool(t.whitespace_) for t in ref],
        )
        for ref in references
    )
    return [
        Example(doc, ref) for doc, ref in zip(nlp.pipe(blanks), references, strict=True)
    ]


def entity_metrics(examples: Iterable[Example]) -> dict:
    """Entity-level P/R/F overall and per label, with the gold support of each label."""
    examples = list(examples)
    scores = Scorer.score_spans(examples, "ents")
    per_type = scores["ents_per_type"] or {}
    support = Counter(ent.label_ for eg in examples for ent in eg.reference.ents)
    return {
        "ents_p": scores["ents_p"] or 0.0,
        "ents_r": scores["ents_r"] or 0.0,
        "ents_f": scores["ents_f"] or 0.0,
        "ents_per_type": {
            label: {
                "p": per_type.get(label, {}).get("p", 0.0),
                "r": per_type.get(label, {}).get("r", 0.0),
                "f": per_type.get(label, {}).get("f", 0.0),
                "support": support[label],
            }
            for label in sorted(set(support) | set(per_type))
        },
    }


def print_metrics(metrics: dict) -> None:
    rows = [
        (label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["support"])
        for label, s in metrics["ents_per_type"].items()
    ]
    total = sum(s["support"] for s in metrics["ents_per_type"].values())
    overall = [f"{metrics[key]:.3f}" for key in ("ents_p", "ents_r", "ents_f")]
    rows.append(("ALL", *overall, total))
    header = ("label", "P", "R", "F1", "support")
    msg.table(rows, header=header, divider=True, aligns=("l", "r", "r", "r", "r"))


def write_report(
    report_dir: Path, metrics: dict, examples: list[Example], training_log: Path | None
) -> None:
    errors = error_summary(examples)
    atomic_write_bytes(
        report_dir / "errors.json", srsly.json_dumps(errors, indent=2).encode()
    )
    atomic_write_bytes(
        report_dir / "report.md", markdown_report(metrics, errors).encode()
    )
    page = side_by_side_html(examples)
    atomic_write_bytes(report_dir / "entities.html", page.encode())
    curves = training_curves_png(training_log) if training_log else None
    if curves is not None:
        atomic_write_bytes(report_dir / "training-curves.png", curves)
    overall = errors["overall"]
    msg.info(
        "Errors: "
        + ", ".join(f"{outcome} {count}" for outcome, count in overall.items())
        + f"; report in {report_dir}"
    )


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
    nlp = spacy.load(model)
    references = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    start = time.perf_counter()
    examples = predict(nlp, references)
    seconds = time.perf_counter() - start
    words = sum(len(eg.reference) for eg in examples)
    metrics = {
        "test_path": test_path.as_posix(),
        "documents": len(examples),
        **entity_metrics(examples),
        "words_per_s": round(words / seconds, 1),
    }
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
