"""Read token-per-line files: IOB as annotation tools export it (`token<TAB>tag`) and
CoNLL columns (`word POS chunk tag`, whitespace-separated, the tag last).

A tab-separated file is split on tabs only, so labels with spaces
(`B-Job Specific Skills`) and tokens are kept whole; any other file is split on
whitespace. Every line of a file has the same number of columns. A blank line ends a
sentence and a `-DOCSTART-` line (in any of its spellings) ends a document.
"""

from pathlib import Path

import errors
from annotations import Sentence
from errors import DataError
from input_files import read_text

DOCSTART = "-DOCSTART-"
TAB, WHITESPACE = "tab-separated", "whitespace-separated"


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
    path: Path, separator: str | None = None
) -> tuple[list[list[Sentence]], bool]:
    """The documents of a token-per-line file (each a list of sentences), and whether
    the file marks its documents with `-DOCSTART-` (if not, it is all one document).
    `separator` is TAB (IOB), WHITESPACE (CoNLL) or None to tell from the file."""
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


def read_iob(path: Path) -> tuple[list[list[Sentence]], bool]:
    """An IOB file: `token<TAB>tag` (more tab-separated columns: the tag is last)."""
    return read_token_file(path, TAB)


def read_conll(path: Path) -> tuple[list[list[Sentence]], bool]:
    """A CoNLL file: whitespace-separated columns, the word first and the tag last."""
    return read_token_file(path, WHITESPACE)
