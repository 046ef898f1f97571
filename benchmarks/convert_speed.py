"""Time the converter on CoNLL-2003 train (204k tokens): the conversion itself (read,
validate, serialise), and the whole command a user runs (with Python and spaCy start-up).
Prints each run and the median, in seconds and tokens per second.

    python -m benchmarks.convert_speed ../shared/data
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer
from wasabi import msg

from benchmarks.config import CORPORA
from ner_project.conversion.corpus import read_documents, to_doc_bin

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def time_conversion(source: Path) -> tuple[float, int]:
    start = time.perf_counter()
    docs, report = read_documents([source], "en", None)
    to_doc_bin(docs).to_bytes()
    return time.perf_counter() - start, report.tokens


def time_command(source: Path) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, str(SCRIPTS / "convert.py"), str(source)]
        start = time.perf_counter()
        subprocess.run(
            [*command, str(Path(folder) / "train.spacy")],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def convert_speed(
    data_dir: Path = typer.Argument(
        ..., help="Folder of real corpora (../shared/data)"
    ),
    runs: int = typer.Option(3, help="Runs of each measurement; the median is shown"),
) -> None:
    """Print conversion time and tokens/s for conll2003/train.txt."""
    source = data_dir / CORPORA["conll2003"].train
    conversions = [time_conversion(source) for _ in range(runs)]
    tokens = conversions[0][1]
    seconds = [elapsed for elapsed, _ in conversions]
    commands = [time_command(source) for _ in range(runs)]
    rows = [
        (f"run {i + 1}", f"{conversion:.2f}", f"{command:.2f}")
        for i, (conversion, command) in enumerate(zip(seconds, commands, strict=True))
    ]
    median, median_command = statistics.median(seconds), statistics.median(commands)
    rows.append(("median", f"{median:.2f}", f"{median_command:.2f}"))
    msg.table(
        rows,
        header=("", "conversion (s)", "command (s)"),
        divider=True,
        aligns=("l", "r", "r"),
    )
    msg.good(
        f"{source}: {tokens} tokens, median {median:.2f} s "
        f"({tokens / median:,.0f} tokens/s); the whole command {median_command:.2f} s "
        f"({tokens / median_command:,.0f} tokens/s)"
    )


if __name__ == "__main__":
    typer.run(convert_speed)
