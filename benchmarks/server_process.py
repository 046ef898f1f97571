"""The service (scripts/serve.py) in a process of its own on a free loopback port,
for the load test: started, waited for, loaded setting by setting, its memory
tracked, and always stopped."""

import asyncio
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

from wasabi import msg

from benchmarks.load_clients import (
    HOST,
    LoadResult,
    measure,
    request_bytes,
    run_clients,
)

PROJECT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 300  # model load takes seconds; a cold disk or a big model, minutes
CHECKPOINT_SHARE = 10  # memory is read after 1/10 of the memory run (1,000 of 10,000)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


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


def stop(server: subprocess.Popen) -> None:
    """Terminate the server, and kill it if it has not gone in 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def benchmark_server(
    model: Path,
    batching: bool,
    texts: list[str],
    clients: list[int],
    total: int,
    warmup: int,
    memory_requests: int,
    log_dir: Path,
    gpu_id: int = -1,
) -> tuple[list[LoadResult], dict | None]:
    """Start one server, load it setting by setting, and (batching on) track its
    memory; the server is always stopped, whatever happens."""
    name = "batching" if batching else "no batching"
    port, stderr_path = free_port(), log_dir / f"{name.replace(' ', '-')}.log"
    command = [sys.executable, str(PROJECT / "scripts" / "serve.py"), "--model"]
    command += [str(model), "--host", HOST, "--port", str(port)]
    command += ["--batching" if batching else "--no-batching", "--gpu-id", str(gpu_id)]
    words = [len(text.split()) for text in texts]
    results, memory = [], None
    with stderr_path.open("wb") as stderr:
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=PROJECT
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
            stop(server)
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
