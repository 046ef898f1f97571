"""ner_project/evaluation/calibration.py: confidences binned against how often the
entities are right, and the expected calibration error of the bins."""

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

import ner_project.training.functions  # noqa: F401  (registers span._.confidence)
from ner_project.evaluation.calibration import (
    annotated_labels,
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


def test_labels_the_gold_never_annotates_are_counted_apart_not_binned():
    """A CV corpus annotated without phone numbers cannot say whether a pattern
    rule's PHONE is right: it is neither evidence for nor against the confidences."""
    eg = example(
        gold=[(0, 2, "NAME")],
        predicted=[(0, 2, "NAME", 0.9), (4, 6, "PHONE", 1.0), (7, 8, "PHONE", 1.0)],
    )
    summary = calibration([eg], "dev.spacy")
    assert (summary["entities"], summary["unannotated"]) == (1, {"PHONE": 2})
    assert summary["ece"] == pytest.approx(0.1)


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
    assert summary["unannotated"] == {}
    assert reliability_png(summary)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_dev(trained_pipeline):
    from ner_project.conversion.corpus import convert_files
    from tests.helpers import PROJECT_DIR

    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/dev.tsv"], "en", None)
    return list(doc_bin.get_docs(spacy.load(trained_pipeline).vocab))[:15]


def test_dev_calibration_names_the_temperature_that_calibrates_the_ner_best(
    trained_pipeline, demo_dev
):
    from ner_project.evaluation.calibration import TEMPERATURES, dev_calibration
    from ner_project.evaluation.scores import predict

    def ner_error(temperature: float) -> float:
        nlp = spacy.load(
            trained_pipeline,
            config={"components": {"entity_confidence": {"temperature": temperature}}},
        )
        with nlp.select_pipes(disable=["contact_patterns"]):
            examples = predict(nlp, demo_dev)
        pairs = confidence_pairs(examples, annotated_labels(examples))
        return expected_calibration_error(reliability_bins(pairs))

    nlp = spacy.load(trained_pipeline)
    summary = dev_calibration(nlp, demo_dev, "dev.spacy")
    fitted = summary.pop("fitted")
    assert fitted["temperature"] in TEMPERATURES
    assert ner_error(fitted["temperature"]) == pytest.approx(fitted["ece"], abs=1e-4)
    assert all(ner_error(t) >= fitted["ece"] - 1e-4 for t in (0.5, 1.0, 2.0, 4.0))
    # the summary itself is the pipeline's as configured, pattern matches included
    assert summary == calibration(predict(nlp, demo_dev), "dev.spacy")


def test_a_pipeline_without_the_confidence_component_gets_no_fitted_temperature(
    trained_pipeline, demo_dev
):
    from ner_project.evaluation.calibration import dev_calibration

    nlp = spacy.load(trained_pipeline, exclude=["entity_confidence"])
    assert dev_calibration(nlp, demo_dev, "dev.spacy")["fitted"] is None
