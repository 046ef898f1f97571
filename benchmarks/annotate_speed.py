"""Time `scripts/annotate.py` on the 50 real CVs of resumes-dotin/test.jsonl: the local
engine with 1 and 2 processes and the Ray engine (embedded) with 1 and 2 actors.

Each setting runs the command twice, as a user does: on the whole corpus, and on its
first CV alone, which times start-up (Python, model load, Ray). Prints words/s of the
whole command and after start-up, the ratio to one local process, and the peak memory
of the command's process tree (RSS summed over the driver, its workers and Ray's
processes, sampled every 0.1 s).

    python -m benchmarks.annotate_speed training/model-best ../shared/data
"""

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import srsly
import typer
from wasabi import msg

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
SETTINGS = {
    "local, 1 process": ["--engine", "local", "--processes", "1"],
    "local, 2 processes": ["--engine", "local", "--processes", "2"],
    "ray, 1 actor": ["--engine", "ray", "--actors", "1"],
    "ray, 2 actors": ["--engine", "ray", "--actors", "2"],
}


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def run_measured(command: list[str]) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS of the process tree of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        msg.fail(f"{' '.join(command)} failed", stderr.decode()[-2000:], exits=1)
    return elapsed, peak


def annotate_speed(
    model: Path = typer.Argument(..., help="Pipeline folder to annotate with"),
    data_dir: Path = typer.Argument(
        ..., help="Folder of real corpora (../shared/data)"
    ),
    batch_size: int = typer.Option(8, help="--batch-size of annotate"),
) -> None:
    """Print words/s and peak memory of each engine setting on the same 50 CVs."""
    records = list(srsly.read_jsonl(data_dir / "resumes-dotin" / "test.jsonl"))
    words = sum(len(record["text"].split()) for record in records)
    rows, baseline = [], None
    with tempfile.TemporaryDirectory() as folder:
        corpus, first = Path(folder) / "cvs.jsonl", Path(folder) / "first.jsonl"
        texts = [{"id": r["id"], "text": r["text"]} for r in records]
        srsly.write_jsonl(corpus, texts)
        srsly.write_jsonl(first, texts[:1])
        for name, options in SETTINGS.items():
            command = [sys.executable, str(SCRIPTS / "annotate.py")]
            command += ["--model", str(model), "--batch-size", str(batch_size)]
            command += options
            startup, _ = run_measured([*command, str(first), f"{folder}/1.jsonl"])
            total, peak = run_measured([*command, str(corpus), f"{folder}/o.jsonl"])
            rate, steady = words / total, words / max(total - startup, 1e-9)
            baseline = baseline or steady
            rows.append(
                (
                    name,
                    f"{total:.1f}",
                    f"{startup:.1f}",
                    f"{rate:,.0f}",
                    f"{steady:,.0f}",
                    f"{steady / baseline:.2f}",
                    f"{peak / 2**30:.2f}",
                )
            )
    header = (
        "setting",
        "total s",
        "start-up s",
        "words/s",
        "words/s after start-up",
        "ratio",
        "peak GiB",
    )
    msg.table(rows, header=header, divider=True, aligns=("l", *"rrrrrr"))
    msg.info(
        f"{len(records)} CVs, {words:,} words (whitespace-separated), batch size "
        f"{batch_size}, {model}; ratio: words/s after start-up over local, 1 process"
    )


if __name__ == "__main__":
    typer.run(annotate_speed)
