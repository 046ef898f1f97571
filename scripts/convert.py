"""Convert annotated IOB files (`token<TAB>tag`) into a spaCy `.spacy` corpus.

Documents marked with `-DOCSTART-` are kept whole; a file without them is cut into
documents of `--sentences-per-doc` sentences. Every entity read is written or named in
the report (`OUTPUT.stats.json`); bad input stops with the file and line, and no output.
"""

from pathlib import Path

import spacy
import srsly
import typer
from spacy.tokens import DocBin
from wasabi import msg

from annotations import ConversionReport, DataError, group_sentences, sentences_to_doc
from atomic import atomic_write_bytes
from read_iob import read_iob


def convert_files(
    inputs: list[Path], lang: str, sentences_per_doc: int | None
) -> "tuple[DocBin, ConversionReport]":
    """Read every input into one DocBin, with a report of what was read."""
    nlp = spacy.blank(lang)
    report = ConversionReport()
    doc_bin = DocBin(attrs=["ENT_IOB", "ENT_TYPE", "SENT_START"], store_user_data=False)
    for path in inputs:
        documents, marked = read_iob(path)
        per_doc = (
            sentences_per_doc if sentences_per_doc is not None else 0 if marked else 10
        )
        for sentences in group_sentences(documents, per_doc):
            doc_bin.add(sentences_to_doc(nlp.vocab, sentences, path, report))
    return doc_bin, report


def print_report(output: Path, report: ConversionReport) -> None:
    msg.good(
        f"{output}: {report.documents} documents, {report.sentences} sentences, "
        f"{report.tokens} tokens, {sum(report.entities.values())} entities"
    )
    rows = sorted(report.entities.items())
    msg.table(rows, header=("label", "entities"), divider=True, aligns=("l", "r"))
    if report.repairs:
        first = report.repairs[0]
        msg.warn(
            f"{len(report.repairs)} I- tags did not continue an entity of their label "
            f"and were read as the start of a new entity (IOB1), first at "
            f"{first.path}:{first.line} ({first.tag!r} after {first.previous!r}); "
            "all are listed in the report"
        )


def convert(
    inputs: list[Path] = typer.Argument(..., help="Annotated IOB files"),
    output: Path = typer.Argument(..., help="The .spacy file to write"),
    lang: str = typer.Option("en", help="Language of the blank vocabulary"),
    sentences_per_doc: int | None = typer.Option(
        None,
        help="Sentences per document; default: keep -DOCSTART- documents, else 10",
    ),
) -> None:
    """Convert IOB files to one .spacy corpus and a JSON report beside it."""
    try:
        doc_bin, report = convert_files(inputs, lang, sentences_per_doc)
    except DataError as error:
        msg.fail(str(error), exits=1)
    stats_path = output.with_suffix(".stats.json")
    atomic_write_bytes(output, doc_bin.to_bytes())
    atomic_write_bytes(
        stats_path, srsly.json_dumps(report.to_json(), indent=2).encode()
    )
    print_report(output, report)


if __name__ == "__main__":
    typer.run(convert)
