"""ner_project/evaluation/error_analysis.py: each entity gets one outcome, errors are told apart."""

import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

from ner_project.evaluation.error_analysis import compare_entities, error_summary

WORDS = "Anna Lee works at Acme Corp in Pune today".split()


def example(gold, predicted) -> Example:
    vocab = spacy.blank("en").vocab

    def doc(entities):
        made = Doc(vocab, words=WORDS)
        made.ents = [
            Span(made, start, end, label=label) for start, end, label in entities
        ]
        return made

    return Example(doc(predicted), doc(gold))


def outcomes(eg: Example):
    return [
        (outcome, gold.text if gold else None, predicted.text if predicted else None)
        for outcome, gold, predicted in compare_entities(eg)
    ]


def test_each_kind_of_error_is_told_apart():
    eg = example(
        gold=[(0, 2, "NAME"), (4, 6, "COMPANY"), (7, 8, "LOCATION")],
        predicted=[(0, 1, "NAME"), (4, 6, "SKILL"), (8, 9, "DATE")],
    )
    assert outcomes(eg) == [
        ("boundary", "Anna Lee", "Anna"),
        ("wrong_type", "Acme Corp", "Acme Corp"),
        ("missed", "Pune", None),
        ("spurious", None, "today"),
    ]


def test_overlap_with_another_label_is_a_boundary_and_type_error():
    eg = example(gold=[(4, 6, "COMPANY")], predicted=[(3, 6, "LOCATION")])
    assert outcomes(eg) == [("boundary_and_type", "Acme Corp", "at Acme Corp")]


def test_a_gold_entity_split_in_two_predictions_counts_both():
    eg = example(
        gold=[(4, 8, "COMPANY")], predicted=[(4, 6, "COMPANY"), (7, 8, "COMPANY")]
    )
    assert [outcome for outcome, _, _ in compare_entities(eg)] == [
        "boundary",
        "boundary",
    ]


def test_summary_counts_outcomes_per_label_and_confusions():
    eg = example(
        gold=[(0, 2, "NAME"), (4, 6, "COMPANY"), (7, 8, "LOCATION")],
        predicted=[(0, 2, "NAME"), (4, 6, "SKILL"), (7, 8, "COMPANY")],
    )
    summary = error_summary([eg, eg])
    assert summary["overall"]["correct"] == 2
    assert summary["overall"]["wrong_type"] == 4
    assert summary["per_label"]["COMPANY"]["wrong_type"] == 2
    assert summary["confusions"] == [
        {"gold": "COMPANY", "predicted": "SKILL", "count": 2},
        {"gold": "LOCATION", "predicted": "COMPANY", "count": 2},
    ]
    assert summary["examples"]["wrong_type"][0] == {
        "gold": ["Acme Corp", "COMPANY"],
        "predicted": ["Acme Corp", "SKILL"],
    }
