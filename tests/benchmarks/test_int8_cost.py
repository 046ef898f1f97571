"""benchmarks/int8_cost.py: a pipeline scored in fp32 and in int8 by each runtime,
each corpus's figures kept beside the others'."""

import sys

import pytest
import srsly

from ner_project.conversion.corpus import convert_files
from tests.helpers import PROJECT_DIR, run_cli


@pytest.fixture(scope="module")
def demo_test(tmp_path_factory):
    path = tmp_path_factory.mktemp("int8") / "test.spacy"
    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/test.tsv"], "en", None)
    doc_bin.to_disk(path)
    return path


def run_int8_cost(corpus, model, test_path, output):
    return run_cli(
        [
            *(sys.executable, "-m", "benchmarks.int8_cost", corpus, model, test_path),
            *("--output", output),
        ],
        cwd=PROJECT_DIR,
    )


def test_each_runtimes_int8_is_scored_against_fp32(
    trained_pipeline, demo_test, tmp_path
):
    output = tmp_path / "int8-cost.json"
    output.write_text('{"other": {"f1": {"fp32": 0.5}}}')  # an earlier corpus's run
    result = run_int8_cost("demo", trained_pipeline, demo_test, output)
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert written["other"] == {"f1": {"fp32": 0.5}}
    row = written["demo"]
    assert set(row["f1"]) == {"fp32", "onnxruntime_int8", "torch_int8"}
    assert all(0.0 <= f1 <= 1.0 for f1 in row["f1"].values())
    assert row["f1"]["fp32"] > 0.1  # the trained pipeline finds entities
    for name in ("onnxruntime_int8", "torch_int8"):
        cost = row["f1"]["fp32"] - row["f1"][name]
        assert row["f1_cost"][name] == pytest.approx(cost, abs=1e-4)


def test_a_missing_test_corpus_is_named(trained_pipeline, tmp_path):
    result = run_int8_cost(
        "demo", trained_pipeline, tmp_path / "no.spacy", tmp_path / "o.json"
    )
    assert result.returncode == 1
    assert "no.spacy not found" in result.output
    assert not (tmp_path / "o.json").exists()
