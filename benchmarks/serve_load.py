"""Load test of the HTTP service (scripts/serve.py) on loopback, with batching on and off.

Concurrent clients (1, 8, 32) each send single resume sections of corpus/test.spacy to
`POST /v1/entities` over keep-alive connections, a bounded number of requests per
setting. Prints requests/s, words/s and p50/p95/p99 latency per setting, compares them
with offline `nlp.pipe` on the same texts (a separate process, same torch threads, the
server's max batch size), tracks the server's resident memory over a long run, and
writes every figure and the issue's four checks to a JSON report.

Words are whitespace-separated; the corpus texts are spaCy tokens joined by spaces, so
this is also the spaCy token count, on the server side and offline alike.
"""

import asyncio
import itertools
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from multiprocessing import get_context
from pathlib import Path

import spacy
import srsly
import typer
from pydantic import ValidationError
from spacy.tokens import DocBin
from wasabi import msg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from host import cpu_name
from service.settings import Settings

from atomic import atomic_write_bytes

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the benchmark never listens beyond this machine
READY_TIMEOUT_S = 300  # model load takes seconds; a cold disk or a big model, minutes
SECTION_WORDS = 12  # a text ends at the first sentence end after this many words
MIN_WORDS = 5  # shorter leftovers (a doc's last few words) are not sent
CHECKPOINT_SHARE = 10  # memory is read after 1/10 of the memory run (1,000 of 10,000)


@dataclass
class LoadResult:
    """What one setting (server, clients, requests) measured."""

    server: str
    clients: int
    requests: int
    seconds: float
    words: int
    errors: int
    statuses: dict[str, int]
    client_cpu_s: float
    server_cpu_s: float
    latencies_ms: list[float] = field(repr=False)

    def summary(self) -> dict:
        """The figures of the report (latencies as percentiles, not all of them)."""
        cuts = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        figures = asdict(self)
        del figures["latencies_ms"]
        return figures | {
            "requests_per_s": self.requests / self.seconds,
            "words_per_s": self.words / self.seconds,
            "p50_ms": cuts[49],
            "p95_ms": cuts[94],
            "p99_ms": cuts[98],
            "server_cores_busy": self.server_cpu_s / self.seconds,
        }


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
) -> dict:
    """Words/s of `nlp.pipe` alone at each batch size: the ceiling a server could reach
    on these texts. Runs in its own process, loading the pipeline as the server does
    (after importing the service), and competing with no server and no client."""
    import service.app  # noqa: F401  (whatever the service registers, so do we)
    import torch

    nlp = spacy.load(model)
    runs = []

    def time_pipe(batch_size: int) -> None:
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


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_bytes(pid: int) -> int:
    """VmRSS of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:]


def wait_ready(server: subprocess.Popen, port: int, stderr_path: Path) -> None:
    """Poll GET /ready until 200; fail with the server's stderr if it dies or hangs."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            msg.fail(
                f"the server exited with code {server.returncode} before it was ready",
                tail(stderr_path),
                exits=1,
            )
        connection = HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", "/ready")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet
        finally:
            connection.close()
        time.sleep(0.25)
    msg.fail(
        f"the server was not ready after {READY_TIMEOUT_S} s",
        tail(stderr_path),
        exits=1,
    )


def request_bytes(port: int, text: str) -> bytes:
    """One complete HTTP/1.1 request, built once so the clients only write bytes."""
    body = json.dumps({"texts": [text]}).encode()
    head = (
        f"POST /v1/entities HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection open."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection") != "close"


async def run_clients(
    port: int, requests: list[bytes], clients: int, total: int
) -> tuple[float, list[tuple[int, float, str]]]:
    """Send `total` requests from `clients` keep-alive connections, each client taking
    the next request when its last one is answered. Returns the wall-clock seconds and
    (request index, latency ms, outcome) per request; the outcome is "ok", an HTTP
    status or an exception's name."""
    counter, records = itertools.count(), []
    connections = [await asyncio.open_connection(HOST, port) for _ in range(clients)]

    async def client(connection) -> None:
        reader, writer = connection
        while (index := next(counter)) < total:
            start = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(requests[index % len(requests)])
                status, body, keep_alive = await read_response(reader)
                outcome = "ok" if status == 200 else str(status)
                if status == 200 and len(json.loads(body)["results"]) != 1:
                    outcome = "wrong body"
            except (OSError, ValueError, KeyError, TypeError) as error:
                outcome, keep_alive = type(error).__name__, False
            records.append((index, (time.perf_counter() - start) * 1000, outcome))
            if not keep_alive and writer is not None:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(connection) for connection in connections))
    return time.perf_counter() - start, records


def measure(
    server: subprocess.Popen,
    name: str,
    port: int,
    requests: list[bytes],
    words: list[int],
    clients: int,
    total: int,
) -> LoadResult:
    """Run one setting and record its figures, with the client's and server's CPU."""
    client_cpu, server_cpu = time.process_time(), process_cpu_seconds(server.pid)
    seconds, records = asyncio.run(run_clients(port, requests, clients, total))
    statuses: dict[str, int] = {}
    for _, _, outcome in records:
        statuses[outcome] = statuses.get(outcome, 0) + 1
    return LoadResult(
        server=name,
        clients=clients,
        requests=total,
        seconds=seconds,
        words=sum(words[index % len(words)] for index, _, _ in records),
        errors=total - statuses.get("ok", 0),
        statuses=statuses,
        client_cpu_s=time.process_time() - client_cpu,
        server_cpu_s=process_cpu_seconds(server.pid) - server_cpu,
        latencies_ms=[latency for _, latency, _ in records],
    )


def benchmark_server(
    model: Path,
    batching: bool,
    texts: list[str],
    clients: list[int],
    total: int,
    warmup: int,
    memory_requests: int,
    log_dir: Path,
) -> tuple[list[LoadResult], dict | None]:
    """Start one server, load it setting by setting, and (batching on) track its
    memory; the server is always stopped, whatever happens."""
    name = "batching" if batching else "no batching"
    port, stderr_path = free_port(), log_dir / f"{name.replace(' ', '-')}.log"
    command = [sys.executable, str(REPO / "scripts" / "serve.py"), "--model"]
    command += [str(model), "--host", HOST, "--port", str(port)]
    command += ["--batching" if batching else "--no-batching"]
    words = [len(text.split()) for text in texts]
    results, memory = [], None
    with stderr_path.open("wb") as stderr:
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=REPO
        )
        try:
            wait_ready(server, port, stderr_path)
            requests = [request_bytes(port, text) for text in texts]
            asyncio.run(run_clients(port, requests, max(clients), warmup))
            for count in clients:
                result = measure(server, name, port, requests, words, count, total)
                msg.text(f"{name}, clients={count}: {result.requests} requests done")
                results.append(result)
            if batching and memory_requests > 0:
                memory = track_memory(server, port, requests, words, memory_requests)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return results, memory


def track_memory(
    server: subprocess.Popen,
    port: int,
    requests: list[bytes],
    words: list[int],
    total: int,
) -> dict:
    """The server's VmRSS after the first tenth of `total` requests (32 clients) and
    after all of them: a leak shows as growth between the two."""
    checkpoint = max(1, total // CHECKPOINT_SHARE)
    first = measure(server, "memory", port, requests, words, 32, checkpoint)
    rss_checkpoint = resident_bytes(server.pid)
    rest = measure(server, "memory", port, requests, words, 32, total - checkpoint)
    rss_end = resident_bytes(server.pid)
    msg.text(f"memory run: {total} requests done")
    return {
        "requests": total,
        "clients": 32,
        "checkpoint_requests": checkpoint,
        "rss_mib_at_checkpoint": rss_checkpoint / 2**20,
        "rss_mib_at_end": rss_end / 2**20,
        "growth_percent": (rss_end - rss_checkpoint) / rss_checkpoint * 100,
        "errors": first.errors + rest.errors,
        "statuses": {
            key: first.statuses.get(key, 0) + rest.statuses.get(key, 0)
            for key in first.statuses | rest.statuses
        },
        "requests_per_s": total / (first.seconds + rest.seconds),
    }


def machine() -> dict:
    """What the figures were measured on, and how busy the machine was."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    return {
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": int(meminfo[0].split()[1]) / 2**20,
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def check(name: str, value: float, passed: bool, target: str) -> dict:
    return {"check": name, "value": value, "target": target, "passed": passed}


def serve_load(
    model: Path = typer.Option(
        REPO / "training" / "model-best", "--model", help="Pipeline folder to serve"
    ),
    corpus: Path = typer.Option(
        REPO / "corpus" / "test.spacy", "--corpus", help="DocBin of the texts to send"
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
    output: Path = typer.Option(
        REPO / "benchmarks" / "results" / "serve_load.json",
        "--output",
        help="JSON report",
    ),
) -> None:
    """Print throughput and latency of the service under load, and check the issue's
    targets: batching ≥ 2x no batching, ≥ 80% of offline, no errors, RSS growth ≤ 5%."""
    if not (model / "config.cfg").is_file():
        msg.fail(f"no pipeline at {model}", "train one first, or pass --model", exits=1)
    if not corpus.is_file():
        msg.fail(f"no corpus at {corpus}", "pass --corpus", exits=1)
    if requests < 2 or min(clients, default=0) < 1:
        msg.fail("--requests must be at least 2 and --clients at least 1", exits=1)
    model = model.resolve()
    texts = load_texts(corpus, texts_limit)
    if not texts:
        msg.fail(f"{corpus} has no texts", exits=1)
    mean_words = statistics.mean(len(text.split()) for text in texts)
    try:
        settings = Settings()
    except ValidationError as error:
        msg.fail("the service's NER_* settings are not valid", str(error), exits=1)
    if torch_threads > 0:
        # Read by torch in the server and in the offline process alike, whatever
        # thread runs the pipeline.
        os.environ["OMP_NUM_THREADS"] = str(torch_threads)
    started = datetime.now(UTC)
    host = machine()
    msg.info(f"{len(texts)} texts, {mean_words:.0f} words each on average")

    batch_sizes = sorted({1, settings.pipe_batch_size, settings.max_batch_size})
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as executor:
            offline_runs = executor.submit(
                offline_pipe, model, texts, batch_sizes, offline_seconds
            ).result()
    except (OSError, ValueError, ImportError, BrokenProcessPool) as error:
        msg.fail(f"nlp.pipe on {model} failed offline", str(error)[:800], exits=1)
    # The reference is nlp.pipe at its fastest batch size.
    offline = max(offline_runs["runs"], key=lambda run: run["words_per_s"]) | {
        "torch_threads": offline_runs["torch_threads"]
    }
    for run in offline_runs["runs"]:
        msg.text(
            f"offline nlp.pipe, batch size {run['batch_size']}: "
            f"{run['words_per_s']:,.0f} words/s"
        )

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
            )
            results += found
            memory = memory or found_memory

    summaries = [result.summary() for result in results]
    report_table(summaries, offline)
    if len(offline_runs["runs"]) > 1:
        single, full = offline_runs["runs"][0], offline
        msg.info(
            f"offline nlp.pipe at batch size {full['batch_size']} is "
            f"{full['words_per_s'] / single['words_per_s']:.2f}x batch size 1: the most "
            "batching can gain over no batching on this machine"
        )
    most = max(clients)
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

    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": host | {"load_average_at_end": os.getloadavg()},
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
            "server": settings.model_dump(
                include={"max_batch_size", "max_wait_ms", "max_queue"}
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
