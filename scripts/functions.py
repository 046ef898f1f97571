"""Functions that the config registers; shipped inside the packaged pipeline (--code)."""

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import srsly
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Span
from spacy.util import registry
from thinc.api import warmup_linear


def warmup_linear_fraction(
    initial_rate: float, warmup_fraction: float, total_steps: int
):
    """Linear warm-up then linear decay, with the warm-up a share of the run.

    The usual 250-step warm-up is sized for 20,000-step GPU runs; a short CPU run would
    spend most of its steps warming up. Tying both to `training.max_steps` keeps the
    shape whatever the budget.
    """
    warmup_steps = max(1, round(warmup_fraction * total_steps))
    return warmup_linear(initial_rate, warmup_steps, total_steps)


def read_patterns(path: Path) -> list[dict]:
    """The patterns of a JSONL file, one {"label", "pattern"} object a line, as the list
    that the span ruler's initialize asks for (srsly.read_jsonl.v1 gives a generator)."""
    return list(srsly.read_jsonl(path))


PHONE_SEPARATORS = {"-", ".", "(", ")"}
YEAR = re.compile(r"^(19|20)\d\d$")


def make_contact_ents_filter(
    phone_label: str = "PHONE", min_phone_digits: int = 7, max_phone_digits: int = 15
) -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """Merge pattern matches into the model's entities, the matches winning overlaps.

    The phone pattern matches any run of digit groups and separators, and the matcher
    returns every sub-run of it; this keeps the runs that read as one phone number
    (7 to 15 digits, as E.164 allows, a `+` only at the start, balanced brackets, no
    dangling separator, not a range of years) and then the longest of those.
    """

    def is_phone(span: Span) -> bool:
        tokens = [token.text for token in span]
        groups = [text for text in tokens if text not in PHONE_SEPARATORS]
        digits = sum(char.isdigit() for text in groups for char in text)
        return (
            min_phone_digits <= digits <= max_phone_digits
            and tokens[0] not in {"-", ".", ")"}
            and tokens[-1] not in {"-", ".", "("}
            and tokens.count("(") == tokens.count(")") <= 1
            and not any(text.startswith("+") for text in groups[1:])
            and not (len(groups) > 1 and all(YEAR.match(text) for text in groups))
        )

    def contact_ents_filter(entities: Iterable[Span], matches: Iterable[Span]):
        kept = [m for m in matches if m.label_ != phone_label or is_phone(m)]
        return prioritize_new_ents_filter(entities, kept)

    return contact_ents_filter


def register_functions() -> None:
    """Register the functions above under the names the config gives them.

    Importing this module does it. A Ray worker gets the module by value instead of
    importing it (annotation_engines.py), so the pipeline actor calls this itself.
    """
    registry.schedules.register(
        "ner_project.warmup_linear.v1", func=warmup_linear_fraction
    )
    registry.readers.register("ner_project.read_patterns.v1", func=read_patterns)
    registry.misc.register(
        "ner_project.contact_ents_filter.v1", func=make_contact_ents_filter
    )


register_functions()
