"""Convert annotated files (IOB, CoNLL, Prodigy / doccano / Label Studio spans, spaCy
v2 JSON) into a `.spacy` corpus and its report (`preprocess` command)."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.conversion.corpus import (
    SENTENCES_PER_DOC,
    Format,
    Misaligned,
    convert_corpus,
)
from ner_project.conversion.errors import DataError, OptionError


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
    labels: Path | None = typer.Option(
        None,
        help='JSON file renaming labels, {"label in the data": "NEW" or null to '
        "drop}; it must name every label of the data",
    ),
) -> None:
    """Convert annotated files to a .spacy corpus and a JSON report beside it."""
    try:
        convert_corpus(
            inputs,
            output,
            file_format,
            lang,
            sentences_per_doc,
            misaligned,
            split,
            seed,
            train_reference,
            labels,
        )
    except (DataError, OptionError) as error:
        msg.fail(str(error), exits=1)


if __name__ == "__main__":
    typer.run(convert)
