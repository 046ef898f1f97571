"""The `entity_confidence` component: each entity of the transition-based NER gets the
probability that the greedy parse gave it, the product over its tokens of the action
taken there among the actions valid there."""

import warnings

import numpy
import pytest
import spacy
from spacy.tokens import Doc

from ner_project.conversion.corpus import convert_files
from ner_project.training.functions import biluo_tags
from tests.helpers import PROJECT_DIR


@pytest.fixture(scope="module")
def dev_texts() -> list[str]:
    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/dev.tsv"], "en", None)
    nlp = spacy.blank("en")
    texts = [doc.text for doc in doc_bin.get_docs(nlp.vocab)][:12]
    # a line break and runs of spaces, where entities may not start
    return [*texts, "Priya Raman\n\n  Data Engineer at Acme Corp, Pune  \n", "x"]


def stepwise_parse(nlp, texts: list[str], temperature: float = 1.0):
    """The NER head's greedy parse taken one state at a time through spaCy's own
    scoring and validity rules: the entities, and each token's log-probability of the
    action taken among the valid ones."""
    ner = nlp.get_pipe("ner")
    with nlp.select_pipes(enable=["transformer"]):
        docs = list(nlp.pipe(texts))
    step_model = ner.model.predict(docs)
    states = ner.moves.init_batch(docs)
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    log_p: list[list[float]] = [[] for _ in docs]
    active = [i for i, state in enumerate(states) if not state.is_final()]
    while active:
        scores = step_model.predict([states[i] for i in active]) / temperature
        for row, i in enumerate(active):
            valid = [
                k for k, name in enumerate(names) if ner.moves.is_valid(states[i], name)
            ]
            taken = max(valid, key=lambda k: scores[row, k])
            log_z = numpy.logaddexp.reduce(scores[row, valid])
            log_p[i].append(float(scores[row, taken] - log_z))
            ner.moves.apply_transition(states[i], names[taken])
        active = [i for i in active if not states[i].is_final()]
    ner.set_annotations(docs, states)
    return docs, log_p


def test_an_entity_has_the_probability_of_its_actions_in_the_greedy_parse(
    trained_pipeline, dev_texts
):
    nlp = spacy.load(trained_pipeline)
    with nlp.select_pipes(disable=["contact_patterns"]):
        docs = list(nlp.pipe(dev_texts, batch_size=5))
    expected_docs, log_p = stepwise_parse(nlp, dev_texts)
    entities = 0
    for doc, expected, doc_log_p in zip(docs, expected_docs, log_p, strict=True):
        assert [(e.start, e.end, e.label_) for e in doc.ents] == [
            (e.start, e.end, e.label_) for e in expected.ents
        ]
        for ent in doc.ents:
            wanted = numpy.exp(sum(doc_log_p[ent.start : ent.end]))
            assert ent._.confidence == pytest.approx(wanted, abs=1e-5)
            assert 0.0 < ent._.confidence <= 1.0
            entities += 1
    assert entities >= 10


def test_a_temperature_above_one_softens_the_actions_probabilities(
    trained_pipeline, dev_texts
):
    nlp = spacy.load(
        trained_pipeline,
        config={"components": {"entity_confidence": {"temperature": 2.0}}},
    )
    with nlp.select_pipes(disable=["contact_patterns"]):
        docs = list(nlp.pipe(dev_texts))
    _, log_p = stepwise_parse(nlp, dev_texts, temperature=2.0)
    pairs = [
        (ent._.confidence, numpy.exp(sum(doc_log_p[ent.start : ent.end])))
        for doc, doc_log_p in zip(docs, log_p, strict=True)
        for ent in doc.ents
    ]
    assert pairs
    assert all(found == pytest.approx(wanted, abs=1e-5) for found, wanted in pairs)


def test_the_confidences_leave_the_entities_as_the_greedy_parse_set_them(
    trained_pipeline, dev_texts
):
    nlp = spacy.load(trained_pipeline)
    with nlp.select_pipes(enable=["transformer", "ner"]):
        greedy = [
            [(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(dev_texts)
        ]
    with nlp.select_pipes(disable=["contact_patterns"]):
        scored = [
            [(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(dev_texts)
        ]
    assert scored == greedy


def test_entity_tags_spell_the_parse_that_made_them():
    doc = Doc(
        spacy.blank("en").vocab, words="Priya Raman of Acme Corp Ltd in Pune".split()
    )
    doc.ents = [
        doc.char_span(0, 11, "NAME"),
        doc.char_span(15, 28, "COMPANY"),
        doc.char_span(32, 36, "LOCATION"),
    ]
    assert biluo_tags(doc) == [
        *("B-NAME", "L-NAME", "O"),
        *("B-COMPANY", "I-COMPANY", "L-COMPANY", "O", "U-LOCATION"),
    ]


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_a_temperature_must_be_above_zero(trained_pipeline, temperature):
    with pytest.raises(ValueError, match="temperature must be above 0"):
        spacy.load(
            trained_pipeline,
            config={"components": {"entity_confidence": {"temperature": temperature}}},
        )


def test_an_entity_of_a_label_the_ner_lacks_gets_no_confidence(trained_pipeline):
    nlp = spacy.load(trained_pipeline)
    with nlp.select_pipes(enable=["transformer"]):
        doc = nlp("Priya Raman joined Acme Corp in Pune")
    doc.ents = [doc.char_span(0, 11, "PET_NAME")]  # set before the NER, kept by it
    with warnings.catch_warnings():  # the NER's own note on a label added at run time
        warnings.simplefilter("ignore")
        doc = nlp.get_pipe("entity_confidence")(nlp.get_pipe("ner")(doc))
    pet = [ent for ent in doc.ents if ent.label_ == "PET_NAME"]
    assert pet and pet[0]._.confidence is None
