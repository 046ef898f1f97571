"""A trained pipeline, folder or installed package: its meta read the same way for
both (before loading it), and the pipeline loaded with the functions it needs."""

import contextlib
import importlib.metadata
import json
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import get_package_path, is_package

# What `spacy project run all` trains: the default of serve, annotate and the service.
DEFAULT_PIPELINE = "training/model-best"


def pipeline_meta(model: str) -> dict:
    """The meta.json of a pipeline folder or installed package ({} if it has none).

    An installed package keeps its meta in the package folder and again in the
    versioned data folder inside it; either will do.
    """
    if Path(model).is_dir():
        folder = Path(model)
    elif is_package(model):
        folder = get_package_path(model)
    else:
        return {}
    metas = [folder / "meta.json", *sorted(folder.glob("*/meta.json"))]
    path = next((path for path in metas if path.is_file()), None)
    return json.loads(path.read_text(encoding="utf-8")) if path else {}


def meta_name(meta: dict, lang: str = "xx") -> str:
    """`lang_name`, as `spacy package` names the package."""
    return f"{meta.get('lang', lang)}_{meta.get('name', 'pipeline')}"


def model_version(model: str) -> str:
    """`name-version` of a pipeline folder or an installed pipeline package."""
    meta = pipeline_meta(model) if Path(model).is_dir() else {}
    if meta:
        return f"{meta_name(meta)}-{meta.get('version')}"
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        return f"{model}-{importlib.metadata.version(model)}"
    return model


def load_pipeline(model: str, **kwargs) -> Language:
    """`spacy.load` a pipeline folder or installed package, with its functions.

    An installed package registers the functions its config names itself (they ship
    inside it, `spacy package --code`); a folder that training wrote needs this
    project's copy registered first. Where the project is not installed (the service's
    image serves a package), spaCy's own error names the missing function.
    """
    if Path(model).is_dir():
        with contextlib.suppress(ImportError):
            from ner_project.training import functions

            functions.register_functions()
    return spacy.load(model, **kwargs)


def use_gpu(gpu_id: int) -> None:
    """Make GPU `gpu_id` the current device of the calling thread (cupy's and torch's
    are per thread), so that pipelines loaded or run there use it; -1: the CPU."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
