"""The `entity_confidence` component: each entity of the transition-based NER gets the
probability that the greedy parse gave it, the product over its tokens of the action
taken there among the actions valid there."""

import warnings
from collections import Counter

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


def span_log_p(nlp, doc, taken: list[str], start: int, end: int, label: str) -> float:
    """The log-probability of the actions that spell `doc[start:end]` as an entity of
    `label` after the greedy parse's actions `taken` before it, through spaCy's own
    scoring and validity rules, one state at a time."""
    ner = nlp.get_pipe("ner")
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    step_model = ner.model.predict([doc])
    (state,) = ner.moves.init_batch([doc])
    for action in taken[:start]:
        ner.moves.apply_transition(state, action)
    if end - start == 1:
        spelled = [f"U-{label}"]
    else:
        spelled = [f"B-{label}", *[f"I-{label}"] * (end - start - 2), f"L-{label}"]
    total = 0.0
    for action in spelled:
        scores = step_model.predict([state])[0]
        valid = [k for k, name in enumerate(names) if ner.moves.is_valid(state, name)]
        total += scores[names.index(action)] - numpy.logaddexp.reduce(scores[valid])
        ner.moves.apply_transition(state, action)
    return float(total)


def test_an_ensured_label_missing_from_the_parse_gets_its_likeliest_span(
    trained_pipeline, dev_texts
):
    plain = spacy.load(trained_pipeline, exclude=["contact_patterns"])
    labels = list(plain.get_pipe("ner").labels)
    nlp = spacy.load(
        trained_pipeline,
        exclude=["contact_patterns"],
        config={"components": {"entity_confidence": {"ensure_labels": labels}}},
    )
    added = 0
    for before, doc in zip(plain.pipe(dev_texts), nlp.pipe(dev_texts), strict=True):
        kept = [(e.start, e.end, e.label_) for e in before.ents]
        found = {label for *_, label in kept}
        new = [e for e in doc.ents if (e.start, e.end, e.label_) not in kept]
        # the parse's own entities stay; a missing label gets one at most, no other
        assert kept == [(e.start, e.end, e.label_) for e in doc.ents if e not in new]
        new_labels = [e.label_ for e in new]
        assert len(set(new_labels)) == len(new_labels)
        assert set(new_labels) <= set(labels) - found
        taken = biluo_tags(before)
        before.ents = []  # the parse read no preset entities
        free = [tag == "O" for tag in taken]
        # labels in the order ensured, each on the tokens that the ones before left
        for ent in sorted(new, key=lambda ent: labels.index(ent.label_)):
            assert all(free[ent.start : ent.end])
            log_p = span_log_p(nlp, before, taken, ent.start, ent.end, ent.label_)
            assert ent._.confidence == pytest.approx(numpy.exp(log_p), abs=1e-5)
            # no single free token is a likelier entity of the label
            units = [
                span_log_p(nlp, before, taken, i, i + 1, ent.label_)
                for i, is_free in enumerate(free)
                if is_free and not before[i].is_space
            ]
            assert log_p >= max(units) - 1e-5
            free[ent.start : ent.end] = [False] * len(ent)
            added += 1
        if len(new_labels) < len(set(labels) - found):  # only where none could start
            assert not any(
                f and not t.is_space for f, t in zip(free, before, strict=True)
            )
    assert added >= 10


def added_entities(plain, nlp, texts) -> list[list[tuple[int, int, str, float]]]:
    """Per text, the entities that `nlp` has beyond the parse of `plain`."""
    added = []
    for before, doc in zip(plain.pipe(texts), nlp.pipe(texts), strict=True):
        kept = {(e.start, e.end, e.label_) for e in before.ents}
        added.append(
            [
                (e.start, e.end, e.label_, e._.confidence)
                for e in doc.ents
                if (e.start, e.end, e.label_) not in kept
            ]
        )
    return added


def test_an_ensured_span_less_likely_than_the_floor_is_left_out(
    trained_pipeline, dev_texts
):
    plain = spacy.load(trained_pipeline, exclude=["contact_patterns"])
    missing = Counter(
        label
        for doc in plain.pipe(dev_texts)
        for label in set(plain.get_pipe("ner").labels) - {e.label_ for e in doc.ents}
    )
    label = missing.most_common(1)[0][0]

    def ensuring(floor: float):
        settings = {"ensure_labels": [label], "ensure_min_confidence": floor}
        return spacy.load(
            trained_pipeline,
            exclude=["contact_patterns"],
            config={"components": {"entity_confidence": settings}},
        )

    unfloored = added_entities(plain, ensuring(0.0), dev_texts)
    confidences = sorted(ent[-1] for added in unfloored for ent in added)
    assert len(confidences) >= 3
    floor = confidences[len(confidences) // 2]
    floored = added_entities(plain, ensuring(floor), dev_texts)
    expected = [[ent for ent in added if ent[-1] >= floor] for added in unfloored]
    assert floored == expected
    assert 0 < sum(map(len, floored)) < len(confidences)


@pytest.mark.parametrize("floor", [-0.1, 1.5])
def test_the_ensure_floor_is_a_probability(trained_pipeline, floor):
    with pytest.raises(ValueError, match="ensure_min_confidence must be within"):
        spacy.load(
            trained_pipeline,
            config={
                "components": {"entity_confidence": {"ensure_min_confidence": floor}}
            },
        )
