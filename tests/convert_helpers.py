"""Helpers of the converter tests: tiny input files, the CLI run in-process, and what
a corpus holds."""

import re
from dataclasses import dataclass
from pathlib import Path

import spacy
import typer
from spacy.tokens import Doc, DocBin
from typer.testing import CliRunner

from convert import convert

ANSI = re.compile(r"\x1b\[[0-9;]*m")
APP = typer.Typer()
APP.command()(convert)


@dataclass
class Outcome:
    """Exit code, and stdout and stderr as one line without colours or wrapping."""

    code: int
    output: str


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args) -> Outcome:
    """`python scripts/convert.py ARGS`, run in this process (fast: spaCy is loaded)."""
    result = CliRunner().invoke(APP, [str(arg) for arg in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, " ".join(ANSI.sub("", result.output).split()))


def entities(docs) -> list[list[tuple[str, str]]]:
    """(text, label) of each document's entities."""
    if isinstance(docs, DocBin):
        docs = docs.get_docs(spacy.blank("en").vocab)
    return [[(ent.text, ent.label_) for ent in doc.ents] for doc in docs]


def read_corpus(path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def assert_refused(outcome: Outcome, where: str, problem: str, folder: Path) -> None:
    """Exit 1, a message naming the place and the problem, and no corpus, report or
    temporary file left in `folder`."""
    assert outcome.code == 1, outcome.output
    assert where in outcome.output, outcome.output
    assert problem in outcome.output, outcome.output
    outputs = (".spacy", ".stats.json", "split.json")
    written = [
        path.name for path in folder.rglob("*") if any(o in path.name for o in outputs)
    ]
    assert written == [], written
