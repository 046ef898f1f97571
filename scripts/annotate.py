"""Annotate a whole corpus with the packaged pipeline, on this machine or a Ray
cluster: JSONL, plain text (one document per line) or a folder of `.txt` files in;
JSONL or Parquet with each record's `entities` out, or pre-annotations for Label
Studio, doccano or Prodigy.

Every record comes out once, in input order. Bad lines stop the run with the file and
line (or go to `--rejects`), and the output appears only when complete.
"""

import contextlib
import importlib.metadata
import signal
import sys
from dataclasses import dataclass
from itertools import tee
from pathlib import Path
from typing import IO

import srsly
import typer
from tqdm import tqdm
from wasabi import msg

from annotation_engines import Engine, EngineSettings, annotate_texts
from annotation_io import (
    Export,
    Record,
    RecordWriter,
    Reject,
    atomic_output,
    output_mode,
    read_input,
)
from errors import SAME_AS_INPUT, DataError


@dataclass
class Counts:
    read: int = 0
    annotated: int = 0
    rejected: int = 0


def model_version(model: str) -> str:
    """`name-version` of a pipeline folder or an installed pipeline package."""
    folder = Path(model)
    if (folder / "meta.json").is_file():
        meta = srsly.read_json(folder / "meta.json")
        return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        return f"{model}-{importlib.metadata.version(model)}"
    return model


def check_input(source: Path, rejects: IO | None) -> Counts:
    """Read the whole input once before loading the pipeline: a bad line fails at once
    (or is written to the rejects file), and the progress bar knows the total."""
    counts = Counts()
    for item in read_input(source):
        counts.read += 1
        if isinstance(item, Reject):
            if rejects is None:
                raise item.to_error()
            rejects.write(srsly.json_dumps(item.to_json()) + "\n")
            counts.rejected += 1
    return counts


class Interruptions:
    """Ctrl-C and `kill`, raised where the run can stop cleanly.

    A signal becomes an exception wherever Python happens to be, and inside a callback
    that spaCy's compiled matcher calls (the REGEX patterns of `contact_patterns`) that
    exception is printed and dropped, so the run would go on. While records are
    annotated, the signal is noted and raised between records instead.
    """

    def __init__(self) -> None:
        self.deferring = False
        self.signum: int | None = None

    def handle(self, signum: int, frame) -> None:
        self.signum = signum
        if not self.deferring:
            self.raise_if_stopped()

    @contextlib.contextmanager
    def deferred(self):
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False

    def raise_if_stopped(self) -> None:
        if self.signum == signal.SIGINT:
            raise KeyboardInterrupt
        if self.signum is not None:
            sys.exit(128 + self.signum)


interruptions = Interruptions()


def annotate_corpus(
    source: Path,
    output: Path,
    settings: EngineSettings,
    export: Export = Export.none,
    rejects_path: Path | None = None,
) -> Counts:
    """Annotate every record of `source` into `output`; the counts of what was read,
    annotated and rejected."""
    if output.resolve() == source.resolve():
        raise DataError(output, None, SAME_AS_INPUT)
    parquet = output_mode(output, export)
    with contextlib.ExitStack() as outputs:
        rejects = None
        if rejects_path is not None:
            rejects = outputs.enter_context(atomic_output(rejects_path))
        counts = check_input(source, rejects)
        file = outputs.enter_context(atomic_output(output, "wb" if parquet else "w"))
        writer = RecordWriter(file, export, parquet, model_version(settings.model))
        records = (item for item in read_input(source) if isinstance(item, Record))
        for_texts, for_fields = tee(records)
        texts = (record.text for record in for_texts)
        entities = annotate_texts(texts, settings)
        total = counts.read - counts.rejected
        bar = tqdm(total=total, desc=source.name, unit="doc", delay=2, disable=None)
        with bar, interruptions.deferred():
            for record, found in zip(for_fields, entities, strict=True):
                writer.write(record.fields, found)
                bar.update()
                interruptions.raise_if_stopped()
        writer.close()
        counts.annotated = writer.written
    return counts


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
        "training/model-best", help="Pipeline folder or installed package name"
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
    )
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
