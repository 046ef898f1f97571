"""The benchmark's budget: the learning rate follows the clock's share of the budget,
the run ends at the deadline, and checkpoints along the way give the learning curve."""

import json
import sys
import time

import pytest

from benchmarks.budget import CURVE_SHARES, BudgetClock, warmup_linear_factor
from ner_project.conversion.corpus import convert_files
from tests.helpers import PROJECT_DIR, run_cli


@pytest.mark.parametrize(
    "share,factor",
    [(0.0, 0.0), (0.05, 0.5), (0.1, 1.0), (0.55, 0.5), (1.0, 0.0), (1.5, 0.0)],
)
def test_the_rate_warms_up_then_decays_to_zero_at_the_deadline(share, factor):
    assert warmup_linear_factor(share, warmup=0.1) == pytest.approx(factor)


def test_paused_time_is_not_training_time():
    clock = BudgetClock(budget_s=10.0)
    clock.start()
    with clock.paused():
        time.sleep(0.3)
    assert clock.elapsed() < 0.1
    assert not clock.spent()


@pytest.fixture(scope="module")
def budget_run(tmp_path_factory, tiny_transformer):
    """Ours trained by the benchmark for a budget of 20 s on a slice of the demo."""
    root = tmp_path_factory.mktemp("budget")
    for split in ("train", "dev"):
        doc_bin, _ = convert_files(
            [PROJECT_DIR / f"assets/demo/{split}.tsv"], "en", None
        )
        doc_bin.to_disk(root / f"{split}.spacy")
    result = run_cli(
        [
            *(sys.executable, "-m", "benchmarks.spacy_train"),
            *(PROJECT_DIR / "configs" / "base_config.cfg", root / "train.spacy"),
            *(root / "dev.spacy", root / "out", "--budget-s", "20"),
            *("--transformer", tiny_transformer, "--pipes", "transformer,ner"),
        ],
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.output[-3000:]
    return root / "out"


def test_the_run_ends_at_the_deadline_not_at_a_step_count(budget_run):
    info = json.loads((budget_run / "train.json").read_text())
    assert info["ended_by_budget"]
    assert 20.0 <= info["train_s"] < 20.0 + 10.0
    assert info["steps"] > 1


def test_the_curve_has_a_checkpoint_at_each_share_of_the_budget(budget_run):
    curve = json.loads((budget_run / "train.json").read_text())["curve"]
    assert [point["share"] for point in curve] == list(CURVE_SHARES)
    seconds = [point["train_s"] for point in curve]
    assert seconds == sorted(seconds)
    for point, share in zip(curve[:-1], CURVE_SHARES, strict=False):
        assert point["train_s"] >= share * 20.0
        assert (budget_run / f"share-{share}" / "meta.json").is_file()
    assert (budget_run / "model-last" / "meta.json").is_file()
