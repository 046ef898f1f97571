"""One scorer for every system: entity-level precision, recall and F1 by seqeval on
IOB2 tags, checked against spaCy's own `Scorer` on the same predictions.

Each system's output becomes IOB2 tags over the gold tokens of each test document
(spaCy: its `doc.ents`; the Hugging Face recipe: its first-sub-token labels). Tags
are repaired the way conlleval reads them (an `I-` that does not continue an entity
of its label starts one), so seqeval and the spans given to spaCy's scorer describe
the same entities, and the two scores must agree.
"""

from collections.abc import Sequence

from seqeval.metrics import f1_score, precision_score, recall_score
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example, biluo_tags_to_spans, iob_to_biluo

AGREEMENT_TOLERANCE = 1e-6


def doc_to_iob2(doc: Doc) -> list[str]:
    """IOB2 tags of a document's entities, one per token."""
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else "O" for t in doc]


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Valid IOB2: an `I-X` after `O` or after another label becomes `B-X`."""
    repaired, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        repaired.append(tag)
        previous = tag
    return repaired


def tags_to_doc(reference: Doc, tags: Sequence[str]) -> Doc:
    """A copy of the reference's tokens with the entities the tags describe."""
    doc = Doc(
        reference.vocab,
        words=[t.text for t in reference],
        spaces=[bool(t.whitespace_) for t in reference],
    )
    doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(repair_iob2(tags)))
    return doc


def seqeval_scores(gold: list[list[str]], predicted: list[list[str]]) -> dict:
    """Micro-averaged entity-level P/R/F1 (seqeval's default, conlleval) per sequence."""
    predicted = [repair_iob2(tags) for tags in predicted]
    gold = [repair_iob2(tags) for tags in gold]
    kwargs = {"zero_division": 0}
    return {
        "precision": float(precision_score(gold, predicted, **kwargs)),
        "recall": float(recall_score(gold, predicted, **kwargs)),
        "f1": float(f1_score(gold, predicted, **kwargs)),
    }


def spacy_scores(examples: list[Example]) -> dict:
    """The same figures from spaCy's `Scorer.score_spans`."""
    scores = Scorer.score_spans(examples, "ents")
    return {
        "precision": scores["ents_p"] or 0.0,
        "recall": scores["ents_r"] or 0.0,
        "f1": scores["ents_f"] or 0.0,
    }


def score_predictions(references: list[Doc], predicted_tags: list[list[str]]) -> dict:
    """Score IOB2 predictions over the references' tokens with seqeval, check spaCy's
    scorer agrees, and say so in the result (`agrees_with_spacy`)."""
    if len(references) != len(predicted_tags):
        raise ValueError(
            f"{len(predicted_tags)} predictions for {len(references)} documents"
        )
    for ref, tags in zip(references, predicted_tags, strict=True):
        if len(ref) != len(tags):
            raise ValueError(f"{len(tags)} tags for a document of {len(ref)} tokens")
    scores = seqeval_scores([doc_to_iob2(ref) for ref in references], predicted_tags)
    examples = [
        Example(tags_to_doc(ref, tags), ref)
        for ref, tags in zip(references, predicted_tags, strict=True)
    ]
    reference_scores = spacy_scores(examples)
    gap = max(abs(scores[key] - reference_scores[key]) for key in scores)
    return {
        **scores,
        "spacy_scorer": reference_scores,
        "agrees_with_spacy": gap <= AGREEMENT_TOLERANCE,
    }


def score_docs(references: list[Doc], predictions: list[Doc]) -> dict:
    """Score a spaCy pipeline's predicted documents (same tokens as the references)."""
    return score_predictions(references, [doc_to_iob2(doc) for doc in predictions])
