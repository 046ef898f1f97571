"""Concurrent HTTP/1.1 clients for the load test: keep-alive connections on loopback,
each sending the next request once its last one is answered, with what each setting
measured (throughput, latencies, errors, CPU of the clients and of the server)."""

import asyncio
import itertools
import json
import os
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # loopback only: the benchmark never listens beyond this machine


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


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
