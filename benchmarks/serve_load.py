"""Load test of the HTTP service (scripts/serve.py) on loopback, with batching on and off.

Concurrent clients (1, 8, 32) each send single resume sections of corpus/test.spacy to
`POST /v1/entities` over keep-alive connections, a bounded number of requests per
setting. Prints requests/s, words/s and p50/p95/p99 latency per setting, compares them
with offline `nlp.pipe` on the same texts (a separate process, same torch threads, the
server's max batch size), tracks the server's resident memory over a long run, and
writes every figure and the issue's four checks to a JSON report.

Words are whitespace-separated; the corpus texts are spaCy tokens joined by spaces, so
this is also the spaCy token count, on the server side and offline alike.

    python -m benchmarks.serve_load --model training/model-best
"""

import itertools
import os
import re
import statistics
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import spacy
import srsly
import typer
from pydantic import ValidationError
from spacy.tokens import DocBin
from wasabi import msg

from benchmarks.host import machine_details
from benchmarks.load_clients import LoadResult
from benchmarks.server_process import benchmark_server
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline, use_gpu
from service.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
SECTION_WORDS = 12  # a text ends at the first sentence end after this many words
MIN_WORDS = 5  # shorter leftovers (a doc's last few words) are not sent


def load_texts(corpus: Path, limit: int) -> list[str]:
    """The corpus's resumes cut after sentence ends into pieces of at least
    SECTION_WORDS words: a contact line, a job with its bullet, a degree; the size of
    what a client sends one at a time."""
    texts = []
    for doc in DocBin().from_disk(corpus).get_docs(spacy.blank("en").vocab):
        piece: list[str] = []
        for sentence in re.split(r"(?<= \.) ", doc.text):
            piece.append(sentence)
            if len(" ".join(piece).split()) >= SECTION_WORDS:
                texts.append(" ".join(piece))
                piece = []
        texts.append(" ".join(piece))
    texts = [text for text in texts if len(text.split()) >= MIN_WORDS]
    return texts[:limit] if limit > 0 else texts


def offline_pipe(
    model: Path,
    texts: list[str],
    batch_sizes: list[int],
    seconds: float,
    gpu_id: int = -1,
) -> dict:
    """Words/s of `nlp.pipe` alone at each batch size: the ceiling a server could reach
    on these texts. Runs in its own process, loading the pipeline as the server does
    (after importing the service, on the server's device), and competing with no
    server and no client."""
    import torch

    import service.app  # noqa: F401  (whatever the service registers, so do we)

    use_gpu(gpu_id)
    nlp = load_pipeline(str(model))  # as the server loads it
    runs = []

    def time_pipe(batch_size: int) -> None:
        use_gpu(gpu_id)  # the device is per thread
        list(nlp.pipe(texts[:batch_size], batch_size=batch_size))  # warm-up
        count, words, start = 0, 0, time.perf_counter()
        # Cycle the texts so that every batch is full, as on a busy server; stop at
        # the end of a batch once `seconds` have passed.
        for doc in nlp.pipe(itertools.cycle(texts), batch_size=batch_size):
            count, words = count + 1, words + len(doc.text.split())
            elapsed = time.perf_counter() - start
            if count % batch_size == 0 and elapsed >= seconds:
                break
        runs.append(
            {
                "batch_size": batch_size,
                "words_per_s": words / elapsed,
                "texts_per_s": count / elapsed,
                "texts": count,
                "seconds": elapsed,
            }
        )

    for batch_size in batch_sizes:
        # On a worker thread, as in the server: torch's intra-op threads differ on a
        # thread other than the main one, and so does the speed.
        worker = threading.Thread(target=time_pipe, args=(batch_size,))
        worker.start()
        worker.join()
    return {"torch_threads": torch.get_num_threads(), "runs": runs}


def offline_reference(
    model: Path,
    texts: list[str],
    batch_sizes: list[int],
    seconds: float,
    gpu_id: int = -1,
) -> tuple[dict, dict]:
    """`nlp.pipe` timed in a process of its own at each batch size: all the runs, and
    the fastest, which the servers are measured against."""
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as executor:
            offline_runs = executor.submit(
                offline_pipe, model, texts, batch_sizes, seconds, gpu_id
            ).result()
    except (OSError, ValueError, ImportError, BrokenProcessPool) as error:
        msg.fail(f"nlp.pipe on {model} failed offline", str(error)[:800], exits=1)
    offline = max(offline_runs["runs"], key=lambda run: run["words_per_s"]) | {
        "torch_threads": offline_runs["torch_threads"]
    }
    for run in offline_runs["runs"]:
        msg.text(
            f"offline nlp.pipe, batch size {run['batch_size']}: "
            f"{run['words_per_s']:,.0f} words/s"
        )
    return offline_runs, offline


def run_servers(
    model: Path,
    texts: list[str],
    clients: list[int],
    requests: int,
    warmup: int,
    memory_requests: int,
    gpu_id: int = -1,
) -> tuple[list[LoadResult], dict | None]:
    """The server without batching, then with it (which also runs the memory run)."""
    results: list[LoadResult] = []
    memory: dict | None = None
    with tempfile.TemporaryDirectory() as log_dir:
        for batching in (False, True):
            found, found_memory = benchmark_server(
                model,
                batching,
                texts,
                clients,
                requests,
                warmup,
                memory_requests if batching else 0,
                Path(log_dir),
                gpu_id,
            )
            results += found
            memory = memory or found_memory
    return results, memory


def check(name: str, value: float, passed: bool, target: str) -> dict:
    return {"check": name, "value": value, "target": target, "passed": passed}


def issue_checks(
    summaries: list[dict], offline: dict, memory: dict | None, most: int
) -> list[dict]:
    """The issue's targets at the most clients: batching >= 2x no batching, >= 80% of
    offline, no errors, RSS growth <= 5%; each printed as passed or failed."""
    on = next(
        s for s in summaries if s["server"] == "batching" and s["clients"] == most
    )
    off = next(
        s for s in summaries if s["server"] == "no batching" and s["clients"] == most
    )
    errors = sum(s["errors"] for s in summaries) + (memory or {}).get("errors", 0)
    ratio = on["words_per_s"] / off["words_per_s"]
    share = on["words_per_s"] / offline["words_per_s"]
    checks = [
        check(f"batching / no batching, {most} clients", ratio, ratio >= 2, ">= 2"),
        check(
            f"batching / offline nlp.pipe, {most} clients",
            share,
            share >= 0.8,
            ">= 0.8",
        ),
        check("errors, all settings", errors, errors == 0, "== 0"),
    ]
    if memory:
        growth = memory["growth_percent"]
        checks.append(check("RSS growth, %", growth, growth <= 5, "<= 5"))
        msg.info(
            f"server RSS {memory['rss_mib_at_checkpoint']:,.0f} MiB after "
            f"{memory['checkpoint_requests']:,} requests, "
            f"{memory['rss_mib_at_end']:,.0f} MiB after {memory['requests']:,} "
            f"({growth:+.2f}%), {memory['requests_per_s']:.1f} requests/s"
        )
    for item in checks:
        line = f"{item['check']}: {item['value']:.3g} (target {item['target']})"
        (msg.good if item["passed"] else msg.fail)(line)
    return checks


def print_batching_gain(offline_runs: dict, offline: dict) -> None:
    """How much faster nlp.pipe's fastest batch size is than batch size 1."""
    if len(offline_runs["runs"]) > 1:
        single, full = offline_runs["runs"][0], offline
        msg.info(
            f"offline nlp.pipe at batch size {full['batch_size']} is "
            f"{full['words_per_s'] / single['words_per_s']:.2f}x batch size 1: the most "
            "batching can gain over no batching on this machine"
        )


def check_options(model: Path, corpus: Path, requests: int, clients: list[int]):
    """Fail with a clear message on a missing pipeline or corpus, or too few requests."""
    if not (model / "config.cfg").is_file():
        msg.fail(f"no pipeline at {model}", "train one first, or pass --model", exits=1)
    if not corpus.is_file():
        msg.fail(f"no corpus at {corpus}", "pass --corpus", exits=1)
    if requests < 2 or min(clients, default=0) < 1:
        msg.fail("--requests must be at least 2 and --clients at least 1", exits=1)


def gpu_name(gpu_id: int) -> str:
    import torch

    return torch.cuda.get_device_name(gpu_id)


def service_settings(gpu_id: int) -> Settings:
    """The service's settings from its NER_* variables, on the device the servers get
    (`--gpu-id` picks the defaults that depend on it), or a clear failure."""
    try:
        return Settings(gpu_id=gpu_id)
    except ValidationError as error:
        msg.fail("the service's NER_* settings are not valid", str(error), exits=1)


def serve_load(
    model: Path = typer.Option(
        PROJECT / "training" / "model-best", "--model", help="Pipeline folder to serve"
    ),
    corpus: Path = typer.Option(
        PROJECT / "corpus" / "test.spacy",
        "--corpus",
        help="DocBin of the texts to send",
    ),
    requests: int = typer.Option(500, "--requests", help="Requests per setting"),
    memory_requests: int = typer.Option(
        10_000,
        "--memory-requests",
        help="Requests of the memory run (batching, 32 clients; 0: skip it)",
    ),
    clients: list[int] = typer.Option(
        [1, 8, 32], "--clients", help="Concurrent clients; repeat for each setting"
    ),
    texts_limit: int = typer.Option(
        0, "--texts", help="Use the first N texts (0: all)"
    ),
    warmup: int = typer.Option(64, "--warmup", help="Unmeasured requests per server"),
    offline_seconds: float = typer.Option(
        20, "--offline-seconds", help="Least time nlp.pipe is timed offline"
    ),
    torch_threads: int = typer.Option(
        0,
        "--torch-threads",
        help="Torch threads of the server and of nlp.pipe (0: torch's default)",
    ),
    gpu_id: int = typer.Option(
        -1, "--gpu-id", help="GPU of the server and of nlp.pipe (-1: the CPU)"
    ),
    output: Path = typer.Option(
        PROJECT / "benchmarks" / "results" / "serve_load.json",
        "--output",
        help="JSON report",
    ),
) -> None:
    """Print throughput and latency of the service under load, and check the issue's
    targets: batching ≥ 2x no batching, ≥ 80% of offline, no errors, RSS growth ≤ 5%."""
    check_options(model, corpus, requests, clients)
    model = model.resolve()
    texts = load_texts(corpus, texts_limit)
    if not texts:
        msg.fail(f"{corpus} has no texts", exits=1)
    mean_words = statistics.mean(len(text.split()) for text in texts)
    settings = service_settings(gpu_id)
    if torch_threads > 0:
        # Read by torch in the server and in the offline process alike, whatever
        # thread runs the pipeline.
        os.environ["OMP_NUM_THREADS"] = str(torch_threads)
    started = datetime.now(UTC)
    host = machine_details()
    msg.info(f"{len(texts)} texts, {mean_words:.0f} words each on average")

    batch_sizes = sorted({1, settings.pipe_batch_size, settings.max_batch_size})
    offline_runs, offline = offline_reference(
        model, texts, batch_sizes, offline_seconds, gpu_id
    )
    results, memory = run_servers(
        model, texts, clients, requests, warmup, memory_requests, gpu_id
    )
    summaries = [result.summary() for result in results]
    report_table(summaries, offline)
    print_batching_gain(offline_runs, offline)
    checks = issue_checks(summaries, offline, memory, max(clients))

    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": host
        | {"load_average_at_end": os.getloadavg()}
        | ({"gpu": gpu_name(gpu_id)} if gpu_id >= 0 else {}),
        "settings": {
            "model": str(model),
            "corpus": str(corpus),
            "texts": len(texts),
            "mean_words_per_text": mean_words,
            "requests_per_setting": requests,
            "warmup_requests": warmup,
            "clients": clients,
            "memory_requests": memory_requests,
            "torch_threads": offline["torch_threads"],
            "gpu_id": gpu_id,
            "server": settings.model_dump(
                include={
                    "max_batch_size",
                    "pipe_batch_size",
                    "max_wait_ms",
                    "max_queue",
                }
            ),
        },
        "offline": offline_runs,
        "results": summaries,
        "memory": memory,
        "checks": checks,
    }
    atomic_write_bytes(output, srsly.json_dumps(report, indent=2).encode())
    msg.good(f"report written to {output}")


def report_table(summaries: list[dict], offline: dict) -> None:
    rows = [
        (
            s["server"],
            s["clients"],
            s["requests"],
            f"{s['requests_per_s']:.1f}",
            f"{s['words_per_s']:,.0f}",
            f"{s['words_per_s'] / offline['words_per_s']:.2f}",
            f"{s['p50_ms']:.0f}",
            f"{s['p95_ms']:.0f}",
            f"{s['p99_ms']:.0f}",
            s["errors"],
            f"{s['client_cpu_s']:.1f}",
            f"{s['server_cores_busy']:.2f}",
        )
        for s in summaries
    ]
    header = ("server", "clients", "requests", "req/s", "words/s", "of offline")
    header += ("p50 ms", "p95 ms", "p99 ms", "errors", "client CPU s", "server cores")
    msg.table(rows, header=header, divider=True, aligns=("l", *"rrrrrrrrrrr"))
    msg.info(
        f"offline nlp.pipe: {offline['words_per_s']:,.0f} words/s "
        f"({offline['texts_per_s']:.1f} texts/s, batch size {offline['batch_size']}, "
        f"{offline['torch_threads']} torch threads)"
    )


if __name__ == "__main__":
    typer.run(serve_load)
