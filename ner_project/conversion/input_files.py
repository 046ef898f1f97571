"""Reading an input file, for every reader: UTF-8 text (a BOM is fine) and JSON, with
errors that name the line."""

import json
from pathlib import Path
from typing import Any

from ner_project.conversion import errors
from ner_project.conversion.errors import DataError


def read_text(path: Path) -> str:
    """UTF-8 text of a file (a BOM is dropped); an error names the line of a bad byte."""
    if not path.is_file():
        raise DataError(path, None, errors.FILE_NOT_FOUND)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(path, line, errors.NOT_UTF8) from None
    if not text.strip():
        raise DataError(path, None, errors.EMPTY_FILE)
    return text


def load_json(path: Path, text: str, line: int = 1) -> Any:
    """Parsed JSON; an error names the line (counted from `line` for a JSONL line)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = errors.INVALID_JSON.format(error=error.msg, column=error.colno)
        raise DataError(path, line + error.lineno - 1, problem) from None
