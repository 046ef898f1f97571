"""Train a spaCy pipeline (ours: transformer + NER, either head; ours-cnn: CNN + NER)
within a wall-clock budget, in its own process so the comparison sees its peak memory.

`spacy train`'s own loop runs with the config's learning-rate schedule made to follow
the budget's clock (benchmarks/budget.py): the config's peak rate and warm-up share,
decay to zero at the deadline, where a `before_update` callback stops the run and
spaCy saves `model-last`, which is what the benchmark scores (the dev set only logs
progress). The same callback saves the curve's checkpoints on the way.

    python -m benchmarks.spacy_train CONFIG TRAIN DEV OUTPUT --budget-s 300
"""

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import typer
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_loop
from spacy.util import load_config, registry
from wasabi import msg

from benchmarks.budget import BudgetClock, Checkpoints, warmup_linear_factor
from ner_project.training.functions import register_functions

# The run's clock and checkpoints, shared by the schedule and the callback that the
# config names (spaCy builds both from the registry, with no other way to reach them).
RUN: dict = {}
NO_LIMIT = 10**9  # steps: the budget ends the run, not a step count


class BudgetSpent(Exception):
    """Raised before an update once the budget is spent."""


@registry.callbacks("benchmark.budget_stop.v1")
def budget_stop():
    """`before_update`: starts the clock, saves due checkpoints, stops at the end."""

    def before_update(nlp, info: dict) -> None:
        clock, checkpoints = RUN["clock"], RUN["checkpoints"]
        clock.start()
        RUN["steps"] = info["step"]
        if checkpoints is not None:
            checkpoints.save_due(info["step"], nlp.to_disk)
        if clock.spent():
            RUN["train_s"] = clock.elapsed()
            raise BudgetSpent(f"budget spent before step {info['step']}")

    return before_update


@registry.schedules("benchmark.clock_warmup_linear.v1")
def clock_warmup_linear(
    initial_rate: float, warmup_fraction: float, **_ignored
) -> Iterator[float]:
    """The config's warm-up and linear decay, over the budget's seconds."""
    while True:
        yield initial_rate * warmup_linear_factor(RUN["clock"].share(), warmup_fraction)


def keep_pipes(config, names: list[str]) -> None:
    """Leave only the named components in the pipeline (and their settings)."""
    for name in [pipe for pipe in config["nlp"]["pipeline"] if pipe not in names]:
        config["components"].pop(name, None)
        config["initialize"].get("components", {}).pop(name, None)
    config["nlp"]["pipeline"] = [p for p in config["nlp"]["pipeline"] if p in names]


def use_token_ner_head(config) -> None:
    """Put the token-classification head (`token_ner`, softmax over BILUO tags) in
    place of the transition-based NER, on the same transformer listener."""
    ner = config["components"]["ner"]
    listener = ner["model"]["tok2vec"]
    config["components"]["ner"] = {
        "factory": "token_ner",
        "model": {
            "@architectures": "ner_project.TokenClassifier.v1",
            "tok2vec": listener,
        },
    }


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


def base_overrides(
    train_path: Path, dev_path: Path, seed: int, transformer: str, learn_rate: float
) -> dict:
    """The corpora, seed, transformer and peak rate, as config overrides."""
    base = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        "system.seed": seed,
    }
    if transformer:
        base["components.transformer.model.name"] = transformer
    if learn_rate > 0:
        base["training.optimizer.learn_rate.initial_rate"] = learn_rate
    return base


def budget_overrides(config) -> dict:
    """The config's schedule on the budget's clock, no step limit, dev scores logged
    only at the start (the benchmark scores the test set itself)."""
    schedule = config["training"]["optimizer"]["learn_rate"]
    return {
        "training.max_steps": NO_LIMIT,
        "training.eval_frequency": NO_LIMIT,
        "training.optimizer.learn_rate": {
            "@schedules": "benchmark.clock_warmup_linear.v1",
            "initial_rate": schedule["initial_rate"],
            "warmup_fraction": schedule["warmup_fraction"],
        },
    }


def set_value(config, key: str, value) -> None:
    """config[section]...[name] = value, for key "section.….name"."""
    section, _, name = key.rpartition(".")
    node = config
    for part in section.split("."):
        if not isinstance(node.get(part), dict):
            msg.fail(f"--set {key}: the config has no section {section!r}", exits=1)
        node = node[part]
    node[name] = value


def run_spacy_train(
    config_path: Path,
    overrides: dict,
    settings: dict,
    pipes: list[str],
    output: Path,
    ner_head: str,
) -> tuple[bool, float]:
    """One run of spaCy's training loop (initialisation not timed): whether the budget
    ended it (rather than the data or an error), and the loop's seconds. `settings`
    apply after the head is chosen, so they may set the token head's own."""
    config = load_config(config_path, overrides=overrides, interpolate=False)
    if pipes:
        keep_pipes(config, pipes)
    if ner_head == "token":
        use_token_ner_head(config)
    for key, value in settings.items():
        set_value(config, key, value)
    for key, value in budget_overrides(config).items():
        set_value(config, key, value)
    config["training"]["before_update"] = {"@callbacks": "benchmark.budget_stop.v1"}
    nlp = init_nlp(config)
    start = time.perf_counter()
    try:
        train_loop(nlp, output, stdout=io.StringIO())
    except BudgetSpent as stop:
        msg.info(f"Stopped by the budget: {stop}")
        return True, time.perf_counter() - start
    return False, time.perf_counter() - start


def train(
    config_path: Path = typer.Argument(..., help="Pipeline config (.cfg)"),
    train_path: Path = typer.Argument(..., help="Training corpus (.spacy)"),
    dev_path: Path = typer.Argument(..., help="Dev corpus (.spacy), only logged"),
    output: Path = typer.Argument(..., help="Folder for model-last and train.json"),
    budget_s: float = typer.Option(300.0, help="Wall-clock seconds for training"),
    transformer: str = typer.Option("", help="Transformer folder or name, if any"),
    learn_rate: float = typer.Option(0.0, help="Peak learning rate; 0: the config's"),
    threads: int = typer.Option(2, help="torch threads"),
    seed: int = typer.Option(0, help="Random seed"),
    pipes: str = typer.Option("", help="Comma-separated components to keep (all)"),
    settings: list[str] = typer.Option(
        [], "--set", help="Config setting section.key=value (JSON value), repeatable"
    ),
    ner_head: str = typer.Option(
        "config", help="config: the config's NER; token: the token-classification head"
    ),
    curve: bool = typer.Option(True, help="Save checkpoints at shares of the budget"),
) -> None:
    """Train CONFIG_PATH on TRAIN_PATH until BUDGET_S seconds of training are spent.

    `--pipes transformer,ner` benchmarks the model alone: rule components of the
    project's config (contact patterns labelling EMAIL, URL, PHONE) would add labels
    that a benchmark corpus does not have, and so only cost precision."""
    if ner_head not in {"config", "token"}:
        msg.fail(f"--ner-head {ner_head!r}: choose config or token", exits=1)
    kept = [name.strip() for name in pipes.split(",") if name.strip()]
    import torch

    register_functions()  # the config's optimizer, reader and components
    torch.set_num_threads(threads)
    output.mkdir(parents=True, exist_ok=True)
    overrides = base_overrides(train_path, dev_path, seed, transformer, learn_rate)
    clock = BudgetClock(budget_s)
    checkpoints = Checkpoints(clock, output) if curve else None
    RUN.update(clock=clock, checkpoints=checkpoints, steps=0)
    by_budget, loop_s = run_spacy_train(
        config_path, overrides, parse_settings(settings), kept, output, ner_head
    )
    if not by_budget:
        msg.warn("The run ended before its budget")
    # Training seconds when the budget stopped the run, before spaCy saved the model.
    train_s = RUN.get("train_s", clock.elapsed())
    curve_points = list(checkpoints.saved) if checkpoints else []
    curve_points.append(
        {
            "share": 1.0,
            "train_s": round(train_s, 1),
            "steps": RUN["steps"],
            "model": str(output / "model-last"),
        }
    )
    info = {
        "train_s": round(train_s, 1),
        "loop_s": round(loop_s, 1),
        "steps": RUN["steps"],
        "ended_by_budget": by_budget,
        "schedule": "warm-up and linear decay over the budget's clock",
        "learn_rate": learn_rate or None,
        "settings": settings,
        "ner_head": ner_head,
        "threads": torch.get_num_threads(),
        "curve": curve_points,
    }
    (output / "train.json").write_text(json.dumps(info, indent=2))
    msg.good(f"{info['steps']} steps in {info['train_s']:.0f} s; model in {output}")


if __name__ == "__main__":
    typer.run(train)
