"""Every problem the converter reports about input data, worded in one place.

Each message says what is wrong; `DataError` adds where (file, and line or item), so a
user can open the file at that spot. Texts with `{}` fields are filled with `.format`.
"""

from pathlib import Path

# Any file
FILE_NOT_FOUND = "file not found"
NOT_UTF8 = "not UTF-8 text: save the file as UTF-8"
EMPTY_FILE = "the file is empty"
UNKNOWN_FORMAT = (
    "cannot tell the format from the file ({why}); pass --format "
    "iob, conll, jsonl or spacy-json"
)

# Label mapping files (--labels)
LABEL_MAP_NOT_JSON = "not a JSON label mapping: {error}"
LABEL_MAP_NOT_OBJECT = (
    'expected a JSON object such as {{"Companies worked at": "COMPANY", "Soft '
    'Skills": null}}: each label of the data, and its new label or null to drop it'
)
LABEL_MAP_BAD_TARGET = "expected a label or null, found {found!r}"
LABEL_MAP_MISSING = (
    "the data has labels that the mapping does not name: {labels}; map each to a "
    "label, or to null to drop it"
)

# Token-per-line files (IOB, CoNLL)
NO_TAB = "expected 'token<TAB>tag', found {line!r} (no tab)"
COLUMN_COUNT = (
    "expected {expected} {kind} columns as on line {first}, found {found}: {line!r}"
)
ONE_COLUMN = (
    "expected columns 'word ... tag' separated by spaces or tabs, found {line!r} "
    "(one column)"
)
EMPTY_TOKEN = "the token column is empty"
BAD_TAG = "tag {tag!r} is not O or B-, I-, L-, E-, U-, S- followed by a label"

# JSON and JSONL
INVALID_JSON = "invalid JSON: {error} (column {column})"
NOT_AN_OBJECT = "expected a JSON object (one record), found {found}"
NOT_A_LIST = "expected a JSON list of {what}, found {found}"
NO_TEXT = "no text: expected a string field {fields}"
EMPTY_TEXT = "the text is empty"
NO_SPANS = (
    "no annotations: expected 'spans' (Prodigy), 'label' or 'entities' (doccano) "
    "holding a list of spans; found the fields {fields}"
)
NOT_SPANS = (
    "{field!r} holds {found!r}, not spans such as [start, end, label] or "
    '{{"start": 0, "end": 4, "label": "ORG"}}: is this a text classification export?'
)
BAD_SPAN = (
    "span {span!r} is not [start, end, label] or an object with integer "
    "start/end (or start_offset/end_offset) and a label (or labels)"
)

# Character-offset spans, checked against the text (counted over the whole file)
SPAN_PROBLEMS = {
    "outside": "has offsets outside the text ({length} characters)",
    "empty": "is empty (start is not before end)",
    "mismatch": "says its text is {expected!r} but the text there is {found!r}",
    "misaligned": (
        "does not start and end on token boundaries (the tokens there are {tokens!r}); "
        "fix the offsets, or pass --misaligned expand to widen it to whole tokens"
    ),
    "overlap": "overlaps span {other} ({other_text!r}); an entity can have one label",
}
SPAN_COUNTED = {
    "outside": "with offsets outside the text",
    "empty": "empty",
    "mismatch": "whose text does not match",
    "misaligned": "not on token boundaries",
    "overlap": "overlapping another",
}
SPAN_ERROR = "span {span} ({text!r}) {problem}. In this file: {counts}"

# spaCy v2 JSON
NO_PARAGRAPHS = "document {document} has no 'paragraphs' list: is this spaCy v2 JSON?"
NOT_A_PARAGRAPH = "expected a paragraph object with 'sentences', found {found!r}"
NOT_A_SENTENCE = "expected a sentence object with a 'tokens' list, found {found!r}"
NO_ORTH = "token {token!r} has no 'orth' string"
RAW_MISMATCH = (
    "token {orth!r} is not found in the paragraph's 'raw' text at character "
    "{position} (found {found!r})"
)

# Options
NOT_SPACY_PATH = "the output must be a .spacy file (or a folder with --split)"
SPLIT_NOT_FOLDER = "with --split the output is a folder, not a .spacy file"
BAD_FRACTIONS = (
    "--split takes 2 or 3 fractions (train,dev[,test]) above 0 that add up to 1, "
    "such as 0.8,0.1,0.1; found {value!r}"
)
TOO_FEW_DOCUMENTS = (
    "{documents} documents cannot be split {fractions}: {split} would be empty; "
    "use --sentences-per-doc to make smaller documents, or change the fractions"
)


# Annotator
NO_TEXT_FILES = "the folder holds no .txt files"
SAME_AS_INPUT = "the output would overwrite the input"
EXPORT_NOT_JSON = "--export {export} writes JSON: name a .json or .jsonl output"


class DataError(ValueError):
    """Bad input, with the file and where in it (a line number, or an item such as
    "task 3" for formats that are not line-based)."""

    def __init__(self, path: Path, line: int | str | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        if line is None:
            where = str(path)
        elif isinstance(line, int):
            where = f"{path}:{line}"
        else:
            where = f"{path} ({line})"
        super().__init__(f"{where}: {problem}")


class OptionError(ValueError):
    """An option value that cannot work with this input (a split with an empty part)."""
