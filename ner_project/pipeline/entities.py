"""One shape for the entities of a `Doc`, so the API and the annotator agree."""

from spacy.tokens import Doc


def doc_entities(doc: Doc) -> list[dict]:
    """The pipeline's entities as {text, label, start, end} (character offsets)."""
    return [
        {
            "text": ent.text,
            "label": ent.label_,
            "start": ent.start_char,
            "end": ent.end_char,
        }
        for ent in doc.ents
    ]
