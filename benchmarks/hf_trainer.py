"""The standard Hugging Face token-classification recipe, as the peer of our pipeline:
`AutoModelForTokenClassification` on the same base transformer, labels on each word's
first sub-token (the rest ignored), AdamW with linear warm-up and decay, `Trainer`
with length-grouped batches, inside the same wall-clock budget and threads. Its
learning rate follows the budget's clock as ours does (benchmarks/budget.py): warm-up
over the first `--warmup-ratio` of the seconds, linear decay to zero at the deadline,
where the run stops; checkpoints at the curve's shares on the way.

Documents are cut into windows of whole sentences (benchmarks/hf_recipe.py). Runs in
a process of its own, so that the comparison measures its peak memory:

    python -m benchmarks.hf_trainer TRANSFORMER TRAIN_PATH OUTPUT --budget-s 300
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import torch
import typer
from torch.optim.lr_scheduler import LambdaLR
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)
from wasabi import msg

from benchmarks.budget import BudgetClock, Checkpoints, warmup_linear_factor
from benchmarks.hf_recipe import labels_of, train_features

NO_LIMIT = 10**9  # steps: the budget ends the run, not a step count


class BudgetCallback(TrainerCallback):
    """Starts the clock at the first step, saves the curve's checkpoints, and stops
    the run once the budget is spent."""

    def __init__(
        self, clock: BudgetClock, checkpoints: Checkpoints, save: Callable[[Path], None]
    ):
        self.clock, self.checkpoints, self.save, self.steps = (
            clock,
            checkpoints,
            save,
            0,
        )
        self.stopped_s: float | None = None

    def on_step_begin(self, args, state, control, **kwargs):
        self.clock.start()

    def on_step_end(self, args, state, control, **kwargs):
        self.steps = state.global_step
        self.checkpoints.save_due(state.global_step, self.save)
        if self.clock.spent():
            self.stopped_s = self.clock.elapsed()
            control.should_training_stop = True


def training_arguments(
    output: Path, batch_size: int, learn_rate: float, seed: int
) -> TrainingArguments:
    """The recipe's settings: no dataloader workers (each would start its own torch
    threads), no checkpoints of the Trainer's own, no evaluation, CPU; the budget,
    not a step count, ends the run."""
    return TrainingArguments(
        output_dir=str(output / "checkpoints"),
        per_device_train_batch_size=batch_size,
        learning_rate=learn_rate,
        weight_decay=0.01,
        max_grad_norm=1.0,
        max_steps=NO_LIMIT,
        group_by_length=True,
        dataloader_num_workers=0,
        save_strategy="no",
        eval_strategy="no",
        logging_steps=50,
        report_to=[],
        use_cpu=True,
        seed=seed,
        disable_tqdm=True,
    )


def make_trainer(
    model, tokenizer, features, args, callback: BudgetCallback, warmup_ratio: float
) -> Trainer:
    """The Trainer, its AdamW as it makes it, and a rate that follows the clock."""
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=features,
        data_collator=DataCollatorForTokenClassification(tokenizer),
        callbacks=[callback],
    )
    trainer.create_optimizer()
    trainer.lr_scheduler = LambdaLR(
        trainer.optimizer,
        lambda _step: warmup_linear_factor(callback.clock.share(), warmup_ratio),
    )
    return trainer


def fresh_model(transformer: str, labels: list[str]):
    """The base transformer with a new, untrained token-classification head."""
    return AutoModelForTokenClassification.from_pretrained(
        transformer,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )


def train(
    transformer: str = typer.Argument(..., help="Base transformer, folder or name"),
    train_path: Path = typer.Argument(..., help="Training corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Folder for the model and train.json"),
    budget_s: float = typer.Option(300.0, help="Wall-clock seconds for training"),
    learn_rate: float = typer.Option(2e-4, help="Peak learning rate of AdamW"),
    warmup_ratio: float = typer.Option(0.1, help="Share of the budget warming up"),
    batch_size: int = typer.Option(16, help="Windows per optimizer step"),
    max_pieces: int = typer.Option(128, help="Word pieces per window"),
    threads: int = typer.Option(2, help="torch threads"),
    seed: int = typer.Option(0, help="Random seed"),
) -> None:
    """Fine-tune TRANSFORMER for token classification on TRAIN_PATH within BUDGET_S."""
    import spacy
    from spacy.tokens import DocBin

    torch.set_num_threads(threads)
    docs = list(DocBin().from_disk(train_path).get_docs(spacy.blank("en").vocab))
    labels = labels_of(docs)
    label2id = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(transformer)
    features = train_features(docs, tokenizer, max_pieces, label2id)

    clock = BudgetClock(budget_s)

    def save(path: Path) -> None:
        model.save_pretrained(path)
        tokenizer.save_pretrained(path)

    checkpoints = Checkpoints(clock, output)
    callback = BudgetCallback(clock, checkpoints, save)
    model = fresh_model(transformer, labels)
    arguments = training_arguments(output, batch_size, learn_rate, seed)
    trainer = make_trainer(
        model, tokenizer, features, arguments, callback, warmup_ratio
    )
    trainer.train()
    train_s = callback.stopped_s or clock.elapsed()
    save(output / "model")
    curve = [
        *checkpoints.saved,
        {
            "share": 1.0,
            "train_s": round(train_s, 1),
            "steps": callback.steps,
            "model": str(output / "model"),
        },
    ]
    info = {
        "train_s": round(train_s, 1),
        "steps": callback.steps,
        "schedule": "warm-up and linear decay over the budget's clock",
        "warmup_ratio": warmup_ratio,
        "learn_rate": learn_rate,
        "batch_size": batch_size,
        "windows": len(features),
        "max_pieces": max_pieces,
        "threads": torch.get_num_threads(),
        "tokenizers_parallelism": os.environ.get("TOKENIZERS_PARALLELISM"),
        "curve": curve,
    }
    (output / "train.json").write_text(json.dumps(info, indent=2))
    msg.good(f"hf-trainer: {info['steps']} steps in {train_s:.0f} s")


if __name__ == "__main__":
    typer.run(train)
