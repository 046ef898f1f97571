"""Schema-driven fuzzing: schemathesis generates requests, valid and invalid, from the
service's own OpenAPI document and checks every answer against it: no 5xx, only
documented status codes and media types, bodies and headers as documented, and no way
past the API key."""

import os
import sys
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)
from service.app import create_app
from service.documents import DOCX_MEDIA_TYPE
from service.settings import Settings

from server import free_port, running_server

PROJECT_DIR = Path(__file__).resolve().parent.parent
API_KEY = "fuzz-key"


@pytest.fixture(scope="module")
def server_url(trained_pipeline):
    port = free_port()
    command = [sys.executable, PROJECT_DIR / "scripts" / "serve.py"]
    command += ["--model", trained_pipeline, "--port", str(port)]
    # Small limits, so that the generated data reaches them too.
    env = {
        **os.environ,
        "NER_API_KEY": API_KEY,
        "NER_MAX_TEXT_CHARS": "2000",
        "NER_MAX_TEXTS": "8",
        "NER_MAX_UPLOAD_BYTES": "20000",
    }
    with running_server(command, port, cwd=PROJECT_DIR, env=env) as server:
        yield server.url


# A PDF or DOCX sent as the body is bytes, as application/octet-stream is.
schemathesis.serializer.alias(
    ["application/pdf", DOCX_MEDIA_TYPE], "application/octet-stream"
)

# The document the server publishes at /openapi.json; it does not depend on the
# pipeline, so the app need not start to give it.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_own_schema(case, server_url):
    # Data valid by the schema may still be refused: a file's bytes must be a real PDF
    # or DOCX, and the size limits are settings, which no schema states. And unknown
    # query parameters are ignored, as HTTP APIs do, not refused.
    case.call_and_validate(
        base_url=server_url,
        headers={"X-API-Key": API_KEY},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        timeout=60,
    )


def test_the_schema_checked_is_the_one_served(server_url):
    served = httpx.get(f"{server_url}/openapi.json").json()
    assert served == create_app(Settings()).openapi()
