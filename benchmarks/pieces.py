"""Word pieces the transformer component computes against those the text holds: the
overlap of its strided spans and the padding of its batches, for the comparison's
breakdown and the inference profile."""


def computed_pieces(nlp, texts: list, batch_size: int, grouped: bool = True) -> dict:
    """Word pieces the transformer component computes against those the texts hold.

    The component sorts each `nlp.pipe` batch by length and cuts it into sub-batches
    of at most `max_batch_items` padded tokens; each sub-batch's spans are padded to
    the longest of them, or, with the project's length-grouped transformer, to the
    longest of each group of similar length (`grouped=False`: as spacy-transformers'
    own forward pass would pad them). Overlap: strided spans reading a token twice."""
    from spacy_transformers.util import batch_by_length

    from ner_project.training.functions import padding_limited_groups

    component = nlp.get_pipe("transformer")
    attrs = component.model.attrs
    get_spans = component.model.attrs["get_spans"]
    tokenizer = component.model.tokenizer
    text_pieces = span_pieces = padded_pieces = 0
    for first in range(0, len(texts), batch_size):
        docs = [nlp.make_doc(text) for text, _ in texts[first : first + batch_size]]
        text_pieces += sum(len(tokenizer(doc.text)["input_ids"]) for doc in docs)
        for indices in batch_by_length(docs, component.cfg["max_batch_items"]):
            lengths = [
                len(tokenizer(span.text)["input_ids"])
                for spans in get_spans([docs[i] for i in indices])
                for span in spans
            ]
            span_pieces += sum(lengths)
            groups = (
                padding_limited_groups(
                    lengths, attrs["max_padding"], attrs["max_items"]
                )
                if grouped and "max_padding" in attrs
                else [range(len(lengths))]
            )
            padded_pieces += sum(
                len(group) * max((lengths[i] for i in group), default=0)
                for group in groups
            )
    return {
        "overlap_factor": round(span_pieces / text_pieces, 3),
        "padding_factor": round(padded_pieces / max(span_pieces, 1), 3),
    }


def padding_share(nlp, texts: list, batch_size: int) -> float:
    """The share of the word pieces computed at `batch_size` that is padding."""
    return round(1 - 1 / computed_pieces(nlp, texts, batch_size)["padding_factor"], 3)
