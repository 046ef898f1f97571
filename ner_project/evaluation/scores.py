"""Entity-level scores of a pipeline on gold documents: overall and per-label
precision, recall, F1 and support, as spaCy's scorer counts them."""

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from wasabi import msg


def predict(nlp: Language, references: list[Doc]) -> list[Example]:
    """Run the pipeline over the gold documents' own tokens, with no annotation kept
    (the NER component would take preset entities as given)."""
    blanks = (
        Doc(
            nlp.vocab,
            words=[t.text for t in ref],
            spaces=[bool(t.whitespace_) for t in ref],
        )
        for ref in references
    )
    return [
        Example(doc, ref) for doc, ref in zip(nlp.pipe(blanks), references, strict=True)
    ]


def entity_metrics(examples: Iterable[Example]) -> dict:
    """Entity-level P/R/F overall and per label, with the gold support of each label."""
    examples = list(examples)
    scores = Scorer.score_spans(examples, "ents")
    per_type = scores["ents_per_type"] or {}
    support = Counter(ent.label_ for eg in examples for ent in eg.reference.ents)
    return {
        "ents_p": scores["ents_p"] or 0.0,
        "ents_r": scores["ents_r"] or 0.0,
        "ents_f": scores["ents_f"] or 0.0,
        "ents_per_type": {
            label: {
                "p": per_type.get(label, {}).get("p", 0.0),
                "r": per_type.get(label, {}).get("r", 0.0),
                "f": per_type.get(label, {}).get("f", 0.0),
                "support": support[label],
            }
            for label in sorted(set(support) | set(per_type))
        },
    }


def print_metrics(metrics: dict) -> None:
    rows = [
        (label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["support"])
        for label, s in metrics["ents_per_type"].items()
    ]
    total = sum(s["support"] for s in metrics["ents_per_type"].values())
    overall = [f"{metrics[key]:.3f}" for key in ("ents_p", "ents_r", "ents_f")]
    rows.append(("ALL", *overall, total))
    header = ("label", "P", "R", "F1", "support")
    msg.table(rows, header=header, divider=True, aligns=("l", "r", "r", "r", "r"))


def read_corpus(nlp: Language, path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def score_corpus(nlp: Language, test_path: Path) -> tuple[dict, list[Example]]:
    """The metrics of `nlp` on a `.spacy` corpus, with its speed, and the examples."""
    references = read_corpus(nlp, test_path)
    start = time.perf_counter()
    examples = predict(nlp, references)
    seconds = time.perf_counter() - start
    words = sum(len(eg.reference) for eg in examples)
    metrics = {
        "test_path": test_path.as_posix(),
        "documents": len(examples),
        **entity_metrics(examples),
        "words_per_s": round(words / seconds, 1),
    }
    return metrics, examples
