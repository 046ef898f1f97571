"""The HTTP service: its endpoints, limits, batching, back-pressure, API key and CORS,
in-process around the small trained pipeline, and once as a real server."""

import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import spacy
from fastapi.testclient import TestClient

from ner_project.pipeline.entities import confidence
from tests.helpers import (
    PROJECT_DIR,
    assert_same_records,
    free_port,
    make_client,
    run_cli,
    running_server,
)

TEXTS = [
    "Jane Doe is a data engineer at Acme Corp in Berlin. Email: jane.doe@example.com",
    "Skills: Python, SQL, Kubernetes. Studied Computer Science at MIT.",
    "Contact John Smith on +1 555 0100 or john.smith@example.org",
]


@pytest.fixture(scope="module")
def nlp(trained_pipeline):
    return spacy.load(trained_pipeline)


@pytest.fixture(scope="module")
def client(trained_pipeline):
    with make_client(trained_pipeline) as client:
        yield client


def inference(client: TestClient):
    return client.app.state.inference


def test_health_answers_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_once_the_pipeline_is_loaded(client):
    assert client.get("/ready").status_code == 200


def test_not_ready_and_no_entities_before_the_pipeline_is_loaded(trained_pipeline):
    # Without `with`, the lifespan (which loads the pipeline) does not run.
    client = make_client(trained_pipeline)
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 503
    response = client.post("/v1/entities", json={"texts": ["x"]})
    assert response.status_code == 503
    assert "not loaded" in response.json()["detail"]


def test_model_gives_the_pipeline_labels_and_version(client, nlp):
    body = client.get("/v1/model").json()
    patterns = nlp.get_pipe("contact_patterns").labels
    assert body["labels"] == sorted({*nlp.get_pipe("ner").labels, *patterns})
    assert "URL" in body["labels"]  # from the patterns only
    assert body["name"] == f"{nlp.meta['lang']}_{nlp.meta['name']}"
    assert body["version"] == nlp.meta["version"]
    assert isinstance(body["performance"], dict)
    assert body["int8"] is False
    assert body["runtime"] == "onnxruntime"  # NER_RUNTIME auto, with it installed
    assert body["device"] == "cpu"  # NER_GPU_ID -1


def test_runtime_setting_chooses_what_computes_the_transformer(trained_pipeline):
    with make_client(trained_pipeline, runtime="onnxruntime") as client:
        assert client.get("/v1/model").json()["runtime"] == "onnxruntime"
        onnx = client.post("/v1/entities", json={"texts": TEXTS}).json()
    with make_client(trained_pipeline, runtime="torch") as client:
        assert client.get("/v1/model").json()["runtime"] == "torch"
        torch = client.post("/v1/entities", json={"texts": TEXTS}).json()
    assert onnx == torch


def test_entities_slice_the_input_text_in_input_order(client):
    response = client.post("/v1/entities", json={"texts": TEXTS})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(TEXTS)
    for text, result in zip(TEXTS, results, strict=True):
        for entity in result["entities"]:
            assert text[entity["start"] : entity["end"]] == entity["text"]
    assert any(result["entities"] for result in results)


def test_entities_equal_those_of_the_pipeline_run_directly(client, nlp):
    results = client.post("/v1/entities", json={"texts": TEXTS}).json()["results"]
    expected = [
        [
            {
                "text": e.text,
                "label": e.label_,
                "start": e.start_char,
                "end": e.end_char,
                "confidence": confidence(e),
            }
            for e in nlp(text).ents
        ]
        for text in TEXTS
    ]
    assert_same_records(results, [{"entities": found} for found in expected])
    confidences = [e["confidence"] for r in results for e in r["entities"]]
    assert confidences and all(0.0 <= c <= 1.0 for c in confidences)


def test_per_label_thresholds_leave_out_only_less_confident_entities(
    trained_pipeline, client
):
    everything = client.post("/v1/entities", json={"texts": TEXTS}).json()["results"]
    found = [e for r in everything for e in r["entities"]]
    label = Counter(e["label"] for e in found).most_common(1)[0][0]
    scores = sorted(e["confidence"] for e in found if e["label"] == label)
    assert scores[0] < scores[-1]
    threshold = scores[-1]  # the most confident of the label: the others go
    with make_client(trained_pipeline, min_confidence={label: threshold}) as strict:
        kept = strict.post("/v1/entities", json={"texts": TEXTS}).json()["results"]
    expected = [
        [
            e
            for e in r["entities"]
            if e["label"] != label or e["confidence"] >= threshold
        ]
        for r in everything
    ]
    assert [r["entities"] for r in kept] == expected
    assert sum(len(r) for r in expected) < len(found)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_thresholds_outside_zero_to_one_are_refused(value):
    from pydantic import ValidationError

    from service.settings import Settings

    with pytest.raises(ValidationError, match="min_confidence"):
        Settings(min_confidence={"SKILL": value})


@pytest.mark.parametrize(
    ("settings", "pipe_batch_size"),
    [
        ({}, 8),  # the CPU: larger passes pad more than they save
        ({"gpu_id": 0}, 32),  # a GPU: the whole gathered batch in one pass
        ({"gpu_id": 0, "max_batch_size": 64}, 64),
        ({"gpu_id": 0, "pipe_batch_size": 4}, 4),  # set: kept on either device
        ({"pipe_batch_size": 16}, 16),
    ],
)
def test_the_pipe_batch_size_defaults_to_what_suits_the_device(
    settings, pipe_batch_size
):
    from service.settings import Settings

    assert Settings(**settings).pipe_batch_size == pipe_batch_size


def test_int8_serves_the_entities_of_the_quantized_pipeline(trained_pipeline):
    from ner_project.pipeline.quantize import quantize_transformer

    quantized = spacy.load(trained_pipeline)
    assert quantize_transformer(quantized) == "onnxruntime"  # the default runtime's
    expected = [[(e.text, e.label_) for e in quantized(text).ents] for text in TEXTS]
    with make_client(trained_pipeline, int8=True) as client:
        assert client.get("/v1/model").json()["int8"] is True
        assert client.get("/v1/model").json()["runtime"] == "onnxruntime"
        # One text a request: int8 scales activations per batch, so a text's
        # entities may differ slightly with the texts it is batched with.
        results = [
            client.post("/v1/entities", json={"texts": [text]}).json()["results"][0]
            for text in TEXTS
        ]
    served = [[(e["text"], e["label"]) for e in r["entities"]] for r in results]
    assert served == expected
    assert any(served)


def test_empty_text_has_no_entities(client):
    response = client.post("/v1/entities", json={"texts": [""]})
    assert response.status_code == 200
    assert response.json() == {"results": [{"entities": []}]}


def test_concurrent_requests_all_succeed_and_are_batched(trained_pipeline):
    requests = 16
    with make_client(trained_pipeline, max_wait_ms=50) as client:
        service = inference(client)
        calls_before = service.pipe_calls

        def post(index: int) -> httpx.Response:
            text = TEXTS[index % len(TEXTS)]
            return client.post("/v1/entities", json={"texts": [text]})

        with ThreadPoolExecutor(requests) as pool:
            responses = list(pool.map(post, range(requests)))
        assert [r.status_code for r in responses] == [200] * requests
        for index, response in enumerate(responses):
            text = TEXTS[index % len(TEXTS)]
            for entity in response.json()["results"][0]["entities"]:
                assert text[entity["start"] : entity["end"]] == entity["text"]
        assert service.pipe_calls - calls_before < requests


def test_without_batching_each_request_is_its_own_pipe_call(trained_pipeline):
    requests = 4
    with make_client(trained_pipeline, batching=False, max_wait_ms=50) as client:
        service = inference(client)
        calls_before = service.pipe_calls
        with ThreadPoolExecutor(requests) as pool:
            responses = list(
                pool.map(
                    lambda text: client.post("/v1/entities", json={"texts": [text]}),
                    [TEXTS[0]] * requests,
                )
            )
        assert [r.status_code for r in responses] == [200] * requests
        assert service.pipe_calls - calls_before == requests


def test_full_queue_answers_503_with_retry_after(trained_pipeline):
    with make_client(trained_pipeline, max_queue=1, batching=False) as client:
        service = inference(client)
        started, release = threading.Event(), threading.Event()
        annotate = service.annotate

        def blocked_annotate(texts):
            started.set()
            release.wait(30)
            return annotate(texts)

        service.annotate = blocked_annotate

        def post() -> int:
            return client.post("/v1/entities", json={"texts": [TEXTS[0]]}).status_code

        with ThreadPoolExecutor(2) as pool:
            running = pool.submit(post)  # taken by the worker, which blocks
            assert started.wait(30)
            waiting = pool.submit(post)  # fills the queue of one
            deadline = time.monotonic() + 30
            while service._queue.qsize() < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            try:
                response = client.post("/v1/entities", json={"texts": [TEXTS[0]]})
            finally:
                release.set()
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "1"
            assert "retry" in response.json()["detail"]
            assert running.result(30) == 200
            assert waiting.result(30) == 200


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"texts": []}, "at least 1"),
        ({"texts": ["a"] * 4}, "at most 3 per request"),
        ({"texts": ["short", "x" * 51]}, "texts[1] has 51 characters; at most 50"),
        ({"texts": ["fine", 7]}, "valid string"),
        ({"texts": "not a list"}, "valid list"),
        ({}, "Field required"),
    ],
    ids=["empty", "too-many", "too-long", "not-a-string", "not-a-list", "missing"],
)
def test_bad_requests_get_422_with_a_detail(trained_pipeline, body, detail):
    with make_client(trained_pipeline, max_texts=3, max_text_chars=50) as client:
        response = client.post("/v1/entities", json=body)
    assert response.status_code == 422
    assert detail in str(response.json()["detail"])


def test_lone_surrogate_gets_422_not_500(client):
    response = client.post(
        "/v1/entities",
        content=b'{"texts": ["bad \\ud800 text"]}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "texts[0]" in response.json()["detail"]


def test_malformed_json_gets_422(client):
    response = client.post(
        "/v1/entities",
        content=b'{"texts": [',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_api_key_is_required_when_configured(trained_pipeline):
    with make_client(trained_pipeline, api_key="s3cret") as client:
        body = {"texts": [TEXTS[0]]}
        missing = client.post("/v1/entities", json=body)
        wrong = client.post("/v1/entities", json=body, headers={"X-API-Key": "nope"})
        right = client.post("/v1/entities", json=body, headers={"X-API-Key": "s3cret"})
        model = client.get("/v1/model")
        health = client.get("/health")
    assert missing.status_code == wrong.status_code == model.status_code == 401
    assert "X-API-Key" in missing.json()["detail"]
    assert right.status_code == 200
    assert health.status_code == 200


def test_cors_is_closed_by_default(client):
    response = client.get("/health", headers={"Origin": "https://app.example.com"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_a_configured_origin(trained_pipeline):
    origin = "https://app.example.com"
    with make_client(trained_pipeline, cors_origins=[origin]) as client:
        allowed = client.get("/health", headers={"Origin": origin})
        other = client.get("/health", headers={"Origin": "https://evil.example.com"})
        preflight = client.options(
            "/v1/entities",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200


def test_openapi_documents_the_request_example(client):
    schema = client.get("/openapi.json").json()
    assert "/v1/entities" in schema["paths"]
    request = schema["components"]["schemas"]["EntitiesRequest"]
    assert request["properties"]["texts"]["examples"]


def test_serve_script_runs_a_real_server_that_never_logs_texts(trained_pipeline):
    port = free_port()
    command = [sys.executable, PROJECT_DIR / "scripts" / "serve.py"]
    command += ["--model", trained_pipeline, "--port", str(port)]
    secret = "Zebulon Quillfeather"
    with running_server(command, port, cwd=PROJECT_DIR) as server:
        response = httpx.post(
            f"{server.url}/v1/entities", json={"texts": [TEXTS[0]]}, timeout=30
        )
        assert response.status_code == 200
        entities = response.json()["results"][0]["entities"]
        for entity in entities:
            assert TEXTS[0][entity["start"] : entity["end"]] == entity["text"]
        # a served text, a refused one and one in a malformed body
        httpx.post(f"{server.url}/v1/parse", json={"text": secret}, timeout=30)
        httpx.post(f"{server.url}/v1/parse", json={"text": secret * 10_000})
        httpx.post(f"{server.url}/v1/entities", json={"texts": [secret, 7]})
    assert "POST /v1/parse" in server.logs()  # the access log is on
    assert secret not in server.logs()


def test_serve_script_refuses_a_missing_pipeline(tmp_path):
    missing = tmp_path / "no-model"
    result = run_cli(
        [sys.executable, PROJECT_DIR / "scripts" / "serve.py", "--model", missing]
    )
    assert result.returncode == 1
    assert f"No pipeline at {missing}" in result.output
    assert "Traceback" not in result.output


def test_serve_script_refuses_int8_for_a_pipeline_without_a_transformer(tmp_path):
    rules_only = spacy.blank("en")
    rules_only.add_pipe("entity_ruler")
    rules_only.to_disk(tmp_path / "rules")
    result = run_cli(
        [
            *(sys.executable, PROJECT_DIR / "scripts" / "serve.py"),
            *("--model", tmp_path / "rules", "--int8"),
        ]
    )
    assert result.returncode == 1
    assert "int8 quantizes a transformer" in result.output
    assert "components: entity_ruler" in result.output
    assert "Traceback" not in result.output


def test_serve_script_refuses_a_gpu_it_cannot_use(trained_pipeline):
    # No cupy here, or fewer than eight GPUs: either way the server never starts.
    result = run_cli(
        [
            *(sys.executable, PROJECT_DIR / "scripts" / "serve.py"),
            *("--model", trained_pipeline, "--gpu-id", "7"),
        ]
    )
    assert result.returncode == 1
    assert "gpu_id=7" in result.output
    assert "Traceback" not in result.output


def test_serve_script_refuses_int8_on_a_gpu(trained_pipeline):
    result = run_cli(
        [
            *(sys.executable, PROJECT_DIR / "scripts" / "serve.py"),
            *("--model", trained_pipeline, "--gpu-id", "0", "--int8"),
        ]
    )
    assert result.returncode == 1
    assert "NER_GPU_ID: Value error, int8 runs on the CPU only" in result.output
    assert "Traceback" not in result.output


def test_serve_script_names_the_invalid_setting(trained_pipeline):
    result = run_cli(
        [
            sys.executable,
            PROJECT_DIR / "scripts" / "serve.py",
            "--model",
            trained_pipeline,
        ],
        env={
            "NER_MAX_TEXTS": "0",
            "NER_PARSE_FIELDS": '{"skills": []}',
            "NER_GPU_ID": "-2",
        },
    )
    assert result.returncode == 1
    assert "NER_MAX_TEXTS: Input should be greater than 0" in result.output
    assert "NER_GPU_ID: Input should be greater than or equal to -1" in result.output
    assert "NER_PARSE_FIELDS (skills)" in result.output
    assert "Traceback" not in result.output
