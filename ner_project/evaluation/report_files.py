"""The evaluate step's report files: a Markdown summary, gold and predicted entities
side by side in HTML, and the training curves as a PNG."""

import html
import io
from pathlib import Path

import srsly
from spacy import displacy
from spacy.training import Example
from wasabi import msg

from ner_project.evaluation.calibration import unannotated_note
from ner_project.evaluation.error_analysis import OUTCOMES, error_summary
from ner_project.files import atomic_write_bytes


def markdown_report(metrics: dict, errors: dict) -> str:
    """Per-label scores and the error breakdown as Markdown tables."""
    lines = [
        "# Evaluation on the test set",
        "",
        f"`{metrics['test_path']}`: {metrics['documents']} documents. "
        f"Entity-level precision {metrics['ents_p']:.3f}, recall "
        f"{metrics['ents_r']:.3f}, F1 **{metrics['ents_f']:.3f}**.",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, s in metrics["ents_per_type"].items():
        lines.append(
            f"| {label} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['support']} |"
        )
    lines += [
        "",
        "## Errors",
        "",
        "Every gold and predicted entity falls into one outcome: `wrong_type` (same "
        "span, other label), `boundary` (overlapping span, same label), "
        "`boundary_and_type`, `missed` (no prediction overlaps the gold entity) or "
        "`spurious` (the prediction overlaps no gold entity). Rows are the gold label, "
        "or the predicted label for spurious entities.",
        "",
        "| label | " + " | ".join(OUTCOMES) + " |",
        "|---|" + "---:|" * len(OUTCOMES),
    ]
    for label, counts in [*errors["per_label"].items(), ("ALL", errors["overall"])]:
        cells = " | ".join(str(counts[outcome]) for outcome in OUTCOMES)
        lines.append(f"| {label} | {cells} |")
    if errors["confusions"]:
        lines += ["", "## Label confusions", "", "| gold | predicted | count |"]
        lines.append("|---|---|---:|")
        lines += [
            f"| {c['gold']} | {c['predicted']} | {c['count']} |"
            for c in errors["confusions"]
        ]
    if summary := metrics.get("calibration"):
        lines += calibration_lines(summary, "Confidence calibration", "reliability.png")
    if summary := metrics.get("test_calibration"):
        lines += calibration_lines(summary, "Confidence calibration on the test set")
    return "\n".join(lines) + "\n"


def calibration_lines(summary: dict, title: str, plot: str | None = None) -> list[str]:
    """The reliability table: per confidence bin, the share of entities right."""
    ece = "n/a" if summary["ece"] is None else f"{summary['ece']:.3f}"
    drawn = f"; {plot}" if plot else ""
    lines = [
        "",
        f"## {title}",
        "",
        f"On `{summary['corpus']}`{measured_on(summary)}, {summary['entities']} "
        "predicted entities: expected "
        f"calibration error **{ece}** (target 0.05 or less{drawn}).",
    ]
    if fitted := summary.get("fitted"):
        lines[-1] += (
            f" At `components.entity_confidence.temperature = "
            f"{fitted['temperature']}` the NER's own entities (before the pattern "
            f"rules) would have {fitted['ece']:.3f}."
        )
    if left_out := unannotated_note(summary):
        lines[-1] += f" {left_out}."
    lines += [
        "",
        "| confidence | entities | mean confidence | share right |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {b['low']:.1f}-{b['high']:.1f} | {b['entities']} | {b['confidence']:.3f} "
        f"| {b['accuracy']:.3f} |"
        for b in summary["bins"]
    ]
    return lines


def side_by_side_html(examples: list[Example], limit: int = 50) -> str:
    """One page: each test document with gold entities left, predictions right."""
    colors = {"SKILL": "#c7e9c0", "COMPANY": "#fdd0a2", "DESIGNATION": "#dadaeb"}
    options = {"colors": colors}
    rows = []
    for i, example in enumerate(examples[:limit]):
        gold = displacy.render(example.reference, style="ent", options=options)
        predicted = displacy.render(example.predicted, style="ent", options=options)
        rows.append(
            f"<tr><th colspan='2'>Document {i + 1}</th></tr>"
            f"<tr><td>{gold}</td><td>{predicted}</td></tr>"
        )
    shown = f"the first {limit} of " if len(examples) > limit else ""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<title>Test set: gold and predicted entities</title><style>"
        "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;"
        "width:100%}td{vertical-align:top;width:50%;border:1px solid #ddd;"
        "padding:.5em}th{text-align:left;background:#f4f4f4;padding:.4em}</style>"
        "</head><body><h1>Test set: gold and predicted entities</h1>"
        f"<p>{html.escape(shown)}{len(examples)} documents.</p><table>"
        "<tr><th>gold</th><th>predicted</th></tr>" + "".join(rows) + "</table>"
        "</body></html>"
    )


def training_curves_png(log_path: Path) -> bytes | None:
    """Loss per component and dev F1 at each evaluation step, from the JSONL that
    spaCy's ConsoleLogger.v3 writes; None when there is no log to plot."""
    if not log_path.is_file():
        return None
    records = list(srsly.read_jsonl(log_path))
    if not records:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    steps = [record["step"] for record in records]
    figure, (loss_axis, score_axis) = pyplot.subplots(1, 2, figsize=(10, 4))
    for component in records[0]["losses"]:
        losses = [record["losses"].get(component, 0.0) for record in records]
        loss_axis.plot(steps, losses, marker="o", label=component)
    loss_axis.set(
        title="Training loss since the previous evaluation",
        xlabel="step",
        yscale="symlog",
    )
    loss_axis.legend()
    f1 = [record["scores"].get("ents_f", 0.0) for record in records]
    score_axis.plot(steps, f1, marker="o", color="tab:green")
    score_axis.set(title="Dev entity F1 (%)", xlabel="step", ylim=(0, 100))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    pyplot.close(figure)
    return buffer.getvalue()


def write_report(
    report_dir: Path, metrics: dict, examples: list[Example], training_log: Path | None
) -> None:
    """errors.json, report.md, entities.html and training-curves.png in `report_dir`."""
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


def measured_on(summary: dict) -> str:
    """Where the calibration is of another pipeline than the one scored (`--dev-model`
    of `scripts/evaluate.py`), the words that name it."""
    model = summary.get("model")
    return f" by `{model}`, the held-out run it took its floors from" if model else ""
