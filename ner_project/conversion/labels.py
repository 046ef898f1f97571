"""Renaming the labels of a corpus: a JSON mapping file, `{"label in the data": "label
to train" | null}`, so that another team's labels fill the project's parse fields
("Companies worked at" becomes COMPANY) and labels nobody needs are dropped (null).

Every label of the data must be named in the file: a label left out would otherwise
reach the model under a name no field expects, and be silently lost to the user.
"""

from collections import Counter
from pathlib import Path

import srsly
from spacy.tokens import Doc, Span

from ner_project.conversion import errors
from ner_project.conversion.errors import DataError


def read_label_map(path: Path) -> dict[str, str | None]:
    """The mapping in `path`, checked: a JSON object of strings to strings or null."""
    if not path.is_file():
        raise DataError(path, None, errors.FILE_NOT_FOUND)
    try:
        mapping = srsly.read_json(path)
    except ValueError as error:
        raise DataError(
            path, None, errors.LABEL_MAP_NOT_JSON.format(error=error)
        ) from None
    if not isinstance(mapping, dict) or not mapping:
        raise DataError(path, None, errors.LABEL_MAP_NOT_OBJECT)
    for source, target in mapping.items():
        if target is not None and (not isinstance(target, str) or not target.strip()):
            raise DataError(
                path,
                f"label {source!r}",
                errors.LABEL_MAP_BAD_TARGET.format(found=target),
            )
    return mapping


def relabel(docs: list[Doc], mapping: dict[str, str | None], path: Path) -> Counter:
    """Rename each entity's label in place, dropping those mapped to null (their tokens
    become outside any entity); the entities per label after renaming. Checks every
    label before changing any document."""
    found = Counter(ent.label_ for doc in docs for ent in doc.ents)
    if unnamed := sorted(set(found) - set(mapping)):
        counts = ", ".join(f"{label!r} ({found[label]})" for label in unnamed)
        raise DataError(path, None, errors.LABEL_MAP_MISSING.format(labels=counts))
    for doc in docs:
        kept = [
            Span(doc, ent.start, ent.end, label=mapping[ent.label_])
            for ent in doc.ents
            if mapping[ent.label_] is not None
        ]
        # Tokens whose annotation was unknown stay unknown; the others are outside.
        missing = [doc[t.i : t.i + 1] for t in doc if t.ent_iob == 0]
        doc.set_ents(kept, missing=missing, default="outside")
    return Counter(ent.label_ for doc in docs for ent in doc.ents)
