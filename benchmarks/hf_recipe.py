"""The data side of the standard Hugging Face token-classification recipe, shared by
its trainer, the system runner and the Trainer probe: documents cut into windows of
whole sentences (`split_windows` in ner_project/training/functions.py, so no token is
truncated away), labels on each word's first sub-token, and IOB2 tags per gold token
back from a model's predictions."""

import torch
from spacy.tokens import Doc

from benchmarks.scoring import doc_to_iob2
from ner_project.training.functions import split_windows

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
    """The training windows of every document, encoded with their labels."""
    features = []
    for index, start, end in doc_windows(docs, tokenizer, max_pieces):
        doc = docs[index]
        words = [t.text for t in doc[start:end]]
        tags = doc_to_iob2(doc)[start:end]
        features.append(encode(tokenizer, words, max_pieces, tags, label2id)[0])
    return features


def labels_of(docs: list[Doc]) -> list[str]:
    """`O`, then `B-` and `I-` of every entity label of the documents, sorted."""
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
