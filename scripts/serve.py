"""Serve the trained pipeline over HTTP (the FastAPI app of `service/`), one worker
(`serve` command).

Other settings (limits, API key, CORS origins) come from NER_* environment variables;
see service/settings.py. The API reference is at /docs once it runs.
"""

from pathlib import Path

import typer
import uvicorn
from pydantic import ValidationError
from spacy.util import is_package
from wasabi import msg

from ner_project.pipeline.meta import DEFAULT_PIPELINE, pipeline_meta
from ner_project.training.preflight import check_gpu
from service.app import create_app
from service.settings import Settings


def main(
    model: str = typer.Option(
        DEFAULT_PIPELINE,
        "--model",
        help="Pipeline folder or installed package name, such as en_resume_ner",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", help="Port to listen on"),
    batching: bool | None = typer.Option(
        None,
        "--batching/--no-batching",
        help="Batch requests that arrive together (default: NER_BATCHING, else on)",
    ),
    int8: bool | None = typer.Option(
        None,
        "--int8/--fp32",
        help="Run the transformer in int8 on the CPU (default: NER_INT8, else fp32)",
    ),
    runtime: str | None = typer.Option(
        None,
        "--runtime",
        help="fp32 transformer runtime: auto, torch or onnxruntime (default: "
        "NER_RUNTIME, else auto: ONNX Runtime where installed)",
    ),
    gpu_id: int | None = typer.Option(
        None,
        "--gpu-id",
        help="GPU to run the pipeline on, -1 for the CPU (default: NER_GPU_ID, else -1)",
    ),
) -> None:
    overrides = {"model": model} | ({} if batching is None else {"batching": batching})
    overrides |= {} if int8 is None else {"int8": int8}
    overrides |= {} if runtime is None else {"runtime": runtime}
    overrides |= {} if gpu_id is None else {"gpu_id": gpu_id}
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        # The first problem of each variable (a union type reports one per branch).
        problems = {}
        for problem in error.errors(include_input=False):
            name, *where = problem["loc"]
            key = f"NER_{str(name).upper()}" + (f" ({where[0]})" if where else "")
            problems.setdefault(key, problem["msg"])
        problems = "; ".join(f"{key}: {text}" for key, text in problems.items())
        msg.fail(f"Invalid service settings: {problems}", exits=1)
    if not (Path(model).is_dir() or is_package(model)):
        msg.fail(
            f"No pipeline at {model}: give a pipeline folder (spacy project run all "
            f"makes {DEFAULT_PIPELINE}) or an installed package such as en_resume_ner",
            exits=1,
        )
    components = pipeline_meta(model).get("pipeline", []) if settings.int8 else []
    if settings.int8 and "transformer" not in components:
        msg.fail(
            f"int8 quantizes a transformer, and {model} has none "
            f"(components: {', '.join(components)}): serve it in fp32",
            exits=1,
        )
    check_gpu(settings.gpu_id)
    # One worker: a second process would load a second copy of the pipeline.
    uvicorn.run(create_app(settings), host=host, port=port, workers=1)


if __name__ == "__main__":
    typer.run(main)
