"""The trained pipeline on a GPU: `nlp.pipe` words per second per batch size on the
test texts of each corpus (long passages and single sentences, as runtimes.py times
them on the CPU), beside the Hugging Face `pipeline("token-classification")` and its
model's bare forward pass on the same GPU and texts; the share of computed word pieces
that is padding; and whether the GPU finds the entities the CPU finds (PyTorch, fp32)
on every test document.

    python -m benchmarks.gpu training/model-best --gpu-id 0 \\
        conll2003=../shared/data/conll2003/test.txt bc5cdr=../shared/data/bc5cdr/test.tsv

Each figure is the median of the repeats, the systems taking turns. With --gpu-id -1
the same run happens on the CPU (to try the benchmark where there is no GPU).
"""

import statistics
from datetime import UTC, datetime
from pathlib import Path

import srsly
import torch
import typer
from wasabi import msg

from benchmarks.hf_pipeline import hf_classifier, hf_forward
from benchmarks.host import machine_details
from benchmarks.pieces import padding_share
from benchmarks.speed import long_and_short_texts, timed
from ner_project.conversion.corpus import read_documents
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline, use_gpu
from ner_project.pipeline.runtime import runtime_in_use, use_runtime
from ner_project.training.preflight import check_gpu

SYSTEMS = ("ours", "hf_pipeline", "hf_forward")


def entities(nlp, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [
        [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        for doc in nlp.pipe(texts, batch_size=64)
    ]


def time_systems(nlp, classifier, texts, size: int, repeats: int) -> dict:
    """Words per second of each system, the median of `repeats` passes in turns."""
    runs = {
        "ours": lambda s: list(nlp.pipe(s, batch_size=size)),
        "hf_pipeline": lambda s: classifier(s, batch_size=size),
        "hf_forward": lambda s: hf_forward(classifier, s, size),
    }
    speeds = {name: [] for name in SYSTEMS}
    for run in runs.values():
        run([text for text, _ in texts[:size]])  # warm-up: kernels for this shape
    for _ in range(repeats):
        for name, run in runs.items():
            speeds[name].append(timed(run, texts))
    return {
        f"{name}_words_per_s": round(statistics.median(values))
        for name, values in speeds.items()
    }


def summarize(rows: list[dict]) -> list[dict]:
    """Per corpus and text length: each system at its fastest batch size, and ours
    against the HF pipeline's fastest."""
    summary = []
    for key in sorted({(row["corpus"], row["texts"]) for row in rows}):
        group = [row for row in rows if (row["corpus"], row["texts"]) == key]
        best = {
            name: max(group, key=lambda row, name=name: row[f"{name}_words_per_s"])
            for name in SYSTEMS
        }
        summary.append(
            {
                "corpus": key[0],
                "texts": key[1],
                **{
                    f"{name}_best": row[f"{name}_words_per_s"]
                    for name, row in best.items()
                },
                **{
                    f"{name}_best_batch_size": row["batch_size"]
                    for name, row in best.items()
                },
                "ours_vs_hf": round(
                    best["ours"]["ours_words_per_s"]
                    / best["hf_pipeline"]["hf_pipeline_words_per_s"],
                    2,
                ),
            }
        )
    return summary


def gpu(
    model: Path = typer.Argument(..., help="Trained pipeline (folder or package)"),
    corpora: list[str] = typer.Argument(
        ..., help="NAME=TEST_FILE pairs (any annotated format)"
    ),
    gpu_id: int = typer.Option(0, help="GPU to run on (-1: the CPU, to try it)"),
    output: Path = typer.Option(Path("benchmarks/results/gpu.json"), help="JSON"),
    batch_sizes: str = typer.Option("1,8,64,256", help="Batch sizes, comma-separated"),
    words: int = typer.Option(6000, help="Words timed per corpus and text length"),
    repeats: int = typer.Option(3, help="Timed passes of each system"),
    also_running: str = typer.Option("nothing else", help="For the record"),
) -> None:
    """Time MODEL on the GPU on each corpus, with the HF pipeline beside it."""
    sizes = [int(size) for size in batch_sizes.split(",")]
    check_gpu(gpu_id)  # before minutes of work on the CPU
    tests = {}
    for corpus in corpora:
        name, _, path = corpus.partition("=")
        if not Path(path).is_file():
            msg.fail(f"{corpus}: no test file at {path}", exits=1)
        tests[name], _ = read_documents([Path(path)], "en", None)
    # The CPU's entities first: once the GPU is the current device, a pipeline
    # loaded for the CPU would be handed GPU tensors.
    cpu_nlp = load_pipeline(str(model))
    use_runtime(cpu_nlp, "torch")
    expected = {
        name: entities(cpu_nlp, [doc.text for doc in docs])
        for name, docs in tests.items()
    }
    del cpu_nlp
    use_gpu(gpu_id)
    nlp = load_pipeline(str(model))
    transformer = nlp.get_pipe("transformer").model.attrs["name"]
    labels = 1 + 2 * len(nlp.get_pipe("ner").labels)
    classifier = hf_classifier(transformer, labels, device=gpu_id)
    rows, agreement = [], {}
    result = {
        "model": str(model),
        "transformer": transformer,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_details(),
        "device": torch.cuda.get_device_name(gpu_id) if gpu_id >= 0 else "cpu",
        "torch": torch.__version__,
        "runtime": runtime_in_use(nlp),
        "repeats": repeats,
        "also_running": also_running,
    }
    for name, docs in tests.items():
        found = entities(nlp, [doc.text for doc in docs])
        differing = sum(a != b for a, b in zip(found, expected[name], strict=True))
        agreement[name] = {"documents": len(docs), "differing": differing}
        msg.info(f"{name}: {differing} of {len(docs)} documents differ from the CPU")
        for kind, texts in long_and_short_texts(docs, words):
            for size in sizes:
                row = time_systems(nlp, classifier, texts, size, repeats)
                row |= {"corpus": name, "texts": kind, "batch_size": size}
                row["padding_share"] = padding_share(nlp, texts, size)
                rows.append(row)
                msg.text(str(row))
        # Written after each corpus: a run cut short keeps what it measured.
        summary = summarize(rows)
        result |= {
            "complete": name == list(tests)[-1],
            "same_entities_as_cpu": agreement,
            "rows": rows,
            "summary": summary,
        }
        atomic_write_bytes(output, srsly.json_dumps(result, indent=2).encode())
    for line in summary:
        msg.text(str(line))
    msg.good(f"Results in {output}")


if __name__ == "__main__":
    typer.run(gpu)
