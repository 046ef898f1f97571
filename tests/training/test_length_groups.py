"""The transformer computes the spans of a batch in groups of similar length: little
padding, and the same hidden states and entities as one padded pass."""

import numpy
import pytest

from ner_project.training.functions import padding_limited_groups
from tests.helpers import demo_pipeline

TEXTS = [
    "Anna Lee",
    "Data Engineer at Acme Corp in Pune since 2019.",
    " ".join(["Python, SQL, Spark, Airflow and Kubernetes."] * 40),  # several windows
    "Skills: teamwork",
    "Raj Kumar, raj@example.org, +91 98765 43210, Bengaluru, Karnataka, India.",
]


@pytest.mark.parametrize("max_padding", [0.0, 0.1, 0.3])
def test_groups_keep_padding_and_size_within_their_limits(max_padding):
    lengths = [5, 130, 7, 128, 60, 64, 3, 129, 30, 128]
    groups = padding_limited_groups(lengths, max_padding, max_items=400)
    assert sorted(i for group in groups for i in group) == list(range(len(lengths)))
    for group in groups:
        longest = max(lengths[i] for i in group)
        padding = longest * len(group) - sum(lengths[i] for i in group)
        assert padding <= max_padding * longest * len(group)
        assert len(group) == 1 or longest * len(group) <= 400


def test_no_limit_on_padding_gives_one_group_per_size_budget():
    assert padding_limited_groups([3, 1, 2], 1.0, max_items=100) == [[1, 2, 0]]


@pytest.fixture(scope="module")
def pipelines(tiny_transformer):
    """The shipped config with the tiny transformer, initialised once; and the same
    weights run by spacy-transformers' own forward pass."""
    nlp, examples = demo_pipeline(
        tiny_transformer, ["transformer", "ner", "entity_confidence"], 20
    )
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(10):  # a few updates, so that the head predicts some entities
        nlp.update(examples, sgd=optimizer)
    return nlp


def hidden_states(nlp, grouped: bool):
    from spacy_transformers.layers.transformer_model import forward

    model = nlp.get_pipe("transformer").model
    saved = model._func
    if not grouped:
        model._func = forward
    try:
        docs = list(nlp.pipe(TEXTS, batch_size=len(TEXTS)))
    finally:
        model._func = saved
    return docs


def test_grouped_and_padded_passes_give_the_same_states_and_entities(pipelines):
    nlp = pipelines
    model = nlp.get_pipe("transformer").model
    assert model._func.__name__ == "forward_in_length_groups"  # the shipped default
    grouped, padded = hidden_states(nlp, True), hidden_states(nlp, False)
    for a, b in zip(grouped, padded, strict=True):
        x = a._.trf_data.model_output.last_hidden_state
        y = b._.trf_data.model_output.last_hidden_state
        assert x.shape == y.shape
        for row, length in enumerate(a._.trf_data.wordpieces.lengths):
            numpy.testing.assert_allclose(x[row, :length], y[row, :length], atol=1e-4)
        assert [(e.start, e.end, e.label_) for e in a.ents] == [
            (e.start, e.end, e.label_) for e in b.ents
        ]
    assert sum(len(doc.ents) for doc in grouped) > 0
    groups = model.attrs["last_groups"]
    computed = sum(max(g) * len(g) for g in groups)
    assert computed - sum(map(sum, groups)) <= 0.1 * computed
