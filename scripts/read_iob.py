"""Read token-per-line IOB files (`token<TAB>tag`) as annotation tools export them.

Columns are split on tabs only, so labels with spaces (`B-Job Specific Skills`) and
tokens are kept whole. A blank line ends a sentence and a `-DOCSTART-` line (in any of
its spellings) ends a document.
"""

from pathlib import Path

from annotations import DataError, Sentence

DOCSTART = "-DOCSTART-"


def read_text(path: Path) -> str:
    """UTF-8 text of a file (a BOM is dropped); an error names the line of a bad byte."""
    if not path.is_file():
        raise DataError(path, None, "file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(path, line, "not UTF-8 text: save the file as UTF-8") from None
    if not text.strip():
        raise DataError(path, None, "the file is empty")
    return text


def is_docstart(line: str) -> bool:
    return line.split("\t", 1)[0].split(" ", 1)[0] == DOCSTART


def read_iob(path: Path) -> tuple[list[list[Sentence]], bool]:
    """The documents of an IOB file (each a list of sentences), and whether the file
    marks its documents with `-DOCSTART-` (if not, it is all one document)."""
    documents: list[list[Sentence]] = []
    document: list[Sentence] = []
    marked = False
    sentence = Sentence([], [], [])
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        line = line.rstrip("\r")
        boundary = is_docstart(line)
        marked = marked or boundary
        if sentence.words and (not line.strip() or boundary):
            document.append(sentence)
            sentence = Sentence([], [], [])
        if boundary and document:
            documents.append(document)
            document = []
        if not line.strip() or boundary:
            continue
        columns = line.split("\t")
        if len(columns) < 2:
            raise DataError(
                path, number, f"expected 'token<TAB>tag', found {line!r} (no tab)"
            )
        token, tag = columns[0].strip(), columns[-1].strip()
        if not token:
            raise DataError(path, number, "the token column is empty")
        sentence.words.append(token)
        sentence.tags.append(tag)
        sentence.lines.append(number)
    if sentence.words:
        document.append(sentence)
    if document:
        documents.append(document)
    return documents, marked
