"""What the config's training functions promise: the reader cuts long documents into
chunks of whole sentences, keeping every token and every entity; the optimizer steps
the pretrained transformer's weights at a share of the head's rate, and its weight
averages reach the transformer."""

import numpy
import pytest
import spacy
import torch
from spacy.tokens import Doc, DocBin, Span
from spacy.util import registry

from ner_project.training.functions import chunk_bounds, split_windows
from tests.helpers import demo_pipeline


def cv(nlp) -> Doc:
    """Four lines of a CV: 3 + 6 + 2 + 9 words, an entity in each of the first three
    and a 4-word one at the end of the last."""
    words = (
        "Meda Cronin Engineer "
        "Worked at Oracle Bangalore for years "
        "Skills Python "
        "Led the cloud team at Acme Data Systems Corp"
    ).split()
    sent_starts = [i in (0, 3, 9, 11) for i in range(len(words))]
    doc = Doc(nlp.vocab, words=words, sent_starts=sent_starts)
    doc.ents = [
        Span(doc, 0, 2, "NAME"),
        Span(doc, 5, 7, "COMPANY"),
        Span(doc, 10, 11, "SKILL"),
        Span(doc, 16, 20, "COMPANY"),
    ]
    return doc


def test_chunks_pack_whole_sentences_up_to_the_limit():
    doc = cv(spacy.blank("en"))
    assert chunk_bounds(doc, 11) == [(0, 11), (11, 20)]
    assert chunk_bounds(doc, 9) == [(0, 9), (9, 11), (11, 20)]
    assert chunk_bounds(doc, 100) == [(0, 20)]


def test_a_sentence_over_the_limit_is_cut_between_entities_not_inside_them():
    doc = cv(spacy.blank("en"))
    bounds = chunk_bounds(doc, 6)
    assert bounds == [(0, 3), (3, 9), (9, 11), (11, 16), (16, 20)]
    for ent in doc.ents:
        assert any(start <= ent.start and ent.end <= end for start, end in bounds)


def test_an_entity_longer_than_the_limit_is_a_chunk_of_its_own():
    doc = cv(spacy.blank("en"))
    bounds = chunk_bounds(doc, 3)
    assert (16, 20) in bounds
    assert [b for b in bounds if b[1] - b[0] > 3] == [(16, 20)]
    assert [i for start, end in bounds for i in range(start, end)] == list(range(20))


def test_the_reader_yields_chunks_with_every_entity(tmp_path):
    nlp = spacy.blank("en")
    long_cv, short_doc = cv(nlp), Doc(nlp.vocab, words=["Python", "developer"])
    short_doc.ents = [Span(short_doc, 0, 1, "SKILL")]
    DocBin(docs=[long_cv, short_doc]).to_disk(tmp_path / "train.spacy")
    reader = registry.resolve(
        {
            "corpus": {
                "@readers": "ner_project.chunked_corpus.v1",
                "path": str(tmp_path / "train.spacy"),
                "max_words": 11,
            }
        }
    )["corpus"]
    examples = list(reader(nlp))
    assert [len(eg.reference) for eg in examples] == [11, 9, 2]
    read = [(e.text, e.label_) for eg in examples for e in eg.reference.ents]
    assert read == [(e.text, e.label_) for e in (*long_cv.ents, *short_doc.ents)]
    assert [t.text for eg in examples[:2] for t in eg.predicted] == [
        t.text for t in long_cv
    ]


def test_max_words_0_keeps_whole_documents(tmp_path):
    nlp = spacy.blank("en")
    DocBin(docs=[cv(nlp)]).to_disk(tmp_path / "train.spacy")
    reader = registry.readers.get("ner_project.chunked_corpus.v1")(
        tmp_path / "train.spacy", max_words=0
    )
    assert [len(eg.reference) for eg in reader(nlp)] == [20]


def adam_step(optimizer, key) -> float:
    """How far one update with a unit gradient moves a weight under `key`."""
    weights = numpy.zeros((4,), dtype="float32")
    gradient = numpy.ones((4,), dtype="float32")
    weights, _ = optimizer(key, weights, gradient)
    return float(-weights[0])


def test_the_transformer_steps_at_its_share_of_the_heads_rate():
    make = registry.optimizers.get("ner_project.pretrained_scaled_adam.v1")
    optimizer = make(learn_rate=0.001, pretrained_rate_scale=0.1, L2=0.0)
    head_step = adam_step(optimizer, (1, "W"))
    transformer_step = adam_step(optimizer, (2, "encoder.layer.0.output.dense.weight"))
    assert head_step == pytest.approx(0.001, rel=0.01)
    assert transformer_step == pytest.approx(head_step * 0.1, rel=1e-4)


@pytest.mark.parametrize("max_pieces", [1, 3, 5, 8, 100])
def test_windows_keep_every_token_in_order_within_the_limit(max_pieces):
    pieces = [1, 2, 1, 9, 1, 1, 3, 1, 0, 2, 1, 1]
    starts = [True, False, False, False, True, False, True, False, False, True, 0, 0]
    windows = split_windows(pieces, starts, max_pieces)
    covered = [i for start, end in windows for i in range(start, end)]
    assert covered == list(range(len(pieces)))
    for start, end in windows:
        assert end > start
        assert sum(pieces[start:end]) <= max_pieces or end - start == 1


def test_windows_keep_whole_sentences_when_they_fit():
    pieces = [1, 1, 1, 1, 1, 1]
    starts = [True, False, True, False, False, True]
    assert split_windows(pieces, starts, 4) == [(0, 2), (2, 6)]
    assert split_windows(pieces, starts, 3) == [(0, 2), (2, 5), (5, 6)]
    assert split_windows([], [], 4) == []


def test_the_transformer_runs_on_the_optimizers_averages_and_back(tiny_transformer):
    """spaCy evaluates and saves a model under `optimizer.averages` (`use_averages`):
    there the transformer's trained weights take their averages, the pooler (no
    gradient, no average) keeps its own, and after it the trained weights are back."""
    nlp, examples = demo_pipeline(tiny_transformer, ["transformer", "ner"], 8)
    nlp.initialize(lambda: examples)
    make = registry.optimizers.get("ner_project.pretrained_scaled_adam.v1")
    optimizer = make(learn_rate=0.001, pretrained_rate_scale=0.4, use_averages=True)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    transformer = nlp.get_pipe("transformer").model
    shim, weights = transformer.layers[0].shims[0], transformer.transformer
    trained = {name: p.detach().clone() for name, p in weights.named_parameters()}
    averaged = {name for name in trained if (shim.id, name) in optimizer.averages}
    assert "pooler.dense.weight" not in averaged
    assert "encoder.layer.0.attention.self.query.weight" in averaged

    with nlp.use_params(optimizer.averages):
        for name, p in weights.named_parameters():
            expected = (
                torch.from_numpy(optimizer.averages[(shim.id, name)])
                if name in averaged
                else trained[name]
            )
            assert torch.equal(p.detach(), expected), name
        assert any(
            not torch.equal(trained[n], weights.get_parameter(n)) for n in averaged
        )
    for name, p in weights.named_parameters():
        assert torch.equal(p.detach(), trained[name]), name
