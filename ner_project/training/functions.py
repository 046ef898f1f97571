"""Functions and components that the config registers; shipped inside the packaged
pipeline (--code), so this file imports nothing from the project."""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

import numpy
import srsly
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Doc, Span
from spacy.training import Corpus, Example, biluo_tags_to_spans
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import (
    Model,
    Optimizer,
    SequenceCategoricalCrossentropy,
    Softmax_v2,
    chain,
    warmup_linear,
    with_array,
    zero_init,
)
from thinc.types import Floats2d


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


class PretrainedScaledAdam(Optimizer):
    """Adam whose steps on the pretrained transformer's weights are scaled down.

    The NER head starts from random weights and must learn fast; the transformer
    starts trained and is spoiled by large steps. One rate for both makes the head
    crawl (a transition-based NER predicts only `O` for hundreds of updates at
    BERT's usual rates) or the transformer forget. The transformer's weights are the
    PyTorch parameters, whose names are dotted paths (`encoder.layer.0...`); thinc's
    own parameters are plain names (`W`, `b`).
    """

    def __init__(self, learn_rate, *, pretrained_rate_scale: float, **settings):
        super().__init__(learn_rate, **settings)
        self.pretrained_rate_scale = pretrained_rate_scale

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        if "." in key[1]:
            lr_scale *= self.pretrained_rate_scale
        return super().__call__(key, weights, gradient, lr_scale=lr_scale)


def pretrained_scaled_adam(
    learn_rate,
    pretrained_rate_scale: float = 1.0,
    L2: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    grad_clip: float = 1.0,
    L2_is_weight_decay: bool = True,
    use_averages: bool = False,
) -> PretrainedScaledAdam:
    """`Adam.v1`, plus `pretrained_rate_scale`: the transformer's share of the rate."""
    return PretrainedScaledAdam(
        learn_rate,
        pretrained_rate_scale=pretrained_rate_scale,
        L2=L2,
        beta1=beta1,
        beta2=beta2,
        eps=eps,
        grad_clip=grad_clip,
        L2_is_weight_decay=L2_is_weight_decay,
        use_averages=use_averages,
    )


def read_patterns(path: Path) -> list[dict]:
    """The patterns of a JSONL file, one {"label", "pattern"} object a line, as the list
    that the span ruler's initialize asks for (srsly.read_jsonl.v1 gives a generator)."""
    return list(srsly.read_jsonl(path))


def split_windows(
    piece_counts: Sequence[int], sentence_starts: Sequence[bool], max_pieces: int
) -> list[tuple[int, int]]:
    """Token ranges `(start, end)` that cover every token once, in order, each holding
    at most `max_pieces` word pieces (unless one token alone holds more)."""
    if max_pieces < 1:
        raise ValueError(f"max_pieces must be at least 1, not {max_pieces}")
    sentences, start = [], 0
    for i in range(1, len(piece_counts) + 1):
        if i == len(piece_counts) or sentence_starts[i]:
            sentences.append((start, i))
            start = i
    windows: list[tuple[int, int]] = []
    window_start, window_pieces = 0, 0
    for sent_start, sent_end in sentences:
        sentence_pieces = sum(piece_counts[sent_start:sent_end])
        if window_pieces + sentence_pieces <= max_pieces:
            window_pieces += sentence_pieces
            continue
        if window_pieces:
            windows.append((window_start, sent_start))
        window_start, window_pieces = sent_start, 0
        for i in range(sent_start, sent_end):
            if window_pieces and window_pieces + piece_counts[i] > max_pieces:
                windows.append((window_start, i))
                window_start, window_pieces = i, 0
            window_pieces += piece_counts[i]
    if window_start < len(piece_counts):
        windows.append((window_start, len(piece_counts)))
    return windows


def chunk_bounds(doc: Doc, max_words: int) -> list[tuple[int, int]]:
    """Token ranges of `doc` of at most `max_words` tokens, made of whole sentences
    where they fit and never cutting an entity (one longer than `max_words` is a chunk
    of its own)."""
    starts = {ent.start: ent.end for ent in doc.ents}
    units, i = [], 0
    while i < len(doc):
        units.append((i, starts.get(i, i + 1)))
        i = units[-1][1]
    sentence_starts = [bool(doc[start].is_sent_start) for start, _ in units]
    lengths = [end - start for start, end in units]
    return [
        (units[first][0], units[last - 1][1])
        for first, last in split_windows(lengths, sentence_starts, max_words)
    ]


class ChunkedCorpus(Corpus):
    """spaCy's Corpus, with documents longer than `max_words` cut into chunks.

    A whole CV is one training example otherwise: thousands of words in one update,
    gigabytes of activations, and a few updates a minute on a CPU. spaCy's own
    `max_length` splits such documents into single sentences (a CV line of a few
    words, without its context) and drops any sentence over the limit; chunks keep
    neighbouring lines together and drop nothing.
    """

    def __init__(self, path, *, max_words: int, **kwargs):
        super().__init__(path, **kwargs)
        self.max_words = max_words

    def make_examples(self, nlp, reference_docs: Iterable[Doc]) -> Iterator[Example]:
        for reference in reference_docs:
            if self.max_words <= 0 or len(reference) <= self.max_words:
                yield self._make_example(nlp, reference, False)
                continue
            for start, end in chunk_bounds(reference, self.max_words):
                chunk = reference[start:end].as_doc()
                yield self._make_example(nlp, chunk, False)


def chunked_corpus(
    path: Path | None,
    max_words: int = 0,
    gold_preproc: bool = False,
    limit: int = 0,
    augmenter: Callable | None = None,
) -> ChunkedCorpus:
    """`spacy.Corpus.v1` with `max_words` (0: whole documents) in place of
    `max_length`."""
    return ChunkedCorpus(
        path,
        max_words=max_words,
        gold_preproc=gold_preproc,
        limit=limit,
        augmenter=augmenter,
    )


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


def build_token_classifier(
    tok2vec: Model[list[Doc], list[Floats2d]], nO: int | None = None
) -> Model[list[Doc], list[Floats2d]]:
    """Scores of every tag for every token: a linear layer over the token vectors.

    Training sees the softmax; prediction gives the unnormalised scores, which the
    component turns into log-probabilities for decoding.
    """
    width = tok2vec.maybe_get_dim("nO")
    output = Softmax_v2(nO, width, init_W=zero_init, normalize_outputs=False)
    return chain(tok2vec, with_array(output))


BILUO_PREFIXES = ("B", "I", "L", "U")


class TokenClassifierNER(TrainablePipe):
    """Named entities from one BILUO tag per token, as a token-classification model
    (such as Hugging Face's) predicts them.

    Each token's tag is scored independently; decoding then picks the most probable
    sequence in which every entity opens, continues and closes with its own label
    (Viterbi over the valid BILUO transitions), so no broken entity comes out.
    """

    def __init__(
        self, vocab: Vocab, model: Model, name: str = "token_ner", *, scorer=None
    ):
        self.vocab, self.model, self.name, self.scorer = vocab, model, name, scorer
        self.cfg: dict = {"labels": []}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def tags(self) -> list[str]:
        """ "O", then the four tags of each label."""
        return ["O"] + [f"{p}-{label}" for label in self.labels for p in BILUO_PREFIXES]

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self._allow_resizing_output()
        self.cfg["labels"].append(label)
        return 1

    def _allow_resizing_output(self) -> None:
        if self.model.has_ref("output_layer"):
            raise ValueError(f"{self.name}: labels cannot be added after training")

    def predict(self, docs: Iterable[Doc]) -> list[Floats2d]:
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [self.model.ops.alloc2f(len(doc), len(self.tags)) for doc in docs]
        return self.model.predict(docs)

    def set_annotations(self, docs: Iterable[Doc], scores: list[Floats2d]) -> None:
        transitions = valid_transitions(self.tags)
        for doc, doc_scores in zip(docs, scores, strict=True):
            if not len(doc):
                continue
            logits = self.model.ops.to_numpy(doc_scores).astype("float32")
            log_probs = logits - numpy.logaddexp.reduce(logits, axis=1, keepdims=True)
            path = best_valid_path(log_probs, *transitions)
            doc.ents = biluo_tags_to_spans(doc, [self.tags[i] for i in path])

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, list]:
        """Cross-entropy against the gold tags; tokens whose tag is unknown (missing
        annotation, or no token boundary where the gold entity has one) count nothing."""
        loss_function = SequenceCategoricalCrossentropy(
            names=self.tags, normalize=False, missing_value=None
        )
        truths = [
            [tag if tag in self.tags else None for tag in eg.get_aligned_ner()]
            for eg in examples
        ]
        d_scores, loss = loss_function(scores, truths)
        return float(loss), d_scores

    def initialize(self, get_examples, *, nlp=None, labels=None) -> None:
        if labels is None:
            found = {ent.label_ for eg in get_examples() for ent in eg.reference.ents}
            labels = sorted(found)
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError(f"{self.name}: the training data holds no entities")
        doc_sample, tag_sample = [], []
        for eg in islice(get_examples(), 10):
            doc_sample.append(eg.predicted)
            gold = [
                self.tags.index(t) if t in self.tags else 0
                for t in eg.get_aligned_ner()
            ]
            one_hot = numpy.zeros((len(gold), len(self.tags)), dtype="float32")
            one_hot[numpy.arange(len(gold)), gold] = 1.0
            tag_sample.append(self.model.ops.asarray2f(one_hot))
        self.model.initialize(X=doc_sample, Y=tag_sample)


def valid_transitions(tags: list[str]) -> tuple[numpy.ndarray, ...]:
    """Which tags may open a document, follow each tag, and close a document."""
    prefix = [tag.split("-", 1)[0] for tag in tags]
    label = [tag.split("-", 1)[1] if "-" in tag else "" for tag in tags]
    opens = numpy.array([p in {"O", "B", "U"} for p in prefix])
    closes = numpy.array([p in {"O", "L", "U"} for p in prefix])
    inside = numpy.array([p in {"I", "L"} for p in prefix])
    follows = numpy.zeros((len(tags), len(tags)), dtype=bool)
    for before in range(len(tags)):
        if prefix[before] in {"B", "I"}:  # the entity must go on with its label
            follows[before] = inside & (numpy.array(label) == label[before])
        else:
            follows[before] = opens
    return opens, follows, closes


def best_valid_path(
    log_probs: numpy.ndarray,
    opens: numpy.ndarray,
    follows: numpy.ndarray,
    closes: numpy.ndarray,
) -> list[int]:
    """The tag sequence of highest total log-probability among the valid ones."""
    impossible = -1e9
    n_tokens = log_probs.shape[0]
    score = numpy.where(opens, log_probs[0], impossible)
    transition = numpy.where(follows, 0.0, impossible)
    back = numpy.zeros(log_probs.shape, dtype=numpy.int64)
    for i in range(1, n_tokens):
        candidates = score[:, None] + transition  # previous tag x next tag
        back[i] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[i]
    score = numpy.where(closes, score, impossible)
    path = [int(score.argmax())]
    for i in range(n_tokens - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def make_token_ner(
    nlp: Language, name: str, model: Model, scorer: Callable | None
) -> TokenClassifierNER:
    return TokenClassifierNER(nlp.vocab, model, name, scorer=scorer)


def register_functions() -> None:
    """Register the functions above under the names the config gives them.

    Importing this module does it. A Ray worker gets the module by value instead of
    importing it (ner_project/annotation/engines.py), so the pipeline actor calls this
    itself.
    """
    registry.schedules.register(
        "ner_project.warmup_linear.v1", func=warmup_linear_fraction
    )
    registry.readers.register("ner_project.read_patterns.v1", func=read_patterns)
    registry.optimizers.register(
        "ner_project.pretrained_scaled_adam.v1", func=pretrained_scaled_adam
    )
    registry.readers.register("ner_project.chunked_corpus.v1", func=chunked_corpus)
    registry.misc.register(
        "ner_project.contact_ents_filter.v1", func=make_contact_ents_filter
    )
    registry.architectures.register(
        "ner_project.TokenClassifier.v1", func=build_token_classifier
    )
    if not Language.has_factory("token_ner"):
        Language.factory(
            "token_ner",
            assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
            default_config={"scorer": {"@scorers": "spacy.ner_scorer.v1"}},
            default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0},
        )(make_token_ner)


register_functions()
