"""Document-level train/dev/test splits, and the check that no dev or test document
is also a training document (same text), which would inflate the scores."""

import random
from collections.abc import Iterable, Sequence
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from ner_project.conversion import errors
from ner_project.conversion.errors import DataError, OptionError

SPLIT_NAMES = ("train", "dev", "test")


def parse_fractions(value: str) -> list[float]:
    """`0.8,0.1,0.1` -> [0.8, 0.1, 0.1]; two fractions mean no test part."""
    try:
        fractions = [float(part) for part in value.split(",")]
    except ValueError:
        fractions = []
    if not 2 <= len(fractions) <= 3 or min(fractions) <= 0:
        raise OptionError(errors.BAD_FRACTIONS.format(value=value))
    if abs(sum(fractions) - 1) > 1e-6:
        raise OptionError(errors.BAD_FRACTIONS.format(value=value))
    return fractions


def split_documents(
    count: int, fractions: Sequence[float], seed: int
) -> dict[str, list[int]]:
    """Indices of the documents of each part, shuffled with `seed`, in file order
    inside each part. Dev and test get their rounded share, train the rest."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    sizes = [round(count * fraction) for fraction in fractions[1:]]
    parts, start = {}, count - sum(sizes)
    parts["train"] = sorted(order[:start])
    for name, size in zip(SPLIT_NAMES[1:], sizes, strict=False):
        parts[name] = sorted(order[start : start + size])
        start += size
    for name, indices in parts.items():
        if not indices:
            raise OptionError(
                errors.TOO_FEW_DOCUMENTS.format(
                    documents=count, fractions=list(fractions), split=name
                )
            )
    return parts


def text_key(doc: Doc) -> str:
    """Whitespace is left out, so the same text converted from IOB (tokens joined by
    spaces) and from JSONL (the original text) is still found."""
    return "".join(doc.text.split())


def reference_texts(path: Path) -> set[str]:
    """The texts of the documents of a .spacy corpus, as `text_key` writes them."""
    if not path.is_file():
        raise DataError(path, None, errors.FILE_NOT_FOUND)
    vocab = spacy.blank("xx").vocab
    return {text_key(doc) for doc in DocBin().from_disk(path).get_docs(vocab)}


def documents_also_in(docs: Iterable[Doc], texts: set[str]) -> list[int]:
    """Indices of the documents whose text is one of `texts`."""
    return [i for i, doc in enumerate(docs) if text_key(doc) and text_key(doc) in texts]
