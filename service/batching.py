"""The inference service: one worker thread runs the pipeline off the event loop,
batching the texts of requests that arrive together into one `nlp.pipe` call.

Requests wait in a bounded queue; when it is full, `entities` raises `QueueFull` at
once instead of letting the backlog (and its memory and latency) grow.
"""

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from spacy.language import Language

from ner_project.pipeline.entities import doc_entities
from ner_project.pipeline.meta import use_gpu

logger = logging.getLogger(__name__)

_STOP = object()


class QueueFull(Exception):
    """Too many requests are waiting for the pipeline."""


@dataclass
class _Job:
    texts: list[str]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


class InferenceService:
    """Runs `nlp` on one worker thread, batching requests (see the module docstring).

    `pipe_calls` counts the `nlp.pipe` calls made, so tests and benchmarks can see how
    well requests were batched; `on_batch(texts, seconds)`, if given, hears of each.
    """

    def __init__(
        self,
        nlp: Language,
        max_batch_size: int = 32,
        pipe_batch_size: int = 8,
        max_wait_ms: float = 0,
        max_queue: int = 256,
        batching: bool = True,
        on_batch: Callable[[list[str], float], None] | None = None,
        torch_threads: int | None = None,
        min_confidence: Mapping[str, float] | None = None,
        gpu_id: int = -1,
    ) -> None:
        self.nlp = nlp
        self.gpu_id = gpu_id
        self.min_confidence = dict(min_confidence or {})
        self.on_batch = on_batch
        self.torch_threads = torch_threads
        self.max_batch_size = max_batch_size if batching else 1
        self.pipe_batch_size = min(pipe_batch_size, self.max_batch_size)
        self.max_wait = max_wait_ms / 1000 if batching else 0.0
        self.pipe_calls = 0
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None

    def waiting(self) -> int:
        """Requests in the queue, not yet taken by the worker."""
        return self._queue.qsize()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="ner-inference", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Let the worker finish what is queued, then end it."""
        if self._thread is None:
            return
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            logger.warning("inference worker did not drain its queue; leaving it")
            return
        self._thread.join(timeout)
        self._thread = None

    async def entities(self, texts: list[str]) -> list[list[dict]]:
        """Each text's entities as {text, label, start, end, confidence} dicts, in input order."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        try:
            self._queue.put_nowait(_Job(texts, future, loop))
        except queue.Full:
            raise QueueFull(f"{self._queue.maxsize} requests are waiting") from None
        return await future

    def annotate(self, texts: list[str]) -> list[list[dict]]:
        """One `nlp.pipe` call, results in input order; the docs become plain dicts
        inside the memory zone, so the strings they added to the vocabulary are freed
        when it closes."""
        self.pipe_calls += 1
        started = time.perf_counter()
        # Shortest first, in small batches: each batch is padded to its longest text,
        # and on a CPU that waste outgrows what a larger batch saves.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        entities: list[list[dict]] = [[] for _ in texts]
        with self.nlp.memory_zone():
            docs = self.nlp.pipe(
                (texts[i] for i in order), batch_size=self.pipe_batch_size
            )
            for i, doc in zip(order, docs, strict=True):
                entities[i] = doc_entities(doc, self.min_confidence)
        if self.on_batch is not None:
            self.on_batch(texts, time.perf_counter() - started)
        return entities

    def _run(self) -> None:
        use_gpu(self.gpu_id)
        if self.torch_threads is not None:
            # Per thread: the intra-op thread count set elsewhere does not reach here.
            torch.set_num_threads(self.torch_threads)
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            jobs, stopping = self._gather(job)
            self._process(jobs)
            if stopping:
                return

    def _gather(self, first: _Job) -> tuple[list[_Job], bool]:
        """The first job and those that arrive within max_wait, up to max_batch_size
        texts; and whether the stop signal came among them."""
        jobs, count = [first], len(first.texts)
        deadline = time.monotonic() + self.max_wait
        while count < self.max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                job = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if job is _STOP:
                return jobs, True
            jobs.append(job)
            count += len(job.texts)
        return jobs, False

    def _process(self, jobs: list[_Job]) -> None:
        jobs = [job for job in jobs if not job.future.cancelled()]
        if not jobs:
            return
        texts = [text for job in jobs for text in job.texts]
        try:
            entities = self.annotate(texts)
        except Exception as error:
            # The count only: request text is never logged.
            logger.exception("the pipeline failed on a batch of %d texts", len(texts))
            for job in jobs:
                _settle(job, error=error)
            return
        start = 0
        for job in jobs:
            _settle(job, result=entities[start : start + len(job.texts)])
            start += len(job.texts)


def _settle(job: _Job, result=None, error: BaseException | None = None) -> None:
    """Hand the worker's result to the waiting request, on the request's event loop."""

    def settle() -> None:
        if job.future.done():  # the client went away
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    try:
        job.loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the event loop has closed
        pass
