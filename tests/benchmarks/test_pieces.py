"""The word pieces the transformer component computes (benchmarks/pieces.py, for the
comparison's breakdown and the inference profile) are counted as the component batches
them: padding within its length-sorted sub-batches (and, with the project's
length-grouped transformer, within its groups of similar length), and the overlap of
strided spans over long texts."""

import pytest
import spacy

from benchmarks.pieces import computed_pieces


@pytest.fixture(scope="module")
def nlp(trained_pipeline):
    return spacy.load(trained_pipeline)


def passages(*texts: str) -> list:
    return [(text, len(text.split())) for text in texts]


def test_texts_of_one_length_are_not_padded_nor_overlapped(nlp):
    texts = passages(*["Jane Doe is a data engineer at Acme Corp in Berlin ."] * 8)
    assert computed_pieces(nlp, texts, 8) == {
        "overlap_factor": 1.0,
        "padding_factor": 1.0,
    }


SHORT, LONG = "Python developer .", " ".join(["Kubernetes engineer"] * 40)


def test_the_length_grouped_transformer_pads_a_mixed_batch_by_10_percent_at_most(nlp):
    mixed = passages(*[SHORT, LONG] * 4)
    assert computed_pieces(nlp, mixed, 8)["padding_factor"] <= 1.1


def test_without_groups_a_batch_is_padded_to_its_longest_text(nlp):
    # As spacy-transformers' own forward pass pads.
    mixed = passages(*[SHORT, LONG] * 4)
    assert computed_pieces(nlp, mixed, 8, grouped=False)["padding_factor"] > 1.5
    assert computed_pieces(nlp, mixed, 1, grouped=False)["padding_factor"] == 1.0
    by_length = passages(*[SHORT] * 4, *[LONG] * 4)
    assert computed_pieces(nlp, by_length, 4, grouped=False)["padding_factor"] == 1.0


def test_a_text_longer_than_the_span_window_is_read_twice_in_part(nlp):
    # Spans of 128 tokens every 96: 300 tokens are read as about 376.
    words = " ".join(f"word{i}" for i in range(300))
    assert computed_pieces(nlp, passages(words), 1)["overlap_factor"] > 1.2
