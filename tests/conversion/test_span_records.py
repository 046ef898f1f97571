"""ner_project/conversion/span_records.py and the span core of documents.py: Prodigy, doccano
and Label Studio character offsets become entities, or an error says which and how
many do not fit."""

import json

import pytest
import spacy
import srsly

from ner_project.conversion.corpus import (
    Format,
    Misaligned,
    detect_format,
    read_documents,
)
from ner_project.conversion.documents import sentences_to_doc
from ner_project.conversion.report import ConversionReport
from ner_project.conversion.token_columns import read_iob
from tests.helpers import assert_refused, entities, invoke, read_corpus, write

TEXT = "Anna Lee works at Acme Ltd in Pune."


def jsonl(*records) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def test_prodigy_spans_become_entities_and_rejected_answers_are_reported(tmp_path):
    source = write(
        tmp_path / "a.jsonl",
        jsonl(
            {
                "text": TEXT,
                "spans": [
                    {"start": 0, "end": 8, "label": "NAME", "text": "Anna Lee"},
                    {"start": 18, "end": 26, "label": "ORG"},
                ],
                "answer": "accept",
                "meta": {"source": "cv-1"},
            },
            {"text": "Not this one.", "spans": [], "answer": "reject"},
        ),
    )
    assert detect_format(source) == Format.jsonl
    docs, report = read_documents([source], "en", None)
    assert entities(docs) == [[("Anna Lee", "NAME"), ("Acme Ltd", "ORG")]]
    assert docs[0].user_data == {"meta": {"source": "cv-1"}}
    assert [(n.line, n.detail["reason"]) for n in report.skipped_records] == [
        (2, "answer 'reject' in Prodigy")
    ]


def test_doccano_label_lists_and_entity_objects_give_the_same_entities(tmp_path):
    lists = write(
        tmp_path / "lists.jsonl",
        jsonl({"id": 7, "text": TEXT, "label": [[0, 8, "NAME"], [30, 34, "LOC"]]}),
    )
    objects = write(
        tmp_path / "objects.jsonl",
        jsonl(
            {
                "id": 7,
                "text": TEXT,
                "entities": [
                    {"id": 1, "start_offset": 0, "end_offset": 8, "label": "NAME"},
                    {"id": 2, "start_offset": 30, "end_offset": 34, "label": "LOC"},
                ],
                "relations": [],
            }
        ),
    )
    doccano_1 = write(
        tmp_path / "v1.json",
        jsonl({"id": 7, "data": TEXT, "label": [[0, 8, "NAME"], [30, 34, "LOC"]]}),
    )
    expected = [[("Anna Lee", "NAME"), ("Pune", "LOC")]]
    for source in (lists, objects, doccano_1):
        docs, _ = read_documents([source], "en", None)
        assert entities(docs) == expected
        assert docs[0].user_data == {"id": 7}


def label_studio_task(task_id, annotations=(), predictions=(), data=None):
    def result(start, end, label):
        value = {"start": start, "end": end, "labels": [label]}
        return {
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": value,
        }

    return {
        "id": task_id,
        "data": data or {"text": TEXT},
        "annotations": [
            {"was_cancelled": cancelled, "result": [result(*s) for s in spans]}
            for cancelled, spans in annotations
        ],
        "predictions": [
            {"result": [result(*s) for s in spans]} for spans in predictions
        ],
    }


def test_label_studio_reads_first_annotation_not_cancelled_else_predictions(tmp_path):
    relation = {"type": "relation", "from_id": "a", "to_id": "b"}
    tasks = [
        label_studio_task(
            1,
            annotations=[(True, [(0, 4, "NAME")]), (False, [(0, 8, "NAME")])],
            predictions=[[(30, 34, "LOC")]],
        ),
        label_studio_task(2, predictions=[[(18, 26, "ORG")]]),
        label_studio_task(3, data={"html": "<b>x</b>", "body": TEXT}),
        label_studio_task(4, annotations=[(True, [(0, 8, "NAME")])]),
    ]
    tasks[0]["annotations"][1]["result"].append(relation)
    tasks[2]["annotations"] = [{"result": [{"value": {"choices": ["CV"]}}]}]
    source = write(tmp_path / "export.json", json.dumps(tasks))
    docs, report = read_documents([source], "en", None)
    assert entities(docs) == [[("Anna Lee", "NAME")], [("Acme Ltd", "ORG")], []]
    assert docs[0].text == TEXT and docs[2].text == "<b>x</b>"
    assert [doc.user_data["id"] for doc in docs] == [1, 2, 3]
    assert [(n.line, n.detail["reason"]) for n in report.skipped_records] == [
        ("task 4, id 4", "every annotation cancelled")
    ]


def test_label_studio_offsets_in_javascript_units_are_read_around_emoji(tmp_path):
    text = "🚀 Anna Lee"
    value = {"start": 3, "end": 11, "text": "Anna Lee", "labels": ["NAME"]}
    task = {"data": {"text": text}, "annotations": [{"result": [{"value": value}]}]}
    source = write(tmp_path / "export.json", json.dumps([task]))
    assert entities(read_documents([source], "en", None)[0]) == [[("Anna Lee", "NAME")]]


def test_identical_duplicate_spans_are_kept_once_and_reported(tmp_path):
    source = write(
        tmp_path / "a.jsonl", jsonl({"text": TEXT, "label": [[0, 8, "N"], [0, 8, "N"]]})
    )
    docs, report = read_documents([source], "en", None)
    assert entities(docs) == [[("Anna Lee", "N")]]
    assert [n.to_json()["span"] for n in report.duplicate_spans] == [[0, 8, "N"]]


def test_misaligned_span_can_be_expanded_to_tokens_and_is_reported(tmp_path):
    source = write(tmp_path / "a.jsonl", jsonl({"text": TEXT, "label": [[1, 8, "N"]]}))
    docs, report = read_documents([source], "en", None, misaligned=Misaligned.expand)
    assert entities(docs) == [[("Anna Lee", "N")]]
    assert report.expanded_spans[0].to_json() == {
        "file": str(source),
        "line": 1,
        "span": [1, 8, "N"],
        "text": "nna Lee",
        "expanded_to": "Anna Lee",
    }
    outcome = invoke(source, tmp_path / "a.spacy", "--misaligned", "expand")
    assert "widened to whole tokens (--misaligned expand): 1" in outcome.output


@pytest.mark.parametrize(
    "spans,problem,counted",
    [
        (
            [[0, 8, "N"], [1, 3, "X"], [9, 12, "X"]],
            "does not start and end on token "
            "boundaries (the tokens there are ['Anna'])",
            "2 spans not on token boundaries",
        ),
        (
            [[0, 8, "N"], [5, 14, "X"]],
            "overlaps span [0, 8, 'N'] ('Anna Lee')",
            "1 span overlapping another",
        ),
        (
            [[0, 8, "N"], [30, 40, "X"]],
            "has offsets outside the text (35 characters)",
            "1 span with offsets outside the text",
        ),
        ([[8, 0, "N"]], "is empty", "1 span empty"),
    ],
)
def test_span_problem_names_file_line_span_and_count(tmp_path, spans, problem, counted):
    source = write(
        tmp_path / "a.jsonl",
        jsonl({"text": "Fine.", "label": []}, {"text": TEXT, "label": spans}),
    )
    outcome = invoke(source, tmp_path / "a.spacy")
    assert_refused(outcome, f"{source}:2: span", problem, tmp_path)
    assert f"In this file: {counted}" in outcome.output


def test_span_text_that_does_not_match_the_offsets_is_refused(tmp_path):
    span = {"start": 0, "end": 4, "label": "N", "text": "Anna Lee"}
    source = write(tmp_path / "a.jsonl", jsonl({"text": TEXT, "spans": [span]}))
    assert_refused(
        invoke(source, tmp_path / "a.spacy"),
        f"{source}:1",
        "says its text is 'Anna Lee' but the text there is 'Anna'",
        tmp_path,
    )


def test_label_studio_problem_names_the_task(tmp_path):
    task = label_studio_task(12, annotations=[(False, [(0, 3, "NAME")])])
    source = write(tmp_path / "export.json", json.dumps([task]))
    assert_refused(
        invoke(source, tmp_path / "a.spacy"),
        f"{source} (task 1, id 12): span [0, 3, 'NAME']",
        "does not start and end on token boundaries",
        tmp_path,
    )


@pytest.mark.parametrize(
    "content,where,problem",
    [
        (
            '{"text": "a", "label": []}\n{"text": "b", "label": [}\n',
            ":2",
            "invalid JSON",
        ),
        ('{"text": "a", "tags": []}\n', ":1", "no annotations: expected 'spans'"),
        ('{"text": "a", "label": ["positive"]}\n', ":1", "text classification"),
        ('{"body": "a", "label": []}\n', ":1", "no text"),
        (
            '{"text": "a", "label": [[0, "1", "X"]]}\n',
            ":1",
            "is not [start, end, label]",
        ),
        ('[{"text": "a", "label": []}, 3]', " (record 2)", "expected a JSON object"),
        ('{"text": " ", "label": []}\n', ":1", "the text is empty"),
    ],
)
def test_bad_record_names_file_and_line(tmp_path, content, where, problem):
    source = write(tmp_path / "a.jsonl", content)
    outcome = invoke(source, tmp_path / "a.spacy")
    assert_refused(outcome, f"{source}{where}", problem, tmp_path)


def test_non_utf8_and_empty_jsonl_are_refused(tmp_path):
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(
        '{"text": "ok", "label": []}\n{"text": "Jos\xe9"}\n'.encode("latin-1")
    )
    assert_refused(
        invoke(latin1, tmp_path / "a.spacy"), f"{latin1}:2", "not UTF-8", tmp_path
    )
    empty = write(tmp_path / "empty.jsonl", "\n")
    assert_refused(
        invoke(empty, tmp_path / "a.spacy"), str(empty), "the file is empty", tmp_path
    )


def test_jsonl_with_bom_and_crlf_is_read(tmp_path):
    source = tmp_path / "a.jsonl"
    record = json.dumps({"text": TEXT, "label": [[0, 8, "NAME"]]})
    source.write_bytes(("\ufeff" + record + "\r\n").encode("utf-8"))
    assert entities(read_documents([source], "en", None)[0]) == [[("Anna Lee", "NAME")]]


def iob_entity_offsets(path, texts: list[str]) -> list[set]:
    """Entities of an IOB file as (start char, end char, label), found by aligning its
    tokens, in order, to the original texts (the IOB file has no text of its own)."""
    documents, _ = read_iob(path)
    vocab = spacy.blank("en").vocab
    offsets = []
    for sentences, text in zip(documents, texts, strict=True):
        doc = sentences_to_doc(vocab, sentences, path, ConversionReport())
        starts, ends, position = [], [], 0
        for token in doc:
            start = text.index(token.text, position)
            assert not text[position:start].strip(), (text[position:start], token)
            position = start + len(token.text)
            starts.append(start)
            ends.append(position)
        assert not text[position:].strip()
        offsets.append({(starts[e.start], ends[e.end - 1], e.label_) for e in doc.ents})
    return offsets


@pytest.mark.realdata
@pytest.mark.parametrize("split,entity_count", [("train", 15661), ("test", 2541)])
def test_real_resume_jsonl_and_iob_hold_the_same_entities(
    data_dir, tmp_path, split, entity_count
):
    source = data_dir / "resumes-dotin" / f"{split}.jsonl"
    output = tmp_path / f"{split}.spacy"
    outcome = invoke(source, output)
    assert outcome.code == 0, outcome.output
    assert (
        srsly.read_json(output.with_suffix(".stats.json"))["entities"] == entity_count
    )
    docs = read_corpus(output)
    assert sum(len(doc.ents) for doc in docs) == entity_count
    jsonl_offsets = [
        {(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in docs
    ]
    texts = [doc.text for doc in docs]
    iob = iob_entity_offsets(data_dir / "resumes-dotin" / f"{split}.iob.tsv", texts)
    assert iob == jsonl_offsets
