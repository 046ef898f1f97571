"""benchmarks/length_groups.py: the shipped length-grouped forward pass timed against
spacy-transformers' own on the same texts, with its padding and the entities compared."""

import sys

import srsly

from tests.helpers import PROJECT_DIR, run_cli


def test_the_benchmark_times_both_passes_and_finds_the_same_entities(
    trained_pipeline, tmp_path
):
    output = tmp_path / "groups.json"
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.length_groups", trained_pipeline),
            PROJECT_DIR / "assets/demo/test.tsv",
            *("--output", output, "--batch-sizes", "4,16", "--repeats", "1"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-2000:]
    written = srsly.read_json(output)
    assert [row["batch_size"] for row in written["rows"]] == [4, 16]
    for row in written["rows"]:
        assert row["same_entities"] is True
        assert row["grouped_padding_factor"] <= 1.1
        assert row["padded_padding_factor"] >= row["grouped_padding_factor"]
        assert row["grouped_words_per_s"] > 0 and row["padded_words_per_s"] > 0
