"""One shape for the entities of a `Doc`, so the API and the annotator agree."""

from collections.abc import Mapping

from spacy.tokens import Doc, Span


def confidence(ent: Span) -> float | None:
    """The pipeline's confidence in an entity, in [0, 1]; None from a pipeline that
    gives none (one packaged before entities had confidences)."""
    if not Span.has_extension("confidence"):
        return None
    value = ent._.confidence
    return None if value is None else round(float(value), 4)


def doc_entities(
    doc: Doc, min_confidence: Mapping[str, float] | None = None
) -> list[dict]:
    """The pipeline's entities as {text, label, start, end, confidence} (character
    offsets), leaving out those less confident than their label's threshold in
    `min_confidence` (labels not named there are all kept)."""
    thresholds = min_confidence or {}
    entities = []
    for ent in doc.ents:
        score = confidence(ent)
        threshold = thresholds.get(ent.label_)
        if threshold is not None and score is not None and score < threshold:
            continue
        entities.append(
            {
                "text": ent.text,
                "label": ent.label_,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": score,
            }
        )
    return entities
