"""A resume's entities as a stable record: every configured field present, each value
once, in the order the resume gives them, and only values of the field's type."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from . import field_types
from .field_types import FieldType, PhoneNumber


@dataclass
class Record:
    """The fields of a resume, and the phone numbers of its phone fields in E.164."""

    fields: dict[str, str | list[str]] = field(default_factory=dict)
    phone_numbers: dict[str, list[PhoneNumber]] = field(default_factory=dict)


def build_record(
    text: str,
    entities: Sequence[Mapping],
    fields: Mapping[str, str | list[str]],
    types: Mapping[str, FieldType] | None = None,
    phone_region: str | None = None,
) -> Record:
    """Fill each field from the entities of `text` (in text order) whose label it names
    and whose text passes the field's type (`types`, default "text").

    A field given one label (a string) holds the first such value, or "" when there is
    none; a field given a list of labels holds the distinct values of all their
    entities, or []. Entity texts have their runs of whitespace (line breaks of the
    layout) written as one space; values equal but for case are kept once, in their
    first spelling (phone numbers: those with the same E.164 number). A field of type
    "name" first joins entities of its labels that only a line break separates, and a
    single-valued one holds the most likely name (`most_likely_name`).
    """
    types = types or {}
    record = Record()
    for name, labels in fields.items():
        wanted = {labels} if isinstance(labels, str) else set(labels)
        field_type = types.get(name, "text")
        chosen = [entity for entity in entities if entity["label"] in wanted]
        if field_type == "name":
            chosen = join_across_line_breaks(text, chosen)
        texts = [" ".join(entity["text"].split()) for entity in chosen]
        if isinstance(labels, str) and field_type == "name":
            values = most_likely_name(texts)
        else:
            values = typed_values(texts, field_type, phone_region)
        if isinstance(labels, str):
            values = values[:1]
        shown = [getattr(value, "text", value) for value in values]
        record.fields[name] = shown if isinstance(labels, list) else "".join(shown)
        if field_type == "phone":
            record.phone_numbers[name] = values
    return record


def typed_values(texts: list[str], field_type: FieldType, phone_region: str | None):
    """The texts that pass the type's validator, as its values, each kept once."""
    validators: dict[FieldType, Callable] = {
        "email": field_types.email,
        "personal_email": field_types.personal_email,
        "phone": partial(field_types.phone, region=phone_region),
        "url": field_types.url,
        "name": field_types.name,
        "text": field_types.plain_text,
    }
    validate = validators[field_type]
    seen: set[str] = set()
    kept = []
    for text in texts:
        value = validate(text)
        if value is None:
            continue
        key = value.e164 if isinstance(value, PhoneNumber) else value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def most_likely_name(texts: list[str]) -> list[str]:
    """The name, in a list of one (none: []): of the texts that pass the name type, the
    first of two words or more, or else the first of one word (some CVs give only a
    surname, but where the full name is found too, it is the whole value); then, if a
    later name begins with all its words and goes on ("Jesusita Dorthy", later
    "Jesusita Dorthy Kozey"), that one: the model cut the name short the first time.
    The first rather than the most confident: a CV names its owner first, and its
    referees' names can be as sure."""
    names = [text for text in texts if field_types.name(text) is not None]
    if not names:
        return []
    chosen = min(names, key=is_one_word)  # min keeps the first of equals
    words = chosen.casefold().split()
    for later in names[names.index(chosen) + 1 :]:
        later_words = later.casefold().split()
        if len(later_words) > len(words) and later_words[: len(words)] == words:
            return [later]
    return [chosen]


def is_one_word(text: str) -> bool:
    return len(text.split()) == 1


def join_across_line_breaks(text: str, entities: list[Mapping]) -> list[Mapping]:
    """The entities, each run of them that only whitespace with a line break in it
    separates joined into one (a model often ends a name where its line ends)."""
    joined: list[Mapping] = []
    for entity in entities:
        if joined:
            gap = text[joined[-1]["end"] : entity["start"]]
            if gap and not gap.strip() and "\n" in gap:
                joined[-1] = {
                    **joined[-1],
                    "text": f"{joined[-1]['text']} {entity['text']}",
                    "end": entity["end"],
                }
                continue
        joined.append(entity)
    return joined
