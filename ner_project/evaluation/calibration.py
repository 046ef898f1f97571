"""How far the pipeline's entity confidences can be trusted: of the entities predicted
with confidence near p, is a share near p right? Measured on gold documents as the
expected calibration error (ECE) over equal-width confidence bins, and drawn as a
reliability plot."""

import io
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from wasabi import msg

from ner_project.evaluation.scores import predict
from ner_project.pipeline.entities import confidence

BINS = 10
TEMPERATURES = tuple(round(0.5 + 0.1 * step, 1) for step in range(36))  # 0.5 to 4.0


def annotated_labels(examples: Iterable[Example]) -> set[str]:
    """The labels the gold documents hold at least one entity of."""
    return {ent.label_ for eg in examples for ent in eg.reference.ents}


@contextmanager
def floors_off(scorer) -> Iterator[None]:
    """The confidence component with its floors (`min_confidence`) off for a while: a
    fit that sets confidences anew must see every entity the NER found."""
    floors = getattr(scorer, "min_confidence", None)
    if floors is None:  # a component from before the floors
        yield
        return
    scorer.min_confidence = {}
    try:
        yield
    finally:
        scorer.min_confidence = floors


def confidence_pairs(
    examples: Iterable[Example], labels: set[str] | None = None
) -> list[tuple[float, bool]]:
    """(confidence, right) of each predicted entity that has a confidence (and one of
    `labels`, when given); right means the gold has an entity with the same offsets
    and label."""
    pairs = []
    for eg in examples:
        gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
        for ent in eg.predicted.ents:
            score = confidence(ent)
            if score is not None and (labels is None or ent.label_ in labels):
                key = (ent.start_char, ent.end_char, ent.label_)
                pairs.append((score, key in gold))
    return pairs


def reliability_bins(pairs: list[tuple[float, bool]], bins: int = BINS) -> list[dict]:
    """Per equal-width bin of confidence: its range, how many entities fall in it,
    their mean confidence and the share of them that are right (empty bins left out).
    A confidence of exactly 1 falls in the last bin."""
    counts = [0] * bins
    confidence_sums = [0.0] * bins
    right = [0] * bins
    for score, correct in pairs:
        index = min(int(score * bins), bins - 1)
        counts[index] += 1
        confidence_sums[index] += score
        right[index] += correct
    return [
        {
            "low": round(i / bins, 3),
            "high": round((i + 1) / bins, 3),
            "entities": counts[i],
            "confidence": round(confidence_sums[i] / counts[i], 4),
            "accuracy": round(right[i] / counts[i], 4),
        }
        for i in range(bins)
        if counts[i]
    ]


def expected_calibration_error(bins: list[dict]) -> float | None:
    """The sum over bins of (its share of the entities) * |accuracy - mean confidence|;
    None when no entity was predicted."""
    total = sum(b["entities"] for b in bins)
    if not total:
        return None
    gap = sum(b["entities"] * abs(b["accuracy"] - b["confidence"]) for b in bins)
    return round(gap / total, 4)


def calibration(examples: list[Example], corpus: str, bins: int = BINS) -> dict:
    """The calibration summary that `evaluate` writes into the metrics. Entities of a
    label the corpus never annotates (pattern rules' PHONE and URL on CVs annotated
    without them) can be neither right nor wrong there: they are counted under
    "unannotated", per label, and left out of the bins."""
    labels = annotated_labels(examples)
    pairs = confidence_pairs(examples, labels)
    unannotated = Counter(
        ent.label_
        for eg in examples
        for ent in eg.predicted.ents
        if ent.label_ not in labels and confidence(ent) is not None
    )
    table = reliability_bins(pairs, bins)
    return {
        "corpus": corpus,
        "entities": len(pairs),
        "ece": expected_calibration_error(table),
        "bins": table,
        "unannotated": dict(sorted(unannotated.items())),
    }


def dev_calibration(
    nlp: Language,
    references: list[Doc],
    corpus: str,
    component: str = "entity_confidence",
) -> dict:
    """The calibration summary of the pipeline on `references`, with under "fitted"
    the temperature of the confidence component (of TEMPERATURES) that would give the
    NER's own entities the least error, and that error (None for a pipeline without
    the component, or whose NER predicted no entity). The fit runs before the
    components after it, whose pattern matches are certain whatever the temperature;
    they run once it is done."""
    scorer = nlp.get_pipe(component) if component in nlp.pipe_names else None
    if scorer is None or not hasattr(scorer, "temperature"):
        summary = calibration(predict(nlp, references), corpus)
        return {**summary, "fitted": None}
    later = nlp.pipe_names[nlp.pipe_names.index(component) + 1 :]
    with nlp.select_pipes(disable=later):
        examples = predict(nlp, references)
    docs = [eg.predicted for eg in examples]
    configured, errors = scorer.temperature, {}
    labels = annotated_labels(examples)
    # the floors already dropped what they drop at the configured temperature; off
    # while fitting, or each other temperature would drop more
    with floors_off(scorer):
        try:
            for temperature in TEMPERATURES:
                scorer.temperature = temperature
                scorer.set_confidences(docs)
                errors[temperature] = expected_calibration_error(
                    reliability_bins(confidence_pairs(examples, labels))
                )
        finally:
            scorer.temperature = configured
    scorer.set_confidences(docs)
    for name in later:
        docs = list(nlp.get_pipe(name).pipe(docs))
    examples = [
        Example(doc, eg.reference) for doc, eg in zip(docs, examples, strict=True)
    ]
    best = min(TEMPERATURES, key=lambda t: (errors[t] is None, errors[t] or 0.0))
    fitted = (
        None if errors[best] is None else {"temperature": best, "ece": errors[best]}
    )
    return {**calibration(examples, corpus), "fitted": fitted}


def unannotated_note(summary: dict) -> str:
    """What the summary left out of its bins, per label, or "" when nothing was."""
    unannotated = summary.get("unannotated") or {}
    if not unannotated:
        return ""
    counts = ", ".join(f"{n} {label}" for label, n in unannotated.items())
    return f"Left out, of labels the corpus never annotates: {counts}"


def print_calibration(summary: dict) -> None:
    if summary["ece"] is None:
        msg.warn(f"Calibration: no entity with a confidence on {summary['corpus']}")
        return
    msg.info(
        f"Calibration on {summary['corpus']}"
        + (f" of {summary['model']}" if summary.get("model") else "")
        + ": expected calibration error "
        f"{summary['ece']:.3f} over {summary['entities']} entities (target <= 0.05)"
    )
    if left_out := unannotated_note(summary):
        msg.info(left_out)
    if fitted := summary.get("fitted"):
        msg.info(
            f"At temperature {fitted['temperature']} the NER's own entities would have "
            f"an error of {fitted['ece']:.3f} (components.entity_confidence.temperature)"
        )


def reliability_png(summary: dict) -> bytes:
    """Accuracy against mean confidence per bin, beside the diagonal of perfect
    calibration, with each bin's count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="calibrated")
    centres = [(b["low"] + b["high"]) / 2 for b in summary["bins"]]
    axes.bar(
        centres,
        [b["accuracy"] for b in summary["bins"]],
        width=1 / BINS * 0.9,
        alpha=0.6,
        label="share right",
    )
    axes.plot(
        [b["confidence"] for b in summary["bins"]],
        [b["accuracy"] for b in summary["bins"]],
        marker="o",
        label="mean confidence",
    )
    for centre, b in zip(centres, summary["bins"], strict=True):
        axes.annotate(
            str(b["entities"]), (centre, b["accuracy"]), ha="center", va="bottom"
        )
    ece = summary["ece"]
    axes.set(
        xlim=(0, 1),
        ylim=(0, 1.05),
        xlabel="confidence",
        ylabel="share of entities right",
        title=f"Reliability on {summary['corpus']}: ECE "
        + ("n/a" if ece is None else f"{ece:.3f}"),
    )
    axes.legend(loc="upper left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()
