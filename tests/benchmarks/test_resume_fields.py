"""benchmarks/resume_fields.py: /v1/parse scored field by field against the CVs' own
annotation, values compared by label and text (whitespace and case aside)."""

import json
import sys

import srsly

from benchmarks.resume_fields import FIGURES, gold_cv, score_format, scored_labels
from tests.helpers import PROJECT_DIR, run_cli

MAPPING = {
    "Name": "NAME",
    "Email Address": "EMAIL",
    "Tech Tools": "SKILL",
    "Soft Skills": None,
}
CV = "Anna  Lee\nanna@example.com\nPython, SQL, teamwork"


def record(text: str, spans: list[tuple[str, str]]) -> dict:
    found, at = [], 0
    for value, label in spans:
        start = text.index(value, at)
        found.append({"start": start, "end": start + len(value), "label": label})
        at = start + len(value)
    return {"id": "cv", "text": text, "spans": found}


GOLD = gold_cv(
    record(
        CV,
        [
            ("Anna  Lee", "Name"),
            ("anna@example.com", "Email Address"),
            ("Python", "Tech Tools"),
            ("SQL", "Tech Tools"),
            ("teamwork", "Soft Skills"),
        ],
    ),
    MAPPING,
)


def response(name, emails, phones, skills, entities) -> dict:
    return {
        "fields": {"name": name, "emails": emails, "skills": skills},
        "phone_numbers": {"phones": [{"text": p, "e164": p} for p in phones]},
        "entities": [{"label": label, "text": text} for text, label in entities],
    }


def test_gold_values_are_normalised_and_dropped_labels_left_out():
    assert GOLD.name == "anna lee"
    assert GOLD.emails == {"anna@example.com"}
    assert GOLD.values["SKILL"] == {"python", "sql"}
    assert sum(GOLD.entities.values()) == 4  # teamwork's label maps to null


def test_an_email_span_that_holds_more_is_scored_on_its_address():
    text = "Indeed:Auer.Rosie@dsam.co\n123-345-7890|Stamm.Eulalia@gmail.com."
    gold = gold_cv(
        record(
            text,
            [
                ("Indeed:Auer.Rosie@dsam.co", "Email Address"),
                ("123-345-7890|Stamm.Eulalia@gmail.com", "Email Address"),
            ],
        ),
        MAPPING,
    )
    assert gold.emails == {"auer.rosie@dsam.co", "stamm.eulalia@gmail.com"}


def test_each_figure_counts_what_its_field_holds():
    parsed = response(
        "ANNA LEE",
        ["anna@example.com", "me@x.org"],
        ["+14155552671", "+1555"],
        ["python", "Excel"],
        [("Anna Lee", "NAME"), ("Python", "SKILL"), ("Excel", "SKILL"), ("x", "URL")],
    )
    figures = score_format([GOLD], [parsed], labels={"NAME", "EMAIL", "SKILL"})
    assert figures["name_exact"] == 1.0  # case and whitespace aside
    assert (figures["email_precision"], figures["email_recall"]) == (0.5, 1.0)
    assert figures["phone_valid"] == 0.5
    # Entities of labels the model has: 2 of 3 predicted right, 2 of 4 gold found.
    assert figures["entity_f1"] == round(2 * 2 / (3 + 4), 4)
    assert figures["skills_f1"] == round(2 * 1 / (2 + 2), 4)
    assert figures["companies_f1"] == 1.0  # nothing to find, nothing found


def test_entity_f1_counts_the_labels_both_the_pipeline_and_the_annotation_have():
    pipeline = {"NAME", "EMAIL", "SKILL", "PHONE", "URL", "DEGREE"}
    # PHONE and URL: pattern labels these CVs never annotate; DEGREE: not in MAPPING.
    assert scored_labels(pipeline, MAPPING) == {"NAME", "EMAIL", "SKILL"}
    # A pipeline that knows fewer labels: only its own are scored.
    assert scored_labels({"NAME"}, MAPPING) == {"NAME"}


def test_the_benchmark_scores_text_cvs_with_a_trained_pipeline(
    trained_pipeline, tmp_path
):
    cvs = tmp_path / "test.jsonl"
    srsly.write_jsonl(
        cvs,
        [
            record(CV, [("Anna  Lee", "Name"), ("anna@example.com", "Email Address")]),
            record("Raj Kumar\nraj@example.org", [("Raj Kumar", "Name")]),
        ],
    )
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(MAPPING))
    output = tmp_path / "fields.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.resume_fields", trained_pipeline),
            *("--data-dir", tmp_path, "--test-file", "test.jsonl"),
            *("--labels", labels, "--formats", "text", "--output", output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert (written["model"], written["cvs"]) == (str(trained_pipeline), 2)
    figures = written["formats"]["text"]
    assert set(figures) >= set(FIGURES)
    assert all(figures[name] is None or 0 <= figures[name] <= 1 for name in FIGURES)
    # The pattern rules find both emails whatever the model does.
    assert figures["email_recall"] == 1.0
    assert set(written["entity_labels"]) <= {"NAME", "EMAIL", "SKILL"}
    assert "| text |" in output.with_suffix(".md").read_text()


def test_an_unknown_format_is_refused(tmp_path):
    result = run_cli(
        [sys.executable, "-m", "benchmarks.resume_fields", "x", "--formats", "rtf"],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert "--formats: unknown rtf" in result.output
