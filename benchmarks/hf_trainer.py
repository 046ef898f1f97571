"""The standard Hugging Face token-classification recipe, as the peer of our pipeline:
`AutoModelForTokenClassification` on the same base transformer, labels on each word's
first sub-token (the rest ignored), AdamW with linear warm-up and decay, `Trainer`
with length-grouped batches, inside the same wall-clock budget and threads.

Documents are cut into windows of whole sentences (`split_windows` in scripts/functions.py), so no token is
truncated away in training or prediction. `train` runs in its own process (the driver
measures its peak memory); `predict_tags` gives IOB2 tags per gold token for scoring.
"""

import json
import os
import sys
import time
from pathlib import Path

import torch
import typer
from budget import Deadline, mean_step_seconds, steps_for_budget
from scoring import doc_to_iob2
from spacy.tokens import Doc
from wasabi import msg

# split_windows lives with the functions the project's configs register.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from functions import split_windows

IGNORED = -100


def piece_counts(tokenizer, words: list[str]) -> list[int]:
    """Word pieces of each word, as the tokenizer cuts them (0 for words it drops)."""
    counts = [0] * len(words)
    encoding = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    for word_id in encoding.word_ids():
        if word_id is not None:
            counts[word_id] += 1
    return counts


def doc_windows(docs: list[Doc], tokenizer, max_pieces: int) -> list[tuple]:
    """`(doc index, start, end)` of every window, covering every token of every doc."""
    windows = []
    for index, doc in enumerate(docs):
        words = [t.text for t in doc]
        starts = [t.is_sent_start or t.i == 0 for t in doc]
        for start, end in split_windows(
            piece_counts(tokenizer, words), starts, max_pieces
        ):
            windows.append((index, start, end))
    return windows


def encode(tokenizer, words: list[str], max_pieces: int, tags=None, label2id=None):
    """Input ids of a window, with labels on first sub-tokens when tags are given."""
    encoding = tokenizer(
        words, is_split_into_words=True, truncation=True, max_length=max_pieces + 2
    )
    features = {"input_ids": encoding["input_ids"]}
    if tags is not None:
        labels, previous = [], None
        for word_id in encoding.word_ids():
            first = word_id is not None and word_id != previous
            labels.append(label2id[tags[word_id]] if first else IGNORED)
            previous = word_id
        features["labels"] = labels
    return features, encoding.word_ids()


def train_features(docs: list[Doc], tokenizer, max_pieces: int, label2id: dict):
    features = []
    for index, start, end in doc_windows(docs, tokenizer, max_pieces):
        doc = docs[index]
        words = [t.text for t in doc[start:end]]
        tags = doc_to_iob2(doc)[start:end]
        features.append(encode(tokenizer, words, max_pieces, tags, label2id)[0])
    return features


def labels_of(docs: list[Doc]) -> list[str]:
    labels = sorted({ent.label_ for doc in docs for ent in doc.ents})
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in "BI"]


@torch.inference_mode()
def predict_tags(
    model, tokenizer, docs: list[Doc], max_pieces: int, batch_size: int = 32
) -> list[list[str]]:
    """IOB2 tags for every token of every doc: each word gets its first piece's label;
    a word the tokenizer drops entirely gets `O`."""
    model.eval()
    tags = [["O"] * len(doc) for doc in docs]
    windows = doc_windows(docs, tokenizer, max_pieces)
    encoded = [
        encode(tokenizer, [t.text for t in docs[i][s:e]], max_pieces)
        for i, s, e in windows
    ]
    order = sorted(range(len(windows)), key=lambda k: len(encoded[k][0]["input_ids"]))
    id2label = model.config.id2label
    for first in range(0, len(order), batch_size):
        batch = order[first : first + batch_size]
        padded = tokenizer.pad(
            [encoded[k][0] for k in batch], return_tensors="pt", padding=True
        )
        best = model(**padded).logits.argmax(-1).tolist()
        for row, k in enumerate(batch):
            index, start, _ = windows[k]
            previous = None
            for position, word_id in enumerate(encoded[k][1]):
                if word_id is not None and word_id != previous:
                    tags[index][start + word_id] = id2label[best[row][position]]
                previous = word_id
    return tags


def make_trainer(model, tokenizer, features, args, callbacks):
    from transformers import DataCollatorForTokenClassification, Trainer

    return Trainer(
        model=model,
        args=args,
        train_dataset=features,
        data_collator=DataCollatorForTokenClassification(tokenizer),
        callbacks=callbacks,
    )


def train(
    transformer: str = typer.Argument(..., help="Base transformer, folder or name"),
    train_path: Path = typer.Argument(..., help="Training corpus (.spacy)"),
    output: Path = typer.Argument(..., help="Folder for the model and train.json"),
    budget_s: float = typer.Option(300.0, help="Wall-clock seconds for training"),
    learn_rate: float = typer.Option(2e-4, help="Peak learning rate of AdamW"),
    warmup_ratio: float = typer.Option(0.1, help="Share of steps warming up"),
    batch_size: int = typer.Option(16, help="Windows per optimizer step"),
    max_pieces: int = typer.Option(128, help="Word pieces per window"),
    threads: int = typer.Option(2, help="torch threads"),
    calibration_steps: int = typer.Option(6, help="Throwaway steps timed first"),
    seed: int = typer.Option(0, help="Random seed"),
) -> None:
    """Fine-tune TRANSFORMER for token classification on TRAIN_PATH within BUDGET_S."""
    import spacy
    from spacy.tokens import DocBin
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        TrainerCallback,
        TrainingArguments,
    )

    torch.set_num_threads(threads)
    docs = list(DocBin().from_disk(train_path).get_docs(spacy.blank("en").vocab))
    labels = labels_of(docs)
    label2id = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(transformer)
    features = train_features(docs, tokenizer, max_pieces, label2id)

    def fresh_model():
        return AutoModelForTokenClassification.from_pretrained(
            transformer,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id=label2id,
        )

    class StepClock(TrainerCallback):
        """Times each step, and stops the run once the deadline has passed."""

        def __init__(self, deadline: Deadline | None):
            self.deadline, self.durations, self.started = deadline, [], 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.durations.append(time.perf_counter() - self.started)
            if self.deadline is not None and self.deadline.passed():
                control.should_training_stop = True

    def arguments(steps: int) -> TrainingArguments:
        return TrainingArguments(
            output_dir=str(output / "checkpoints"),
            per_device_train_batch_size=batch_size,
            learning_rate=learn_rate,
            lr_scheduler_type="linear",
            warmup_ratio=warmup_ratio,
            weight_decay=0.01,
            max_grad_norm=1.0,
            max_steps=steps,
            group_by_length=True,
            dataloader_num_workers=0,
            save_strategy="no",
            eval_strategy="no",
            logging_steps=max(1, steps // 10),
            report_to=[],
            use_cpu=True,
            seed=seed,
            disable_tqdm=True,
        )

    start = time.perf_counter()
    clock = StepClock(None)
    calibration = fresh_model()
    make_trainer(
        calibration, tokenizer, features, arguments(calibration_steps), [clock]
    ).train()
    del calibration
    step_s = mean_step_seconds(clock.durations)
    calibration_s = time.perf_counter() - start
    steps = steps_for_budget(step_s, budget_s)
    msg.info(f"hf-trainer: {step_s:.2f} s a step, {steps} steps in {budget_s:.0f} s")

    model = fresh_model()
    clock = StepClock(Deadline(budget_s))
    trainer = make_trainer(model, tokenizer, features, arguments(steps), [clock])
    start = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - start
    trainer.save_model(str(output / "model"))
    tokenizer.save_pretrained(output / "model")
    info = {
        "train_s": round(train_s, 1),
        "steps": len(clock.durations),
        "planned_steps": steps,
        "step_s": round(step_s, 3),
        "calibration_s": round(calibration_s, 1),
        "learn_rate": learn_rate,
        "batch_size": batch_size,
        "windows": len(features),
        "max_pieces": max_pieces,
        "threads": torch.get_num_threads(),
        "tokenizers_parallelism": os.environ.get("TOKENIZERS_PARALLELISM"),
    }
    (output / "train.json").write_text(json.dumps(info, indent=2))
    msg.good(f"hf-trainer: {info['steps']} steps in {train_s:.0f} s")


if __name__ == "__main__":
    typer.run(train)
