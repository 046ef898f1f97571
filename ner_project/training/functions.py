"""Functions and components that the config registers; shipped inside the packaged
pipeline (--code), so this file imports nothing from the project."""

import contextlib
import importlib.util
import random
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path

import numpy
import srsly
from spacy.language import Language
from spacy.pipeline import EntityRecognizer, TrainablePipe
from spacy.pipeline.ner import DEFAULT_NER_MODEL
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Doc, Span
from spacy.training import Corpus, Example, biluo_tags_to_spans, iob_to_biluo
from spacy.util import minibatch, registry
from spacy.vocab import Vocab
from spacy_transformers.layers.hf_shim import HFShim
from thinc.api import (
    CupyOps,
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
from thinc.util import xp2torch
from transformers import PreTrainedTokenizerFast


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


class EntitySwap:
    """An augmenter that gives some training examples other entity texts: each entity
    of `labels` (None: every label) replaced by one that an earlier example had under
    the same label, with probability `level` per example.

    Real CVs are few (279 to train on) and the model learns their names, companies and
    colleges by heart; another CV's value in the same place teaches it to read the
    place. The values come from the corpus itself as it streams past, so nothing is
    invented and no list needs shipping."""

    def __init__(self, level: float, labels: Sequence[str] | None = None):
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"entity_swap level must be in [0, 1], not {level}")
        self.level = level
        self.labels = None if labels is None else set(labels)
        self.values: dict[str, list[tuple]] = {}  # label -> distinct values, in order
        self.known: set[tuple[str, tuple]] = set()  # (label, value) already in values

    def __call__(self, nlp: Language, example: Example) -> Iterator[Example]:
        if self.level == 0.0:
            yield example
            return
        reference = example.reference
        swappable = [
            ent
            for ent in reference.ents
            if self.labels is None or ent.label_ in self.labels
        ]
        swap = bool(swappable) and random.random() < self.level
        # how many values earlier examples gave each label, before this one's join
        earlier = (
            {ent.label_: len(self.values.get(ent.label_, ())) for ent in swappable}
            if swap
            else {}
        )
        for ent in swappable:
            key = (ent.label_, entity_value(ent))
            if key not in self.known:
                self.known.add(key)
                self.values.setdefault(ent.label_, []).append(key[1])
        yield swapped_example(nlp, reference, self.values, earlier) if swap else example


def entity_value(ent: Span) -> tuple[tuple[str, bool], ...]:
    """An entity's words, each with whether a space follows it."""
    return tuple((token.text, bool(token.whitespace_)) for token in ent)


def swapped_example(
    nlp: Language,
    reference: Doc,
    values: Mapping[str, list[tuple]],
    earlier: Mapping[str, int],
) -> Example:
    """`reference` with each entity whose label has earlier values (the first
    `earlier[label]` of `values[label]`) given one of them (its last word followed by
    what followed the entity), as an Example whose predicted side has the same words."""
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    starts = {ent.start: ent for ent in reference.ents}
    i = 0
    while i < len(reference):
        if (ent := starts.get(i)) is None:
            token = reference[i]
            words.append(token.text)
            spaces.append(bool(token.whitespace_))
            tags.append(token.ent_iob_)  # "O", or "" where the annotation is missing
            i += 1
            continue
        count = earlier.get(ent.label_, 0)
        value = (
            values[ent.label_][random.randrange(count)] if count else entity_value(ent)
        )
        for k, (word, space) in enumerate(value):
            words.append(word)
            spaces.append(space if k < len(value) - 1 else bool(ent[-1].whitespace_))
            tags.append(("B-" if k == 0 else "I-") + ent.label_)
        i = ent.end
    gold = Doc(nlp.vocab, words=words, spaces=spaces, ents=tags)
    return Example(Doc(nlp.vocab, words=words, spaces=spaces), gold)


def entity_swap(level: float, labels: list[str] | None = None) -> EntitySwap:
    """`EntitySwap` as the config names it (`corpora.train.augmenter`)."""
    return EntitySwap(level, labels)


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

    def is_phone(tokens: list[str]) -> bool:
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
        matches = list(matches)
        # the phone pattern's sub-runs overlap: read each token's text once
        texts = [token.text for token in matches[0].doc] if matches else []
        kept = [
            m
            for m in matches
            if m.label_ != phone_label or is_phone(texts[m.start : m.end])
        ]
        for match in kept:
            match._.confidence = 1.0  # a rule's match is certain, not a guess
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


TAG_PREFIXES = {"BILUO": ("B", "I", "L", "U"), "BIO": ("B", "I")}


class TokenClassifierNER(TrainablePipe):
    """Named entities from one tag per token (BILUO, or BIO as Hugging Face's
    token-classification models use), as a token-classification model predicts them.

    Each token's tag is scored independently; decoding then picks the most probable
    sequence in which every entity opens and continues with its own label (Viterbi over
    the scheme's valid transitions), so no broken entity comes out.
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "token_ner",
        *,
        scheme: str = "BILUO",
        scorer=None,
    ):
        if scheme not in TAG_PREFIXES:
            raise ValueError(f"{name}: scheme {scheme!r}: choose BILUO or BIO")
        self.vocab, self.model, self.name, self.scorer = vocab, model, name, scorer
        self.cfg: dict = {"labels": [], "scheme": scheme}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def scheme(self) -> str:
        return self.cfg.get("scheme", "BILUO")

    @property
    def tags(self) -> list[str]:
        """ "O", then the scheme's tags of each label."""
        prefixes = TAG_PREFIXES[self.scheme]
        return ["O"] + [f"{p}-{label}" for label in self.labels for p in prefixes]

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
        tags = self.tags
        transitions = valid_transitions(tags)
        for doc, doc_scores in zip(docs, scores, strict=True):
            if not len(doc):
                continue
            logits = self.model.ops.to_numpy(doc_scores).astype("float32")
            log_probs = logits - numpy.logaddexp.reduce(logits, axis=1, keepdims=True)
            best = best_valid_path(log_probs, *transitions)
            path = [tags[i] for i in best]
            if self.scheme == "BIO":
                path = iob_to_biluo(path)
            doc.ents = biluo_tags_to_spans(doc, path)
            tag_probs = numpy.exp(log_probs[numpy.arange(len(best)), best])
            for ent in doc.ents:  # as likely as its least likely tag
                ent._.confidence = float(tag_probs[ent.start : ent.end].min())

    def gold_tags(self, example: Example) -> list[str | None]:
        """The reference's tag of each predicted token in this head's scheme; None
        where it is unknown."""
        tags = example.get_aligned_ner()
        if self.scheme == "BIO":
            tags = [biluo_to_bio(tag) for tag in tags]
        known = set(self.tags)
        return [tag if tag in known else None for tag in tags]

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, list]:
        """Cross-entropy against the gold tags; tokens whose tag is unknown (missing
        annotation, or no token boundary where the gold entity has one) count nothing."""
        loss_function = SequenceCategoricalCrossentropy(
            names=self.tags, normalize=False, missing_value=None
        )
        truths = [self.gold_tags(eg) for eg in examples]
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
            gold = [self.tags.index(t) if t else 0 for t in self.gold_tags(eg)]
            one_hot = numpy.zeros((len(gold), len(self.tags)), dtype="float32")
            one_hot[numpy.arange(len(gold)), gold] = 1.0
            tag_sample.append(self.model.ops.asarray2f(one_hot))
        self.model.initialize(X=doc_sample, Y=tag_sample)


def biluo_to_bio(tag: str | None) -> str | None:
    """L- continues an entity as I- does; U- opens one as B- does."""
    if not tag or tag[:2] not in {"L-", "U-"}:
        return tag
    return ("I-" if tag[0] == "L" else "B-") + tag[2:]


def valid_transitions(tags: list[str]) -> tuple[numpy.ndarray, ...]:
    """Which tags may open a document, follow each tag, and close a document, in
    BILUO or (where no tag is L- or U-) BIO."""
    prefix = [tag.split("-", 1)[0] for tag in tags]
    label = numpy.array([tag.split("-", 1)[1] if "-" in tag else "" for tag in tags])
    biluo = any(p in {"L", "U"} for p in prefix)
    opens = numpy.array([p in {"O", "B", "U"} for p in prefix])
    closes = numpy.array([p in {"O", "L", "U"} or not biluo for p in prefix])
    inside = numpy.array([p in {"I", "L"} for p in prefix])
    follows = numpy.zeros((len(tags), len(tags)), dtype=bool)
    for before in range(len(tags)):
        goes_on = inside & (label == label[before])
        if prefix[before] in {"B", "I"} and biluo:  # the entity must go on
            follows[before] = goes_on
        elif prefix[before] in {"B", "I"}:  # BIO: it goes on, or another opens
            follows[before] = opens | goes_on
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


def padding_limited_groups(
    lengths: Sequence[int], max_padding: float, max_items: int
) -> list[list[int]]:
    """The indices of `lengths`, shortest first, in groups that each pad to their
    longest member with at most `max_padding` of the computed pieces being padding, and
    at most `max_items` pieces (longest x count) per group, but never fewer than one
    member."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    group: list[int] = []
    total = 0
    for i in order:
        longest, size = lengths[i], len(group) + 1
        padded = longest * size
        if group and (
            padded > max_items or (padded - total - lengths[i]) > max_padding * padded
        ):
            groups.append(group)
            group, total = [], 0
        group.append(i)
        total += lengths[i]
    if group:
        groups.append(group)
    return groups


def forward_in_length_groups(model: Model, docs: list[Doc], is_train: bool):
    """The transformer's forward pass, in prediction computed over the spans of the
    whole batch in groups of similar length (across documents), so that little of
    what is computed is padding; the outputs are put back in the order and the padded
    shape that spacy-transformers expects. Training runs spacy-transformers' own."""
    from spacy_transformers.align import get_alignment_via_offset_mapping
    from spacy_transformers.data_classes import FullTransformerBatch, WordpieceBatch
    from spacy_transformers.layers.transformer_model import (
        forward,
        huggingface_tokenize,
    )
    from spacy_transformers.truncate import truncate_oversize_splits

    tokenizer = model.tokenizer
    if is_train:
        # Its weights change from now on: an exported copy would fall behind.
        runtime_state(model).trained = True
    if is_train or not isinstance(tokenizer, PreTrainedTokenizerFast):
        return forward(model, docs, is_train)
    nested_spans = model.attrs["get_spans"](docs)
    flat_spans = [span for doc_spans in nested_spans for span in doc_spans]
    if not flat_spans:
        return forward(model, docs, is_train)
    encoding = huggingface_tokenize(tokenizer, [span.text for span in flat_spans])
    wordpieces = WordpieceBatch.from_batch_encoding(encoding)
    align = get_alignment_via_offset_mapping(flat_spans, encoding["offset_mapping"])
    wordpieces, align = truncate_oversize_splits(
        wordpieces, align, tokenizer.model_max_length
    )
    groups = padding_limited_groups(
        wordpieces.lengths, model.attrs["max_padding"], model.attrs["max_items"]
    )
    outputs = []
    for group in groups:
        width = max(wordpieces.lengths[i] for i in group)
        part = WordpieceBatch(
            strings=[wordpieces.strings[i] for i in group],
            input_ids=wordpieces.input_ids[group, :width],
            attention_mask=wordpieces.attention_mask[group, :width],
            lengths=[wordpieces.lengths[i] for i in group],
            token_type_ids=(
                None
                if wordpieces.token_type_ids is None
                else wordpieces.token_type_ids[group, :width]
            ),
        )
        outputs.append(run_transformer(model, part))
    model_output = scatter_outputs(groups, outputs, len(flat_spans))
    batch = FullTransformerBatch(
        spans=nested_spans,
        wordpieces=wordpieces,
        model_output=model_output,
        align=align,
    )
    # The lengths of the last prediction's groups, for the padding it left.
    model.attrs["last_groups"] = [[wordpieces.lengths[i] for i in g] for g in groups]
    return batch, lambda d_output: docs


RUNTIMES = ("auto", "torch", "onnxruntime")
ONNX_OPSET = 17


def resolve_runtime(runtime: str) -> str:
    """The runtime that `runtime` names on this machine: "auto" is ONNX Runtime where
    it is installed, PyTorch otherwise."""
    if runtime not in RUNTIMES:
        raise ValueError(
            f"unknown transformer runtime {runtime!r}: use one of {', '.join(RUNTIMES)}"
        )
    if runtime == "torch" or importlib.util.find_spec("onnxruntime") is None:
        return "torch"
    return "onnxruntime"


def run_transformer(model: Model, part):
    """The Hugging Face model's output for one batch of word pieces, from the runtime
    the model's runtime state names (PyTorch for a model being trained, one
    quantized to int8, or on a GPU)."""
    hf_model = model.layers[0].shims[0]._model
    on_cpu = next(hf_model.parameters()).device.type == "cpu"  # moved as a whole
    state = runtime_state(model)
    runtime = resolve_runtime(state.runtime)
    exportable = on_cpu and not state.trained and state.int8 != "torch"
    if runtime == "onnxruntime" and exportable:
        if state.session is None:
            try:
                state.session = OnnxTransformer(
                    hf_model,
                    part.token_type_ids is not None,
                    int8=state.int8 == "onnxruntime",
                )
            except (ImportError, OSError) as error:  # no exporter, cache not writable
                warnings.warn(f"The transformer runs in PyTorch: {error}", stacklevel=2)
                state.runtime = "torch"
                if state.int8:
                    quantize_torch_modules(model)
        if state.session is not None:
            return state.session(part)
    output, _ = model.layers[0](part, False)
    return output


class RuntimeState:
    """How one loaded model predicts, in its attrs but never saved with it (msgpack
    cannot write it), so that the config's runtime holds for a loaded pipeline."""

    def __init__(self):
        self.runtime = "torch"  # one of RUNTIMES
        self.trained = False  # updated since it was made or loaded
        # int8 by "onnxruntime" (its export quantized) or "torch" (its PyTorch
        # modules quantized); None in fp32
        self.int8: str | None = None
        self.session: OnnxTransformer | None = None

    def use(self, runtime: str) -> None:
        resolve_runtime(runtime)  # refuses an unknown name
        self.runtime = runtime

    def installed(self) -> str:
        """The runtime its setting names on this machine."""
        return resolve_runtime(self.runtime)

    def quantize(self, model: Model) -> str:
        """Run `model` in int8 from now on, by ONNX Runtime where its setting names it
        (the export quantized on first use; not for a model updated since it was
        loaded, which runs PyTorch), else by PyTorch (its modules quantized now);
        which of the two."""
        if not self.int8:
            if self.installed() == "onnxruntime" and not self.trained:
                self.int8, self.session = "onnxruntime", None
            else:
                quantize_torch_modules(model)
        return self.int8


def quantize_torch_modules(model: Model) -> int:
    """Swap each PyTorch model of `model` for a copy whose linear layers run in int8
    (weights quantized once, activations per call); the number swapped."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    swapped = 0
    for shim in (shim for node in model.walk() for shim in node.shims):
        module = getattr(shim, "_model", None)
        if not isinstance(module, torch.nn.Module):
            continue
        with warnings.catch_warnings():  # its deprecation notice, once per load
            warnings.simplefilter("ignore")
            quantized = quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8)
        shim._model = quantized
        if hasattr(shim, "_hfmodel"):
            shim._hfmodel.transformer = quantized
        swapped += 1
    runtime_state(model).int8 = "torch"
    return swapped


def runtime_state(model: Model) -> RuntimeState:
    return model.attrs.setdefault("runtime_state", RuntimeState())


class OnnxTransformer:
    """The Hugging Face model exported to ONNX once (cached under its weights' digest
    in NER_ONNX_CACHE, else ~/.cache/ner_project/onnx), fused (fp32) or quantized
    (int8), and run by ONNX Runtime with PyTorch's thread count; outputs as PyTorch
    tensors, like the model's own."""

    def __init__(self, hf_model, with_token_types: bool, int8: bool = False):
        self.input_names = ["input_ids", "attention_mask"]
        if with_token_types:
            self.input_names.append("token_type_ids")
        self.export_path = exported_onnx(hf_model, self.input_names)
        # int8 from the plain export: its matrix products are all MatMul nodes
        path = (
            quantized_onnx(self.export_path)
            if int8
            else fused_onnx(self.export_path, hf_model.config)
        )
        self.session = onnx_session(path)
        self.path = path

    def __call__(self, part):
        import torch
        from transformers.modeling_outputs import BaseModelOutput

        inputs = onnx_inputs(part, self.input_names)
        (hidden,) = self.session.run(["last_hidden_state"], inputs)
        return BaseModelOutput(last_hidden_state=torch.from_numpy(hidden))


def onnx_session(path: Path):
    """An ONNX Runtime session of the model at `path` on the CPU, with PyTorch's
    thread count (the service and `annotate` size torch's threads)."""
    import onnxruntime
    import torch

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(path), options, providers=["CPUExecutionProvider"]
    )


def onnx_inputs(part, input_names: list[str]) -> dict[str, numpy.ndarray]:
    """The inputs named `input_names` of a batch of word pieces, as ONNX Runtime
    takes them."""
    feed = {
        "input_ids": part.input_ids,
        "attention_mask": part.attention_mask,
        "token_type_ids": part.token_type_ids,
    }
    return {
        name: numpy.ascontiguousarray(_as_numpy(feed[name]), dtype=numpy.int64)
        for name in input_names
    }


def _as_numpy(array) -> numpy.ndarray:
    return array.numpy() if hasattr(array, "numpy") else numpy.asarray(array)


def exported_onnx(hf_model, input_names: list[str]) -> Path:
    """The ONNX file of `hf_model` with these inputs, exported on first use (written
    to a temporary name and renamed, so a file in the cache is always whole)."""
    import hashlib
    import os
    import tempfile

    import torch

    digest = hashlib.sha256()
    digest.update(repr((input_names, torch.__version__, ONNX_OPSET)).encode())
    digest.update(hf_model.config.to_json_string().encode())
    for key, tensor in hf_model.state_dict().items():
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    default_cache = Path.home() / ".cache" / "ner_project" / "onnx"
    cache = Path(os.environ.get("NER_ONNX_CACHE") or default_cache)
    path = cache / f"{digest.hexdigest()[:24]}.onnx"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    example = {name: torch.ones((2, 8), dtype=torch.long) for name in input_names}
    axes = {name: {0: "batch", 1: "pieces"} for name in input_names}
    axes["last_hidden_state"] = {0: "batch", 1: "pieces"}
    with tempfile.NamedTemporaryFile(dir=cache, suffix=".part", delete=False) as tmp:
        part_path = Path(tmp.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                hf_model.eval(),
                (),
                str(part_path),
                kwargs=example,
                input_names=input_names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=ONNX_OPSET,
                dynamo=False,
            )
        part_path.replace(path)
    finally:
        part_path.unlink(missing_ok=True)
    return path


def temporary_onnx_beside(path: Path) -> Path:
    """A new empty file beside `path` to write a derived model to, then rename."""
    import tempfile

    with tempfile.NamedTemporaryFile(
        dir=path.parent, suffix=".part.onnx", delete=False
    ) as tmp:
        return Path(tmp.name)


FUSED_MAX_DIFFERENCE = 1e-4  # how far a fused hidden state may be from the export


def fused_onnx(path: Path, config) -> Path:
    """The ONNX model at `path` with ONNX Runtime's transformer fusions (attention,
    skip layer norms, GELU with its bias, the embeddings' layer norm in one operator
    each), made once beside it; 1.08x to 1.11x the plain export's speed in fp32 on the
    resume CVs (2 threads). Where the fusion fails, or its hidden states differ from the
    export's by more than FUSED_MAX_DIFFERENCE on a probe batch, the plain export,
    with a warning, and a marker file so that the next load does not try again."""
    target = path.with_suffix(".fused.onnx")
    skipped = path.with_suffix(".unfused")
    if target.is_file():
        return target
    if skipped.is_file():
        return path
    part_path = temporary_onnx_beside(path)
    try:
        reason = _fuse(path, part_path, config)
        if reason is None:
            part_path.replace(target)
            return target
        warnings.warn(f"The transformer runs unfused: {reason}", stacklevel=2)
        skipped.write_text(reason + "\n")
        return path
    finally:
        part_path.unlink(missing_ok=True)


def _fuse(path: Path, target: Path, config) -> str | None:
    """Write the fused model of `path` to `target`; None, else why it was not kept."""
    from onnxruntime.transformers.optimizer import optimize_model

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimize_model(
                str(path),
                model_type="bert",
                num_heads=getattr(config, "num_attention_heads", 0) or 0,
                hidden_size=getattr(config, "hidden_size", 0) or 0,
                opt_level=0,
            )
            fused.save_model_to_file(str(target))
    except Exception as error:  # noqa: BLE001 - any failure leaves the plain export
        return f"ONNX Runtime could not fuse it ({type(error).__name__}: {error})"
    sessions = [onnx_session(model) for model in (path, target)]
    probe = numpy.random.default_rng(0)
    vocabulary = getattr(config, "vocab_size", 0) or 1000
    mask = numpy.ones((2, 24), dtype=numpy.int64)
    mask[1, 13:] = 0  # a padded row, as in any batch
    feed = {
        "input_ids": probe.integers(1, vocabulary, size=(2, 24), dtype=numpy.int64),
        "attention_mask": mask,
        "token_type_ids": numpy.zeros((2, 24), dtype=numpy.int64),
    }
    names = [node.name for node in sessions[0].get_inputs()]
    try:
        plain, joined = (
            session.run(["last_hidden_state"], {name: feed[name] for name in names})[0]
            for session in sessions
        )
    except Exception as error:  # noqa: BLE001
        return f"the fused model does not run ({type(error).__name__}: {error})"
    rows = mask.astype(bool)
    difference = float(numpy.abs(plain[rows] - joined[rows]).max())
    if difference > FUSED_MAX_DIFFERENCE:
        return f"its hidden states differ from the export's by {difference:.2g}"
    return None


def quantized_onnx(path: Path) -> Path:
    """The ONNX model at `path` with its matrix products' weights quantized to int8,
    a scale for each output column (per channel), and activations quantized per call
    (ONNX Runtime's dynamic quantization), made once beside it. One scale per matrix
    cost the resume model 0.0033 test F1, per column 0.0006, at the same speed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = path.with_suffix(".int8-per-channel.onnx")
    if target.is_file():
        return target
    part_path = temporary_onnx_beside(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                path, part_path, per_channel=True, weight_type=QuantType.QInt8
            )
        part_path.replace(target)
    finally:
        part_path.unlink(missing_ok=True)
    return target


def scatter_outputs(groups: list[list[int]], outputs: list, n_spans: int):
    """One output of the groups' outputs: each tensor row back at its span's index,
    sequences padded with zeros to the longest."""
    import torch

    merged = {}
    for key in outputs[0].keys():
        parts = [output[key] for output in outputs]
        if isinstance(parts[0], torch.Tensor):
            merged[key] = scatter_rows(groups, parts, n_spans)
        elif isinstance(parts[0], tuple):  # one tensor per layer (hidden_states)
            merged[key] = tuple(
                scatter_rows(groups, [part[layer] for part in parts], n_spans)
                for layer in range(len(parts[0]))
            )
    return type(outputs[0])(**merged)


def scatter_rows(groups: list[list[int]], parts: list, n_spans: int):
    """The groups' tensors as one, each row at its span's index. On the CPU the copy
    runs in numpy: PyTorch's indexed copy ran 14 times slower inside the pipeline
    (26 ms a pass against 1.9 on CoNLL-2003's long texts at batch 64), not on its own."""
    import torch

    # numpy has no bfloat16: such outputs stay in PyTorch
    on_cpu = parts[0].device.type == "cpu" and parts[0].dtype != torch.bfloat16
    arrays = [part.detach().numpy() for part in parts] if on_cpu else parts
    first = arrays[0]
    longest = max(array.shape[1] for array in arrays) if first.ndim > 2 else None
    shape = (
        (n_spans, longest, *first.shape[2:]) if longest else (n_spans, *first.shape[1:])
    )
    full = numpy.zeros(shape, dtype=first.dtype) if on_cpu else first.new_zeros(shape)
    for group, array in zip(groups, arrays, strict=True):
        index = group if on_cpu else torch.as_tensor(group, device=array.device)
        if longest:
            full[index, : array.shape[1]] = array
        else:
            full[index] = array
    return torch.from_numpy(full) if on_cpu else full


class AveragedHFShim(HFShim):
    """spacy-transformers' shim, which can also run on the optimizer's parameter
    averages (`use_averages`: spaCy evaluates and saves a model under them).

    thinc's PyTorch shim keeps its averages under the key (shim id, parameter name)
    but looks them up under another, so the transformer never ran on them; and a
    parameter that never had a gradient (BERT's pooler, which NER does not use) has no
    average, and keeps its weights.
    """

    @contextlib.contextmanager
    def use_params(self, params):
        averaged = {
            name: xp2torch(params[(self.id, name)], device=self.device)
            for name, _ in self._model.named_parameters()
            if (self.id, name) in params
        }
        if not averaged:
            yield
            return
        weights = self._model.state_dict()
        trained = {name: weights[name].clone() for name in averaged}
        self._model.load_state_dict(averaged, strict=False)
        try:
            yield
        finally:
            self._model.load_state_dict(trained, strict=False)


def length_grouped_transformer(
    name: str,
    get_spans: Callable,
    tokenizer_config: dict,
    transformer_config: dict,
    mixed_precision: bool,
    grad_scaler_config: dict,
    max_padding: float,
    max_items: int,
    runtime: str = "torch",
) -> Model:
    """spacy-transformers' TransformerModel (same weights, same training), whose
    prediction computes the spans of a batch in groups of similar length: at most
    `max_padding` of the pieces computed are padding, at most `max_items` pieces a
    group, by `runtime`: "torch", "onnxruntime", or "auto" (ONNX Runtime where it is
    installed). Pipelines saved before the setting existed run PyTorch."""
    from spacy_transformers.layers import TransformerModel

    model = TransformerModel(
        name,
        get_spans,
        tokenizer_config,
        transformer_config,
        mixed_precision,
        grad_scaler_config,
    )
    # TransformerModel makes its shim itself; this one also runs on weight averages
    model.layers[0].shims[0].__class__ = AveragedHFShim
    model._func = forward_in_length_groups
    model.attrs["max_padding"] = max_padding
    model.attrs["max_items"] = max_items
    runtime_state(model).use(runtime)  # an unknown name fails when the config is read
    return model


class EntityConfidence:
    """Each entity of a transition-based NER gets the probability its greedy parse gave
    it: the product, over the entity's tokens, of the probability of the action taken
    there among the actions valid there, after dividing the action scores by
    `temperature` (above 1 softens an overconfident model).

    The greedy parse has already set `doc.ents` and consumed one token per action, so
    its actions are the entities' BILUO tags. A `batched_ner` keeps the scores its
    parse saw for this component; otherwise (spaCy's own NER, or entities changed since
    the parse) this replays the actions on the transformer output the docs already
    hold. The entities stay as they were. A beam's parse probabilities, over a whole CV,
    put almost all the mass on one parse and said 0 or 1 of an entity whether it was
    right or not.

    `ensure_labels` names labels that every document holds an entity of (a CV always
    names its owner): where the greedy parse found none, the likeliest span of the
    label that it left outside its entities is added, with its probability as its
    confidence (`likeliest_span`), if that is at least `ensure_min_confidence`.

    `min_confidence` gives labels a floor: their entities less confident than it are
    taken out of `doc.ents` (`scripts/fit_floors.py` fits the floors on dev). An
    ensured label has its floor in `ensure_min_confidence` instead.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        ner: str,
        temperature: float,
        ensure_labels: Sequence[str] = (),
        ensure_min_confidence: float = 0.0,
        min_confidence: Mapping[str, float] | None = None,
    ):
        if not temperature > 0:
            raise ValueError(f"{name}: temperature must be above 0, not {temperature}")
        if not 0 <= ensure_min_confidence <= 1:
            raise ValueError(
                f"{name}: ensure_min_confidence must be within 0 and 1, "
                f"not {ensure_min_confidence}"
            )
        self.nlp, self.name, self.ner = nlp, name, ner
        self.temperature = temperature
        self.ensure_labels = list(ensure_labels)
        self.ensure_min_confidence = ensure_min_confidence
        self.min_confidence = checked_floors(name, min_confidence or {}, ensure_labels)

    def __call__(self, doc: Doc) -> Doc:
        self.set_confidences([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            self.set_confidences(batch)
            yield from batch

    def set_confidences(self, docs: list[Doc]) -> None:
        ner = self.nlp.get_pipe(self.ner)
        if hasattr(ner, "keep_scores"):  # a batched_ner: from its next batch on
            ner.keep_scores = True
        key = kept_parse_key(self.ner)
        kept_parses = [(doc, doc.user_data.pop(key, None)) for doc in docs]
        kept_parses = [
            (doc, kept)
            for doc, kept in kept_parses
            if len(doc) and (doc.ents or self.missing_labels(doc))
        ]
        if not kept_parses:
            return
        docs, kept = zip(*kept_parses, strict=True)
        actions = NerActions(ner.moves)
        tags = [biluo_tags(doc) for doc in docs]
        taken = [numpy.array([actions.index[tag] for tag in t]) for t in tags]
        parses = list(kept)
        replay = [
            i
            for i, (parse, doc_taken) in enumerate(zip(kept, taken, strict=True))
            if parse is None or not numpy.array_equal(parse[1], doc_taken)
        ]
        if replay:
            scores, rows = replayed_scores(
                ner, [docs[i] for i in replay], [tags[i] for i in replay]
            )
            for i, doc_rows in zip(replay, rows, strict=True):
                valid = actions.valid(docs[i], taken[i])
                valid[numpy.arange(len(docs[i])), taken[i]] = True  # preset entities
                parses[i] = (numpy.where(valid, scores[doc_rows], -numpy.inf), taken[i])
        for doc, (valid_scores, doc_taken) in zip(docs, parses, strict=True):
            doc_scores = valid_scores / self.temperature
            log_probs = doc_scores - numpy.logaddexp.reduce(
                doc_scores, axis=1, keepdims=True
            )
            log_p = log_probs[numpy.arange(len(doc)), doc_taken]
            for ent in doc.ents:
                entity_log_p = log_p[ent.start : ent.end].sum()
                # an entity set before the NER, of a label it never learned, has no
                # score of the model's: it gets no confidence
                if numpy.isfinite(entity_log_p):
                    ent._.confidence = float(numpy.exp(entity_log_p))
            added = []
            free = actions.out[doc_taken]
            for label in self.missing_labels(doc):  # each on the tokens still free
                found = likeliest_span(
                    ner,
                    actions,
                    doc,
                    log_probs,
                    doc_taken,
                    free,
                    label,
                    self.temperature,
                )
                if found is None:
                    continue
                span, entity_log_p = found
                confidence = float(numpy.exp(entity_log_p))
                if confidence >= self.ensure_min_confidence:
                    span._.confidence = confidence
                    free[span.start : span.end] = False
                    added.append(span)
            if added:  # a span's confidence is kept by its offsets and label
                doc.ents = sorted([*doc.ents, *added], key=lambda ent: ent.start)
            if self.min_confidence:
                doc.ents = above_floors(doc.ents, self.min_confidence)

    def missing_labels(self, doc: Doc) -> list[str]:
        """The labels of `ensure_labels` that the NER knows and `doc` has no entity of."""
        if not self.ensure_labels:
            return []
        found = {ent.label_ for ent in doc.ents}
        known = set(self.nlp.get_pipe(self.ner).labels)
        return [label for label in self.ensure_labels if label in known - found]


def checked_floors(
    name: str, floors: Mapping[str, float], ensure_labels: Sequence[str]
) -> dict[str, float]:
    """`min_confidence` as a plain dict, once each floor is a probability and no label
    is both floored and ensured (whose floor is `ensure_min_confidence`)."""
    for label, floor in floors.items():
        if not 0 <= floor <= 1:
            raise ValueError(
                f"{name}: min_confidence of {label} must be within 0 and 1, not {floor}"
            )
    if both := sorted(set(floors) & set(ensure_labels)):
        raise ValueError(
            f"{name}: {', '.join(both)} in both ensure_labels and min_confidence; an "
            "ensured label's floor is ensure_min_confidence"
        )
    return {label: float(floor) for label, floor in floors.items()}


def above_floors(ents: Iterable[Span], floors: Mapping[str, float]) -> list[Span]:
    """The entities at least as confident as their label's floor (entities of a label
    without one, or without a confidence, all stay)."""
    return [
        ent
        for ent in ents
        if ent._.confidence is None or ent._.confidence >= floors.get(ent.label_, 0.0)
    ]


def likeliest_span(
    ner,
    actions: "NerActions",
    doc: Doc,
    log_probs: numpy.ndarray,
    taken: numpy.ndarray,
    free: numpy.ndarray,
    label: str,
    temperature: float,
) -> tuple[Span, float] | None:
    """The likeliest entity of `label` on the tokens marked `free` (ones the greedy
    parse left outside its entities), and its log-probability, or None where it can
    start nowhere.

    `log_probs` are the parse's action log-probabilities (from its scores divided by
    the temperature; -inf where invalid) and `taken` its actions. An entity of one
    token is a Unit there; a longer one a Begin, then at each next token the likelier
    of In and Last in the state the head reaches (scored anew), until Last. Begins are tried from the likeliest down,
    while one could still beat the best found: each goes on only as far as the head
    takes it, so this is a few head steps, not a search over all spans.
    """
    unit = numpy.where(free, log_probs[:, actions.index[f"U-{label}"]], -numpy.inf)
    best: tuple[float, int, int] | None = None
    if numpy.isfinite(unit.max()):
        start = int(unit.argmax())
        best = (float(unit[start]), start, start + 1)
    begin = numpy.where(free, log_probs[:, actions.index[f"B-{label}"]], -numpy.inf)
    begin[:-1][~free[1:]] = -numpy.inf  # an entity of two tokens or more
    begin[-1] = -numpy.inf
    step_model = None
    for start in numpy.argsort(-begin, kind="stable"):
        if not numpy.isfinite(begin[start]) or (best and begin[start] <= best[0]):
            break
        if step_model is None:  # what a Begin's continuation needs, once
            step_model = ner.model.predict([doc])
            can_continue = token_flags([doc])[1][0]
        total, end = _continued(
            ner,
            actions,
            doc,
            step_model,
            taken,
            free,
            can_continue,
            int(start),
            label,
            temperature,
        )
        total += float(begin[start])
        if best is None or total > best[0]:
            best = (total, int(start), end)
    if step_model is not None:
        step_model.clear_memory()
    if best is None:
        return None
    return Span(doc, best[1], best[2], label=label), best[0]


def _continued(
    ner, actions, doc, step_model, taken, free, can_continue, start, label, temperature
):
    """The log-probability of the tokens after an entity's Begin at `start`, each the
    likelier of In and Last (In only onto a `free` token, and only where
    `can_continue`, token_flags' row of the doc, allows), and the entity's end."""
    inside, last = actions.index[f"I-{label}"], actions.index[f"L-{label}"]
    (state,) = ner.moves.init_batch([doc])
    for action in taken[:start]:
        ner.moves.apply_transition(state, actions.names[action])
    ner.moves.apply_transition(state, f"B-{label}")
    total = 0.0
    for t in range(start + 1, len(doc)):
        scores = action_scores(step_model, step_model.get_token_ids([state]))[0]
        scores = scores / temperature
        may_go_on = bool(can_continue[t])
        valid = [inside, last] if may_go_on else [last]
        log_p = scores[valid] - numpy.logaddexp.reduce(scores[valid])
        goes_on = may_go_on and t + 1 < len(doc) and free[t + 1]
        if goes_on and log_p[0] > log_p[1]:
            total += float(log_p[0])
            ner.moves.apply_transition(state, f"I-{label}")
            continue
        total += float(log_p[-1])
        return total, t + 1
    return total, len(doc)  # not reached: the last token cannot continue


def kept_parse_key(ner: str) -> tuple[str, str, str]:
    """The `doc.user_data` key under which a `batched_ner` named `ner`, once an
    `entity_confidence` has asked for them, leaves the scores of the valid actions in
    each state of its parse (-inf for the others) and the actions taken. The component
    removes the entry when it reads it (as spacy-transformers keeps its output in
    `doc._.trf_data`, the data stays with its doc, wherever the doc goes)."""
    return ("ner_project", "kept_parse", ner)


def biluo_tags(doc: Doc) -> list[str]:
    """The doc's entities as BILUO tags: the actions of the parse that made them."""
    tags = ["O"] * len(doc)
    for ent in doc.ents:
        if len(ent) == 1:
            tags[ent.start] = f"U-{ent.label_}"
            continue
        tags[ent.start] = f"B-{ent.label_}"
        tags[ent.start + 1 : ent.end - 1] = [f"I-{ent.label_}"] * (len(ent) - 2)
        tags[ent.end - 1] = f"L-{ent.label_}"
    return tags


def replayed_scores(ner, docs: list[Doc], tags: list[list[str]]):
    """The NER head's action scores in each state of the parse that `tags` spell, as
    one array with a row per token of the batch, and each doc's rows. The states
    advance one token a step across the batch, as in the head's own greedy loop."""
    step_model = ner.model.predict(docs)
    states = ner.moves.init_batch(docs)
    rows = [numpy.empty(len(doc), dtype="i") for doc in docs]
    token_ids, row = [], 0
    for t in range(max(len(doc) for doc in docs)):
        live = [i for i, doc in enumerate(docs) if t < len(doc)]
        token_ids.append(step_model.get_token_ids([states[i] for i in live]))
        for i in live:
            ner.moves.apply_transition(states[i], tags[i][t])
            rows[i][t], row = row, row + 1
    scores = action_scores(step_model, numpy.concatenate(token_ids))
    step_model.clear_memory()
    return scores, rows


def action_scores(step_model, token_ids: numpy.ndarray) -> numpy.ndarray:
    """The NER head's score of each action in the states whose features are
    `token_ids`; -inf for the actions of labels it never saw in training."""
    vectors = step_model.state2vec.predict(token_ids)
    if step_model.attrs["has_upper"]:
        vectors = step_model.vec2scores.predict(vectors)
    scores = numpy.array(step_model.ops.to_numpy(vectors), dtype="float32")
    scores[:, step_model._class_mask == 0] = -numpy.inf
    return scores


class NerActions:
    """The BILUO actions of a transition-based NER, by score column, with the rules
    that make each one valid in a state (spaCy's, for docs without preset entities)."""

    def __init__(self, moves):
        self.names = [moves.get_class_name(i) for i in range(moves.n_moves)]
        self.index = {name: i for i, name in enumerate(self.names)}
        kinds = numpy.array([name.partition("-")[0] for name in self.names])
        labels = [name.partition("-")[2] for name in self.names]
        numbers = {label: n for n, label in enumerate(sorted(set(labels) - {""}), 1)}
        # each action's label as a number (0: none), and the label it leaves open
        self.label = numpy.array([numbers.get(label, 0) for label in labels])
        self.kind = {k: (kinds == k) & (self.label > 0) for k in "BILU"}
        self.out = kinds == "O"
        self.opens = numpy.where(self.kind["B"] | self.kind["I"], self.label, 0)

    def valid(self, doc: Doc, taken: numpy.ndarray) -> numpy.ndarray:
        """Per token, which actions were valid in the state that the actions `taken`
        before it reached."""
        open_label = numpy.append(0, self.opens[taken][:-1])
        space, can_continue = token_flags([doc])
        return self.valid_in(open_label, space[0], can_continue[0])

    def valid_in(
        self,
        open_label: numpy.ndarray,
        space: numpy.ndarray,
        can_continue: numpy.ndarray,
    ) -> numpy.ndarray:
        """Which actions are valid in each of some states, given the label each leaves
        open (0: none) and whether its next token is whitespace and can be followed
        within the entity: inside an entity, only its label's In (not at the end, nor
        before a sentence start) and Last; outside one, Out, and Unit and Begin (not
        on whitespace; Begin not at the end nor before a sentence start)."""
        inside = open_label > 0
        same = self.label[None, :] == open_label[:, None]
        starts = ~inside & ~space
        return (
            (inside[:, None] & same & self.kind["L"])
            | ((inside & can_continue)[:, None] & same & self.kind["I"])
            | (~inside[:, None] & self.out)
            | (starts[:, None] & self.kind["U"])
            | ((starts & can_continue)[:, None] & self.kind["B"])
        )


def token_flags(docs: list[Doc]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Per doc and token (padded to the longest doc): whether it is whitespace, and
    whether a next token exists that does not start a sentence."""
    longest = max(len(doc) for doc in docs)
    space = numpy.ones((len(docs), longest), dtype=bool)
    can_continue = numpy.zeros((len(docs), longest), dtype=bool)
    for i, doc in enumerate(docs):
        if len(doc):
            space[i, : len(doc)] = doc.to_array("IS_SPACE").astype(bool)
            can_continue[i, : len(doc) - 1] = doc.to_array("SENT_START")[1:] != 1
    return space, can_continue


class BatchedNER(EntityRecognizer):
    """spaCy's transition-based NER (same model, training, saving and entities) whose
    greedy parse checks which actions are valid for a whole batch of states at once,
    in numpy. spaCy 3.8's own loop checks every action of every state one by one and
    spends most of the parse there: this one takes about a quarter of its time.

    A beam, a GPU, and docs with entities set before the NER (which constrain the
    parse) go to spaCy's own parse. Once an `entity_confidence` reading it has run,
    each parse leaves it the scores it saw (`kept_parse_key`).
    """

    keep_scores = False

    def predict(self, docs):
        if isinstance(docs, Doc):
            docs = [docs]
        own_parse = (
            self.cfg["beam_width"] != 1
            or isinstance(self.model.ops, CupyOps)
            or not any(len(doc) for doc in docs)
            or any(doc.to_array("ENT_IOB").any() for doc in docs if len(doc))
        )
        if own_parse:
            return super().predict(docs)
        self._ensure_labels_are_added(docs)
        states, parses = greedy_parse(self.moves, self.model.predict(docs), docs)
        if self.keep_scores:
            for doc, parse in zip(docs, parses, strict=True):
                doc.user_data[kept_parse_key(self.name)] = parse
        return states


def greedy_parse(moves, step_model, docs: list[Doc]) -> tuple[list, list]:
    """The parse states of `docs` after the greedy parse (one action per token, the
    best-scoring valid one, all docs' states a step at a time), and per doc the
    scores of the valid actions in each of its states (-inf for the others) and the
    actions taken."""
    actions = NerActions(moves)
    states = moves.init_batch(docs)
    lengths = numpy.array([len(doc) for doc in docs])
    space, can_continue = token_flags(docs)
    open_label = numpy.zeros(len(docs), dtype=int)
    row_of = numpy.zeros((len(docs), lengths.max()), dtype=int)
    steps, step_taken, rows = [], [], 0
    for t in range(lengths.max()):
        live = numpy.flatnonzero(lengths > t)
        scores = action_scores(
            step_model, step_model.get_token_ids([states[i] for i in live])
        )
        valid = actions.valid_in(
            open_label[live], space[live, t], can_continue[live, t]
        )
        scores[~valid] = -numpy.inf
        taken = scores.argmax(axis=1)
        open_label[live] = actions.opens[taken]
        for i, action in zip(live, taken, strict=True):
            moves.apply_transition(states[i], actions.names[action])
        row_of[live, t] = numpy.arange(rows, rows + len(live))
        rows += len(live)
        steps.append(scores)
        step_taken.append(taken)
    step_model.clear_memory()
    all_scores, all_taken = numpy.concatenate(steps), numpy.concatenate(step_taken)
    parses = [
        (all_scores[row_of[i, :n]], all_taken[row_of[i, :n]])
        for i, n in enumerate(lengths)
    ]
    return states, parses


def make_entity_confidence(
    nlp: Language,
    name: str,
    ner: str,
    temperature: float,
    ensure_labels: list[str],
    ensure_min_confidence: float,
    min_confidence: dict[str, float],
) -> EntityConfidence:
    return EntityConfidence(
        nlp,
        name,
        ner,
        temperature,
        ensure_labels,
        ensure_min_confidence,
        min_confidence,
    )


def make_batched_ner(
    nlp: Language,
    name: str,
    model: Model,
    moves,
    update_with_oracle_cut_size: int,
    incorrect_spans_key: str | None,
    scorer: Callable | None,
) -> BatchedNER:
    return BatchedNER(
        nlp.vocab,
        model,
        name=name,
        moves=moves,
        update_with_oracle_cut_size=update_with_oracle_cut_size,
        incorrect_spans_key=incorrect_spans_key,
        scorer=scorer,
    )


def make_token_ner(
    nlp: Language, name: str, model: Model, scheme: str, scorer: Callable | None
) -> TokenClassifierNER:
    return TokenClassifierNER(nlp.vocab, model, name, scheme=scheme, scorer=scorer)


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
    registry.augmenters.register("ner_project.entity_swap.v1", func=entity_swap)
    registry.misc.register(
        "ner_project.contact_ents_filter.v1", func=make_contact_ents_filter
    )
    registry.architectures.register(
        "ner_project.TokenClassifier.v1", func=build_token_classifier
    )
    registry.architectures.register(
        "ner_project.LengthGroupedTransformer.v1", func=length_grouped_transformer
    )
    if not Span.has_extension("confidence"):
        Span.set_extension("confidence", default=None)
    if not Language.has_factory("entity_confidence"):
        Language.factory(
            "entity_confidence",
            assigns=["span._.confidence"],
            requires=["doc.ents"],
            default_config={
                "ner": "ner",
                "temperature": 1.0,
                "ensure_labels": [],
                "ensure_min_confidence": 0.0,
                "min_confidence": {},
            },
        )(make_entity_confidence)
    if not Language.has_factory("batched_ner"):
        Language.factory(
            "batched_ner",
            assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
            default_config={  # spaCy's "ner"
                "moves": None,
                "update_with_oracle_cut_size": 100,
                "model": DEFAULT_NER_MODEL,
                "incorrect_spans_key": None,
                "scorer": {"@scorers": "spacy.ner_scorer.v1"},
            },
            default_score_weights={
                "ents_f": 1.0,
                "ents_p": 0.0,
                "ents_r": 0.0,
                "ents_per_type": None,
            },
        )(make_batched_ner)
    if not Language.has_factory("token_ner"):
        Language.factory(
            "token_ner",
            assigns=[
                "doc.ents",
                "token.ent_iob",
                "token.ent_type",
                "span._.confidence",
            ],
            default_config={
                "scheme": "BILUO",
                "scorer": {"@scorers": "spacy.ner_scorer.v1"},
            },
            default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0},
        )(make_token_ner)


register_functions()
