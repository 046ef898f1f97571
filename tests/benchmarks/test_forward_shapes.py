"""benchmarks/forward_shapes.py: the transformer's forward pass alone in each runtime,
timed per shape against the fp32 limit."""

import sys

import numpy
import spacy
import srsly

from benchmarks.forward_shapes import RUNTIMES, forwards, hidden_states, random_batch
from tests.helpers import PROJECT_DIR, run_cli


def test_the_runtimes_compute_the_same_forward_pass(trained_pipeline):
    nlp = spacy.load(trained_pipeline)
    hf_model = nlp.get_pipe("transformer").model.layers[0].shims[0]._model.eval()
    runs = forwards(hf_model, with_token_types=True)
    part = random_batch(hf_model.config, batch=3, pieces=10, seed=0)
    states = {name: hidden_states(run, part) for name, run in runs.items()}
    assert set(states) == set(RUNTIMES)
    expected_shape = (3, 10, hf_model.config.hidden_size)
    assert all(state.shape == expected_shape for state in states.values())
    assert numpy.abs(states["onnxruntime"] - states["torch"]).max() < 1e-4
    int8_error = numpy.abs(states["onnxruntime_int8"] - states["torch"]).max()
    assert 0 < int8_error < numpy.abs(states["torch"]).max()


def test_each_shape_is_timed_in_each_runtime(trained_pipeline, tmp_path):
    output = tmp_path / "forward-shapes.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.forward_shapes", trained_pipeline),
            *("--batches", "1,4", "--lengths", "8,16", "--seconds", "0.05"),
            *("--output", output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert written["matmul_gflops"] > 0
    rows = written["rows"]
    assert [(row["batch"], row["pieces"]) for row in rows] == [
        (1, 8),
        (1, 16),
        (4, 8),
        (4, 16),
    ]
    for row in rows:
        for name in RUNTIMES:
            assert row[f"{name}_us_per_piece"] > 0
            assert row[f"{name}_share_of_limit"] > 0


def test_a_pipeline_without_a_transformer_is_refused(tmp_path):
    spacy.blank("en").to_disk(tmp_path / "blank")
    output = tmp_path / "forward-shapes.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.forward_shapes", tmp_path / "blank"),
            *("--output", output),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert "has no transformer component" in result.output
    assert not output.exists()
