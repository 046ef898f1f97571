"""ner_project/evaluation/calibration.py: confidences binned against how often the
entities are right, and the expected calibration error of the bins."""

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

import ner_project.training.functions  # noqa: F401  (registers span._.confidence)
from ner_project.evaluation.calibration import (
    calibration,
    confidence_pairs,
    expected_calibration_error,
    reliability_bins,
    reliability_png,
)

WORDS = "Anna Lee works at Acme Corp in Pune today".split()


def example(gold, predicted) -> Example:
    """Gold and predicted entities as (start, end, label[, confidence]) tokens."""
    vocab = spacy.blank("en").vocab
    gold_doc, predicted_doc = Doc(vocab, words=WORDS), Doc(vocab, words=WORDS)
    gold_doc.ents = [Span(gold_doc, s, e, label=label) for s, e, label in gold]
    predicted_doc.ents = [
        Span(predicted_doc, s, e, label=label) for s, e, label, _ in predicted
    ]
    for ent, (*_, score) in zip(predicted_doc.ents, predicted, strict=True):
        ent._.confidence = score
    return Example(predicted_doc, gold_doc)


def test_an_entity_is_right_only_with_the_gold_offsets_and_label():
    eg = example(
        gold=[(0, 2, "NAME"), (4, 6, "COMPANY")],
        predicted=[(0, 2, "NAME", 0.9), (4, 5, "COMPANY", 0.6), (7, 8, "LOC", 0.2)],
    )
    assert confidence_pairs([eg]) == [(0.9, True), (0.6, False), (0.2, False)]


def test_entities_without_a_confidence_are_not_counted():
    eg = example(gold=[(0, 2, "NAME")], predicted=[(0, 2, "NAME", None)])
    assert confidence_pairs([eg]) == []


def test_bins_hold_counts_mean_confidence_and_accuracy_and_one_is_in_the_last():
    pairs = [(0.95, True), (1.0, True), (0.91, False), (0.15, False), (0.12, True)]
    bins = reliability_bins(pairs)
    assert bins == [
        {"low": 0.1, "high": 0.2, "entities": 2, "confidence": 0.135, "accuracy": 0.5},
        {
            "low": 0.9,
            "high": 1.0,
            "entities": 3,
            "confidence": round((0.95 + 1.0 + 0.91) / 3, 4),
            "accuracy": round(2 / 3, 4),
        },
    ]
    expected = (
        2 * abs(0.5 - 0.135) + 3 * abs(bins[1]["accuracy"] - bins[1]["confidence"])
    ) / 5
    assert expected_calibration_error(bins) == pytest.approx(expected, abs=1e-4)


def test_perfectly_calibrated_confidences_have_no_error():
    pairs = [(0.25, True)] + [(0.25, False)] * 3 + [(0.75, True)] * 3 + [(0.75, False)]
    assert expected_calibration_error(reliability_bins(pairs)) == 0.0


def test_no_entity_gives_no_error_and_the_plot_still_draws():
    summary = calibration([], "dev.spacy")
    assert (summary["entities"], summary["ece"], summary["bins"]) == (0, None, [])
    assert reliability_png(summary)[:8] == b"\x89PNG\r\n\x1a\n"


def test_beam_entities_are_matched_without_the_line_breaks_at_their_edges():
    from ner_project.training.functions import without_spaces

    doc = spacy.blank("en")("Priya Raman\nData Engineer")
    assert [t.text for t in doc] == ["Priya", "Raman", "\n", "Data", "Engineer"]
    assert without_spaces(doc, 0, 3) == (0, 2)  # "Priya Raman\n" is "Priya Raman"
    assert without_spaces(doc, 2, 5) == (3, 5)
    assert without_spaces(doc, 2, 3) == (2, 3)  # a lone space token stays itself
