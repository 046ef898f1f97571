"""A resume's entities as a stable record: every configured field present, each value
once, in the order the resume gives them."""

from collections.abc import Mapping, Sequence


def build_record(
    entities: Sequence[Mapping], fields: Mapping[str, str | list[str]]
) -> dict[str, str | list[str]]:
    """Fill each field from the entities (in text order) whose label it names.

    A field given one label (a string) holds the first such entity's text, or "" when
    there is none; a field given a list of labels holds the distinct texts of all their
    entities, or []. Texts are compared case- and whitespace-insensitively, and the
    first spelling seen is kept, its runs of whitespace (line breaks of the layout)
    written as one space.
    """
    labelled = [
        (entity["label"], " ".join(entity["text"].split())) for entity in entities
    ]
    record: dict[str, str | list[str]] = {}
    for field, labels in fields.items():
        if isinstance(labels, str):
            record[field] = next(
                (text for label, text in labelled if label == labels), ""
            )
        else:
            record[field] = distinct(
                text for label, text in labelled if label in labels
            )
    return record


def distinct(texts) -> list[str]:
    """The texts, each kept once: the first of those equal but for case."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = text.casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(text)
    return kept
