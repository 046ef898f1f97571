"""Train a spaCy pipeline (ours: transformer + NER; ours-cnn: CNN + NER) within a
wall-clock budget, in its own process so the driver sees its peak memory.

`spacy train`'s own loop runs twice: a throwaway run of a few steps timed by a
`before_update` callback, then the real run with `training.max_steps` and the
learning-rate schedule's `total_steps` sized to the budget (see `budget.py`). The same
callback stops the real run if the deadline passes anyway; spaCy then saves
`model-last`, which is what the benchmark scores (the dev set only logs progress).
"""

import io
import json
import sys
import time
from pathlib import Path

import typer
from budget import Deadline, mean_step_seconds, steps_for_budget
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_loop
from spacy.util import load_config, registry
from wasabi import msg

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import functions  # noqa: E402,F401  (registers the warm-up schedule)

CLOCKS: list["StepClock"] = []


class BudgetSpent(Exception):
    """Raised before an update once the deadline has passed."""


class StepClock:
    """spaCy `before_update` callback: notes when each update starts."""

    def __init__(self, deadline_s: float):
        self.deadline = Deadline(deadline_s) if deadline_s > 0 else None
        self.starts: list[float] = []

    def __call__(self, nlp, info: dict) -> None:
        self.starts.append(time.perf_counter())
        if self.deadline is not None and self.deadline.passed():
            raise BudgetSpent(f"deadline passed before step {info['step']}")

    def durations(self) -> list[float]:
        return [b - a for a, b in zip(self.starts, self.starts[1:], strict=False)]


@registry.callbacks("benchmark.step_clock.v1")
def step_clock(deadline_s: float = 0.0) -> StepClock:
    clock = StepClock(deadline_s)
    CLOCKS.append(clock)
    return clock


def keep_pipes(config, names: list[str]) -> None:
    """Leave only the named components in the pipeline (and their settings)."""
    for name in [pipe for pipe in config["nlp"]["pipeline"] if pipe not in names]:
        config["components"].pop(name, None)
        config["initialize"].get("components", {}).pop(name, None)
    config["nlp"]["pipeline"] = [p for p in config["nlp"]["pipeline"] if p in names]


def parse_settings(settings: list[str]) -> dict:
    """`section.key=value` strings as config overrides; values read as JSON where they
    parse (numbers, booleans, null), as strings otherwise."""
    overrides = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or "." not in key:
            msg.fail(f"--set {setting!r}: write section.key=value", exits=1)
        try:
            overrides[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key.strip()] = value
    return overrides


def run_spacy_train(
    config_path: Path,
    overrides: dict,
    pipes: list[str],
    deadline_s: float,
    output: Path | None,
) -> tuple[bool, float]:
    """One run of spaCy's training loop (initialisation not timed): whether it ended
    at max_steps rather than at the deadline, and the loop's seconds."""
    config = load_config(config_path, overrides=overrides, interpolate=False)
    if pipes:
        keep_pipes(config, pipes)
    config["training"]["before_update"] = {
        "@callbacks": "benchmark.step_clock.v1",
        "deadline_s": deadline_s,
    }
    nlp = init_nlp(config)
    start = time.perf_counter()
    try:
        train_loop(nlp, output, stdout=sys.stdout if output else io.StringIO())
    except BudgetSpent as stop:
        msg.warn(f"Stopped by the budget: {stop}")
        return False, time.perf_counter() - start
    return True, time.perf_counter() - start


def train(
    config_path: Path = typer.Argument(..., help="Pipeline config (.cfg)"),
    train_path: Path = typer.Argument(..., help="Training corpus (.spacy)"),
    dev_path: Path = typer.Argument(..., help="Dev corpus (.spacy), only logged"),
    output: Path = typer.Argument(..., help="Folder for model-last and train.json"),
    budget_s: float = typer.Option(300.0, help="Wall-clock seconds for training"),
    transformer: str = typer.Option("", help="Transformer folder or name, if any"),
    learn_rate: float = typer.Option(0.0, help="Peak learning rate; 0: the config's"),
    threads: int = typer.Option(2, help="torch threads"),
    calibration_steps: int = typer.Option(6, help="Throwaway steps timed first"),
    seed: int = typer.Option(0, help="Random seed"),
    pipes: str = typer.Option("", help="Comma-separated components to keep (all)"),
    settings: list[str] = typer.Option(
        [], "--set", help="Config setting section.key=value (JSON value), repeatable"
    ),
) -> None:
    """Train CONFIG_PATH on TRAIN_PATH for as many steps as BUDGET_S allows.

    `--pipes transformer,ner` benchmarks the model alone: rule components of the
    project's config (contact patterns labelling EMAIL, URL, PHONE) would add labels
    that a benchmark corpus does not have, and so only cost precision."""
    kept = [name.strip() for name in pipes.split(",") if name.strip()]
    import torch

    torch.set_num_threads(threads)
    output.mkdir(parents=True, exist_ok=True)
    base = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        "system.seed": seed,
    }
    if transformer:
        base["components.transformer.model.name"] = transformer
    if learn_rate > 0:
        base["training.optimizer.learn_rate.initial_rate"] = learn_rate
    base.update(parse_settings(settings))

    def sized(steps: int) -> dict:
        return {
            **base,
            "training.max_steps": steps,
            "training.optimizer.learn_rate.total_steps": steps,
            "training.eval_frequency": steps + 1,
        }

    start = time.perf_counter()
    run_spacy_train(config_path, sized(calibration_steps), kept, 0.0, None)
    step_s = mean_step_seconds(CLOCKS[-1].durations())
    calibration_s = time.perf_counter() - start
    steps = steps_for_budget(step_s, budget_s, min_steps=2)
    msg.info(f"{config_path.name}: {step_s:.3f} s a step, {steps} steps in budget")

    overrides = {**sized(steps), "training.eval_frequency": steps}
    finished, train_s = run_spacy_train(config_path, overrides, kept, budget_s, output)
    info = {
        "train_s": round(train_s, 1),
        # The clock notes a step before the deadline check that may cancel it.
        "steps": len(CLOCKS[-1].starts) - (0 if finished else 1),
        "planned_steps": steps + 1,
        "finished_schedule": finished,
        "step_s": round(step_s, 3),
        "calibration_s": round(calibration_s, 1),
        "learn_rate": learn_rate or None,
        "settings": settings,
        "threads": torch.get_num_threads(),
    }
    (output / "train.json").write_text(json.dumps(info, indent=2))
    msg.good(f"{info['steps']} steps in {train_s:.0f} s; model in {output}")


if __name__ == "__main__":
    typer.run(train)
