"""Annotate a whole corpus with the packaged pipeline, on this machine or a Ray
cluster: JSONL, plain text (one document per line) or a folder of `.txt` files in;
JSONL or Parquet with each record's `entities` out, or pre-annotations for Label
Studio, doccano or Prodigy.

Every record comes out once, in input order. Bad lines stop the run with the file and
line (or go to `--rejects`), and the output appears only when complete.
"""

import contextlib
import signal
import sys
from dataclasses import dataclass
from itertools import tee
from pathlib import Path
from typing import IO

import srsly
from tqdm import tqdm

from ner_project.annotation.engines import EngineSettings, annotate_texts
from ner_project.annotation.records import (
    Export,
    Record,
    RecordWriter,
    Reject,
    atomic_output,
    output_mode,
    read_input,
)
from ner_project.conversion.errors import SAME_AS_INPUT, DataError
from ner_project.pipeline.meta import model_version


@dataclass
class Counts:
    read: int = 0
    annotated: int = 0
    rejected: int = 0


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
