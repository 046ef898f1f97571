"""Per-label confidence floors: the `entity_confidence` component drops the entities
less confident than their label's floor, and `fit_floors` (`scripts/fit_floors.py`)
picks each floor where the label's dev F1 is highest; `fit_ensure_floor` picks the
floor of the spans added for the ensured labels the same way; `copy_floors`
(`scripts/copy_floors.py`) gives a model retrained on train and dev the floors of its
held-out run."""

import sys
from collections import defaultdict

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from ner_project.evaluation.calibration import calibration, dev_calibration
from ner_project.evaluation.floors import FLOORS, fit_ensure_floor, fit_floors
from ner_project.evaluation.scores import entity_metrics, predict
from tests.helpers import PROJECT_DIR, run_cli


@pytest.fixture(scope="module")
def dev_path(trained_pipeline):
    """The demo dev set that the fixture pipeline was trained beside."""
    return trained_pipeline.parent.parent / "dev.spacy"


@pytest.fixture(scope="module")
def dev_docs(trained_pipeline, dev_path):
    return list(
        DocBin().from_disk(dev_path).get_docs(spacy.load(trained_pipeline).vocab)
    )


def label_f1(examples, label: str) -> float:
    """F1 of `label`'s entities as `evaluate` reports it, among every label's."""
    return entity_metrics(examples)["ents_per_type"].get(label, {}).get("f", 0.0)


def with_floors(trained_pipeline, floors: dict, **settings):
    """The fixture pipeline with its confidence component made anew with `floors`."""
    nlp = spacy.load(trained_pipeline)
    config = {**nlp.get_pipe_config("entity_confidence"), **settings}
    config.pop("factory")
    nlp.replace_pipe(
        "entity_confidence",
        "entity_confidence",
        config={**config, "min_confidence": floors},
    )
    return nlp


def test_entities_under_their_labels_floor_are_dropped_and_the_rest_kept(
    trained_pipeline, dev_docs
):
    texts = [doc.text for doc in dev_docs]
    plain = spacy.load(trained_pipeline, exclude=["contact_patterns"])
    by_label = defaultdict(list)
    for doc in plain.pipe(texts):
        for ent in doc.ents:
            by_label[ent.label_].append(ent._.confidence)
    label = max(by_label, key=lambda name: len(by_label[name]))
    floor = sorted(by_label[label])[len(by_label[label]) // 2]
    floored = with_floors(trained_pipeline, {label: floor})
    floored.remove_pipe("contact_patterns")
    kept = [
        [(e.start, e.end, e.label_, e._.confidence) for e in doc.ents]
        for doc in floored.pipe(texts)
    ]
    expected = [
        [
            (e.start, e.end, e.label_, e._.confidence)
            for e in doc.ents
            if e.label_ != label or e._.confidence >= floor
        ]
        for doc in plain.pipe(texts)
    ]
    assert kept == expected
    assert (
        0 < sum(ent[2] == label for doc in kept for ent in doc) < len(by_label[label])
    )


@pytest.mark.parametrize(
    ("floors", "settings", "message"),
    [
        ({"NAME": 1.5}, {}, "min_confidence of NAME must be within 0 and 1"),
        (
            {"NAME": 0.3},
            {"ensure_labels": ["NAME"]},
            "NAME in both ensure_labels and min_confidence",
        ),
    ],
)
def test_a_floor_is_a_probability_and_no_ensured_label_has_one(
    trained_pipeline, floors, settings, message
):
    with pytest.raises(ValueError, match=message):
        with_floors(trained_pipeline, floors, **settings)


def test_each_fitted_floor_gives_its_label_the_best_dev_f1_of_the_grid(
    trained_pipeline, dev_docs
):
    nlp = spacy.load(trained_pipeline)
    rows = fit_floors(nlp, dev_docs)
    assert [row["label"] for row in rows] == sorted(
        {ent.label_ for doc in dev_docs for ent in doc.ents}
    )

    def dev_f1(label: str, floor: float) -> float:
        floored = with_floors(trained_pipeline, {label: floor})
        return label_f1(predict(floored, dev_docs), label)

    checked = sorted(rows, key=lambda row: row["floor"], reverse=True)[:2]
    for row in checked:
        assert dev_f1(row["label"], row["floor"]) == pytest.approx(row["f1"], abs=1e-4)
        assert row["unfloored_f1"] == pytest.approx(dev_f1(row["label"], 0.0), abs=1e-4)
        for other in (0.0, 0.5, FLOORS[-1]):
            assert dev_f1(row["label"], other) <= row["f1"] + 1e-4
    assert any(row["floor"] > 0 for row in rows)


def test_the_ensured_labels_floor_gives_them_the_best_dev_f1_of_the_grid(
    trained_pipeline, dev_docs
):
    # the fixture pipeline misses COMPANY in some dev documents: the spans added there
    # are right at some confidences and wrong at others
    def ensuring(floor: float):
        return with_floors(
            trained_pipeline, {}, ensure_labels=["COMPANY"], ensure_min_confidence=floor
        )

    row = fit_ensure_floor(ensuring(0.5), dev_docs)
    curve = {
        floor: label_f1(predict(ensuring(floor), dev_docs), "COMPANY")
        for floor in FLOORS
    }
    best = max(curve.values())
    assert row["floor"] == min(floor for floor in FLOORS if curve[floor] >= best - 1e-9)
    assert 0 < row["floor"] < FLOORS[-1]  # neither every span added nor none
    assert row["f1"] == pytest.approx(best, abs=1e-4)
    assert row["unfloored_f1"] == pytest.approx(curve[0.0], abs=1e-4)
    assert row["unfloored_f1"] < row["f1"]
    assert row["label"] == "COMPANY (ensured)"


def test_a_pipeline_that_ensures_no_label_has_no_ensured_floor(
    trained_pipeline, dev_docs
):
    assert fit_ensure_floor(spacy.load(trained_pipeline), dev_docs) is None


def test_dev_calibration_of_a_floored_pipeline_drops_nothing_more_while_fitting(
    trained_pipeline, dev_docs
):
    nlp = with_floors(trained_pipeline, {"SKILL": 0.5, "COMPANY": 0.5})
    summary = dev_calibration(nlp, dev_docs, "dev.spacy")
    summary.pop("fitted")
    assert summary == calibration(predict(nlp, dev_docs), "dev.spacy")


def test_the_script_writes_the_pipeline_with_its_floors(
    trained_pipeline, dev_path, dev_docs, tmp_path
):
    trained = tmp_path / "model-best"
    with_floors(trained_pipeline, {}, ensure_labels=["COMPANY"]).to_disk(trained)
    output = tmp_path / "model-release"
    result = run_cli(
        [
            *(sys.executable, "-B", PROJECT_DIR / "scripts/fit_floors.py"),
            *(trained, dev_path, output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-3000:]
    floors = {
        row["label"]: row["floor"]
        for row in fit_floors(spacy.load(trained), dev_docs)
        if row["floor"] > 0
    }
    ensured = fit_ensure_floor(spacy.load(trained), dev_docs)["floor"]
    assert (
        f"{len(floors)} floors fitted on {dev_path}, the ensured labels' {ensured:.2f}"
        in " ".join(result.output.split())
    )
    released = spacy.load(output)
    config = released.get_pipe_config("entity_confidence")
    assert config["min_confidence"] == floors
    assert config["ensure_min_confidence"] == ensured
    for doc in released.pipe(doc.text for doc in dev_docs):
        for ent in doc.ents:
            assert ent._.confidence >= floors.get(ent.label_, 0.0)


def test_the_script_names_a_missing_dev_set_and_writes_nothing(
    trained_pipeline, tmp_path
):
    output = tmp_path / "model-release"
    result = run_cli(
        [
            *(sys.executable, "-B", PROJECT_DIR / "scripts/fit_floors.py"),
            *(trained_pipeline, tmp_path / "dev.spacy", output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert f"Corpus {tmp_path / 'dev.spacy'} not found" in result.output
    assert not output.exists()


# A model retrained on train and dev (`resume-refit`) has no data left to fit floors
# on: it takes those of the held-out run, and its dev calibration is that run's.


def test_copied_floors_are_the_held_out_runs_and_the_written_pipeline_keeps_to_them(
    trained_pipeline, dev_docs, tmp_path
):
    held_out, refit = tmp_path / "held-out", tmp_path / "refit"
    floors = {"SKILL": 0.5, "COMPANY": 0.45}
    ensuring = {"ensure_labels": ["NAME"]}
    with_floors(
        trained_pipeline, floors, **ensuring, ensure_min_confidence=0.3
    ).to_disk(held_out)
    with_floors(trained_pipeline, {}, **ensuring).to_disk(refit)
    output = tmp_path / "model-release"
    result = run_cli(
        [
            *(sys.executable, "-B", PROJECT_DIR / "scripts/copy_floors.py"),
            *(held_out, refit, output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-3000:]
    assert (
        f"2 floors of {held_out}, the ensured labels' 0.30; pipeline written to "
        f"{output}" in " ".join(result.output.split())
    )
    config = spacy.load(output).get_pipe_config("entity_confidence")
    assert config["min_confidence"] == floors
    assert config["ensure_min_confidence"] == 0.3

    def entities(path):
        texts = [doc.text for doc in dev_docs]
        return [
            [(e.start, e.end, e.label_, e._.confidence) for e in doc.ents]
            for doc in spacy.load(path).pipe(texts)
        ]

    assert entities(output) == entities(held_out)  # same weights, same floors
    assert entities(output) != entities(refit)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"temperature": 2.0},
            "temperature is 1.0 where the floors were fitted and 2.0 here",
        ),
        ({"ensure_labels": ["NAME"]}, "ensure_labels is [] where the floors were"),
    ],
)
def test_floors_carry_over_only_at_the_same_temperature_and_ensured_labels(
    trained_pipeline, tmp_path, settings, message
):
    held_out, refit = tmp_path / "held-out", tmp_path / "refit"
    with_floors(trained_pipeline, {"SKILL": 0.5}).to_disk(held_out)
    with_floors(trained_pipeline, {}, **settings).to_disk(refit)
    output = tmp_path / "model-release"
    result = run_cli(
        [
            *(sys.executable, "-B", PROJECT_DIR / "scripts/copy_floors.py"),
            *(held_out, refit, output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not output.exists()


def test_evaluate_measures_dev_calibration_on_the_held_out_run_it_is_given(
    trained_pipeline, dev_path, dev_docs, tmp_path
):
    held_out = tmp_path / "held-out"
    with_floors(trained_pipeline, {}, temperature=3.0).to_disk(held_out)
    output = tmp_path / "metrics.json"
    result = run_cli(
        [
            *(sys.executable, "-B", PROJECT_DIR / "scripts/evaluate.py"),
            *(trained_pipeline, dev_path, output),
            *("--dev-path", dev_path, "--dev-model", held_out),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-3000:]
    metrics = srsly.read_json(output)
    on_dev = dev_calibration(spacy.load(held_out), dev_docs, dev_path.as_posix())
    expected = srsly.json_loads(srsly.json_dumps({**on_dev, "model": str(held_out)}))
    assert metrics["calibration"] == expected
    # the same corpus scored by the evaluated model: another temperature, other bins
    assert metrics["test_calibration"]["bins"] != metrics["calibration"]["bins"]
    assert f"of {held_out}: expected calibration error" in result.output
