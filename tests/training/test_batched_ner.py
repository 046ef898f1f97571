"""The `batched_ner` component: spaCy's transition-based NER whose greedy parse checks
the actions' validity for a whole batch of states at once. Same model, same training,
same entities as spaCy's own parse."""

import pickle

import pytest
import spacy
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Span

from ner_project.conversion.corpus import convert_files
from ner_project.training.functions import BatchedNER, kept_parse_key
from tests.helpers import PROJECT_DIR


@pytest.fixture(scope="module")
def nlp(trained_pipeline):
    return spacy.load(trained_pipeline)


@pytest.fixture(scope="module")
def texts(nlp) -> list[str]:
    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/test.tsv"], "en", None)
    texts = [doc.text for doc in doc_bin.get_docs(nlp.vocab)]
    # whitespace, where no entity may start; a one-token text; an empty one
    return [*texts, "Priya Raman\n\n  Data Engineer at Acme Corp, Pune  \n", "x", ""]


def transformed(nlp, texts: list[str]):
    with nlp.select_pipes(enable=["transformer"]):
        return list(nlp.pipe(texts))


def entities(docs) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]


def spacy_parse(ner, docs):
    """The entities of spaCy's own greedy parse of `docs`."""
    ner.set_annotations(docs, EntityRecognizer.predict(ner, docs))
    return entities(docs)


def test_the_project_configs_train_a_batched_ner(nlp):
    assert isinstance(nlp.get_pipe("ner"), BatchedNER)
    assert nlp.get_pipe_meta("ner").factory == "batched_ner"


def test_it_finds_the_entities_of_spacys_own_greedy_parse(nlp, texts):
    ner = nlp.get_pipe("ner")
    for batch_size in (1, 7, 64):  # docs of many lengths in a step, and one alone
        ours, theirs = transformed(nlp, texts), transformed(nlp, texts)
        for start in range(0, len(texts), batch_size):
            batch = slice(start, start + batch_size)
            ner.set_annotations(ours[batch], ner.predict(ours[batch]))
            spacy_parse(ner, theirs[batch])
        assert entities(ours) == entities(theirs)
    assert sum(len(doc_entities) for doc_entities in entities(ours)) >= 100


def test_it_ends_entities_before_a_sentence_start_as_spacy_does(nlp, texts):
    ner = nlp.get_pipe("ner")
    ours, theirs = transformed(nlp, texts[:10]), transformed(nlp, texts[:10])
    for doc in (*ours, *theirs):  # a sentence starts every 3 tokens
        for token in doc[1:]:
            token.is_sent_start = token.i % 3 == 0
    ner.set_annotations(ours, ner.predict(ours))
    assert entities(ours) == spacy_parse(ner, theirs)
    assert all(e.end - e.start <= 3 for doc in ours for e in doc.ents)
    assert any(e.end - e.start > 1 for doc in ours for e in doc.ents)


def test_entities_set_before_it_constrain_the_parse_as_in_spacy(nlp, texts):
    ner = nlp.get_pipe("ner")
    ours, theirs = transformed(nlp, texts[:6]), transformed(nlp, texts[:6])
    for docs in (ours, theirs):
        docs[0].set_ents([Span(docs[0], 0, 2, label="SKILL")], default="unmodified")
    ner.set_annotations(ours, ner.predict(ours))
    assert entities(ours) == spacy_parse(ner, theirs)
    assert entities(ours)[0][0] == (0, 2, "SKILL")


def test_it_saves_loads_and_pickles_as_itself(nlp, texts, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert isinstance(loaded.get_pipe("ner"), BatchedNER)
    assert entities(loaded.pipe(texts)) == entities(nlp.pipe(texts))
    assert isinstance(pickle.loads(pickle.dumps(nlp.get_pipe("ner"))), BatchedNER)


def confidences(docs) -> list[float]:
    return [ent._.confidence for doc in docs for ent in doc.ents]


def test_its_parse_hands_entity_confidence_the_scores_a_replay_would_give(nlp, texts):
    ner, confidence = nlp.get_pipe("ner"), nlp.get_pipe("entity_confidence")
    with nlp.select_pipes(disable=["contact_patterns"]):
        list(nlp.pipe(texts[:2]))  # entity_confidence has run: the NER keeps scores
        assert ner.keep_scores
        docs = list(nlp.pipe(texts, batch_size=8))
    assert not any(kept_parse_key("ner") in doc.user_data for doc in docs)  # read
    replayed = transformed(nlp, texts)
    ner.keep_scores = False
    ner.set_annotations(replayed, ner.predict(replayed))
    ner.keep_scores = True
    confidence.set_confidences(replayed)
    assert entities(docs) == entities(replayed)
    assert confidences(docs) == pytest.approx(confidences(replayed), rel=1e-5)
    assert len(confidences(docs)) >= 100


def test_entities_changed_after_the_parse_get_the_replays_confidence(nlp, texts):
    ner, confidence = nlp.get_pipe("ner"), nlp.get_pipe("entity_confidence")
    ner.keep_scores = True
    kept, replayed = transformed(nlp, texts[:6]), transformed(nlp, texts[:6])
    ner.set_annotations(kept, ner.predict(kept))
    ner.keep_scores = False
    ner.set_annotations(replayed, ner.predict(replayed))
    ner.keep_scores = True
    for docs in (kept, replayed):
        docs[0].ents = docs[0].ents[1:]  # a later component dropped one
        confidence.set_confidences(docs)
    assert entities(kept) == entities(replayed)
    assert confidences(kept) == pytest.approx(confidences(replayed), rel=1e-5)
