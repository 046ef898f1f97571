"""Where a NER pipeline errs: each gold and predicted entity sorted into one outcome, so
that a boundary slip is not mistaken for a wrong type, nor a miss for a false alarm."""

from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Span
from spacy.training import Example

OUTCOMES = (
    "correct",  # same span, same label
    "wrong_type",  # same span, other label
    "boundary",  # overlapping span, same label
    "boundary_and_type",  # overlapping span, other label
    "missed",  # gold entity that no prediction overlaps
    "spurious",  # prediction that overlaps no gold entity
)


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def compare_entities(example: Example) -> list[tuple[str, Span | None, Span | None]]:
    """(outcome, gold, predicted) for every gold and every predicted entity of a doc.

    A gold entity is paired with the predicted entity that overlaps it most; predicted
    entities left unpaired that still overlap some gold entity count as boundary errors.
    """
    gold = list(example.reference.ents)
    predicted = list(example.predicted.ents)
    outcomes: list[tuple[str, Span | None, Span | None]] = []
    paired: set[int] = set()
    for g in gold:
        candidates = [
            (min(g.end, p.end) - max(g.start, p.start), i)
            for i, p in enumerate(predicted)
            if overlaps(g, p) and i not in paired
        ]
        if not candidates:
            outcomes.append(("missed", g, None))
            continue
        _, best = max(candidates)
        paired.add(best)
        p = predicted[best]
        same_span = (g.start, g.end) == (p.start, p.end)
        same_label = g.label_ == p.label_
        if same_span:
            outcome = "correct" if same_label else "wrong_type"
        else:
            outcome = "boundary" if same_label else "boundary_and_type"
        outcomes.append((outcome, g, p))
    for i, p in enumerate(predicted):
        if i in paired:
            continue
        partner = next((g for g in gold if overlaps(g, p)), None)
        if partner is None:
            outcomes.append(("spurious", None, p))
        else:
            same_label = partner.label_ == p.label_
            outcomes.append(
                ("boundary" if same_label else "boundary_and_type", partner, p)
            )
    return outcomes


def error_summary(examples: Iterable[Example], n_examples: int = 5) -> dict:
    """Counts of each outcome overall and per gold (or predicted) label, the label
    confusions behind type errors, and a few example strings of each error."""
    overall: Counter = Counter()
    per_label: dict[str, Counter] = {}
    confusions: Counter = Counter()
    samples: dict[str, list] = {outcome: [] for outcome in OUTCOMES[1:]}
    for example in examples:
        for outcome, gold, predicted in compare_entities(example):
            label = (gold or predicted).label_
            overall[outcome] += 1
            per_label.setdefault(label, Counter())[outcome] += 1
            if (
                gold is not None
                and predicted is not None
                and gold.label_ != predicted.label_
            ):
                confusions[(gold.label_, predicted.label_)] += 1
            if outcome != "correct" and len(samples[outcome]) < n_examples:
                samples[outcome].append(
                    {
                        "gold": [gold.text, gold.label_] if gold is not None else None,
                        "predicted": (
                            [predicted.text, predicted.label_]
                            if predicted is not None
                            else None
                        ),
                    }
                )
    return {
        "overall": {outcome: overall[outcome] for outcome in OUTCOMES},
        "per_label": {
            label: {outcome: counts[outcome] for outcome in OUTCOMES}
            for label, counts in sorted(per_label.items())
        },
        "confusions": [
            {"gold": gold, "predicted": predicted, "count": count}
            for (gold, predicted), count in confusions.most_common()
        ],
        "examples": samples,
    }
