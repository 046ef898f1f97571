"""ONNX Runtime's static int8 (activation scales calibrated once on training text)
against its dynamic int8 (scales computed per call, what `NER_INT8` runs): test F1 and
words/s of one pipeline, every component as it ships, each runtime in turns.

    python -m benchmarks.int8_static training/resumes/model-release \\
        corpus/resumes/train.spacy corpus/resumes/test.spacy

The static model is built here, not shipped: its matrix products quantized per output
column like the dynamic one, activations in the QOperator form (QLinearMatMul) and the
QDQ form, min-max calibration on the inputs the transformer sees on the training
texts. Each run adds or replaces its model's entry in the results JSON.
"""

import statistics
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path

import srsly
import torch
import typer
from wasabi import msg

from benchmarks.runtimes import load_system
from benchmarks.speed import timed
from ner_project.evaluation.scores import entity_metrics, predict, read_corpus
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.runtime import grouped_transformers
from ner_project.training.functions import onnx_inputs, onnx_session

FORMATS = ("QOperator", "QDQ")


def transformer_states(nlp) -> list:
    """The runtime states of the pipeline's transformer models that hold a session."""
    states = [model.attrs["runtime_state"] for model in grouped_transformers(nlp)]
    return [state for state in states if state.session]


class RecordingSession:
    """Runs the session it wraps and keeps each batch of inputs it was given."""

    def __init__(self, session):
        self.session, self.batches = session, []

    def __call__(self, part):
        self.batches.append(onnx_inputs(part, self.session.input_names))
        return self.session(part)


def calibration_batches(model: str, texts: list[str], batch_size: int) -> tuple:
    """The plain fp32 export's path (the one dynamic int8 is made from) and the
    inputs the fp32 session saw on `texts`."""
    nlp = load_system(model, "onnxruntime")
    nlp("The session is made on the first call.")
    (state,) = transformer_states(nlp)
    recorder = state.session = RecordingSession(state.session)
    list(nlp.pipe(texts, batch_size=batch_size))
    return recorder.session.export_path, recorder.batches


def static_int8(fp32_path: Path, batches: list[dict], form: str, folder: Path) -> Path:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Batches(CalibrationDataReader):
        def __init__(self):
            self.remaining = iter(batches)

        def get_next(self):
            return next(self.remaining, None)

    prepared = folder / "prepared.onnx"
    if not prepared.is_file():
        quant_pre_process(str(fp32_path), str(prepared), skip_symbolic_shape=True)
    target = folder / f"static-{form}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_static(
            str(prepared),
            str(target),
            Batches(),
            quant_format=getattr(QuantFormat, form),
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8
            if form == "QOperator"
            else QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
        )
    return target


def with_onnx_file(model: str, path: Path | None):
    """The pipeline in ONNX Runtime int8, its session running `path` (None: the
    dynamic int8 export that `NER_INT8` makes)."""
    nlp = load_system(model, "onnxruntime_int8")
    nlp("The session is made on the first call.")
    if path is not None:
        (state,) = transformer_states(nlp)
        state.session.session = onnx_session(path)
        state.session.path = path
    return nlp


def int8_static(
    model: str = typer.Argument(..., help="Trained pipeline (folder or package)"),
    train_path: Path = typer.Argument(
        ..., help="Training corpus (.spacy) to calibrate"
    ),
    test_path: Path = typer.Argument(..., help="Test corpus (.spacy)"),
    calibration_texts: int = typer.Option(200, help="Training documents calibrated on"),
    repeats: int = typer.Option(3, help="Timed passes per system and batch size"),
    threads: int = typer.Option(2, help="torch and ONNX Runtime threads"),
    output: Path = typer.Option(
        Path("benchmarks/results/int8-static.json"), help="Results JSON"
    ),
) -> None:
    """Build MODEL's static int8 transformer and compare it with the dynamic one."""
    for path in (train_path, test_path):
        if not path.is_file():
            msg.fail(f"Corpus {path} not found", exits=1)
    torch.set_num_threads(threads)
    fp32 = load_system(model, "onnxruntime")
    train = [doc.text for doc in read_corpus(fp32, train_path)][:calibration_texts]
    test = read_corpus(fp32, test_path)
    with tempfile.TemporaryDirectory() as folder:
        fp32_path, batches = calibration_batches(model, train, 8)
        msg.info(f"Calibrating on {len(batches)} batches of {len(train)} documents")
        systems = {"fp32": fp32, "dynamic": with_onnx_file(model, None)}
        for form in FORMATS:
            path = static_int8(fp32_path, batches, form, Path(folder))
            systems[f"static_{form}"] = with_onnx_file(model, path)
        f1 = {}
        for name, nlp in systems.items():
            f1[name] = round(entity_metrics(predict(nlp, test))["ents_f"], 4)
            msg.info(f"{name}: test F1 {f1[name]:.4f}")
        texts = [(doc.text, len(doc)) for doc in test]
        speed = {}
        for size in (8, 64):
            passes = {name: [] for name in systems}
            for _ in range(repeats):
                for name, nlp in systems.items():

                    def run(strings, nlp=nlp, size=size):
                        list(nlp.pipe(strings, batch_size=size))

                    passes[name].append(timed(run, texts))
            speed[size] = {
                name: round(statistics.median(values))
                for name, values in passes.items()
            }
            msg.info(f"batch {size}, words/s: {speed[size]}")
    results = srsly.read_json(output) if output.is_file() else {}
    results[str(model)] = {
        "test_path": test_path.as_posix(),
        "train_path": train_path.as_posix(),
        "calibration_documents": len(train),
        "threads": threads,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "f1": f1,
        "f1_cost": {name: round(f1["fp32"] - value, 4) for name, value in f1.items()},
        "words_per_s": {f"batch_{size}": row for size, row in speed.items()},
    }
    atomic_write_bytes(output, srsly.json_dumps(results, indent=2).encode())
    msg.good(f"Results in {output}")


if __name__ == "__main__":
    typer.run(int8_static)
