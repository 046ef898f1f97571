"""benchmarks/gpu.py: the pipeline timed on a device beside the HF pipeline, its
entities checked against the CPU's. Here the device is the CPU (`--gpu-id -1`), which
runs the same code but for moving the models."""

import sys

import srsly

from tests.helpers import PROJECT_DIR, run_cli


def test_the_benchmark_times_each_batch_size_and_checks_the_entities(
    trained_pipeline, tmp_path
):
    output = tmp_path / "gpu.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.gpu", trained_pipeline),
            f"demo={PROJECT_DIR / 'assets/demo/test.tsv'}",
            *("--gpu-id", "-1", "--output", output, "--batch-sizes", "1,16"),
            *("--repeats", "1", "--words", "150"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert written["complete"] is True
    assert written["device"] == "cpu"
    agreement = written["same_entities_as_cpu"]["demo"]
    assert agreement["differing"] == 0 and agreement["documents"] > 0
    assert [(row["texts"], row["batch_size"]) for row in written["rows"]] == [
        ("long", 1),
        ("long", 16),
        ("short", 1),
        ("short", 16),
    ]
    for row in written["rows"]:
        assert 0 <= row["padding_share"] <= 0.1  # the shipped max_padding
        for system in ("ours", "hf_pipeline", "hf_forward"):
            assert row[f"{system}_words_per_s"] > 0
    for line in written["summary"]:
        best = max(
            row["ours_words_per_s"]
            for row in written["rows"]
            if row["texts"] == line["texts"]
        )
        assert line["ours_best"] == best
        assert line["ours_best_batch_size"] in (1, 16)
        assert line["ours_vs_hf"] > 0


def test_a_missing_test_file_is_named(trained_pipeline, tmp_path):
    missing = tmp_path / "none.tsv"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.gpu", trained_pipeline),
            f"demo={missing}",
            *("--gpu-id", "-1", "--output", tmp_path / "gpu.json"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    assert f"no test file at {missing}" in result.output
    assert not (tmp_path / "gpu.json").exists()
