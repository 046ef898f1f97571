"""benchmarks/runtimes.py: the pipeline timed with each runtime beside the HF
pipeline, on long and short texts, with padding, limit share and entity agreement."""

import sys

import srsly

from tests.helpers import PROJECT_DIR, run_cli


def test_the_benchmark_times_each_system_on_long_and_short_texts(
    trained_pipeline, tmp_path
):
    output = tmp_path / "runtimes.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.runtimes", trained_pipeline),
            f"demo={PROJECT_DIR / 'assets/demo/test.tsv'}",
            *("--output", output, "--batch-sizes", "4,16", "--repeats", "2"),
            *("--words", "300"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert (written["repeats"], written["warmup"]) == (2, 1)
    assert [(row["texts"], row["batch_size"]) for row in written["rows"]] == [
        ("long", 4),
        ("long", 16),
        ("short", 4),
        ("short", 16),
    ]
    for row in written["rows"]:
        assert row["entities_agree_on_test_set"] is True
        assert 0 <= row["padding_share"] <= 0.1  # the shipped max_padding
        for system in (
            *("torch", "onnxruntime", "onnxruntime_int8", "torch_int8"),
            *("onnxruntime_transformer", "hf_pipeline", "hf_forward"),
        ):
            slowest, fastest = row[f"{system}_range"]
            assert 0 < slowest <= row[f"{system}_words_per_s"] <= fastest
    (long, short) = written["summary"]
    assert (long["texts"], short["texts"]) == ("long", "short")
    for line in written["summary"]:
        assert line["onnxruntime_vs_hf"] > 0 and 0 < line["torch_share_of_limit"]
        assert line["onnxruntime_int8_vs_hf"] > 0 and line["torch_int8_vs_hf"] > 0
        assert line["hf_forward_vs_hf"] > 0  # the HF model's forward pass alone
        # ours' tokenizer and transformer alone, the ceiling of the pipeline's ratios
        assert line["onnxruntime_transformer_vs_hf"] > 0
        assert line["onnxruntime_transformer_share_of_limit"] > 0
