"""The core every format reader shares: token/tag sentences become validated spaCy Docs.

Readers only parse their format into `Sentence`s; turning tags into entity spans,
checking them and counting what was read happens here, once.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

# Tag prefixes of IOB1, IOB2, BILOU and IOBES. The entity-opening ones start an entity,
# the continuing ones extend the entity of the previous token, the closing ones end it.
OPENING = {"B", "U", "S"}
CONTINUING = {"I", "L", "E"}
CLOSING = {"L", "E", "U", "S"}


class DataError(ValueError):
    """Bad input, with the file and line it was found at."""

    def __init__(self, path: Path, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass
class Sentence:
    """One annotated sentence as a reader found it: tokens, tags and their line numbers."""

    words: list[str]
    tags: list[str]
    lines: list[int]


@dataclass
class Repair:
    """An `I-` tag that did not continue an entity of its label and opened a new one."""

    path: Path
    line: int
    tag: str
    previous: str


@dataclass
class ConversionReport:
    """What a conversion read, so that nothing is lost without being named."""

    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    entities: Counter = field(default_factory=Counter)
    repairs: list[Repair] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "entities": sum(self.entities.values()),
            "entities_per_label": dict(sorted(self.entities.items())),
            "repaired_tags": [
                {"file": str(r.path), "line": r.line, "tag": r.tag, "after": r.previous}
                for r in self.repairs
            ],
        }


def split_tag(tag: str, path: Path, line: int) -> tuple[str, str]:
    """`B-Job Specific Skills` -> ("B", "Job Specific Skills"); `O` -> ("O", "")."""
    if tag == "O":
        return "O", ""
    prefix, dash, label = tag.partition("-")
    if not dash or prefix not in OPENING | CONTINUING or not label.strip():
        raise DataError(
            path,
            line,
            f"tag {tag!r} is not O or B-, I-, L-, E-, U-, S- followed by a label",
        )
    return prefix, label


def tags_to_spans(
    tags: Sequence[str], lines: Sequence[int], path: Path, report: ConversionReport
) -> list[tuple[int, int, str]]:
    """Token-level (start, end, label) entities of a document, in any tag scheme.

    An `I-`/`L-`/`E-` tag that does not continue an open entity of the same label
    opens a new entity (the IOB1 reading), and the report names its line.
    """
    spans: list[tuple[int, int, str]] = []
    open_start: int | None = None
    open_label = ""
    for i, (tag, line) in enumerate(zip(tags, lines, strict=True)):
        prefix, label = split_tag(tag, path, line)
        continues = (
            prefix in CONTINUING and open_start is not None and label == open_label
        )
        if not continues and open_start is not None:
            spans.append((open_start, i, open_label))
            open_start = None
        if prefix == "O":
            continue
        if not continues:
            if prefix in CONTINUING and i > 0:
                report.repairs.append(Repair(path, line, tag, tags[i - 1]))
            open_start, open_label = i, label
        if prefix in CLOSING:
            spans.append((open_start, i + 1, open_label))
            open_start = None
    if open_start is not None:
        spans.append((open_start, len(tags), open_label))
    return spans


def sentences_to_doc(
    vocab: Vocab, sentences: Sequence[Sentence], path: Path, report: ConversionReport
) -> Doc:
    """One Doc of several sentences, with sentence boundaries and entities set.

    An entity may continue across a sentence break (resume exports put a blank line at
    every line break, inside names and college names too): such a break is dropped
    rather than the entity cut in two.
    """
    words = [word for sentence in sentences for word in sentence.words]
    tags = [tag for sentence in sentences for tag in sentence.tags]
    lines = [line for sentence in sentences for line in sentence.lines]
    entities = tags_to_spans(tags, lines, path, report)
    inside_entity = {i for start, end, _ in entities for i in range(start + 1, end)}
    sent_starts = [False] * len(words)
    offset = 0
    for sentence in sentences:
        sent_starts[offset] = offset not in inside_entity
        offset += len(sentence.words)
    doc = Doc(vocab, words=words, sent_starts=sent_starts)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in entities]
    report.documents += 1
    report.sentences += sum(sent_starts)
    report.tokens += len(words)
    report.entities.update(label for _, _, label in entities)
    return doc


def group_sentences(
    documents: Iterable[list[Sentence]], sentences_per_doc: int
) -> Iterable[list[Sentence]]:
    """Split documents into chunks of at most `sentences_per_doc` sentences (0: keep)."""
    for sentences in documents:
        if sentences_per_doc <= 0:
            yield sentences
            continue
        for i in range(0, len(sentences), sentences_per_doc):
            yield sentences[i : i + sentences_per_doc]
