"""Prometheus metrics of one app: requests, latency, batches and the queue.

Each app has a registry of its own, so that several apps in one process (tests) do not
share counters. Labels carry route templates and status codes, never request content.
"""

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The `_created` series double every metric's lines and say only when the app started.
disable_created_metrics()

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ner_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ner_http_request_duration_seconds",
            "Time from request to response, by route template",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.texts = Counter(
            "ner_texts", "Texts run through the pipeline", registry=self.registry
        )
        self.characters = Counter(
            "ner_characters",
            "Characters of the texts run through the pipeline",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "ner_batch_texts",
            "Texts in each nlp.pipe call (requests that arrived together share one)",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "ner_batch_duration_seconds",
            "Time of each nlp.pipe call",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queue = Gauge(
            "ner_queue_requests",
            "Requests waiting for the pipeline",
            registry=self.registry,
        )

    def observe_batch(self, texts: list[str], seconds: float) -> None:
        self.texts.inc(len(texts))
        self.characters.inc(sum(len(text) for text in texts))
        self.batch_size.observe(len(texts))
        self.batch_seconds.observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (`/v1/entities`, not
    the raw path, so that unknown paths cannot blow up the label set)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(template, scope["method"], str(status)).inc()
            self.metrics.latency.labels(template).observe(time.perf_counter() - started)
