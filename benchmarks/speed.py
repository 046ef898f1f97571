"""Inference speed, and the ceiling the hardware puts on it: words per second over the
test texts, the machine's fp32 matrix-product rate measured in the same run, and the
words per second a transformer's FLOPs allow at that rate."""

import time
from collections.abc import Callable
from pathlib import Path

import torch
from spacy.tokens import Doc

from ner_project.training.functions import split_windows


def speed_texts(docs: list[Doc], max_words: int, passage_words: int = 80) -> list:
    """The test documents as passages of whole sentences of up to `passage_words`
    tokens (a long sentence is cut), as `(text, words)` pairs, up to `max_words`."""
    texts, total = [], 0
    for doc in docs:
        starts = [t.is_sent_start or t.i == 0 for t in doc]
        for start, end in split_windows([1] * len(doc), starts, passage_words):
            text = doc[start:end].text.strip()
            if not text:
                continue
            texts.append((text, end - start))
            total += end - start
            if total >= max_words:
                return texts
    return texts


def words_per_s(run: Callable[[list[str]], None], texts: list) -> float:
    """Words per second of one timed pass over all texts, after a short warm-up."""
    strings = [text for text, _ in texts]
    run(strings[:8])
    start = time.perf_counter()
    run(strings)
    return sum(words for _, words in texts) / (time.perf_counter() - start)


def sentence_texts(docs: list[Doc], max_words: int) -> list[tuple[str, int]]:
    """Single sentences as `(text, words)`, up to `max_words` in all."""
    texts, total = [], 0
    for doc in docs:
        for sentence in doc.sents if doc.has_annotation("SENT_START") else [doc[:]]:
            text = sentence.text.strip()
            if text:
                texts.append((text, len(sentence)))
                total += len(sentence)
            if total >= max_words:
                return texts
    return texts


def long_and_short_texts(docs: list[Doc], max_words: int) -> list[tuple[str, list]]:
    """The texts each speed benchmark times, by kind: passages of whole sentences
    ("long") and single sentences, such as a line of a CV ("short")."""
    return [
        ("long", speed_texts(docs, max_words)),
        ("short", sentence_texts(docs, max_words)),
    ]


def timed(run, texts: list[tuple[str, int]]) -> float:
    """Words per second of one pass."""
    strings = [text for text, _ in texts]
    start = time.perf_counter()
    run(strings)
    return sum(words for _, words in texts) / (time.perf_counter() - start)


def matmul_gflops(threads: int, rows: int = 4096, seconds: float = 2.0) -> float:
    """fp32 GFLOP/s of the matrix products a 384-wide BERT layer makes (rows x 384 by
    384 x 1536), the best of repeated timings over about `seconds`."""
    torch.set_num_threads(threads)
    left, right = torch.randn(rows, 384), torch.randn(384, 1536)
    flops = 2 * rows * 384 * 1536
    best, deadline = float("inf"), time.perf_counter() + seconds
    torch.mm(left, right)
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(5):
            torch.mm(left, right)
        best = min(best, (time.perf_counter() - start) / 5)
    return flops / best / 1e9


def flops_per_piece(config, sequence_length: int = 128) -> float:
    """Forward FLOPs per word piece of a BERT-style encoder: two per weight of its
    dense layers, plus attention's scores and weighted sum over the sequence."""
    hidden, layers = config.hidden_size, config.num_hidden_layers
    intermediate = config.intermediate_size
    dense = 4 * hidden * hidden + 2 * hidden * intermediate
    attention = 2 * sequence_length * hidden
    return layers * 2 * (dense + attention)


def limit_words_per_s(gflops: float, piece_flops: float, pieces_per_word: float):
    """Words per second if every FLOP ran at the measured matrix-product rate."""
    return gflops * 1e9 / (piece_flops * pieces_per_word)


def pieces_per_word(tokenizer, texts: list) -> float:
    """Word pieces a word, without special tokens, over the texts."""
    pieces = sum(
        len(tokenizer(text, add_special_tokens=False)["input_ids"]) for text, _ in texts
    )
    return pieces / sum(words for _, words in texts)


def speed_limit(transformer: str, test_path: Path, speed_words: int, gflops: float):
    """Pieces a word on the timed texts, and the words/s the model's FLOPs allow."""
    import spacy
    from spacy.tokens import DocBin
    from transformers import AutoConfig, AutoTokenizer

    docs = list(DocBin().from_disk(test_path).get_docs(spacy.blank("en").vocab))
    texts = speed_texts(docs, speed_words)
    per_word = pieces_per_word(AutoTokenizer.from_pretrained(transformer), texts)
    piece_flops = flops_per_piece(AutoConfig.from_pretrained(transformer))
    return per_word, limit_words_per_s(gflops, piece_flops, per_word)
