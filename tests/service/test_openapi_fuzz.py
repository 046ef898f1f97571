"""Schema-driven fuzzing: schemathesis generates requests, valid and invalid, from the
OpenAPI document a running service publishes, and runs every check on each answer: no
5xx, only documented status codes, media types, bodies and headers, valid requests
accepted and invalid ones refused, and no way past the API key, with a key configured
and without one."""

import os
import sys
from contextlib import ExitStack, contextmanager

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from service.app import create_app
from service.documents import DOCX_MEDIA_TYPE
from service.settings import Settings
from tests.helpers import (
    PROJECT_DIR,
    free_port,
    make_docx,
    make_pdf,
    running_server,
)

API_KEY = "fuzz-key"
# Limits on texts small enough for the generated data to reach them too; files get
# room for the DOCX files made below (python-docx's template alone is 36 kB).
LIMITS = {"max_text_chars": 2000, "max_texts": 8, "max_upload_bytes": 100_000}

# A file's bytes are valid when they are a PDF or DOCX with text, which no schema can
# say: these strategies make them, for the bodies and multipart parts of those types.
lines = st.lists(
    st.from_regex(r"[A-Za-z0-9@.+\- ]{0,40}[A-Za-z0-9]", fullmatch=True),
    min_size=1,
    max_size=5,
)
schemathesis.openapi.media_type("application/pdf", st.builds(make_pdf, lines))
schemathesis.openapi.media_type(DOCX_MEDIA_TYPE, st.builds(make_docx, lines))


SETTINGS = {
    "no-key": Settings(api_key=None, **LIMITS),
    "api-key": Settings(api_key=API_KEY, **LIMITS),
}
# The documents the servers publish at /openapi.json: they do not depend on the
# pipeline, so the app need not start to give them.
schema_without_key = schemathesis.openapi.from_dict(
    create_app(SETTINGS["no-key"]).openapi()
)
# The key is given as the scheme's credentials, not as a header on every call, so
# that schemathesis can also leave it out, and expect a 401.
schema_with_key = schemathesis.openapi.from_dict(
    create_app(SETTINGS["api-key"]).openapi(),
    config=schemathesis.Config.from_dict(
        {"auth": {"openapi": {"APIKeyHeader": {"api_key": API_KEY}}}}
    ),
)


@pytest.fixture(scope="module")
def servers(trained_pipeline):
    """A server started as users start it, for each of the settings, by their id."""
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(start_server(trained_pipeline, settings))
            for name, settings in SETTINGS.items()
        }
        yield urls


@contextmanager
def start_server(pipeline, settings: Settings):
    port = free_port()
    command = [sys.executable, PROJECT_DIR / "scripts" / "serve.py"]
    command += ["--model", pipeline, "--port", str(port)]
    env = {name: value for name, value in os.environ.items() if name != "NER_API_KEY"}
    env |= {f"NER_{name.upper()}": str(value) for name, value in LIMITS.items()}
    if settings.api_key:
        env["NER_API_KEY"] = settings.api_key
    with running_server(command, port, cwd=PROJECT_DIR, env=env) as server:
        yield server.url


fuzz_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# Each test is parametrized by the server it calls, though it calls one: schemathesis
# makes an item per API operation, and with pytest 9 they only get ids of their own
# ("test_x[POST /v1/parse][no-key]") where the test has parameters; pytest-xdist runs
# items by id, and would otherwise fuzz one operation of the six.
@schema_without_key.parametrize()
@fuzz_settings
@pytest.mark.parametrize("server", ["no-key"])
def test_api_without_a_key_conforms_to_its_own_schema(case, servers, server):
    case.call_and_validate(base_url=servers[server], timeout=60)


@schema_with_key.parametrize()
@fuzz_settings
@pytest.mark.parametrize("server", ["api-key"])
def test_api_with_a_key_conforms_to_its_own_schema(case, servers, server):
    case.call_and_validate(base_url=servers[server], timeout=60)


@pytest.mark.parametrize("name", SETTINGS)
def test_the_schema_checked_is_the_one_served(servers, name):
    served = httpx.get(f"{servers[name]}/openapi.json").json()
    assert served == create_app(SETTINGS[name]).openapi()


@pytest.mark.parametrize("name", SETTINGS)
def test_the_api_key_is_asked_for_only_when_configured(servers, name):
    served = httpx.get(f"{servers[name]}/openapi.json").json()
    operations = [
        operation
        for path, methods in served["paths"].items()
        if path.startswith("/v1/")
        for operation in methods.values()
    ]
    schemes = served.get("components", {}).get("securitySchemes", {})
    if SETTINGS[name].api_key:
        assert schemes["APIKeyHeader"]["name"] == "X-API-Key"
        assert all(op["security"] == [{"APIKeyHeader": []}] for op in operations)
        assert all("401" in op["responses"] for op in operations)
    else:
        assert schemes == {}
        assert all("security" not in op for op in operations)
        assert all("401" not in op["responses"] for op in operations)


def test_the_documented_limits_are_the_settings(servers):
    served = httpx.get(f"{servers['no-key']}/openapi.json").json()
    texts = served["components"]["schemas"]["EntitiesRequest"]["properties"]["texts"]
    bodies = served["paths"]["/v1/parse"]["post"]["requestBody"]["content"]
    assert texts["maxItems"] == LIMITS["max_texts"]
    assert texts["items"]["maxLength"] == LIMITS["max_text_chars"]
    assert (
        bodies["application/json"]["schema"]["properties"]["text"]["maxLength"]
        == (LIMITS["max_text_chars"])
    )
    assert bodies["text/plain"]["schema"]["minLength"] == 1
    assert bodies["text/plain"]["schema"]["maxLength"] == LIMITS["max_text_chars"]


def test_an_empty_text_body_is_refused_as_documented(servers):
    response = httpx.post(
        f"{servers['no-key']}/v1/parse",
        content=b"",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]
