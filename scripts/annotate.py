"""Annotate a whole corpus with the trained pipeline, on this machine or a Ray cluster
(`annotate` command): see ner_project/annotation/corpus.py for the formats."""

import signal
from pathlib import Path

import typer
from wasabi import msg

from ner_project.annotation.corpus import annotate_corpus, interruptions
from ner_project.annotation.engines import Engine, EngineSettings
from ner_project.annotation.records import Export
from ner_project.conversion.errors import DataError
from ner_project.pipeline.meta import DEFAULT_PIPELINE
from ner_project.pipeline.runtime import Runtime
from ner_project.training.preflight import check_gpu


def annotate(
    source: Path = typer.Argument(
        ...,
        help="JSONL with a 'text' field, text with one document per line, or a "
        "folder of .txt files",
    ),
    output: Path = typer.Argument(
        ...,
        help="JSONL (or .parquet) of the records with 'entities'; .json or "
        ".jsonl with --export",
    ),
    model: str = typer.Option(
        DEFAULT_PIPELINE, help="Pipeline folder or installed package name"
    ),
    engine: Engine = typer.Option(Engine.local, help="Run on this machine, or Ray"),
    batch_size: int = typer.Option(
        32, min=1, help="Texts per nlp.pipe batch (and Ray batch)"
    ),
    processes: int = typer.Option(1, min=1, help="local: processes on CPU (1 on GPU)"),
    gpu_id: int = typer.Option(-1, help="local: -1 CPU, 0 first GPU"),
    actors: int = typer.Option(
        1, min=1, help="ray: pipeline actors, each loads it once"
    ),
    cpus_per_actor: float = typer.Option(1, min=0, help="ray: CPUs reserved per actor"),
    gpus_per_actor: float = typer.Option(
        0, min=0, help="ray: GPUs per actor (e.g. 1 or 0.5)"
    ),
    runtime: Runtime = typer.Option(
        Runtime.auto,
        help="fp32 transformer runtime on CPU: auto (ONNX Runtime where installed), "
        "torch or onnxruntime",
    ),
    export: Export = typer.Option(
        Export.none,
        help="Write pre-annotations to import into Label Studio (JSON), doccano or "
        "Prodigy (JSONL) instead of the annotated records",
    ),
    rejects: Path | None = typer.Option(
        None, help="Write bad input lines here (file, line, reason, raw) and go on"
    ),
) -> None:
    """Annotate a corpus with the pipeline; prints how many records were read,
    annotated and rejected."""
    # Ctrl-C and `kill` end the run alike: the temporary output is removed.
    signal.signal(signal.SIGINT, interruptions.handle)
    signal.signal(signal.SIGTERM, interruptions.handle)
    settings = EngineSettings(
        model,
        engine,
        batch_size,
        processes,
        gpu_id,
        actors,
        cpus_per_actor,
        gpus_per_actor,
        str(runtime),
    )
    if engine is Engine.local:
        check_gpu(gpu_id)  # before a record is read; Ray's GPUs are the workers'
    try:
        counts = annotate_corpus(source, output, settings, export, rejects)
    except DataError as error:
        msg.fail(str(error), "No output written.", exits=1)
    msg.good(
        f"Read {counts.read}, annotated {counts.annotated}, rejected "
        f"{counts.rejected}: {output}"
    )
    if rejects is not None and counts.rejected:
        msg.warn(f"{counts.rejected} rejected records are in {rejects}")


if __name__ == "__main__":
    typer.run(annotate)
