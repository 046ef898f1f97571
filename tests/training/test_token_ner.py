"""The token-classification NER head (`token_ner`): one BILUO (or BIO) tag per token,
decoded so that only whole entities come out, trained, saved and loaded like any spaCy
component."""

import itertools

import numpy
import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example
from thinc.api import Config

from benchmarks.spacy_train import use_token_ner_head
from ner_project.conversion.corpus import convert_files
from ner_project.training.functions import (
    best_valid_path,
    biluo_to_bio,
    valid_transitions,
)
from tests.helpers import PROJECT_DIR

UPDATES = 40  # 8 passes over 5 batches
# The peak rate for these 40 updates of a 2-layer transformer: the shipped 5e-4 is
# sized for hundreds of updates of the 6-layer model; at it, 40 updates left the
# loss above half its start and found next to no entity.
PEAK_RATE = 1e-3
TAGS = ["O", "B-A", "I-A", "L-A", "U-A", "B-B", "I-B", "L-B", "U-B"]
BIO_TAGS = ["O", "B-A", "I-A", "B-B", "I-B"]


def is_valid_bio(tags: list[str]) -> bool:
    """Every I- goes on an entity of its own label."""
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            return False
        previous = tag
    return True


def is_valid(tags: list[str]) -> bool:
    """Every entity opens (B), goes on (I) and closes (L) with one label, or is U."""
    open_label = None
    for tag in tags:
        prefix, _, label = tag.partition("-")
        if open_label is not None:
            if prefix not in {"I", "L"} or label != open_label:
                return False
            open_label = None if prefix == "L" else open_label
        elif prefix in {"I", "L"}:
            return False
        elif prefix == "B":
            open_label = label
    return open_label is None


def test_decoding_turns_the_likeliest_broken_tags_into_whole_entities():
    # Token by token, the likeliest tags read I-A B-B L-A: no valid sequence.
    likeliest = [TAGS.index(tag) for tag in ("I-A", "B-B", "L-A")]
    log_probs = numpy.full((3, len(TAGS)), -5.0)
    log_probs[numpy.arange(3), likeliest] = -0.1
    path = [TAGS[i] for i in best_valid_path(log_probs, *valid_transitions(TAGS))]
    assert is_valid(path)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "tags,valid_path",
    [(TAGS, "is_valid"), (BIO_TAGS, "is_valid_bio")],
    ids=["BILUO", "BIO: every I- goes on an entity"],
)
def test_decoding_finds_the_best_valid_sequence(seed, tags, valid_path):
    is_valid_path = {"is_valid": is_valid, "is_valid_bio": is_valid_bio}[valid_path]
    rng = numpy.random.default_rng(seed)
    log_probs = numpy.log(rng.dirichlet(numpy.ones(len(tags)), size=4))
    decoded = best_valid_path(log_probs, *valid_transitions(tags))
    valid = [
        path
        for path in itertools.product(range(len(tags)), repeat=4)
        if is_valid_path([tags[i] for i in path])
    ]
    best = max(valid, key=lambda path: log_probs[numpy.arange(4), path].sum())
    assert tuple(decoded) == best


def test_biluo_tags_read_as_bio():
    biluo = ["U-A", "O", "B-A", "I-A", "L-A", "-", None]
    assert [biluo_to_bio(t) for t in biluo] == [
        "B-A",
        "O",
        "B-A",
        "I-A",
        "I-A",
        "-",
        None,
    ]


def token_ner_config(tiny_transformer) -> Config:
    """The shipped config with the token-classification head in place of the
    transition-based one, its schedule sized to these tests' updates."""
    config = Config().from_disk(PROJECT_DIR / "configs" / "base_config.cfg")
    use_token_ner_head(config)
    config["components"]["transformer"]["model"]["name"] = str(tiny_transformer)
    config["nlp"]["pipeline"] = ["transformer", "ner"]
    config["training"]["optimizer"]["learn_rate"]["total_steps"] = UPDATES
    config["training"]["optimizer"]["learn_rate"]["initial_rate"] = PEAK_RATE
    del config["components"]["contact_patterns"]
    del config["components"]["entity_confidence"]  # the token head gives its own
    del config["initialize"]["components"]["contact_patterns"]
    return config


@pytest.fixture(scope="module")
def demo_examples():
    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/train.tsv"], "en", None)
    nlp = spacy.blank("en")
    return [
        Example(nlp.make_doc(doc.text), doc)
        for doc in list(doc_bin.get_docs(nlp.vocab))[:40]
    ]


@pytest.fixture(scope="module")
def trained(tiny_transformer, demo_examples):
    config = token_ner_config(tiny_transformer)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    optimizer = nlp.initialize(lambda: demo_examples)
    losses = []
    for _ in range(8):
        for batch in spacy.util.minibatch(demo_examples, size=8):
            losses.append(nlp.update(batch, sgd=optimizer, drop=0.1)["ner"])
            optimizer.step_schedules()  # as spacy train does after each update
    return nlp, losses


def test_the_head_learns_the_labels_of_the_data_and_its_loss_falls(trained):
    nlp, losses = trained
    labels = set(nlp.get_pipe("ner").labels)
    assert {"NAME", "EMAIL", "SKILL", "COMPANY"} <= labels
    assert numpy.mean(losses[-5:]) < 0.5 * numpy.mean(losses[:5])


def test_predicted_entities_are_whole_and_scored_by_the_ner_scorer(
    trained, demo_examples
):
    nlp, _ = trained
    scores = nlp.evaluate(demo_examples)
    assert scores["ents_f"] > 0.05  # untrained, it finds none
    for doc in nlp.pipe(eg.reference.text for eg in demo_examples):
        tags = [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else "O" for t in doc]
        assert all(
            not tag.startswith("I-") or tags[i - 1] != "O" for i, tag in enumerate(tags)
        )


def test_a_saved_pipeline_loads_and_predicts_the_same_entities(trained, tmp_path):
    nlp, _ = trained
    text = "Priya Raman, Data Engineer at Northwind Analytics. priya@example.com"
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe("ner").labels == nlp.get_pipe("ner").labels
    spans = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert [(e.start_char, e.end_char, e.label_) for e in loaded(text).ents] == spans
    assert DocBin(docs=[loaded(text)]).to_bytes()


def test_the_bio_scheme_trains_and_tags_each_label_with_b_and_i(
    tiny_transformer, demo_examples
):
    config = token_ner_config(tiny_transformer)
    config["components"]["ner"]["scheme"] = "BIO"
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    optimizer = nlp.initialize(lambda: demo_examples)
    ner = nlp.get_pipe("ner")
    assert ner.tags == ["O"] + [
        f"{p}-{label}" for label in ner.labels for p in ("B", "I")
    ]
    for _ in range(8):
        for batch in spacy.util.minibatch(demo_examples, size=8):
            nlp.update(batch, sgd=optimizer, drop=0.1)
            optimizer.step_schedules()
    assert nlp.evaluate(demo_examples)["ents_f"] > 0.05


def test_an_unknown_scheme_is_refused_by_name(tiny_transformer):
    config = token_ner_config(tiny_transformer)
    config["components"]["ner"]["scheme"] = "IOB2"
    with pytest.raises(ValueError, match="scheme 'IOB2': choose BILUO or BIO"):
        spacy.util.load_model_from_config(config, auto_fill=True)
