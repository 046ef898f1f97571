"""The core every format reader shares: annotations become validated spaCy Docs.

Readers only parse their format, into token/tag `Sentence`s or into texts with
character-offset `CharSpan`s; turning either into entities, checking them and counting
what was read happens here, once.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from ner_project.conversion import errors
from ner_project.conversion.errors import DataError
from ner_project.conversion.report import ConversionReport, Note, Repair

# Tag prefixes of IOB1, IOB2, BILOU and IOBES. The entity-opening ones start an entity,
# the continuing ones extend the entity of the previous token, the closing ones end it.
OPENING = {"B", "U", "S"}
CONTINUING = {"I", "L", "E"}
CLOSING = {"L", "E", "U", "S"}
# spaCy's own JSON marks a token whose annotation is unknown with "-".
MISSING = "-"


@dataclass
class Sentence:
    """One annotated sentence as a reader found it: tokens, tags and where each was
    (line numbers, or places such as "document 1, token 3"); `spaces` when known."""

    words: list[str]
    tags: list[str]
    lines: list[int | str]
    spaces: list[bool] | None = None


@dataclass
class CharSpan:
    """An entity as a span format stores it; `text` is checked when the tool gives it."""

    start: int
    end: int
    label: str
    text: str | None = None

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}, {self.label!r}]"


@dataclass
class TextRecord:
    """One annotated text of a span format, where it was, and what to keep of it."""

    text: str
    spans: list[CharSpan]
    line: int | str
    user_data: dict = field(default_factory=dict)


def split_tag(tag: str, path: Path, line: int | str) -> tuple[str, str]:
    """`B-Job Specific Skills` -> ("B", "Job Specific Skills"); `O` -> ("O", "")."""
    if tag == "O":
        return "O", ""
    prefix, dash, label = tag.partition("-")
    if not dash or prefix not in OPENING | CONTINUING or not label.strip():
        raise DataError(path, line, errors.BAD_TAG.format(tag=tag))
    return prefix, label


def tags_to_spans(
    tags: Sequence[str],
    lines: Sequence[int | str],
    path: Path,
    report: ConversionReport,
    allow_missing: bool = False,
) -> list[tuple[int, int, str]]:
    """Token-level (start, end, label) entities of a document, in any tag scheme.

    An `I-`/`L-`/`E-` tag that does not continue an open entity of the same label
    opens a new entity (the IOB1 reading), and the report names its line.
    """
    spans: list[tuple[int, int, str]] = []
    open_start: int | None = None
    open_label = ""
    for i, (tag, line) in enumerate(zip(tags, lines, strict=True)):
        if allow_missing and tag == MISSING:
            prefix, label = "O", ""
        else:
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
                repair = Repair(path, line, tag, tags[i - 1], report.documents)
                report.repairs.append(repair)
            open_start, open_label = i, label
        if prefix in CLOSING:
            spans.append((open_start, i + 1, open_label))
            open_start = None
    if open_start is not None:
        spans.append((open_start, len(tags), open_label))
    return spans


def sentences_to_doc(
    vocab: Vocab,
    sentences: Sequence[Sentence],
    path: Path,
    report: ConversionReport,
    allow_missing: bool = False,
) -> Doc:
    """One Doc of several sentences, with sentence boundaries and entities set.

    An entity may continue across a sentence break (resume exports put a blank line at
    every line break, inside names and college names too): such a break is dropped
    rather than the entity cut in two.
    """
    words = [word for sentence in sentences for word in sentence.words]
    tags = [tag for sentence in sentences for tag in sentence.tags]
    lines = [line for sentence in sentences for line in sentence.lines]
    spaces = None
    if all(sentence.spaces is not None for sentence in sentences):
        spaces = [space for sentence in sentences for space in sentence.spaces]
    entities = tags_to_spans(tags, lines, path, report, allow_missing)
    inside_entity = {i for start, end, _ in entities for i in range(start + 1, end)}
    sent_starts = [False] * len(words)
    offset = 0
    for sentence in sentences:
        sent_starts[offset] = offset not in inside_entity
        offset += len(sentence.words)
    doc = Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    doc.set_ents(
        [Span(doc, start, end, label=label) for start, end, label in entities],
        missing=[Span(doc, i, i + 1) for i, tag in enumerate(tags) if tag == MISSING]
        if allow_missing
        else None,
    )
    report.add(doc)
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


def align_spans(
    doc: Doc, record: TextRecord, path: Path, report: ConversionReport, expand: bool
) -> tuple[list[Span], list[tuple[str, CharSpan, dict]]]:
    """The entities of a record as token spans, and its problems as (kind, span,
    details) for `errors.SPAN_PROBLEMS`. Identical duplicates are kept once."""
    text, seen = record.text, set()
    problems: list[tuple[str, CharSpan, dict]] = []
    aligned: list[tuple[Span, CharSpan]] = []
    for span in record.spans:
        key = (span.start, span.end, span.label)
        detail = {"span": list(key), "text": text[span.start : span.end]}
        if key in seen:
            note = Note(path, record.line, detail, report.documents)
            report.duplicate_spans.append(note)
            continue
        seen.add(key)
        if span.start < 0 or span.end > len(text):
            problems.append(("outside", span, {"length": len(text)}))
            continue
        if span.start >= span.end:
            problems.append(("empty", span, {}))
            continue
        found = text[span.start : span.end]
        if span.text is not None and span.text != found:
            problems.append(("mismatch", span, {"expected": span.text, "found": found}))
            continue
        entity = doc.char_span(span.start, span.end, label=span.label)
        if entity is None:
            widened = doc.char_span(span.start, span.end, alignment_mode="expand")
            tokens = [token.text for token in widened] if widened is not None else []
            if not (expand and tokens):
                problems.append(("misaligned", span, {"tokens": tokens}))
                continue
            entity = Span(doc, widened.start, widened.end, label=span.label)
            detail["expanded_to"] = entity.text
            report.expanded_spans.append(
                Note(path, record.line, detail, report.documents)
            )
        aligned.append((entity, span))
    aligned.sort(key=lambda pair: (pair[0].start, pair[0].end))
    kept: list[tuple[Span, CharSpan]] = []
    for entity, span in aligned:
        if kept and entity.start < kept[-1][0].end:
            other, other_span = kept[-1]
            details = {"other": str(other_span), "other_text": other.text}
            problems.append(("overlap", span, details))
            continue
        kept.append((entity, span))
    return [entity for entity, _ in kept], problems


def texts_to_docs(
    nlp: Language,
    records: Iterable[TextRecord],
    path: Path,
    report: ConversionReport,
    expand: bool = False,
) -> list[Doc]:
    """Tokenize each text and turn its character spans into entities.

    Every span problem of the file is counted before the error, which names the first
    one, so a user sees at once how much of the file needs fixing.
    """
    docs: list[Doc] = []
    counts: Counter = Counter()
    first: tuple[TextRecord, CharSpan, str, dict] | None = None
    for record in records:
        doc = nlp.make_doc(record.text)
        entities, problems = align_spans(doc, record, path, report, expand)
        for kind, span, details in problems:
            counts[kind] += 1
            first = first or (record, span, kind, details)
        if problems or first:
            continue
        doc.ents = entities
        doc.user_data.update(record.user_data)
        report.add(doc)
        docs.append(doc)
    if first is not None:
        record, span, kind, details = first
        counted = ", ".join(
            f"{count} span{'s' if count > 1 else ''} {errors.SPAN_COUNTED[name]}"
            for name, count in counts.items()
        )
        problem = errors.SPAN_ERROR.format(
            span=span,
            text=record.text[max(span.start, 0) : span.end],
            problem=errors.SPAN_PROBLEMS[kind].format(**details),
            counts=counted,
        )
        raise DataError(path, record.line, problem)
    return docs
