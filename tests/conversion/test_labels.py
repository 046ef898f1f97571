"""--labels: a mapping file renames the data's labels (several may become one) and
drops those mapped to null; a label it does not name, or a bad file, stops the
conversion before anything is written."""

import json

import pytest
import srsly

from tests.helpers import (
    PROJECT_DIR,
    assert_refused,
    entities,
    invoke,
    read_corpus,
    write,
)

CV = "Anna Lee, Data Engineer at Acme Ltd ; Python, teamwork."
SPANS = [
    (0, 8, "Name"),
    (10, 23, "Designation"),
    (27, 35, "Companies worked at"),
    (38, 44, "Tech Tools"),
    (46, 54, "Soft Skills"),
]
MAPPING = {
    "Name": "NAME",
    "Designation": "DESIGNATION",
    "Companies worked at": "COMPANY",
    "Tech Tools": "SKILL",
    "Soft Skills": "SKILL",
}


def spans_file(tmp_path):
    record = {
        "id": "cv-1",
        "text": CV,
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in SPANS],
    }
    return write(tmp_path / "cvs.jsonl", json.dumps(record) + "\n")


def test_labels_are_renamed_merged_and_counted_under_their_new_names(tmp_path):
    mapping = write(tmp_path / "labels.json", json.dumps(MAPPING))
    out = tmp_path / "out.spacy"
    outcome = invoke(spans_file(tmp_path), out, "--labels", mapping)
    assert outcome.code == 0, outcome.output
    assert entities(read_corpus(out)) == [
        [
            ("Anna Lee", "NAME"),
            ("Data Engineer", "DESIGNATION"),
            ("Acme Ltd", "COMPANY"),
            ("Python", "SKILL"),
            ("teamwork", "SKILL"),
        ]
    ]
    stats = srsly.read_json(tmp_path / "out.stats.json")
    assert stats["entities_per_label"] == {
        "COMPANY": 1,
        "DESIGNATION": 1,
        "NAME": 1,
        "SKILL": 2,
    }


def test_a_label_mapped_to_null_is_dropped_and_its_tokens_are_outside(tmp_path):
    mapping = write(
        tmp_path / "labels.json", json.dumps({**MAPPING, "Soft Skills": None})
    )
    out = tmp_path / "out.spacy"
    assert invoke(spans_file(tmp_path), out, "--labels", mapping).code == 0
    (doc,) = read_corpus(out)
    assert [ent.text for ent in doc.ents][-1] == "Python"
    assert {t.ent_iob_ for t in doc if t.text == "teamwork"} == {"O"}


@pytest.mark.parametrize(
    ("content", "where", "problem"),
    [
        (
            json.dumps({k: v for k, v in MAPPING.items() if k != "Tech Tools"}),
            "labels.json",
            "does not name: 'Tech Tools' (1)",
        ),
        ("{not json", "labels.json", "not a JSON label mapping"),
        ('["NAME"]', "labels.json", "expected a JSON object"),
        (json.dumps({**MAPPING, "Name": 3}), "labels.json (label 'Name')", "found 3"),
    ],
)
def test_a_mapping_that_cannot_apply_is_refused_before_writing(
    tmp_path, content, where, problem
):
    mapping = write(tmp_path / "labels.json", content)
    outcome = invoke(spans_file(tmp_path), tmp_path / "out.spacy", "--labels", mapping)
    assert_refused(outcome, where, problem, tmp_path)


@pytest.mark.realdata
def test_the_shipped_mapping_names_every_label_of_the_real_resumes(tmp_path, data_dir):
    source = data_dir / "resumes-dotin" / "test.jsonl"
    out = tmp_path / "test.spacy"
    outcome = invoke(
        source, out, "--labels", PROJECT_DIR / "configs/resume_labels.json"
    )
    assert outcome.code == 0, outcome.output
    stats = srsly.read_json(tmp_path / "test.stats.json")
    assert stats["entities"] == 2541  # every entity of the 50 CVs kept, relabelled
    assert "SKILL" in stats["entities_per_label"]
