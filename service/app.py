"""The HTTP API: `create_app(settings)` builds it around one pipeline, loaded once when
the app starts and shared by every request through the inference service."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import spacy
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from .batching import InferenceService, QueueFull
from .schemas import EntitiesRequest, EntitiesResponse, ModelInfo, Status
from .settings import Settings

RETRY_AFTER_SECONDS = 1

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Required when the service is started with an API key",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, serving the pipeline named by `settings` (default: the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nlp = await run_in_threadpool(spacy.load, settings.model)
        service = InferenceService(
            nlp,
            max_batch_size=settings.max_batch_size,
            max_wait_ms=settings.max_wait_ms,
            max_queue=settings.max_queue,
            batching=settings.batching,
        )
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
    app.state.settings = settings
    app.state.inference = None
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key"],
        )
    app.include_router(health_router)
    app.include_router(v1_router, prefix="/v1", dependencies=[Depends(check_api_key)])
    return app


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_inference(request: Request) -> InferenceService:
    service = request.app.state.inference
    if service is None:
        raise HTTPException(503, detail="the pipeline is not loaded yet")
    return service


def check_api_key(
    settings: Annotated[Settings, Depends(get_settings)],
    api_key: Annotated[str | None, Security(api_key_header)],
) -> None:
    if settings.api_key is None:
        return
    if api_key is None or not secrets.compare_digest(
        api_key.encode(), settings.api_key.encode()
    ):
        raise HTTPException(401, detail="missing or wrong X-API-Key header")


health_router = APIRouter(tags=["health"])


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


v1_router = APIRouter(tags=["entities"])


@v1_router.get("/model", response_model=ModelInfo, summary="The pipeline served")
def model_info(
    inference: Annotated[InferenceService, Depends(get_inference)],
) -> ModelInfo:
    nlp = inference.nlp
    return ModelInfo(
        name=f"{nlp.meta.get('lang', nlp.lang)}_{nlp.meta.get('name', 'pipeline')}",
        version=str(nlp.meta.get("version", "")),
        labels=sorted(nlp.pipe_labels.get("ner", [])),
        performance=nlp.meta.get("performance") or {},
    )


@v1_router.post(
    "/entities",
    response_model=EntitiesResponse,
    summary="The named entities of each text",
    responses={
        401: {"description": "Missing or wrong X-API-Key header"},
        422: {"description": "Too many texts, a text too long, or a malformed body"},
        503: {"description": "Too many requests waiting; retry after Retry-After"},
    },
)
async def entities(
    body: EntitiesRequest,
    settings: Annotated[Settings, Depends(get_settings)],
    inference: Annotated[InferenceService, Depends(get_inference)],
) -> EntitiesResponse:
    check_limits(body.texts, settings)
    try:
        results = await inference.entities(body.texts)
    except QueueFull:
        raise HTTPException(
            503,
            detail="too many requests waiting for the pipeline; retry later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    return EntitiesResponse(results=[{"entities": ents} for ents in results])


def check_limits(texts: list[str], settings: Settings) -> None:
    """Reject what the settings do not allow, naming the text at fault (by index, never
    its content)."""
    if len(texts) > settings.max_texts:
        raise HTTPException(
            422,
            detail=f"{len(texts)} texts sent; at most {settings.max_texts} per request",
        )
    for index, text in enumerate(texts):
        if len(text) > settings.max_text_chars:
            raise HTTPException(
                422,
                detail=f"texts[{index}] has {len(text)} characters; "
                f"at most {settings.max_text_chars} allowed",
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise HTTPException(
                422, detail=f"texts[{index}] is not valid Unicode (a lone surrogate)"
            ) from None
