"""The service for the tests: in-process (`make_client`), or as a real server process
on loopback, started, waited for until /ready answers, and always stopped."""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from fastapi.testclient import TestClient
from service.app import create_app
from service.settings import Settings


def make_client(pipeline, **settings) -> TestClient:
    """The app around `pipeline`; use it in a `with` block to load the pipeline."""
    return TestClient(create_app(Settings(model=str(pipeline), **settings)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def logs(self) -> str:
        """Everything the server printed, once it has stopped."""
        return "".join(self.output)


@contextmanager
def running_server(
    command: list, port: int, cwd=None, env=None, timeout: float = 90
) -> Iterator[Server]:
    """Run `command` (which must listen on 127.0.0.1:`port`) until the block ends."""
    process = subprocess.Popen(
        [str(arg) for arg in command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stdout.read()[-3000:]}")
            assert time.monotonic() < deadline, f"server not ready in {timeout} s"
            try:
                if httpx.get(f"{server.url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.output.append(process.stdout.read())
