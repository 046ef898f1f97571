"""Check, before training starts, that the transformer and the device are usable
(`debug-data` and `train` commands)."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.training.preflight import check_gpu, check_transformer


def preflight(
    transformer: str = typer.Option(..., help="Hugging Face model name or folder"),
    gpu_id: int = typer.Option(-1, help="-1 for CPU, else the GPU to train on"),
    training_log: Path | None = typer.Option(
        None,
        help="The log the training run writes: a previous run's is removed (spaCy's "
        "logger would otherwise keep it and log nothing)",
    ),
) -> None:
    """Exit non-zero with a clear message unless training can start."""
    check_transformer(transformer)
    check_gpu(gpu_id)
    if training_log is not None and training_log.is_file():
        training_log.unlink()
        msg.info(f"Removed the previous run's {training_log}")
    msg.good(f"Transformer {transformer!r} and device gpu_id={gpu_id} are usable")


if __name__ == "__main__":
    typer.run(preflight)
