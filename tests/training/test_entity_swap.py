"""What the entity-swap augmenter promises: a swapped example keeps every word outside
its entities and gives each entity a value that an earlier example had under the same
label, the labels in the same places; nothing changes at level 0, only the labels asked
for change, and a missing annotation stays missing."""

import random

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from ner_project.training.functions import EntitySwap

CVS = [
    (
        "Meda Cronin\nEngineer at Oracle , Bangalore",
        [(0, 2, "NAME"), (5, 6, "COMPANY")],
    ),
    ("Jo Ann Kuhn\nLead at Acme Data Systems", [(0, 3, "NAME"), (6, 9, "COMPANY")]),
    ("Ravi Das\nTester at Infosys", [(0, 2, "NAME"), (5, 6, "COMPANY")]),
]


def example(nlp, text: str, ents: list[tuple[int, int, str]]) -> Example:
    """The CV as spaCy tokenizes it (a line break a token of its own), `ents` over
    those tokens."""
    words = text.replace("\n", " \n ").split(" ")
    following = [*words[1:], "\n"]
    spaces = [
        word != "\n" and nxt != "\n" for word, nxt in zip(words, following, strict=True)
    ]
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    doc.ents = [Span(doc, start, end, label) for start, end, label in ents]
    return Example(Doc(nlp.vocab, words=words, spaces=spaces), doc)


def run(augmenter, nlp, examples) -> list[Example]:
    return [out for eg in examples for out in augmenter(nlp, eg)]


def values(doc: Doc, label: str) -> list[str]:
    return [ent.text for ent in doc.ents if ent.label_ == label]


def outside(doc: Doc) -> list[str]:
    """The words that no entity holds, an entity marked by its label."""
    words, i = [], 0
    for ent in doc.ents:
        words += [t.text for t in doc[i : ent.start]] + [f"<{ent.label_}>"]
        i = ent.end
    return words + [t.text for t in doc[i:]]


@pytest.fixture
def nlp():
    return spacy.blank("en")


def test_a_swapped_cv_keeps_its_words_and_takes_earlier_values(nlp):
    random.seed(0)
    originals = [example(nlp, text, ents) for text, ents in CVS]
    swapped = run(EntitySwap(level=1.0), nlp, originals)
    assert swapped[0].reference.text == originals[0].reference.text  # nothing earlier
    for original, out in zip(originals[1:], swapped[1:], strict=True):
        assert outside(out.reference) == outside(original.reference)
        assert [t.text for t in out.predicted] == [t.text for t in out.reference]
        assert out.predicted.text == out.reference.text
    assert values(swapped[1].reference, "NAME") == ["Meda Cronin"]
    assert values(swapped[1].reference, "COMPANY") == ["Oracle"]
    assert swapped[1].reference.text == "Meda Cronin\nLead at Oracle"
    assert values(swapped[2].reference, "NAME")[0] in {"Meda Cronin", "Jo Ann Kuhn"}
    assert values(swapped[2].reference, "COMPANY")[0] in {"Oracle", "Acme Data Systems"}


def test_the_value_ends_as_the_entity_it_replaces_did(nlp):
    """Oracle was followed by " , "; Acme Data Systems, at the end, by nothing."""
    random.seed(0)
    first = example(nlp, *CVS[1])
    second = example(nlp, *CVS[0])
    _, out = run(EntitySwap(level=1.0, labels=["COMPANY"]), nlp, [first, second])
    assert (
        out.reference.text == "Meda Cronin\nEngineer at Acme Data Systems , Bangalore"
    )


def test_level_0_changes_nothing(nlp):
    originals = [example(nlp, text, ents) for text, ents in CVS]
    out = run(EntitySwap(level=0.0), nlp, originals)
    assert out == originals


def test_only_the_labels_asked_for_are_swapped(nlp):
    random.seed(0)
    originals = [example(nlp, text, ents) for text, ents in CVS]
    out = run(EntitySwap(level=1.0, labels=["COMPANY"]), nlp, originals)
    for original, swapped in zip(originals, out, strict=True):
        assert values(swapped.reference, "NAME") == values(original.reference, "NAME")
    assert values(out[1].reference, "COMPANY") == ["Oracle"]


def test_a_missing_annotation_stays_missing(nlp):
    random.seed(0)
    first = example(nlp, *CVS[0])
    second = example(nlp, *CVS[2])
    doc = second.reference
    doc.set_ents([], missing=[doc[3:5]], default="unmodified")
    assert [t.ent_iob_ for t in doc[3:5]] == ["", ""]
    _, out = run(EntitySwap(level=1.0), nlp, [first, second])
    assert [t.ent_iob_ for t in out.reference[3:5]] == ["", ""]
    assert out.reference[2].ent_iob_ == "O"  # the line break


def test_a_level_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="level must be in"):
        EntitySwap(level=1.5)


def test_the_config_names_it():
    augmenter = registry.resolve(
        {"a": {"@augmenters": "ner_project.entity_swap.v1", "level": 0.5}}
    )["a"]
    assert isinstance(augmenter, EntitySwap)
    assert augmenter.level == 0.5 and augmenter.labels is None
