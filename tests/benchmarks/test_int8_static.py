"""benchmarks/int8_static.py: ONNX Runtime's static int8, calibrated on training text,
built and scored beside fp32 and the dynamic int8 that NER_INT8 runs."""

import sys
from collections import Counter

import onnx
import pytest
import srsly

from benchmarks.int8_static import (
    calibration_batches,
    static_int8,
    transformer_states,
    with_onnx_file,
)
from ner_project.conversion.corpus import convert_files
from tests.helpers import PROJECT_DIR, run_cli


@pytest.fixture(scope="module")
def demo_corpora(tmp_path_factory):
    folder = tmp_path_factory.mktemp("int8-static")
    for split in ("train", "test"):
        doc_bin, _ = convert_files(
            [PROJECT_DIR / f"assets/demo/{split}.tsv"], "en", None
        )
        doc_bin.to_disk(folder / f"{split}.spacy")
    return folder


def test_the_static_model_quantizes_the_matrix_products_and_the_pipeline_runs_it(
    trained_pipeline, tmp_path
):
    texts = ["Jane Doe, data engineer at Acme Corp in Berlin."] * 12
    fp32_path, batches = calibration_batches(str(trained_pipeline), texts, 4)
    assert len(batches) == 3
    assert {name for batch in batches for name in batch} >= {"input_ids"}
    operators = {}
    for form in ("QOperator", "QDQ"):
        path = static_int8(fp32_path, batches, form, tmp_path)
        operators[form] = Counter(node.op_type for node in onnx.load(path).graph.node)
        nlp = with_onnx_file(str(trained_pipeline), path)
        (state,) = transformer_states(nlp)
        assert state.session.path == path
        assert len(nlp(texts[0])) == 11
    assert operators["QOperator"]["QLinearMatMul"] > 0
    assert operators["QDQ"]["QuantizeLinear"] > 0
    assert operators["QDQ"]["DequantizeLinear"] > 0


def test_each_int8_is_scored_and_timed_against_fp32(
    trained_pipeline, demo_corpora, tmp_path
):
    output = tmp_path / "int8-static.json"
    output.write_text('{"other": {"f1": {"fp32": 0.5}}}')  # an earlier model's run
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.int8_static", trained_pipeline),
            *(demo_corpora / "train.spacy", demo_corpora / "test.spacy"),
            *("--calibration-texts", "16", "--repeats", "1", "--output", output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert written["other"] == {"f1": {"fp32": 0.5}}
    row = written[str(trained_pipeline)]
    systems = {"fp32", "dynamic", "static_QOperator", "static_QDQ"}
    assert set(row["f1"]) == systems
    assert row["f1"]["fp32"] > 0.1  # the trained pipeline finds entities
    for name, f1 in row["f1"].items():
        assert row["f1_cost"][name] == pytest.approx(row["f1"]["fp32"] - f1, abs=1e-4)
    for size in ("batch_8", "batch_64"):
        assert set(row["words_per_s"][size]) == systems
        assert all(speed > 0 for speed in row["words_per_s"][size].values())
    assert row["calibration_documents"] == 16


def test_a_missing_corpus_is_named(trained_pipeline, demo_corpora, tmp_path):
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.int8_static", trained_pipeline),
            *(tmp_path / "no.spacy", demo_corpora / "test.spacy"),
            *("--output", tmp_path / "o.json"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert "no.spacy not found" in result.output
    assert not (tmp_path / "o.json").exists()
