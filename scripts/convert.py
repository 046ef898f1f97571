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
import typer
from spacy.tokens import Doc, DocBin
from tqdm import tqdm
from wasabi import msg

import errors
from annotations import group_sentences, sentences_to_doc, texts_to_docs
from atomic import atomic_write_bytes
from errors import DataError, OptionError
from read_iob import TAB, read_conll, read_iob, sniff_separator
from read_spacy_json import read_spacy_json
from read_spans import read_span_file
from report import ConversionReport, print_report
from splits import (
    documents_also_in,
    parse_fractions,
    reference_texts,
    split_documents,
    text_key,
)

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
) -> tuple[list[Doc], ConversionReport]:
    """Every document of every input, in order, with a report of what was read."""
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
        reader = {Format.iob: read_iob, Format.conll: read_conll}.get(found)
        documents, marked = (reader or read_spacy_json)(path)
        per_doc = sentences_per_doc
        if per_doc is None:
            per_doc = 0 if marked else SENTENCES_PER_DOC
        groups = list(group_sentences(documents, per_doc))
        allow_missing = found == Format.spacy_json
        for sentences in progress(groups, path):
            doc = sentences_to_doc(nlp.vocab, sentences, path, report, allow_missing)
            docs.append(doc)
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


def convert(
    inputs: list[Path] = typer.Argument(..., help="Annotated files (see --format)"),
    output: Path = typer.Argument(
        ..., help="The .spacy file to write; with --split, a folder"
    ),
    file_format: Format = typer.Option(
        Format.auto,
        "--format",
        help="iob: token<TAB>tag; conll: word ... tag columns; jsonl: Prodigy, "
        "doccano or Label Studio spans (.jsonl or .json); spacy-json: spaCy v2 JSON; "
        "auto: tell from each file",
    ),
    lang: str = typer.Option("en", help="Language of the blank tokenizer"),
    sentences_per_doc: int | None = typer.Option(
        None,
        help="Sentences per document of token files; default: keep -DOCSTART- "
        f"documents, else {SENTENCES_PER_DOC}",
    ),
    misaligned: Misaligned = typer.Option(
        Misaligned.error,
        help="A span not on token boundaries: stop with an error, or widen it to "
        "whole tokens and list it in the report",
    ),
    split: str | None = typer.Option(
        None, help="Split documents into train,dev[,test], e.g. 0.8,0.1,0.1"
    ),
    seed: int = typer.Option(0, help="Random seed of --split"),
    train_reference: Path | None = typer.Option(
        None, help="A training .spacy corpus: warn about documents also in it"
    ),
) -> None:
    """Convert annotated files to a .spacy corpus and a JSON report beside it."""
    if split is None and output.suffix != ".spacy":
        msg.fail(errors.NOT_SPACY_PATH, exits=1)
    if split is not None and output.suffix == ".spacy":
        msg.fail(errors.SPLIT_NOT_FOLDER, exits=1)
    try:
        fractions = parse_fractions(split) if split is not None else None
        docs, report = read_documents(
            inputs, lang, sentences_per_doc, file_format, misaligned
        )
        reference = reference_texts(train_reference) if train_reference else None
        parts = split_documents(len(docs), fractions, seed) if fractions else None
    except (DataError, OptionError) as error:
        msg.fail(str(error), exits=1)
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
    }
    about_json = srsly.json_dumps(about, indent=2).encode()
    atomic_write_bytes(output / "split.json", about_json)


if __name__ == "__main__":
    typer.run(convert)
