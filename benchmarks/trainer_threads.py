"""Why an out-of-the-box `Trainer` step can take three times a plain PyTorch step on a
small CPU machine: time a few Trainer steps (batch 16, chunks of up to 150 words of the
real CVs) under settings that differ in one thing each, with the CPU time split into
user and system (kernel) time. Each setting runs in a process of its own. What it
found, and what the comparison took from it: docs/benchmarks.md.

    python -m benchmarks.trainer_threads ../shared/data
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import typer
from wasabi import msg

from benchmarks.config import CORPORA

PROJECT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "torch default threads, no workers": {},
    "dataloader_num_workers=2": {"workers": 2},
    "torch threads = 2 x cores": {"threads": 2 * len(os.sched_getaffinity(0))},
    "no length grouping (more padding)": {"group": False},
    "plain PyTorch loop, same batches": {"plain": True},
}


def chunks(data_dir: Path, limit: int) -> list[dict]:
    """Word chunks of up to 150 words of the real CVs, with their IOB tags."""
    import spacy

    from benchmarks.scoring import doc_to_iob2
    from ner_project.conversion.corpus import convert_files
    from ner_project.training.functions import split_windows

    doc_bin, _ = convert_files([data_dir / CORPORA["resumes"].train], "en", None)
    found = []
    for doc in doc_bin.get_docs(spacy.blank("en").vocab):
        starts = [t.is_sent_start or t.i == 0 for t in doc]
        for start, end in split_windows([1] * len(doc), starts, 150):
            words = [t.text for t in doc[start:end]]
            found.append({"words": words, "tags": doc_to_iob2(doc)[start:end]})
            if len(found) >= limit:
                return found
    return found


def plain_loop(model, collator, features: list, steps: int) -> None:
    """The same batches through AdamW by hand, without the Trainer."""
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model.train()
    for first in range(16, 16 * (steps + 1), 16):
        batch = collator(features[first : first + 16])
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def trainer_loop(model, collator, features, steps: int, workers: int, group: bool):
    """The Trainer at its defaults but for the setting's workers and grouping."""
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(
        output_dir="/tmp/trainer-threads",
        per_device_train_batch_size=16,
        max_steps=steps,
        dataloader_num_workers=workers,
        group_by_length=group,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
    )
    Trainer(
        model=model, args=args, train_dataset=features, data_collator=collator
    ).train()


def one(
    data_dir: Path,
    transformer: str,
    steps: int,
    workers: int,
    threads: int,
    group: bool,
    plain: bool,
) -> dict:
    """Seconds a step and user/system CPU seconds of one setting, in this process."""
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
    )

    from benchmarks.hf_recipe import encode

    if threads:
        torch.set_num_threads(threads)
    examples = chunks(data_dir, 16 * (steps + 1))
    labels = sorted({tag for ex in examples for tag in ex["tags"]})
    label2id = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(transformer)
    features = [
        encode(tokenizer, ex["words"], 510, ex["tags"], label2id)[0] for ex in examples
    ]
    model = AutoModelForTokenClassification.from_pretrained(
        transformer, num_labels=len(labels)
    )
    collator = DataCollatorForTokenClassification(tokenizer)
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    if plain:
        plain_loop(model, collator, features, steps)
    else:
        trainer_loop(model, collator, features, steps, workers, group)
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "s_per_step": round(wall / steps, 2),
        "user_s": round(after.ru_utime - before.ru_utime + children.ru_utime, 1),
        "system_s": round(after.ru_stime - before.ru_stime + children.ru_stime, 1),
        "torch_threads": torch.get_num_threads(),
    }


def run_setting(name: str, data_dir: Path, transformer: str, steps: int) -> dict:
    """One setting in a process of its own (`--setting`): its figures."""
    command = [sys.executable, "-m", "benchmarks.trainer_threads", data_dir.resolve()]
    if Path(transformer).exists():
        transformer = str(Path(transformer).resolve())
    command += ["--transformer", transformer, "--steps", steps, "--setting", name]
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=PROJECT
    )
    if done.returncode != 0:
        msg.fail(f"{name} failed", done.stderr[-2000:], exits=1)
    return json.loads(done.stdout.strip().splitlines()[-1])


def trainer_threads(
    data_dir: Path = typer.Argument(..., help="Folder of real corpora"),
    transformer: str = typer.Option("assets/all-minilm-l6-v2", help="Base model"),
    steps: int = typer.Option(4, help="Trainer steps per setting"),
    setting: str = typer.Option("", help="Run this one setting and print JSON"),
) -> None:
    """Print seconds a step and user/system CPU seconds for each setting."""
    if setting:
        options = {"workers": 0, "threads": 0, "group": True, "plain": False}
        options.update(SETTINGS[setting])
        print(json.dumps(one(data_dir, transformer, steps, **options)))
        return
    rows = []
    for name in SETTINGS:
        result = run_setting(name, data_dir, transformer, steps)
        rows.append((name, *result.values()))
    msg.table(
        rows,
        header=("setting", "s/step", "user s", "system s", "threads"),
        divider=True,
    )


if __name__ == "__main__":
    typer.run(trainer_threads)
