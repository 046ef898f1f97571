"""Read character-offset span annotations into `TextRecord`s: Prodigy and doccano JSONL
(or a JSON list of such records), and Label Studio JSON exports.

- Prodigy: `{"text", "spans": [{"start", "end", "label"}], "answer"}`; rejected and
  ignored answers are skipped and reported.
- doccano: `{"text", "label": [[start, end, "LABEL"]]}`, or `"entities"` with the same
  shape or with `{"start_offset", "end_offset", "label"}` objects (`"data"` for the
  text in doccano 1.x).
- Label Studio: a list of tasks, `data.text` (or the first string field of `data`),
  the first annotation not cancelled (else the first prediction), and its results
  with `value: {"start", "end", "labels"}`; JSON-MIN exports read as records.
"""

from pathlib import Path
from typing import Any

from ner_project.conversion import errors
from ner_project.conversion.documents import CharSpan, TextRecord
from ner_project.conversion.errors import DataError
from ner_project.conversion.input_files import load_json, read_text
from ner_project.conversion.report import ConversionReport, Note
from ner_project.conversion.utf16 import from_utf16_offset

SPAN_FIELDS = ("spans", "entities", "label", "labels")
SKIPPED_ANSWERS = {"reject", "ignore"}


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_span(item: Any, path: Path, where: int | str) -> list[CharSpan]:
    """`[start, end, label]`, or an object with start/end (start_offset/end_offset)
    and a label or a list of labels (one span each)."""
    if isinstance(item, list | tuple) and len(item) == 3:
        start, end, labels, text = item[0], item[1], [item[2]], None
    elif isinstance(item, dict):
        start = item.get("start", item.get("start_offset"))
        end = item.get("end", item.get("end_offset"))
        labels = item["labels"] if "labels" in item else [item.get("label")]
        text = item.get("text") if isinstance(item.get("text"), str) else None
    else:
        raise DataError(path, where, errors.BAD_SPAN.format(span=item))
    valid = is_int(start) and is_int(end) and isinstance(labels, list) and labels
    if not valid or not all(isinstance(label, str) and label for label in labels):
        raise DataError(path, where, errors.BAD_SPAN.format(span=item))
    return [CharSpan(start, end, label, text) for label in labels]


def parse_spans(items: Any, field: str, path: Path, where: int | str) -> list[CharSpan]:
    if not isinstance(items, list) or any(isinstance(item, str) for item in items):
        problem = errors.NOT_SPANS.format(field=field, found=items)
        raise DataError(path, where, problem)
    return [span for item in items for span in parse_span(item, path, where)]


def from_record(
    item: dict, path: Path, where: int | str, report: ConversionReport
) -> TextRecord | None:
    """A Prodigy, doccano or Label Studio JSON-MIN record."""
    text = item["text"] if "text" in item else item.get("data")
    if not isinstance(text, str):
        raise DataError(path, where, errors.NO_TEXT.format(fields="'text'"))
    if item.get("answer") in SKIPPED_ANSWERS:
        reason = f"answer {item['answer']!r} in Prodigy"
        report.skipped_records.append(Note(path, where, {"reason": reason}))
        return None
    field = next((name for name in SPAN_FIELDS if name in item), None)
    if field is None:
        raise DataError(path, where, errors.NO_SPANS.format(fields=sorted(item)))
    spans = parse_spans(item[field], field, path, where)
    user_data = {key: item[key] for key in ("id", "meta") if key in item}
    return TextRecord(text, spans, where, user_data)


def from_task(
    task: dict, path: Path, where: str, report: ConversionReport
) -> TextRecord | None:
    """A Label Studio task: its first annotation not cancelled, else a prediction."""
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        text = next((value for value in data.values() if isinstance(value, str)), None)
    if text is None:
        raise DataError(path, where, errors.NO_TEXT.format(fields="in 'data'"))
    annotations = task.get("annotations") or task.get("completions") or []
    chosen = next((a for a in annotations if not a.get("was_cancelled")), None)
    if chosen is None and not annotations and task.get("predictions"):
        chosen = task["predictions"][0]
    if chosen is None:
        reason = "every annotation cancelled" if annotations else "not annotated"
        report.skipped_records.append(Note(path, where, {"reason": reason}))
        return None
    spans = []
    for result in chosen.get("result") or []:
        value = result.get("value") or {}
        if "labels" in value:  # relations, choices, text areas are not entities
            spans.extend(parse_span(value, path, where))
    astral = any(ord(char) > 0xFFFF for char in text)
    for span in spans:
        if (
            astral
            and span.text is not None
            and text[span.start : span.end] != span.text
        ):
            span.start = from_utf16_offset(text, span.start)
            span.end = from_utf16_offset(text, span.end)
    user_data = {key: task[key] for key in ("id", "meta") if key in task}
    return TextRecord(text, spans, where, user_data)


def read_span_file(path: Path, report: ConversionReport) -> list[TextRecord]:
    """The annotated texts of a JSONL file or a JSON list, in file order."""
    text = read_text(path)
    items: list[tuple[int | str, Any]] = []
    if text.lstrip().startswith("["):
        loaded = load_json(path, text)
        for number, item in enumerate(loaded, start=1):
            task = isinstance(item, dict) and isinstance(item.get("data"), dict)
            where = f"{'task' if task else 'record'} {number}"
            if task and "id" in item:
                where += f", id {item['id']}"
            items.append((where, item))
    else:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                items.append((number, load_json(path, line, number)))
    records = []
    for where, item in items:
        if not isinstance(item, dict):
            found = type(item).__name__
            raise DataError(path, where, errors.NOT_AN_OBJECT.format(found=found))
        if isinstance(item.get("data"), dict):
            record = from_task(item, path, str(where), report)
        else:
            record = from_record(item, path, where, report)
        if record is not None and not record.text.strip():
            raise DataError(path, where, errors.EMPTY_TEXT)
        if record is not None:
            records.append(record)
    return records
