"""Benchmark this project's pipeline against the standard Hugging Face recipe on one
corpus, each trained within the same wall-clock budget, threads and base transformer:
test F1 from one shared scorer, inference words/s against the limit the machine's
matrix-product rate implies, and peak memory. Writes benchmarks/results/<corpus>.json
and .md. Run from the project root:

    python -m benchmarks.compare resumes --budget-s 600

Systems, each trained and run in processes of their own (so peak RSS is its own):
  ours        configs/base_config.cfg: transformer + transition-based NER (spaCy)
  ours-int8   ours, its transformer's linear layers quantized to int8 (CPU)
  ours-cnn    configs/cnn_config.cfg: spaCy's CNN tok2vec + NER, the CPU floor
  ours-token  ours with the token-classification head (token_ner) in place of the
              transition-based NER, same transformer and recipe (only when named)
  hf-trainer  AutoModelForTokenClassification + Trainer (benchmarks/hf_trainer.py)

The named corpora and any settings of ours are in benchmarks/benchmark.cfg; how the
budget is shared out and why the Trainer runs as it does: docs/benchmarks.md.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import typer
from wasabi import msg

from benchmarks.comparison_table import curve_png, markdown_table, print_table
from benchmarks.config import OURS_SETTINGS
from benchmarks.corpora import resolve_files, write_corpora
from benchmarks.host import machine_description
from ner_project.files import atomic_write_bytes

BENCHMARKS = Path(__file__).resolve().parent
PROJECT = BENCHMARKS.parent
SYSTEMS = ("ours", "ours-int8", "ours-cnn", "ours-token", "hf-trainer")
RECIPE_NOTE = (
    "ours is configs/base_config.cfg as shipped, its schedule on the budget's clock; "
    "the pipeline's contact_patterns component (EMAIL, PHONE, URL rules) is left out, "
    "as the benchmark corpora have no such labels"
)
# What a plain run compares; ours-token (the token-classification head in place of
# the transition-based one, same transformer and recipe) is asked for by name.
DEFAULT_SYSTEMS = ("ours", "ours-int8", "ours-cnn", "hf-trainer")
# The training run whose model each system scores.
TRAINED_BY = {
    "ours": "ours",
    "ours-int8": "ours",
    "ours-cnn": "ours-cnn",
    "ours-token": "ours-token",
    "hf-trainer": "hf-trainer",
}
# Where each training run leaves its model, in the corpus's work folder.
MODELS = {
    "ours": Path("ours/model-last"),
    "ours-cnn": Path("ours-cnn/model-last"),
    "ours-token": Path("ours-token/model-last"),
    "hf-trainer": Path("hf/model"),
}


def module_command(module: str, *args) -> list:
    """`python -m benchmarks.<module> ARGS`, run with the project root as its folder."""
    return [sys.executable, "-m", f"benchmarks.{module}", *args]


def chosen_systems(systems: str, budget_s: float, threads: int) -> list[str]:
    """The systems to run, in the order given, or a clear failure."""
    chosen = [name.strip() for name in systems.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SYSTEMS))
    if unknown:
        msg.fail(
            f"Unknown systems {unknown}: choose from {', '.join(SYSTEMS)}", exits=1
        )
    if budget_s <= 0 or threads < 1:
        msg.fail("--budget-s must be positive and --threads at least 1", exits=1)
    return chosen


def resolved_transformer(transformer: str) -> str:
    """An absolute folder (each system runs in its own process), or a hub name."""
    if not Path(transformer).exists() and "/" in transformer:
        msg.warn(f"{transformer} is not a folder; reading it from the Hugging Face hub")
    if Path(transformer).exists():
        return str(Path(transformer).resolve())
    return transformer


def system_env(threads: int) -> dict:
    """The environment of every system's process: the same threads for each, and no
    thread pool of the Rust tokenizer competing with torch's."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "TOKENIZERS_PARALLELISM": "false",
    }
    if sys.dont_write_bytecode:
        # Run with `python -B` (project.yml): no bytecode caches in the code folders
        # that other commands depend on, from the systems' processes either.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def train_commands(
    corpora: dict,
    work: Path,
    transformer: str,
    *,
    budget_s: float,
    threads: int,
    seed: int,
    ours_lr: float,
    ours_settings: list[str],
    hf_lr: float,
    hf_batch_size: int,
    window: int,
) -> dict[str, list]:
    """The command of each training run, by the name of the system it trains."""
    common = ["--threads", threads, "--seed", seed]
    configs = PROJECT / "configs"
    return {
        "ours": [
            *module_command("spacy_train", configs / "base_config.cfg"),
            *(corpora["train"], corpora["dev"], work / "ours", "--budget-s", budget_s),
            *("--transformer", transformer, "--learn-rate", ours_lr, *common),
            *("--pipes", "transformer,ner"),
            *(part for setting in ours_settings for part in ("--set", setting)),
        ],
        "ours-token": [
            *module_command("spacy_train", configs / "base_config.cfg"),
            *(corpora["train"], corpora["dev"], work / "ours-token"),
            *("--budget-s", budget_s, "--transformer", transformer),
            *("--learn-rate", ours_lr, *common, "--ner-head", "token"),
            *("--pipes", "transformer,ner"),
            *(part for setting in ours_settings for part in ("--set", setting)),
        ],
        "ours-cnn": [
            *module_command("spacy_train", configs / "cnn_config.cfg"),
            *(corpora["train"], corpora["dev"], work / "ours-cnn"),
            *("--budget-s", budget_s, *common),
            *("--pipes", "tok2vec,ner"),
        ],
        "hf-trainer": [
            *module_command("hf_trainer", transformer, corpora["train"], work / "hf"),
            *("--budget-s", budget_s, "--learn-rate", hf_lr, *common),
            *("--batch-size", hf_batch_size, "--max-pieces", window),
        ],
    }


def run_measured(name: str, command: list, env: dict) -> float:
    """Run a command in its own process; its peak RSS in MB (from the kernel)."""
    msg.divider(name)
    process = subprocess.Popen([str(part) for part in command], env=env, cwd=PROJECT)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        msg.fail(f"{name} failed (exit {os.waitstatus_to_exitcode(status)})", exits=1)
    return round(usage.ru_maxrss / 1024, 1)


def train_system(trainer: str, command: list, work: Path, env: dict) -> dict:
    """Train one system; what its train.json says, with the run's peak memory."""
    peak = run_measured(f"train {trainer}", command, env)
    folder = (work / MODELS[trainer]).parent
    return {
        **json.loads((folder / "train.json").read_text()),
        "train_peak_rss_mb": peak,
    }


def evaluate_system(
    name: str, work: Path, test_path: Path, env: dict, options: list
) -> tuple[dict, float]:
    """Score and time one trained system in its own process: its result and peak
    memory. `options` are run_system's (threads, window, speed words)."""
    result_path = work / f"{name}.result.json"
    model = work / MODELS[TRAINED_BY[name]]
    command = module_command("run_system", name, model, test_path, result_path)
    peak = run_measured(f"evaluate {name}", [*command, *options], env)
    return json.loads(result_path.read_text()), peak


def curve_of(
    name: str, train_info: dict, final_f1: float, test_path: Path, env: dict, options
) -> list[dict]:
    """Test F1 at each checkpoint the training run saved, then at its end."""
    points = []
    for point in train_info.get("curve", [])[:-1]:
        result_path = Path(point["model"]).with_suffix(".result.json")
        command = module_command(
            "run_system", name, point["model"], test_path, result_path, "--no-timed"
        )
        run_measured(f"score {name} at {point['share']:.3f}", [*command, *options], env)
        f1 = json.loads(result_path.read_text())["f1"]
        points.append({"train_s": point["train_s"], "steps": point["steps"], "f1": f1})
    final = {"train_s": train_info["train_s"], "steps": train_info["steps"]}
    return [*points, {**final, "f1": final_f1}]


def system_row(
    name: str, result: dict, peak: float, train_info: dict, limit: float
) -> dict:
    """One system's line of the results: scores, speed against the limit, memory."""
    transformer_based = name != "ours-cnn"
    return {
        "name": name,
        "f1": round(result["f1"], 4),
        "precision": round(result["precision"], 4),
        "recall": round(result["recall"], 4),
        "train_s": train_info["train_s"],
        "words_per_s": round(result["words_per_s"], 1),
        "share_of_limit": round(result["words_per_s"] / limit, 3)
        if transformer_based
        else None,
        "peak_rss_mb": peak,
        **train_info,
        **{k: result[k] for k in ("agrees_with_spacy", "spacy_scorer")},
        **{k: result[k] for k in ("fastest", "speeds", "speed_words")},
        **{
            k: result[k]
            for k in ("breakdown", "transformer_alone_words_per_s")
            if k in result
        },
    }


def run_systems(
    chosen: list[str],
    commands: dict,
    work: Path,
    test_path: Path,
    env: dict,
    evaluate_options: list,
    limit: float,
) -> list[dict]:
    """Train each system's model once (int8 scores ours's), then score and time each
    system; their rows, with the F1 int8 costs against ours."""
    train_info, rows = {}, []
    for name in chosen:
        trainer = TRAINED_BY[name]
        if trainer not in train_info:
            train_info[trainer] = train_system(trainer, commands[trainer], work, env)
        result, peak = evaluate_system(name, work, test_path, env, evaluate_options)
        row = system_row(name, result, peak, train_info[trainer], limit)
        # int8 quantizes ours's final model only: its curve is ours's.
        curve_options = evaluate_options[:4]  # threads and window
        row["curve"] = (
            curve_of(
                name, train_info[trainer], row["f1"], test_path, env, curve_options
            )
            if name != "ours-int8"
            else None
        )
        rows.append(row)
    by_name = {row["name"]: row for row in rows}
    if "ours" in by_name and "ours-int8" in by_name:
        by_name["ours-int8"]["f1_cost"] = round(
            by_name["ours"]["f1"] - by_name["ours-int8"]["f1"], 4
        )
    return rows


def write_results(output: Path, result: dict) -> None:
    """The results as JSON and as Markdown beside it; the table and agreement shown."""
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output, json.dumps(result, indent=2).encode())
    atomic_write_bytes(output.with_suffix(".md"), markdown_table(result).encode())
    png = curve_png(result)
    if png is not None:
        atomic_write_bytes(output.with_suffix(".png"), png)
    print_table(result["systems"])
    disagree = [
        row["name"] for row in result["systems"] if not row["agrees_with_spacy"]
    ]
    if disagree:
        msg.warn(f"seqeval and spaCy's scorer disagree for {disagree}")
    else:
        msg.good("seqeval and spaCy's scorer agree for every system")
    msg.good(f"Results in {output} and {output.with_suffix('.md')}")


def compare(
    corpus: str = typer.Argument(..., help="resumes, conll2003, bc5cdr or your name"),
    data_dir: Path = typer.Option(Path("../shared/data"), help="The real corpora"),
    budget_s: float = typer.Option(600.0, help="Training seconds for each system"),
    transformer: str = typer.Option("assets/all-minilm-l6-v2", help="Base model"),
    threads: int = typer.Option(2, help="Threads for every system"),
    train_file: Path | None = typer.Option(None, help="Your corpus: training file"),
    dev_file: Path | None = typer.Option(None, help="Your corpus: dev file"),
    test_file: Path | None = typer.Option(None, help="Your corpus: test file"),
    train_docs: int = typer.Option(0, help="Use the first N training docs (0: all)"),
    dev_docs: int = typer.Option(10, help="Dev docs spaCy logs scores on"),
    test_docs: int = typer.Option(0, help="Use the first N test docs (0: all)"),
    speed_words: int = typer.Option(30000, help="Test words timed for speed"),
    ours_lr: float = typer.Option(0.0, help="Peak learning rate of ours; 0: config's"),
    ours_settings: list[str] = typer.Option(
        OURS_SETTINGS,
        "--ours-set",
        help="Config setting of ours, section.key=value; repeatable",
    ),
    hf_lr: float = typer.Option(2e-4, help="Peak learning rate of hf-trainer"),
    hf_batch_size: int = typer.Option(16, help="Windows per hf-trainer step"),
    window: int = typer.Option(128, help="Word pieces per hf-trainer window"),
    systems: str = typer.Option(
        ",".join(DEFAULT_SYSTEMS), help=f"Comma-separated, of {', '.join(SYSTEMS)}"
    ),
    work_dir: Path = typer.Option(Path("training/benchmark"), help="Scratch folder"),
    output: Path | None = typer.Option(
        None, help="JSON (default results/CORPUS-BUDGETs.json)"
    ),
    seed: int = typer.Option(0, help="Random seed of every trainer"),
    also_running: str = typer.Option(
        "nothing else", help="What else ran on the machine meanwhile, for the record"
    ),
) -> None:
    """Train and evaluate every system on CORPUS within BUDGET_S seconds each."""
    import torch

    from benchmarks.speed import matmul_gflops, speed_limit

    chosen = chosen_systems(systems, budget_s, threads)
    # What ours ran with besides the shipped config, as the results record it.
    recorded_settings = list(ours_settings) + (
        [f"training.optimizer.learn_rate.initial_rate={ours_lr:g}"] if ours_lr else []
    )
    files = resolve_files(corpus, data_dir, train_file, dev_file, test_file)
    transformer = resolved_transformer(transformer)
    output = output or BENCHMARKS / "results" / f"{corpus}-{budget_s:.0f}s.json"
    work = (work_dir / corpus).resolve()
    corpora = write_corpora(files, work, (train_docs, dev_docs, test_docs))
    gflops = matmul_gflops(threads)
    per_word, limit = speed_limit(transformer, corpora["test"], speed_words, gflops)
    msg.info(f"fp32 matmul: {gflops:.0f} GFLOP/s; limit {limit:.0f} words/s")
    commands = train_commands(
        corpora,
        work,
        transformer,
        budget_s=budget_s,
        threads=threads,
        seed=seed,
        ours_lr=ours_lr,
        ours_settings=ours_settings,
        hf_lr=hf_lr,
        hf_batch_size=hf_batch_size,
        window=window,
    )
    evaluate_options = ["--threads", threads, "--window", window]
    evaluate_options += ["--speed-words", speed_words]
    rows = run_systems(
        chosen,
        commands,
        work,
        corpora["test"],
        system_env(threads),
        evaluate_options,
        limit,
    )
    result = {
        "corpus": corpus,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine_description(threads),
        "budget_s": budget_s,
        "threads": threads,
        "torch": torch.__version__,
        "transformer": Path(transformer).name,
        "matmul_gflops": round(gflops, 1),
        "pieces_per_word": round(per_word, 3),
        "limit_words_per_s": round(limit, 1),
        "documents": {"train": train_docs or "all", "test": test_docs or "all"},
        "recipe": (
            RECIPE_NOTE
            if not recorded_settings
            else RECIPE_NOTE.replace("as shipped", "with the settings below")
        ),
        "ours_settings": recorded_settings,
        "also_running": also_running,
        "systems": rows,
    }
    write_results(output, result)


if __name__ == "__main__":
    typer.run(compare)
