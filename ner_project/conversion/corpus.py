"""Convert annotated files, in the formats labeling tools export, into spaCy `.spacy`
corpora: IOB (`token<TAB>tag`), CoNLL columns, Prodigy / doccano JSONL, Label Studio
JSON and spaCy v2 JSON.

Documents are kept as the file marks them (`-DOCSTART-`, one record, one JSON
document); token files without marks are cut into documents of `--sentences-per-doc`
sentences. Every entity read is written or named in the report (`OUTPUT.stats.json`);
bad input stops with the file and line, and no output.
"""

import re
from enum import StrEnum
from pathlib import Path

import spacy
import srsly
from spacy.tokens import Doc, DocBin
from tqdm import tqdm
from wasabi import msg

from ner_project.conversion import errors
from ner_project.conversion.documents import (
    group_sentences,
    sentences_to_doc,
    texts_to_docs,
)
from ner_project.conversion.errors import DataError, OptionError
from ner_project.conversion.labels import read_label_map, relabel
from ner_project.conversion.report import ConversionReport, print_report
from ner_project.conversion.spacy_json import read_spacy_json
from ner_project.conversion.span_records import read_span_file
from ner_project.conversion.splits import (
    documents_also_in,
    parse_fractions,
    reference_texts,
    split_documents,
    text_key,
)
from ner_project.conversion.token_columns import (
    TAB,
    read_conll,
    read_iob,
    sniff_separator,
)
from ner_project.files import atomic_write_bytes

SENTENCES_PER_DOC = 10  # for token files without -DOCSTART-: about a paragraph


class Format(StrEnum):
    auto = "auto"
    iob = "iob"
    conll = "conll"
    jsonl = "jsonl"
    spacy_json = "spacy-json"


class Misaligned(StrEnum):
    error = "error"
    expand = "expand"


def detect_format(path: Path) -> Format:
    """The format of a file, from its first characters: `{` JSONL records, `[` a JSON
    list (spaCy JSON if it has paragraphs), else token lines (tabs: IOB, else CoNLL)."""
    if not path.is_file():
        raise DataError(path, None, errors.FILE_NOT_FOUND)
    with path.open("rb") as file:
        text = file.read(1 << 16).decode("utf-8-sig", errors="replace")
    head = text.lstrip()
    if head.startswith("{"):
        return Format.jsonl
    if head.startswith("["):
        if re.search(r'"paragraphs"\s*:\s*\[', head):
            return Format.spacy_json
        return Format.jsonl
    if path.suffix in {".json", ".jsonl"} and head:
        why = f"a {path.suffix} file that starts with {head[:20]!r}"
        raise DataError(path, 1, errors.UNKNOWN_FORMAT.format(why=why))
    return Format.iob if sniff_separator(text) == TAB else Format.conll


def progress(items: list, path: Path) -> tqdm:
    """A progress bar on a terminal, shown once reading takes more than 2 seconds."""
    return tqdm(items, desc=path.name, unit="doc", delay=2, leave=False, disable=None)


def read_documents(
    inputs: list[Path],
    lang: str,
    sentences_per_doc: int | None,
    file_format: Format = Format.auto,
    misaligned: Misaligned = Misaligned.error,
    label_map: Path | None = None,
) -> tuple[list[Doc], ConversionReport]:
    """Every document of every input, in order, with a report of what was read; with
    a `label_map` file, entities relabelled by it."""
    mapping = read_label_map(label_map) if label_map is not None else None
    nlp = spacy.blank(lang)
    report = ConversionReport()
    docs: list[Doc] = []
    for path in inputs:
        found = detect_format(path) if file_format == Format.auto else file_format
        if found == Format.jsonl:
            records = read_span_file(path, report)
            expand = misaligned == Misaligned.expand
            docs.extend(
                texts_to_docs(nlp, progress(records, path), path, report, expand)
            )
            continue
        if found == Format.spacy_json:
            documents, marked = read_spacy_json(path)
        else:
            reader = read_iob if found == Format.iob else read_conll
            documents, marked = reader(path, report)
        per_doc = sentences_per_doc
        if per_doc is None:
            per_doc = 0 if marked else SENTENCES_PER_DOC
        groups = list(group_sentences(documents, per_doc))
        allow_missing = found == Format.spacy_json
        for sentences in progress(groups, path):
            doc = sentences_to_doc(nlp.vocab, sentences, path, report, allow_missing)
            docs.append(doc)
    if mapping is not None:
        report.entities = relabel(docs, mapping, label_map)
    return docs, report


def to_doc_bin(docs: list[Doc]) -> DocBin:
    """Entities, sentence starts and the records' ids (`doc.user_data`)."""
    doc_bin = DocBin(attrs=["ENT_IOB", "ENT_TYPE", "SENT_START"], store_user_data=True)
    for doc in docs:
        doc_bin.add(doc)
    return doc_bin


def convert_files(
    inputs: list[Path],
    lang: str,
    sentences_per_doc: int | None,
    file_format: Format = Format.auto,
    misaligned: Misaligned = Misaligned.error,
) -> tuple[DocBin, ConversionReport]:
    """Read every input into one DocBin, with a report of what was read."""
    docs, report = read_documents(
        inputs, lang, sentences_per_doc, file_format, misaligned
    )
    return to_doc_bin(docs), report


def check_leaks(
    docs: list[Doc], texts: set[str], report: ConversionReport, output: Path, of: str
) -> None:
    """Count and warn about documents whose text is also a training document's."""
    leaks = documents_also_in(docs, texts)
    report.documents_in_reference = len(leaks)
    if leaks:
        first = docs[leaks[0]]
        name = first.user_data.get("id", first.text[:60])
        msg.warn(
            f"{len(leaks)} of {len(docs)} documents of {output} are also in {of} "
            f"(same text, whitespace aside), first document {leaks[0] + 1}: {name!r}. "
            "Scores on them measure memory, not generalisation: remove them"
        )


def write_corpus(output: Path, docs: list[Doc], report: ConversionReport) -> None:
    atomic_write_bytes(output, to_doc_bin(docs).to_bytes())
    stats = srsly.json_dumps(report.to_json(), indent=2).encode()
    atomic_write_bytes(output.with_suffix(".stats.json"), stats)
    print_report(output, report)


def write_split(
    output: Path,
    docs: list[Doc],
    report: ConversionReport,
    parts: dict[str, list[int]],
    reference: set[str] | None,
    reference_path: Path | None,
) -> None:
    """OUTPUT/train.spacy, dev.spacy, test.spacy and their reports; dev and test are
    checked against the train part (and the reference corpus, if given)."""
    train_texts = {text_key(docs[i]) for i in parts["train"]}
    for name, indices in parts.items():
        part, part_report = [docs[i] for i in indices], report.subset(docs, indices)
        path = output / f"{name}.spacy"
        if name != "train":
            texts = train_texts | (reference or set())
            check_leaks(part, texts, part_report, path, "train")
        elif reference is not None:
            check_leaks(part, reference, part_report, path, str(reference_path))
        write_corpus(path, part, part_report)


def convert_corpus(
    inputs: list[Path],
    output: Path,
    file_format: Format = Format.auto,
    lang: str = "en",
    sentences_per_doc: int | None = None,
    misaligned: Misaligned = Misaligned.error,
    split: str | None = None,
    seed: int = 0,
    train_reference: Path | None = None,
    label_map: Path | None = None,
) -> None:
    """Convert annotated files to a .spacy corpus (or, with `split`, a folder of
    train, dev and test corpora) and a JSON report beside each; raises `DataError` or
    `OptionError` before anything is written."""
    if split is None and output.suffix != ".spacy":
        raise OptionError(errors.NOT_SPACY_PATH)
    if split is not None and output.suffix == ".spacy":
        raise OptionError(errors.SPLIT_NOT_FOLDER)
    fractions = parse_fractions(split) if split is not None else None
    docs, report = read_documents(
        inputs, lang, sentences_per_doc, file_format, misaligned, label_map
    )
    reference = reference_texts(train_reference) if train_reference else None
    parts = split_documents(len(docs), fractions, seed) if fractions else None
    if parts is None:
        if reference is not None:
            check_leaks(docs, reference, report, output, str(train_reference))
        write_corpus(output, docs, report)
        return
    write_split(output, docs, report, parts, reference, train_reference)
    about = {
        "inputs": [str(path) for path in inputs],
        "fractions": fractions,
        "seed": seed,
        "documents": {name: len(indices) for name, indices in parts.items()},
        "skipped_records": [note.to_json() for note in report.skipped_records],
        "invisible_lines": [note.to_json() for note in report.invisible_lines],
    }
    about_json = srsly.json_dumps(about, indent=2).encode()
    atomic_write_bytes(output / "split.json", about_json)
