"""The Hugging Face recipe's data: windows of whole sentences that keep every token,
within the word-piece limit, and labels on the first word piece of each word only."""

import pytest
import spacy
from spacy.tokens import Doc, Span
from transformers import AutoTokenizer

from benchmarks.hf_recipe import IGNORED, doc_windows, encode, labels_of, piece_counts


@pytest.fixture(scope="module")
def tokenizer(tiny_transformer):
    return AutoTokenizer.from_pretrained(tiny_transformer)


def test_doc_windows_cover_every_token_of_every_doc_within_the_limit(tokenizer):
    words = (
        "Anna Lee works at Acme Corp . She knows Kubernetes and PostgreSQL .".split()
    )
    starts = [True] + [False] * 6 + [True] + [False] * 5
    doc = Doc(spacy.blank("en").vocab, words=words, sent_starts=starts)
    windows = doc_windows([doc, doc], tokenizer, 8)
    for index in (0, 1):
        covered = [
            i for d, start, end in windows if d == index for i in range(start, end)
        ]
        assert covered == list(range(len(doc)))
    counts = piece_counts(tokenizer, words)
    for _, start, end in windows:
        assert sum(counts[start:end]) <= 8 or end - start == 1


def test_encode_labels_the_first_piece_of_each_word_only(tokenizer):
    words = ["Kubernetes", "engineer"]
    pieces = piece_counts(tokenizer, words)[0]
    assert pieces > 1
    features, _ = encode(
        tokenizer, words, 128, ["B-SKILL", "O"], {"O": 0, "B-SKILL": 1}
    )
    assert features["labels"] == [IGNORED, 1, *[IGNORED] * (pieces - 1), 0, IGNORED]


def test_labels_are_outside_then_begin_and_inside_of_each_label_sorted():
    doc = Doc(spacy.blank("en").vocab, words=["Acme", "in", "Pune"])
    doc.ents = [Span(doc, 2, 3, label="LOC"), Span(doc, 0, 1, label="COMPANY")]
    assert labels_of([doc]) == ["O", "B-COMPANY", "I-COMPANY", "B-LOC", "I-LOC"]
