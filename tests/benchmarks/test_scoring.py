"""The benchmark's shared scorer (seqeval on IOB2) agrees with spaCy's Scorer and reads
broken IOB the way conlleval does."""

import pytest
import spacy
from spacy.tokens import Doc, Span

from benchmarks.scoring import doc_to_iob2, repair_iob2, score_docs, score_predictions


@pytest.fixture
def nlp():
    return spacy.blank("en")


def make_doc(nlp, words, ents):
    doc = Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return doc


@pytest.fixture
def gold(nlp):
    words = "Anna Lee works at Acme Corp in New York City".split()
    first = make_doc(nlp, words, [(0, 2, "Name"), (4, 6, "Company"), (7, 10, "LOC")])
    second = make_doc(nlp, "Bo Chen , Pune .".split(), [(0, 2, "Name"), (3, 4, "LOC")])
    return [first, second]


def test_scorer_agrees_with_spacy_on_partly_right_predictions(nlp, gold):
    predicted = [
        make_doc(nlp, [t.text for t in gold[0]], [(0, 2, "Name"), (4, 5, "Company")]),
        make_doc(nlp, [t.text for t in gold[1]], [(0, 2, "LOC"), (3, 4, "LOC")]),
    ]
    scores = score_docs(gold, predicted)
    assert scores["agrees_with_spacy"]
    # 2 of 4 predictions right (Anna Lee, Pune), 2 of 5 gold entities found
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.4)
    assert scores["f1"] == pytest.approx(scores["spacy_scorer"]["f1"])


def test_scorer_gives_one_for_gold_and_zero_for_nothing(nlp, gold):
    assert score_docs(gold, gold)["f1"] == pytest.approx(1.0)
    empty = [make_doc(nlp, [t.text for t in doc], []) for doc in gold]
    scores = score_docs(gold, empty)
    assert scores["f1"] == 0.0 and scores["agrees_with_spacy"]


def test_scorer_reads_broken_iob_like_conlleval_in_both_scorers(gold):
    tags = [doc_to_iob2(doc) for doc in gold]
    # I- after O, and I- of another label: each starts a new entity
    tags[0][4:6] = ["I-Company", "I-Name"]
    tags[1][0:2] = ["I-Name", "I-Name"]
    scores = score_predictions(gold, tags)
    assert scores["agrees_with_spacy"]
    # wrong: Acme (Company), Corp (Name); right: 3 of the other 5
    assert scores["precision"] == pytest.approx(4 / 6)


def test_repair_turns_stray_inside_tags_into_beginnings():
    tags = ["I-A", "I-A", "I-B", "O", "I-B", "B-B", "I-B"]
    assert repair_iob2(tags) == ["B-A", "I-A", "B-B", "O", "B-B", "B-B", "I-B"]


def test_scorer_rejects_predictions_of_the_wrong_length(gold):
    with pytest.raises(ValueError, match="tags for a document"):
        score_predictions(gold, [["O"], ["O"]])
