"""The transformer's forward pass alone (no tokenizer, no spaCy) at the shapes the
runtimes benchmark computes: PyTorch fp32, ONNX Runtime fp32 (the fused graph the
pipeline runs by default) and ONNX Runtime int8, each in microseconds per word piece
and as a share of the fp32 limit that the matrix-product rate measured in the same run
allows. No pipeline built on a runtime can beat that runtime's share here.

    python -m benchmarks.forward_shapes en_resume_ner

Shapes are batch x pieces (a group of the length-grouped forward pass); each figure is
the median of calls over about `seconds` per shape, the runtimes in turns. Writes
benchmarks/results/forward-shapes.json.
"""

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy
import srsly
import torch
import typer
from wasabi import msg

from benchmarks.host import machine_description
from benchmarks.speed import flops_per_piece, matmul_gflops
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline
from ner_project.training.functions import OnnxTransformer

RUNTIMES = ("torch", "onnxruntime", "onnxruntime_int8")


def random_batch(config, batch: int, pieces: int, seed: int) -> SimpleNamespace:
    """Word pieces drawn from the model's vocabulary, no padding."""
    ids = numpy.random.default_rng(seed).integers(
        1, config.vocab_size, size=(batch, pieces), dtype=numpy.int64
    )
    return SimpleNamespace(
        input_ids=ids,
        attention_mask=numpy.ones_like(ids),
        token_type_ids=numpy.zeros_like(ids),
    )


def forwards(hf_model, with_token_types: bool) -> dict:
    """One callable per runtime, each taking a batch of word pieces and giving the
    last hidden states."""
    names = ["input_ids", "attention_mask"] + ["token_type_ids"] * with_token_types

    def torch_forward(part):
        with torch.inference_mode():
            inputs = {name: torch.from_numpy(getattr(part, name)) for name in names}
            return hf_model(**inputs).last_hidden_state

    return {
        "torch": torch_forward,
        "onnxruntime": OnnxTransformer(hf_model, with_token_types),
        "onnxruntime_int8": OnnxTransformer(hf_model, with_token_types, int8=True),
    }


def hidden_states(run, part) -> numpy.ndarray:
    output = run(part)
    return getattr(output, "last_hidden_state", output).numpy()


def seconds_per_call(run, part, seconds: float) -> list[float]:
    run(part)  # first call: buffers sized for this shape
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 3:
        start = time.perf_counter()
        run(part)
        times.append(time.perf_counter() - start)
    return times


def forward_shapes(
    model: str = typer.Argument(..., help="Trained pipeline (folder or package)"),
    output: Path = typer.Option(
        Path("benchmarks/results/forward-shapes.json"), help="Results JSON"
    ),
    batches: str = typer.Option("1,8,64", help="Batch sizes, comma-separated"),
    lengths: str = typer.Option("16,32,64,128", help="Pieces per row"),
    seconds: float = typer.Option(1.0, help="Timed seconds per shape and runtime"),
    threads: int = typer.Option(2, help="torch and ONNX Runtime threads"),
    also_running: str = typer.Option("nothing else", help="For the record"),
) -> None:
    """Time MODEL's transformer alone in each runtime at each shape."""
    torch.set_num_threads(threads)
    nlp = load_pipeline(model)
    if "transformer" not in nlp.pipe_names:
        msg.fail(f"{model} has no transformer component", exits=1)
    hf_model = nlp.get_pipe("transformer").model.layers[0].shims[0]._model.eval()
    config = hf_model.config
    runs = forwards(hf_model, getattr(config, "type_vocab_size", 0) > 0)
    gflops = matmul_gflops(threads)
    rows = []
    for batch in (int(size) for size in batches.split(",")):
        for pieces in (int(length) for length in lengths.split(",")):
            part = random_batch(config, batch, pieces, seed=batch * 1000 + pieces)
            limit_s = flops_per_piece(config, pieces) * batch * pieces / (gflops * 1e9)
            row = {"batch": batch, "pieces": pieces}
            for name, run in runs.items():
                median = statistics.median(seconds_per_call(run, part, seconds))
                row[f"{name}_us_per_piece"] = round(median * 1e6 / (batch * pieces), 1)
                row[f"{name}_share_of_limit"] = round(limit_s / median, 3)
            rows.append(row)
            msg.text(str(row))
    result = {
        "model": model,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_description(threads),
        "matmul_gflops": round(gflops, 1),
        "also_running": also_running,
        "rows": rows,
    }
    atomic_write_bytes(output, srsly.json_dumps(result, indent=2).encode())
    msg.good(f"Results in {output}")


if __name__ == "__main__":
    typer.run(forward_shapes)
