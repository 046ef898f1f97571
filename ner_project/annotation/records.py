"""Input and output of the corpus annotator: records read from JSONL, plain text or a
folder of `.txt` files (with the file and line of each), and annotated records written
atomically as JSONL, Parquet, or a labeling tool's import format.

The annotator only moves data: entities come from the pipeline (`doc_entities`), and
this module decides where they are read from and written to.
"""

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from ner_project.conversion import errors
from ner_project.conversion.errors import DataError
from ner_project.conversion.utf16 import to_utf16_offset


class Export(StrEnum):
    """What OUTPUT holds: the annotated records, or one tool's pre-annotations."""

    none = "none"
    labelstudio = "labelstudio"
    doccano = "doccano"
    prodigy = "prodigy"


@dataclass
class Record:
    """An input record: its fields (with `text`), and where it was read."""

    fields: dict[str, Any]
    file: Path
    line: int | None

    @property
    def text(self) -> str:
        return self.fields["text"]


@dataclass
class Reject:
    """An input line or file that is not a record, and why."""

    file: Path
    line: int | None
    reason: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "line": self.line,
            "reason": self.reason,
            "raw": self.raw,
        }

    def to_error(self) -> DataError:
        return DataError(self.file, self.line, self.reason)


def decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines of a file with their numbers (from 1), a BOM dropped, streamed."""
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield number, line


def parse_json_line(path: Path, number: int, line: str) -> Record | Reject:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        reason = errors.INVALID_JSON.format(error=error.msg, column=error.colno)
        return Reject(path, number, reason, line)
    if not isinstance(item, dict):
        reason = errors.NOT_AN_OBJECT.format(found=type(item).__name__)
        return Reject(path, number, reason, line)
    if not isinstance(item.get("text"), str):
        return Reject(path, number, errors.NO_TEXT.format(fields="'text'"), line)
    return Record(item, path, number)


def read_lines(path: Path, as_json: bool) -> Iterator[Record | Reject]:
    for number, data in numbered_lines(path):
        line = decode(data)
        if line is None:
            raw = data.decode("utf-8", errors="replace")
            yield Reject(path, number, errors.NOT_UTF8, raw)
        elif as_json:
            yield parse_json_line(path, number, line)
        else:
            yield Record({"text": line}, path, number)


def read_folder(folder: Path) -> Iterator[Record | Reject]:
    """One record per `.txt` file, in name order, with the file name as `id`."""
    paths = sorted(path for path in folder.glob("*.txt") if path.is_file())
    if not paths:
        raise DataError(folder, None, errors.NO_TEXT_FILES)
    for path in paths:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        text = decode(data)
        if text is None:
            raw = data.decode("utf-8", errors="replace")
            yield Reject(path, None, errors.NOT_UTF8, raw)
        else:
            yield Record({"id": path.name, "text": text}, path, None)


def read_input(source: Path) -> Iterator[Record | Reject]:
    """Every record and reject of a JSONL file (`.jsonl`), a folder of `.txt` files, or
    a text file with one document per line, in input order."""
    if source.is_dir():
        return read_folder(source)
    if not source.is_file():
        raise DataError(source, None, errors.FILE_NOT_FOUND)
    return read_lines(source, as_json=source.suffix == ".jsonl")


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "w") -> Iterator[IO]:
    """A temporary file beside `path`, renamed onto it only when the block completes;
    on any error or interruption it is deleted and `path` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as file:
            yield file
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def labelstudio_task(
    fields: dict[str, Any], entities: list[dict], model_version: str
) -> dict:
    """A Label Studio task whose prediction holds the entities (`<Labels
    name="label" toName="text">` over `<Text name="text" value="$text">`), each with
    its confidence as the region's score, and the least of them as the prediction's
    (so that Label Studio can show the least certain tasks first)."""
    text = fields["text"]
    results = []
    for entity in entities:
        result = {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": to_utf16_offset(text, entity["start"]),
                "end": to_utf16_offset(text, entity["end"]),
                "text": entity["text"],
                "labels": [entity["label"]],
            },
        }
        if entity.get("confidence") is not None:
            result["score"] = entity["confidence"]
        results.append(result)
    prediction: dict[str, Any] = {"model_version": model_version, "result": results}
    scores = [result["score"] for result in results if "score" in result]
    if scores:
        prediction["score"] = min(scores)
    return {"data": fields, "predictions": [prediction]}


def export_record(
    export: Export, fields: dict[str, Any], entities: list[dict], model_version: str
) -> dict:
    """The record as OUTPUT holds it: the input's fields with the entities in the
    field (and shape) that the chosen tool imports."""
    if export == Export.labelstudio:
        return labelstudio_task(fields, entities, model_version)
    if export == Export.doccano:
        spans = [[e["start"], e["end"], e["label"]] for e in entities]
        return {**fields, "label": spans}
    if export == Export.prodigy:
        spans = [
            {"start": e["start"], "end": e["end"], "label": e["label"]}
            for e in entities
        ]
        return {**fields, "spans": spans}
    return {**fields, "entities": entities}


@dataclass
class RecordWriter:
    """Writes annotated records to an open temporary file: JSONL, a JSON list (Label
    Studio) or Parquet (built when closed, as the format is columnar)."""

    file: IO
    export: Export
    parquet: bool
    model_version: str = ""
    written: int = 0
    rows: list[dict] = field(default_factory=list)

    def write(self, fields: dict[str, Any], entities: list[dict]) -> None:
        record = export_record(self.export, fields, entities, self.model_version)
        if self.parquet:
            self.rows.append(record)
        elif self.export == Export.labelstudio:
            separator = "[\n" if self.written == 0 else ",\n"
            self.file.write(separator + json.dumps(record, ensure_ascii=False))
        else:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.written += 1

    def close(self) -> None:
        if self.parquet:
            write_parquet(self.file, self.rows)
        elif self.export == Export.labelstudio:
            self.file.write("\n]\n" if self.written else "[]\n")


def write_parquet(file: IO, rows: list[dict]) -> None:
    """One column per field seen in any record (missing values are null), and the
    entities as a list of {text, label, start, end, confidence}."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entity = pa.struct(
        [
            ("text", pa.string()),
            ("label", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("confidence", pa.float64()),
        ]
    )
    names = list(dict.fromkeys(name for row in rows for name in row))
    names = names or ["text", "entities"]
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        kind = pa.list_(entity) if name == "entities" else None
        columns[name] = pa.array(values, type=kind)
    pq.write_table(pa.table(columns), file)


def output_mode(output: Path, export: Export) -> bool:
    """Whether OUTPUT is Parquet (by its suffix); exports are JSON only."""
    parquet = output.suffix == ".parquet"
    if parquet and export != Export.none:
        raise DataError(
            output, None, errors.EXPORT_NOT_JSON.format(export=export.value)
        )
    return parquet
