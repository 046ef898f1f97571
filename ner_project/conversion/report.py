"""What a conversion read, and everything it changed or skipped, so nothing is lost
without being named: printed as a table and written as `OUTPUT.stats.json`."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc
from wasabi import msg

SHOWN = 3  # places named in a warning; the stats file lists all of them


@dataclass
class Repair:
    """An `I-` tag that did not continue an entity of its label and opened a new one."""

    path: Path
    line: int | str
    tag: str
    previous: str
    document: int = -1

    def to_json(self) -> dict:
        return {
            "file": str(self.path),
            "line": self.line,
            "tag": self.tag,
            "after": self.previous,
        }


@dataclass
class Note:
    """A span the converter changed (widened to tokens, a duplicate merged) or a record
    it skipped (rejected in Prodigy, cancelled in Label Studio), with where it was."""

    path: Path
    line: int | str
    detail: dict
    document: int = -1

    def to_json(self) -> dict:
        return {"file": str(self.path), "line": self.line, **self.detail}


@dataclass
class ConversionReport:
    """Counts of what was written, and the notes of the documents it was written from."""

    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    missing_ner_tokens: int = 0
    entities: Counter = field(default_factory=Counter)
    repairs: list[Repair] = field(default_factory=list)
    expanded_spans: list[Note] = field(default_factory=list)
    duplicate_spans: list[Note] = field(default_factory=list)
    skipped_records: list[Note] = field(default_factory=list)
    invisible_lines: list[Note] = field(default_factory=list)
    documents_in_reference: int | None = None

    def add(self, doc: Doc) -> None:
        """Count a document as written; notes made before this call belong to it."""
        self.documents += 1
        self.tokens += len(doc)
        if doc.has_annotation("SENT_START"):
            self.sentences += sum(1 for token in doc if token.is_sent_start)
        self.missing_ner_tokens += sum(1 for token in doc if token.ent_iob == 0)
        self.entities.update(ent.label_ for ent in doc.ents)

    def subset(self, docs: list[Doc], indices: Iterable[int]) -> "ConversionReport":
        """The report of some of the documents (one part of a split)."""
        chosen = set(indices)
        part = ConversionReport()
        for index in sorted(chosen):
            part.add(docs[index])
        part.repairs = [r for r in self.repairs if r.document in chosen]
        part.expanded_spans = [n for n in self.expanded_spans if n.document in chosen]
        part.duplicate_spans = [n for n in self.duplicate_spans if n.document in chosen]
        return part

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "entities": sum(self.entities.values()),
            "entities_per_label": dict(sorted(self.entities.items())),
            "missing_ner_tokens": self.missing_ner_tokens,
            "repaired_tags": [repair.to_json() for repair in self.repairs],
            "expanded_spans": [note.to_json() for note in self.expanded_spans],
            "duplicate_spans": [note.to_json() for note in self.duplicate_spans],
            "skipped_records": [note.to_json() for note in self.skipped_records],
            "invisible_lines": [note.to_json() for note in self.invisible_lines],
            "documents_in_train_reference": self.documents_in_reference,
        }


def places(notes: list) -> str:
    shown = ", ".join(f"{note.path}:{note.line}" for note in notes[:SHOWN])
    return shown + (f" and {len(notes) - SHOWN} more" if len(notes) > SHOWN else "")


def print_report(output: Path, report: ConversionReport) -> None:
    """A summary line, a table of entities per label, and a warning for each change."""
    sentences = f"{report.sentences} sentences" if report.sentences else "no sentences"
    msg.good(
        f"{output}: {report.documents} documents, {sentences}, "
        f"{report.tokens} tokens, {sum(report.entities.values())} entities"
    )
    rows = sorted(report.entities.items())
    msg.table(rows, header=("label", "entities"), divider=True, aligns=("l", "r"))
    if report.repairs:
        first = report.repairs[0]
        msg.warn(
            "I- tags that did not continue an entity of their label: "
            f"{len(report.repairs)}. Each was read as the start of a new entity (as "
            f"IOB1 does), at {places(report.repairs)}; the first is {first.tag!r} "
            f"after {first.previous!r}. All are listed under 'repaired_tags' in the stats"
        )
    if report.expanded_spans:
        msg.warn(
            "Spans not on token boundaries, widened to whole tokens (--misaligned "
            f"expand): {len(report.expanded_spans)}, at "
            f"{places(report.expanded_spans)}; see 'expanded_spans' in the stats"
        )
    if report.duplicate_spans:
        msg.warn(
            "Spans annotated twice with the same offsets and label, kept once: "
            f"{len(report.duplicate_spans)}, at {places(report.duplicate_spans)}; "
            "see 'duplicate_spans' in the stats"
        )
    if report.skipped_records:
        reasons = Counter(note.detail["reason"] for note in report.skipped_records)
        msg.warn(
            f"Records not converted: {len(report.skipped_records)} ("
            + "; ".join(f"{reason}: {count}" for reason, count in reasons.items())
            + f"), at {places(report.skipped_records)}; see 'skipped_records'"
        )
    if report.invisible_lines:
        msg.warn(
            "Lines of only invisible characters (such as a byte-order mark or a "
            f"zero-width space), read as blank lines: {len(report.invisible_lines)}, "
            f"at {places(report.invisible_lines)}; see 'invisible_lines' in the stats"
        )
    if report.missing_ner_tokens:
        msg.warn(
            "Tokens without NER annotation ('-' in the input): "
            f"{report.missing_ner_tokens}; training treats them as unknown, neither "
            "entity nor O"
        )
