"""What int8 costs in F1: one trained pipeline scored on a test corpus in fp32 and in
int8 by each runtime (ONNX Runtime's quantized export, PyTorch's quantized linear
layers), every component as it ships. Speed is runtimes.py's; this only scores, so it
may run beside other work.

    python -m benchmarks.int8_cost conll2003 training/benchmark/conll2003/ours/model-best \\
        training/benchmark/conll2003/corpus/test.spacy

Each run adds or replaces its corpus in the results JSON.
"""

from datetime import UTC, datetime
from pathlib import Path

import srsly
import torch
import typer
from wasabi import msg

from benchmarks.runtimes import load_system
from ner_project.evaluation.scores import entity_metrics, predict, read_corpus
from ner_project.files import atomic_write_bytes

VARIANTS = {  # name in the results: the system of runtimes.py that runs it
    "fp32": "torch",
    "onnxruntime_int8": "onnxruntime_int8",
    "torch_int8": "torch_int8",
}


def variant_f1(model: str, test_path: Path, system: str) -> float:
    """Test F1 of the pipeline loaded afresh and run as the system says."""
    nlp = load_system(model, system)
    return entity_metrics(predict(nlp, read_corpus(nlp, test_path)))["ents_f"]


def int8_cost(
    corpus: str = typer.Argument(..., help="Name of the corpus in the results"),
    model: str = typer.Argument(..., help="Trained pipeline (folder or package)"),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    output: Path = typer.Option(
        Path("benchmarks/results/int8-cost.json"), help="Results JSON"
    ),
    threads: int = typer.Option(2, help="torch (and ONNX Runtime) threads"),
) -> None:
    """Score MODEL on TEST_PATH in fp32 and in int8 by each runtime."""
    if not test_path.is_file():
        msg.fail(f"Test corpus {test_path} not found", exits=1)
    torch.set_num_threads(threads)
    f1 = {}
    for name, system in VARIANTS.items():
        f1[name] = round(variant_f1(model, test_path, system), 4)
        msg.info(f"{corpus}, {name}: test F1 {f1[name]:.4f}")
    row = {
        "model": model,
        "test_path": test_path.as_posix(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "f1": f1,
        "f1_cost": {
            name: round(f1["fp32"] - value, 4)
            for name, value in f1.items()
            if name != "fp32"
        },
    }
    results = srsly.read_json(output) if output.is_file() else {}
    results[corpus] = row
    atomic_write_bytes(output, srsly.json_dumps(results, indent=2).encode())
    msg.good(f"{corpus}: F1 cost {row['f1_cost']}; results in {output}")


if __name__ == "__main__":
    typer.run(int8_cost)
