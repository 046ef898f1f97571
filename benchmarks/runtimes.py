"""The trained pipeline, every component as it ships, with its transformer run by
PyTorch and by ONNX Runtime, in fp32 and in int8, against the Hugging Face
`pipeline("token-classification")` on the same transformer, texts and threads: words
per second per batch size, the share of computed word pieces that is padding, and the
share of the fp32 limit that the matrix-product rate measured in the same run allows.

    python -m benchmarks.runtimes training/model-best \\
        conll2003=../shared/data/conll2003/test.txt bc5cdr=../shared/data/bc5cdr/test.tsv

Each corpus is timed on long texts (passages of whole sentences, up to 80 words) and
short ones (single sentences: a line of a CV); the systems take turns, each figure is
the median of the repeats after a warm-up pass, beside the slowest and fastest pass.
The two runtimes' fp32 entities are compared on every test document; int8's F1 cost
is int8_cost.py's. The HF pipeline's head is untrained
(its speed does not depend on it). Beside it, its model's forward pass alone on the
same batches (tokenizer and model, no pre- or post-processing): how much faster than
the HF pipeline any pipeline could be whose transformer runs no faster than PyTorch's.
And ours' tokenizer and transformer alone (ONNX Runtime fp32, its grouping, no NER,
confidences or rules): how fast the pipeline could be if its other components took no
time, the ceiling of the fp32 ratios.
"""

import statistics
from datetime import UTC, datetime
from pathlib import Path

import srsly
import torch
import typer
from spacy.util import minibatch
from wasabi import msg

from benchmarks.hf_pipeline import hf_classifier, hf_forward
from benchmarks.host import machine_description
from benchmarks.pieces import padding_share
from benchmarks.speed import (
    flops_per_piece,
    limit_words_per_s,
    long_and_short_texts,
    matmul_gflops,
    timed,
)
from ner_project.conversion.corpus import read_documents
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline
from ner_project.pipeline.quantize import quantize_transformer
from ner_project.pipeline.runtime import use_runtime

RUNTIMES = ("torch", "onnxruntime")  # fp32, whose entities must agree
SYSTEMS = (*RUNTIMES, "onnxruntime_int8", "torch_int8")  # ours, each its own pipeline
# Timed beside them: ours' tokenizer and transformer alone (fp32, ONNX Runtime), and
# the HF pipeline and its forward pass.
TRANSFORMER_ALONE = "onnxruntime_transformer"
REFERENCES = (TRANSFORMER_ALONE, "hf_pipeline", "hf_forward")


def texts_limit(nlp, texts, gflops: float) -> float:
    """Words per second if the transformer's FLOPs on the texts' own pieces (no
    overlap, no padding; attention over their mean length) ran at the measured
    matrix-product rate."""
    component = nlp.get_pipe("transformer")
    tokenizer = component.model.tokenizer
    config = component.model.layers[0].shims[0]._model.config
    lengths = [len(tokenizer(text)["input_ids"]) for text, _ in texts]
    sequence = round(min(128, statistics.mean(lengths)))
    per_word = sum(lengths) / sum(words for _, words in texts)
    return limit_words_per_s(gflops, flops_per_piece(config, sequence), per_word)


def runtimes(
    model: Path = typer.Argument(..., help="Trained pipeline (folder or package)"),
    corpora: list[str] = typer.Argument(
        ..., help="NAME=TEST_FILE pairs (any annotated format)"
    ),
    output: Path = typer.Option(
        Path("benchmarks/results/runtimes.json"), help="Results JSON"
    ),
    batch_sizes: str = typer.Option("1,8,64", help="Batch sizes, comma-separated"),
    words: int = typer.Option(6000, help="Words timed per corpus and text length"),
    repeats: int = typer.Option(5, help="Timed passes of each system"),
    warmup: int = typer.Option(1, help="Untimed passes of each system first"),
    threads: int = typer.Option(2, help="torch (and ONNX Runtime) threads"),
    also_running: str = typer.Option("nothing else", help="For the record"),
) -> None:
    """Time MODEL on each corpus with each runtime, and the HF pipeline beside it."""
    torch.set_num_threads(threads)
    pipelines = load_systems(str(model))
    nlp = pipelines["torch"]
    transformer = nlp.get_pipe("transformer").model.attrs["name"]
    labels = 1 + 2 * len(nlp.get_pipe("ner").labels)
    classifier = hf_classifier(transformer, labels)
    sizes = [int(size) for size in batch_sizes.split(",")]
    gflops, results = [], []
    for corpus in corpora:
        name, _, path = corpus.partition("=")
        gflops.append(matmul_gflops(threads))
        docs, _ = read_documents([Path(path)], "en", None)
        agreement = same_entities(pipelines, [doc.text for doc in docs])
        msg.info(f"{name}: {agreement}")
        for kind, texts in long_and_short_texts(docs, words):
            limit = texts_limit(nlp, texts, gflops[-1])
            for size in sizes:
                row = time_systems(pipelines, classifier, texts, size, repeats, warmup)
                row |= {"corpus": name, "texts": kind, "batch_size": size}
                row["limit_words_per_s"] = round(limit)
                row["padding_share"] = padding_share(nlp, texts, size)
                row["entities_agree_on_test_set"] = agreement["same"]
                results.append(row)
                msg.info(str(row))
    summary = summarize(results)
    result = {
        "model": str(model),
        "transformer": transformer,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_description(threads),
        "matmul_gflops": [round(value, 1) for value in gflops],  # one per corpus
        "repeats": repeats,
        "warmup": warmup,
        "also_running": also_running,
        "rows": results,
        "summary": summary,
    }
    atomic_write_bytes(output, srsly.json_dumps(result, indent=2).encode())
    for line in summary:
        msg.text(str(line))
    msg.good(f"Results in {output}")


def load_system(model: str, name: str):
    """The pipeline loaded afresh and run as the system `name` of SYSTEMS says: its
    runtime set, and int8 applied by that runtime."""
    runtime, _, int8 = name.partition("_")
    nlp = load_pipeline(model)
    use_runtime(nlp, runtime)
    if int8 and quantize_transformer(nlp) != runtime:
        raise RuntimeError(f"{name}: int8 did not run in {runtime}")
    return nlp


def load_systems(model: str) -> dict:
    """One loaded pipeline per system of ours."""
    return {name: load_system(model, name) for name in SYSTEMS}


def same_entities(pipelines: dict, texts: list[str]) -> dict:
    """Whether both fp32 runtimes find the same entities on every text."""
    found = {
        runtime: [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in pipelines[runtime].pipe(texts, batch_size=64)
        ]
        for runtime in RUNTIMES
    }
    differing = sum(a != b for a, b in zip(*found.values(), strict=True))
    return {"documents": len(texts), "same": differing == 0, "differing": differing}


def time_systems(
    pipelines: dict, classifier, texts, size: int, repeats: int, warmup: int = 1
) -> dict:
    """Words per second of each system, the median of `repeats` passes in turns,
    after `warmup` untimed ones (a system's first pass at a batch size sizes its
    buffers: no running service pays for that again); and the slowest and fastest
    pass, for the spread."""
    speeds = {name: [] for name in (*SYSTEMS, *REFERENCES)}
    for _ in range(warmup + repeats):
        for name in SYSTEMS:
            nlp = pipelines[name]
            speeds[name].append(
                timed(lambda s, nlp=nlp: list(nlp.pipe(s, batch_size=size)), texts)
            )
        speeds[TRANSFORMER_ALONE].append(
            timed(lambda s: transformer_alone(pipelines["onnxruntime"], s, size), texts)
        )
        speeds["hf_pipeline"].append(
            timed(lambda s: classifier(s, batch_size=size), texts)
        )
        speeds["hf_forward"].append(
            timed(lambda s: hf_forward(classifier, s, size), texts)
        )
    row = {}
    for name, values in speeds.items():
        kept = values[warmup:]
        row[f"{name}_words_per_s"] = round(statistics.median(kept))
        row[f"{name}_range"] = [round(min(kept)), round(max(kept))]
    return row


def transformer_alone(nlp, strings: list[str], batch_size: int) -> None:
    """The pipeline's tokenizer and its transformer's prediction on `strings`, batch
    by batch (word pieces, length groups, forward pass), as `nlp.pipe` runs them."""
    transformer = nlp.get_pipe("transformer")
    for batch in minibatch(strings, batch_size):
        transformer.predict([nlp.make_doc(text) for text in batch])


def summarize(rows: list[dict]) -> list[dict]:
    """Per corpus and text length: each system at its fastest batch size, its ratio
    to the HF pipeline's fastest, and its share of the fp32 limit; the same for ours'
    transformer alone, and the ratio for the HF model's forward pass alone."""
    summary = []
    for key in sorted({(row["corpus"], row["texts"]) for row in rows}):
        group = [row for row in rows if (row["corpus"], row["texts"]) == key]
        best = {
            name: max(row[f"{name}_words_per_s"] for row in group)
            for name in (*SYSTEMS, *REFERENCES)
        }
        limit = group[0]["limit_words_per_s"]
        summary.append(
            {
                "corpus": key[0],
                "texts": key[1],
                **{f"{name}_best": value for name, value in best.items()},
                **{
                    f"{name}_vs_hf": round(best[name] / best["hf_pipeline"], 2)
                    for name in (*SYSTEMS, TRANSFORMER_ALONE, "hf_forward")
                },
                **{
                    f"{name}_share_of_limit": round(best[name] / limit, 2)
                    for name in (*SYSTEMS, TRANSFORMER_ALONE)
                },
            }
        )
    return summary


if __name__ == "__main__":
    typer.run(runtimes)
