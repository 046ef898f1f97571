"""ner_project/conversion/spacy_json.py: spaCy v2 JSON training files."""

import json

from ner_project.conversion.corpus import Format, detect_format, read_documents
from tests.helpers import assert_refused, entities, invoke, write


def token(orth: str, ner: str) -> dict:
    return {"orth": orth, "tag": "NN", "head": 0, "dep": "", "ner": ner}


def v2_document(doc_id: int, raw: str | None, sentences: list[list[tuple]]) -> dict:
    paragraph = {
        "sentences": [
            {"tokens": [token(*pair) for pair in sentence], "brackets": []}
            for sentence in sentences
        ]
    }
    if raw is not None:
        paragraph["raw"] = raw
    return {"id": doc_id, "paragraphs": [paragraph]}


def test_v2_json_documents_keep_raw_spaces_sentences_and_biluo_entities(tmp_path):
    data = [
        v2_document(
            0,
            "Anna Lee, from Pune.",
            [
                [("Anna", "B-NAME"), ("Lee", "L-NAME"), (",", "O")],
                [("from", "O"), ("Pune", "U-LOC"), (".", "O")],
            ],
        ),
        v2_document(1, None, [[("Acme", "U-ORG"), ("hires", "O")]]),
    ]
    source = write(tmp_path / "train.json", json.dumps(data))
    assert detect_format(source) == Format.spacy_json
    docs, report = read_documents([source], "en", None)
    assert [doc.text for doc in docs] == ["Anna Lee, from Pune.", "Acme hires "]
    assert entities(docs) == [
        [("Anna Lee", "NAME"), ("Pune", "LOC")],
        [("Acme", "ORG")],
    ]
    assert (report.documents, report.sentences, report.tokens) == (2, 3, 8)


def test_v2_json_unknown_ner_is_kept_as_missing_and_counted(tmp_path):
    data = [v2_document(0, None, [[("Anna", "U-NAME"), ("Pune", "-"), ("x", "O")]])]
    source = write(tmp_path / "train.json", json.dumps(data))
    docs, report = read_documents([source], "en", None)
    assert [token.ent_iob_ for token in docs[0]] == ["B", "", "O"]
    assert report.missing_ner_tokens == 1
    outcome = invoke(source, tmp_path / "train.spacy")
    assert "Tokens without NER annotation ('-' in the input): 1" in outcome.output


def test_v2_json_bad_tag_names_document_and_token(tmp_path):
    data = [v2_document(0, None, [[("Anna", "U-NAME")], [("Pune", "X-LOC")]])]
    source = write(tmp_path / "train.json", json.dumps(data))
    assert_refused(
        invoke(source, tmp_path / "train.spacy"),
        f"{source} (document 1, paragraph 1, sentence 2, token 1)",
        "tag 'X-LOC' is not O or B-",
        tmp_path,
    )


def test_v2_json_tokens_that_differ_from_raw_are_refused(tmp_path):
    data = [v2_document(0, "Anna Lee", [[("Anna", "O"), ("Li", "O")]])]
    source = write(tmp_path / "train.json", json.dumps(data))
    assert_refused(
        invoke(source, tmp_path / "train.spacy"),
        f"{source} (document 1, paragraph 1, token 2)",
        "token 'Li' is not found in the paragraph's 'raw' text at character 5",
        tmp_path,
    )


def test_json_list_without_paragraphs_read_as_spacy_json_is_refused(tmp_path):
    source = write(tmp_path / "train.json", json.dumps([{"text": "Anna"}]))
    assert_refused(
        invoke(source, tmp_path / "train.spacy", "--format", "spacy-json"),
        f"{source} (document 1)",
        "has no 'paragraphs' list",
        tmp_path,
    )


def test_invalid_json_names_the_line(tmp_path):
    source = write(tmp_path / "train.json", '[{"paragraphs": [\n  {"raw": "a",}\n]}]')
    assert_refused(
        invoke(source, tmp_path / "train.spacy"),
        f"{source}:2",
        "invalid JSON",
        tmp_path,
    )
