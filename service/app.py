"""The HTTP API: `create_app(settings)` builds it around one pipeline, loaded once when
the app starts and shared by every request through the inference service."""

import email.parser
import email.policy
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    HTTPException,
    Query,
    Request,
    Response,
    Security,
)
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import ValidationError
from spacy import displacy
from starlette.concurrency import run_in_threadpool

from ner_project.pipeline.meta import load_pipeline, meta_name, use_gpu
from ner_project.pipeline.quantize import quantize_transformer
from ner_project.pipeline.runtime import runtime_in_use, use_runtime

from .batching import InferenceService, QueueFull
from .body_limit import BodyLimitMiddleware
from .documents import (
    DOCX_MEDIA_TYPE,
    UnreadableDocument,
    UnsupportedDocument,
    extract_text,
)
from .history import build_history, date_parser
from .metrics import MetricsMiddleware, ServiceMetrics
from .openapi import document_limits
from .resume import build_record
from .schemas import (
    EntitiesRequest,
    EntitiesResponse,
    ErrorMessage,
    ModelInfo,
    ParseRequest,
    ParseResponse,
    Status,
)
from .settings import Settings

RETRY_AFTER_SECONDS = 1
FILE_MEDIA_TYPES = {"application/pdf", DOCX_MEDIA_TYPE, "text/plain"}
PAGE = (Path(__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
# displaCy colours for the labels it has none for, given in order of the sorted labels.
PALETTE = (
    "#7aecec",
    "#bfeeb7",
    "#feca74",
    "#ff9561",
    "#aa9cfc",
    "#c887fb",
    "#9cc9cc",
    "#ffeb80",
    "#ff8197",
    "#f0d0ff",
    "#bfe1d9",
    "#e4e7d2",
)

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The service's API key (NER_API_KEY)",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, serving the pipeline named by `settings` (default: the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        use_gpu(settings.gpu_id)  # before loading: the weights go to the GPU
        nlp = await run_in_threadpool(load_pipeline, settings.model)
        await run_in_threadpool(date_parser)  # its language data, before requests
        use_runtime(nlp, settings.runtime)
        if settings.int8:
            quantize_transformer(nlp)
        await run_in_threadpool(warm_up, nlp, settings.torch_threads, settings.gpu_id)
        service = InferenceService(
            nlp,
            max_batch_size=settings.max_batch_size,
            pipe_batch_size=settings.pipe_batch_size,
            torch_threads=settings.torch_threads,
            max_wait_ms=settings.max_wait_ms,
            max_queue=settings.max_queue,
            batching=settings.batching,
            on_batch=metrics.observe_batch,
            min_confidence=settings.min_confidence,
            gpu_id=settings.gpu_id,
        )
        metrics.queue.set_function(service.waiting)
        service.start()
        app.state.inference = service
        try:
            yield
        finally:
            app.state.inference = None
            await run_in_threadpool(service.stop)

    app = FastAPI(
        title="Resume NER",
        summary="Named entities of resumes, from the project's trained pipeline",
        lifespan=lifespan,
    )
    metrics = ServiceMetrics()
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.inference = None
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key"],
        )
    # Outermost, so that it counts every answer, 413s and CORS refusals included.
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.include_router(page_router)
    app.include_router(health_router)
    if settings.api_key is None:
        app.include_router(v1_router)
    else:
        # Only then does the OpenAPI document ask for the key, and answer 401.
        app.include_router(
            v1_router,
            dependencies=[Depends(check_api_key)],
            responses={
                401: {
                    "model": ErrorMessage,
                    "description": "Missing or wrong X-API-Key",
                }
            },
        )
    app.openapi = document_limits(app, settings)
    return app


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def validation_error(request: Request, error: RequestValidationError):
    """422 naming where the body is wrong, without echoing what was sent (resumes are
    personal data)."""
    problems = [
        {"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
        for problem in error.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=422)


async def get_inference(request: Request) -> InferenceService:
    service = request.app.state.inference
    if service is None:
        raise HTTPException(503, detail="the pipeline is not loaded yet")
    return service


async def check_api_key(
    settings: Annotated[Settings, Depends(get_settings)],
    api_key: Annotated[str | None, Security(api_key_header)],
) -> None:
    if api_key is None or not secrets.compare_digest(
        api_key.encode(), settings.api_key.encode()
    ):
        raise HTTPException(401, detail="missing or wrong X-API-Key header")


page_router = APIRouter(include_in_schema=False)


@page_router.get("/", response_class=HTMLResponse)
def page() -> HTMLResponse:
    """A page to paste a text or drop a file and see its entities and fields."""
    return HTMLResponse(PAGE)


health_router = APIRouter(tags=["health"])


@health_router.get(
    "/metrics",
    summary="Prometheus metrics: requests, latency, batch sizes, queue",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics_endpoint(request: Request) -> Response:
    body, media_type = request.app.state.metrics.exposition()
    return Response(body, media_type=media_type)


@health_router.get("/health", response_model=Status, summary="The process is alive")
def health() -> Status:
    return Status(status="ok")


@health_router.get(
    "/ready",
    response_model=Status,
    summary="The pipeline is loaded and requests are served (503 until then)",
    responses={503: {"description": "The pipeline is not loaded yet"}},
)
def ready(request: Request) -> Status | JSONResponse:
    if request.app.state.inference is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return Status(status="ok")


# The prefix on the router, not on include_router, so that each route's path (which the
# metrics use as their label) is the full one.
v1_router = APIRouter(
    prefix="/v1",
    tags=["entities"],
    responses={
        503: {
            "model": ErrorMessage,
            "description": "The pipeline is not loaded yet, or too many requests are "
            "waiting (retry after Retry-After)",
        },
    },
)


@v1_router.get("/model", response_model=ModelInfo, summary="The pipeline served")
def model_info(
    inference: Annotated[InferenceService, Depends(get_inference)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> ModelInfo:
    nlp = inference.nlp
    return ModelInfo(
        name=meta_name(nlp.meta, nlp.lang),
        version=str(nlp.meta.get("version", "")),
        labels=entity_labels(nlp),
        performance=nlp.meta.get("performance") or {},
        # The lifespan quantized the loaded pipeline (or failed to start) when set.
        int8=settings.int8,
        runtime=runtime_in_use(nlp),
        device=f"gpu:{settings.gpu_id}" if settings.gpu_id >= 0 else "cpu",
    )


def warm_up(nlp, torch_threads: int | None, gpu_id: int = -1) -> None:
    """One prediction before requests: where ONNX Runtime runs, the first exports the
    transformer (or reads the cached export) and sizes its threads like torch's."""
    use_gpu(gpu_id)
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)
    nlp("Warm-up.")


def entity_labels(nlp) -> list[str]:
    """The labels the pipeline can give entities: the model's and the pattern rules'."""
    labels = set(nlp.pipe_labels.get("ner", []))
    for _, pipe in nlp.pipeline:
        if getattr(pipe, "annotate_ents", False):
            labels.update(pipe.labels)
    return sorted(labels)


@v1_router.post(
    "/entities",
    response_model=EntitiesResponse,
    summary="The named entities of each text",
    responses={
        400: {"model": ErrorMessage, "description": "A body that is not UTF-8"},
        413: {"model": ErrorMessage, "description": "Request body too large"},
        422: {
            "model": ErrorMessage,
            "description": "Too many texts, a text too long, or a malformed body",
        },
    },
)
async def entities(
    body: EntitiesRequest,
    settings: Annotated[Settings, Depends(get_settings)],
    inference: Annotated[InferenceService, Depends(get_inference)],
) -> EntitiesResponse:
    if len(body.texts) > settings.max_texts:
        raise HTTPException(
            422,
            detail=f"{len(body.texts)} texts sent; at most {settings.max_texts} per "
            "request",
        )
    for index, text in enumerate(body.texts):
        check_text(text, f"texts[{index}]", settings)
    results = await run_pipeline(inference, body.texts)
    return EntitiesResponse(results=[{"entities": ents} for ents in results])


PARSE_REQUEST_BODY = {
    "required": True,
    "description": "The resume: JSON with its text, a multipart upload (field "
    "`file`), or the file itself as the body with its media type",
    "content": {
        "application/json": {"schema": ParseRequest.model_json_schema()},
        "multipart/form-data": {
            "encoding": {
                "file": {
                    "contentType": f"application/pdf, {DOCX_MEDIA_TYPE}, text/plain"
                }
            },
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A PDF, DOCX or UTF-8 text file",
                    }
                },
            },
        },
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        DOCX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        "text/plain": {
            "schema": {
                "type": "string",
                "minLength": 1,
                # Not blank, and no NUL byte (which marks a binary file: 415).
                "pattern": r"^[^\x00]*[^\s\x00\ufeff][^\x00]*$",
                "description": "UTF-8 text, not blank",
            }
        },
    },
}


@v1_router.post(
    "/parse",
    response_model=ParseResponse,
    summary="A resume as a record of fields (name, emails, phones, skills, ...)",
    openapi_extra={"requestBody": PARSE_REQUEST_BODY},
    responses={
        413: {"model": ErrorMessage, "description": "File or body too large"},
        415: {"model": ErrorMessage, "description": "Unsupported media or file type"},
        422: {
            "model": ErrorMessage,
            "description": "Malformed body, empty or too long text, or a file that "
            "cannot be read (corrupt, encrypted, not UTF-8, no text)",
        },
    },
)
async def parse(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    inference: Annotated[InferenceService, Depends(get_inference)],
    html: Annotated[
        bool, Query(description="Also return the text highlighted by displaCy")
    ] = False,
) -> ParseResponse:
    text = await read_resume(request, settings)
    if not text.strip():
        raise HTTPException(422, detail="the resume's text is empty")
    check_text(text, "text", settings)
    (entities,) = await run_pipeline(inference, [text])
    record = build_record(
        text,
        entities,
        settings.parse_fields,
        settings.parse_field_types,
        settings.phone_region,
    )
    # dateparser takes a few milliseconds a date: off the event loop.
    history = await run_in_threadpool(
        build_history,
        text,
        entities,
        settings.parse_job_labels,
        settings.parse_education_labels,
    )
    return ParseResponse(
        fields=record.fields,
        phone_numbers={
            name: [asdict(number) for number in numbers]
            for name, numbers in record.phone_numbers.items()
        },
        jobs=[asdict(job) for job in history.jobs],
        education=[asdict(entry) for entry in history.education],
        experience_years=history.experience_years,
        entities=entities,
        text=text,
        html=render_html(text, entities, inference.nlp) if html else None,
    )


async def read_resume(request: Request, settings: Settings) -> str:
    """The text of the request: from JSON, or extracted from the uploaded file."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    body = await request.body()
    if media_type == "application/json":
        try:
            return ParseRequest.model_validate_json(body).text
        except ValidationError as error:
            raise RequestValidationError(
                [
                    {**problem, "loc": ("body", *problem["loc"])}
                    for problem in error.errors(include_input=False)
                ]
            ) from None
    if media_type == "multipart/form-data":
        filename, file_type, data = read_upload(content_type, body)
    elif media_type in FILE_MEDIA_TYPES:
        filename, file_type, data = None, media_type, body
    else:
        raise HTTPException(
            415,
            detail='send JSON {"text": ...}, a multipart upload with a `file` field, '
            "or a PDF, DOCX or text file as the body with its media type",
        )
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(
            413,
            detail=f"the file has {len(data)} bytes; at most "
            f"{settings.max_upload_bytes} allowed",
        )
    try:
        return await run_in_threadpool(extract_text, data, filename, file_type)
    except UnsupportedDocument as error:
        raise HTTPException(415, detail=str(error)) from None
    except UnreadableDocument as error:
        raise HTTPException(422, detail=str(error)) from None


def read_upload(content_type: str, body: bytes) -> tuple[str | None, str, bytes]:
    """The `file` part of a multipart/form-data body: its name, media type and bytes.

    Parsed in memory by the standard library's MIME parser, so that an upload never
    lands in a temporary file.
    """
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if message.is_multipart():
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "file":
                data = part.get_payload(decode=True)
                if isinstance(data, bytes):
                    return part.get_filename(), part.get_content_type(), data
    raise HTTPException(
        422, detail="the multipart body has no `file` field with the resume"
    )


async def run_pipeline(
    inference: InferenceService, texts: list[str]
) -> list[list[dict]]:
    try:
        return await inference.entities(texts)
    except QueueFull:
        raise HTTPException(
            503,
            detail="too many requests waiting for the pipeline; retry later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None


def check_text(text: str, name: str, settings: Settings) -> None:
    """Reject a text the settings do not allow, naming it (never quoting it)."""
    if len(text) > settings.max_text_chars:
        raise HTTPException(
            422,
            detail=f"{name} has {len(text)} characters; at most "
            f"{settings.max_text_chars} allowed",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(
            422, detail=f"{name} is not valid Unicode (a lone surrogate)"
        ) from None


def render_html(text: str, entities: list[dict], nlp) -> str:
    """displaCy's entity markup of the text (it escapes the text)."""
    labels = sorted(
        set(nlp.pipe_labels.get("ner", [])) | {e["label"] for e in entities}
    )
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    return displacy.render(
        {"text": text, "ents": entities, "title": None},
        style="ent",
        manual=True,
        page=False,
        minify=True,
        options={"colors": colors},
    )
