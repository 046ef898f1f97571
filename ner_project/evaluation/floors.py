"""Per-label confidence floors fitted on dev. An entity the model gives a low
confidence is more often wrong than right; for each label, the floor below which its
entities are dropped is the one at which that label's dev F1 is highest, in the whole
pipeline's output. The fitted floors go into the `entity_confidence` component's
`min_confidence`, so every user of the pipeline (evaluate, the service, `annotate`)
gets them. The spans the component adds for its ensured labels have one floor of their
own, `ensure_min_confidence`, fitted the same way."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example
from wasabi import msg

from ner_project.evaluation.calibration import annotated_labels, floors_off
from ner_project.evaluation.scores import predict
from ner_project.training.functions import above_floors

FLOORS = tuple(round(0.05 * step, 2) for step in range(20))  # 0 to 0.95


def fit_floors(
    nlp: Language,
    references: list[Doc],
    component: str = "entity_confidence",
    floors: Sequence[float] = FLOORS,
) -> list[dict]:
    """Per label the dev set annotates (the component's ensured labels aside, whose
    floor is `ensure_min_confidence`): the floor of `floors` at which the label's F1 is
    highest (the lowest such floor), that F1, and the F1 with no floor.

    The NER runs once, with no floors; each floor is then tried on copies of its
    output, and the components after `component` (pattern rules) run on what the floor
    keeps, as they would in use: an e-mail address the NER is unsure of may still be
    found by the rules."""
    scorer = nlp.get_pipe(component)
    later = nlp.pipe_names[nlp.pipe_names.index(component) + 1 :]
    with floors_off(scorer), nlp.select_pipes(disable=later):
        examples = predict(nlp, references)
    labels = sorted(annotated_labels(examples) - set(scorer.ensure_labels))
    return [fitted_floor(nlp, later, examples, label, floors) for label in labels]


def fitted_floor(
    nlp: Language,
    later: list[str],
    examples: list[Example],
    label: str,
    floors: Sequence[float],
) -> dict:
    scores = {
        floor: labels_f1(
            rerun(nlp, later, examples, kept_above({label: floor})), {label}
        )
        for floor in floors
    }
    return best_floor(label, scores)


def kept_above(floors: dict[str, float]) -> Callable[[Doc], None]:
    """What takes a doc's entities under their label's floor out of it."""

    def drop_below_floors(doc: Doc) -> None:
        doc.ents = above_floors(doc.ents, floors)

    return drop_below_floors


def fit_ensure_floor(
    nlp: Language,
    references: list[Doc],
    component: str = "entity_confidence",
    floors: Sequence[float] = FLOORS,
) -> dict | None:
    """The component's `ensure_min_confidence` fitted like a label's floor: of
    `floors`, the lowest at which the ensured labels' dev F1 is highest, that F1, and
    the F1 at no floor; None where the component ensures no label.

    A span added where the parse found none of a label is a guess, and how sure the
    model must be of it moves with every model trained: too low a floor gives a CV
    that names no one a name. The NER runs once; the component (its other floors off)
    and the ones after it then run on copies of its output at each floor."""
    scorer = nlp.get_pipe(component)
    labels = set(scorer.ensure_labels)
    if not labels:
        return None
    from_component = nlp.pipe_names[nlp.pipe_names.index(component) :]
    with nlp.select_pipes(disable=from_component):
        parsed = predict(nlp, references)
    scores = {}
    for floor in floors:
        with floors_off(scorer), ensure_floor(scorer, floor):
            scores[floor] = labels_f1(rerun(nlp, from_component, parsed), labels)
    return best_floor(", ".join(sorted(labels)) + " (ensured)", scores)


def copy_floors(
    source: Language, target: Language, component: str = "entity_confidence"
) -> dict:
    """Give `target`'s confidence component the floors of `source`'s: its labels'
    `min_confidence` and its ensured labels' `ensure_min_confidence`, in the config
    that `target.to_disk` writes. Returns them.

    For a pipeline retrained on train and dev with the settings a held-out run chose
    (`resume-refit`): no data is left to fit its floors on, so it keeps those fitted
    for the held-out run. A floor is a confidence, and the temperature sets what a
    confidence means: both components must have the same temperature and ensure the
    same labels, and the target's NER must know every floored label."""
    given, taken = source.get_pipe_config(component), target.get_pipe_config(component)
    for setting in ("temperature", "ensure_labels"):
        if given.get(setting) != taken.get(setting):
            raise ValueError(
                f"{component}: {setting} is {given.get(setting)!r} where the floors "
                f"were fitted and {taken.get(setting)!r} here; floors only carry over "
                "between pipelines with the same one"
            )
    floors = dict(given.get("min_confidence") or {})
    known = set(target.get_pipe(taken["ner"]).labels)
    if unknown := sorted(set(floors) - known):
        raise ValueError(
            f"{component}: floors of {', '.join(unknown)}, which this pipeline's NER "
            "does not predict"
        )
    taken["min_confidence"] = floors
    taken["ensure_min_confidence"] = given.get("ensure_min_confidence", 0.0)
    return {
        "min_confidence": floors,
        "ensure_min_confidence": taken["ensure_min_confidence"],
    }


def rerun(
    nlp: Language,
    pipes: list[str],
    examples: list[Example],
    change: Callable[[Doc], None] | None = None,
) -> list[Example]:
    """The examples with copies of their predicted docs, each changed by `change` and
    then run through `pipes`, as the pipeline would run them."""
    rerun_examples = []
    for eg in examples:
        doc = eg.predicted.copy()
        if change is not None:
            change(doc)
        for name in pipes:
            doc = nlp.get_pipe(name)(doc)
        rerun_examples.append(Example(doc, eg.reference))
    return rerun_examples


def best_floor(label: str, scores: dict[float, float]) -> dict:
    """Of `scores` (floor: F1), the lowest floor of the highest F1, that F1, and the F1
    at the lowest floor."""
    best = max(scores, key=lambda floor: (scores[floor], -floor))
    return {
        "label": label,
        "floor": best,
        "f1": round(scores[best], 4),
        "unfloored_f1": round(scores[min(scores)], 4),
    }


def labels_f1(examples: Sequence[Example], labels: set[str]) -> float:
    """F1 of the entities of `labels` taken together, as `evaluate` scores entities."""
    scores = Scorer.score_spans(
        examples,
        "ents",
        getter=lambda doc, attr: [e for e in doc.ents if e.label_ in labels],
    )
    return scores["ents_f"] or 0.0


@contextmanager
def ensure_floor(scorer, floor: float) -> Iterator[None]:
    """The confidence component with `ensure_min_confidence` at `floor` for a while."""
    kept = scorer.ensure_min_confidence
    scorer.ensure_min_confidence = floor
    try:
        yield
    finally:
        scorer.ensure_min_confidence = kept


def print_floors(rows: list[dict], corpus: str) -> None:
    msg.table(
        [
            (
                r["label"],
                f"{r['floor']:.2f}",
                f"{r['unfloored_f1']:.3f}",
                f"{r['f1']:.3f}",
            )
            for r in rows
        ],
        header=("label", "floor", f"F1 on {corpus}, no floor", "at the floor"),
        divider=True,
        aligns=("l", "r", "r", "r"),
    )
