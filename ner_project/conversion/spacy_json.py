"""Read spaCy v2's JSON training format (what `spacy convert` wrote before v3): a list
of documents, each `paragraphs[].sentences[].tokens[]` with `orth` and a BILUO `ner`
tag ("-" where the annotation is unknown). A paragraph's `raw` text, when given,
restores the spaces between its tokens.
"""

from pathlib import Path
from typing import Any

from ner_project.conversion import errors
from ner_project.conversion.documents import Sentence
from ner_project.conversion.errors import DataError
from ner_project.conversion.input_files import load_json, read_text


def token_spaces(raw: str, orths: list[str], path: Path, where: str) -> list[bool]:
    """Whether each token is followed by whitespace in the paragraph's raw text."""
    spaces, position = [], 0
    for number, orth in enumerate(orths, start=1):
        while position < len(raw) and raw[position].isspace():
            position += 1
        if not raw.startswith(orth, position):
            found = raw[position : position + len(orth)]
            problem = errors.RAW_MISMATCH.format(
                orth=orth, position=position, found=found
            )
            raise DataError(path, f"{where}, token {number}", problem)
        position += len(orth)
        spaces.append(position < len(raw) and raw[position].isspace())
    return spaces


def read_paragraph(paragraph: Any, path: Path, where: str) -> list[Sentence]:
    if not isinstance(paragraph, dict):
        raise DataError(path, where, errors.NOT_A_PARAGRAPH.format(found=paragraph))
    sentences = []
    for s, sentence in enumerate(paragraph.get("sentences") or [], start=1):
        tokens = sentence.get("tokens") if isinstance(sentence, dict) else None
        if not isinstance(tokens, list):
            problem = errors.NOT_A_SENTENCE.format(found=sentence)
            raise DataError(path, f"{where}, sentence {s}", problem)
        words, tags, lines = [], [], []
        for t, token in enumerate(tokens, start=1):
            place = f"{where}, sentence {s}, token {t}"
            orth = token.get("orth") if isinstance(token, dict) else None
            if not isinstance(orth, str) or not orth:
                raise DataError(path, place, errors.NO_ORTH.format(token=token))
            words.append(orth)
            tags.append(token.get("ner", "-"))
            lines.append(place)
        if words:
            sentences.append(Sentence(words, tags, lines))
    if isinstance(paragraph.get("raw"), str) and sentences:
        orths = [word for sentence in sentences for word in sentence.words]
        spaces = token_spaces(paragraph["raw"], orths, path, where)
        offset = 0
        for sentence in sentences:
            sentence.spaces = spaces[offset : offset + len(sentence.words)]
            offset += len(sentence.words)
    return sentences


def read_spacy_json(path: Path) -> tuple[list[list[Sentence]], bool]:
    """The documents of the file (each a list of sentences); they are always marked."""
    data = load_json(path, read_text(path))
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        found = type(data).__name__
        raise DataError(
            path, None, errors.NOT_A_LIST.format(what="documents", found=found)
        )
    documents = []
    for d, document in enumerate(data, start=1):
        paragraphs = document.get("paragraphs") if isinstance(document, dict) else None
        if not isinstance(paragraphs, list):
            problem = errors.NO_PARAGRAPHS.format(document=d)
            raise DataError(path, f"document {d}", problem)
        sentences = []
        for p, paragraph in enumerate(paragraphs, start=1):
            read = read_paragraph(paragraph, path, f"document {d}, paragraph {p}")
            if read and sentences and sentences[-1].spaces and read[0].spaces:
                sentences[-1].spaces[-1] = True  # paragraphs are apart
            sentences.extend(read)
        if sentences:
            documents.append(sentences)
    return documents, True
