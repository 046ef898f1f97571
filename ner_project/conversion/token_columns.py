"""Read token-per-line files: IOB as annotation tools export it (`token<TAB>tag`) and
CoNLL columns (`word POS chunk tag`, whitespace-separated, the tag last).

A tab-separated file is split on tabs only, so labels with spaces
(`B-Job Specific Skills`) and tokens are kept whole; any other file is split on
whitespace. Every line of a file has the same number of columns. A blank line ends a
sentence and a `-DOCSTART-` line (in any of its spellings) ends a document. A line of
nothing but invisible characters (a byte-order mark or a zero-width space, as some
public corpora have mid-file) is read as blank, and counted in the report.
"""

import unicodedata
from pathlib import Path

from ner_project.conversion import errors
from ner_project.conversion.documents import Sentence
from ner_project.conversion.errors import DataError
from ner_project.conversion.input_files import read_text
from ner_project.conversion.report import ConversionReport, Note

DOCSTART = "-DOCSTART-"
TAB, WHITESPACE = "tab-separated", "whitespace-separated"


def is_invisible(line: str) -> bool:
    """True for a line that holds characters, all of them whitespace or invisible
    formatting characters (Unicode category Cf: U+FEFF, U+200B, U+200D, ...)."""
    return bool(line) and all(
        char.isspace() or unicodedata.category(char) == "Cf" for char in line
    )


def is_docstart(line: str) -> bool:
    """`-DOCSTART-`, `-DOCSTART-<TAB>O`, `-DOCSTART- -X- O O`, `-DOCSTART- -X- -X- O`."""
    return line.split(maxsplit=1)[:1] == [DOCSTART]


def sniff_separator(text: str) -> str:
    """Tabs if the first token line has one, else whitespace (CoNLL)."""
    for line in text.split("\n", 1000):
        if line.strip() and not is_docstart(line):
            return TAB if "\t" in line else WHITESPACE
    return TAB


def split_columns(
    line: str, number: int, separator: str, path: Path, first: tuple[int, int] | None
) -> list[str]:
    """The columns of a token line; `first` is (line, count) of the first token line."""
    columns = line.split("\t") if separator == TAB else line.split()
    if separator == TAB and len(columns) < 2:
        raise DataError(path, number, errors.NO_TAB.format(line=line))
    if len(columns) < 2:
        raise DataError(path, number, errors.ONE_COLUMN.format(line=line))
    if first is not None and len(columns) != first[1]:
        problem = errors.COLUMN_COUNT.format(
            expected=first[1],
            kind=separator,
            first=first[0],
            found=len(columns),
            line=line,
        )
        raise DataError(path, number, problem)
    return columns


def read_token_file(
    path: Path, separator: str | None = None, report: ConversionReport | None = None
) -> tuple[list[list[Sentence]], bool]:
    """The documents of a token-per-line file (each a list of sentences), and whether
    the file marks its documents with `-DOCSTART-` (if not, it is all one document).
    `separator` is TAB (IOB), WHITESPACE (CoNLL) or None to tell from the file; lines
    read as blank for holding only invisible characters are noted in `report`."""
    text = read_text(path)
    separator = separator or sniff_separator(text)
    documents: list[list[Sentence]] = []
    document: list[Sentence] = []
    marked = False
    first: tuple[int, int] | None = None
    sentence = Sentence([], [], [])
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        blank = not line.strip()
        if not blank and is_invisible(line):
            blank = True
            if report is not None:
                codes = sorted({f"U+{ord(char):04X}" for char in line.strip()})
                report.invisible_lines.append(Note(path, number, {"characters": codes}))
        boundary = not blank and is_docstart(line)
        marked = marked or boundary
        if sentence.words and (blank or boundary):
            document.append(sentence)
            sentence = Sentence([], [], [])
        if boundary and document:
            documents.append(document)
            document = []
        if blank or boundary:
            continue
        columns = split_columns(line, number, separator, path, first)
        first = first or (number, len(columns))
        token, tag = columns[0].strip(), columns[-1].strip()
        if not token:
            raise DataError(path, number, errors.EMPTY_TOKEN)
        sentence.words.append(token)
        sentence.tags.append(tag)
        sentence.lines.append(number)
    if sentence.words:
        document.append(sentence)
    if document:
        documents.append(document)
    return documents, marked


def read_iob(
    path: Path, report: ConversionReport | None = None
) -> tuple[list[list[Sentence]], bool]:
    """An IOB file: `token<TAB>tag` (more tab-separated columns: the tag is last)."""
    return read_token_file(path, TAB, report)


def read_conll(
    path: Path, report: ConversionReport | None = None
) -> tuple[list[list[Sentence]], bool]:
    """A CoNLL file: whitespace-separated columns, the word first and the tag last."""
    return read_token_file(path, WHITESPACE, report)
