"""Where the pipeline runs for the corpus annotator: `nlp.pipe` on this machine
(`local`), or actors of a Ray cluster fed by Ray Data (`ray`).

Both take the texts in input order and yield each text's entities in the same order,
made by one function (`doc_entities`), so their outputs are identical.
"""

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import spacy
from wasabi import msg

from ner_project.pipeline.entities import doc_entities
from ner_project.pipeline.meta import load_pipeline
from ner_project.pipeline.runtime import use_runtime
from ner_project.training import functions


class Engine(StrEnum):
    local = "local"
    ray = "ray"


@dataclass
class EngineSettings:
    """Where and how the pipeline runs: the knobs of `annotate`."""

    model: str
    engine: Engine = Engine.local
    batch_size: int = 32
    processes: int = 1  # local: nlp.pipe(n_process=...), CPU only
    gpu_id: int = -1  # local: -1 CPU, 0 first GPU
    actors: int = 1  # ray: pipeline copies, each loaded once
    cpus_per_actor: float = 1
    gpus_per_actor: float = 0
    runtime: str = "auto"  # the transformer's in fp32 on CPU (pipeline/runtime.py)


def annotate_texts(texts: Iterable[str], settings: EngineSettings) -> Iterator[list]:
    """Each text's entities, in input order, from the chosen engine."""
    if settings.engine == Engine.ray:
        return ray_entities(
            texts,
            settings.model,
            settings.batch_size,
            settings.actors,
            settings.cpus_per_actor,
            settings.gpus_per_actor,
            settings.runtime,
        )
    return local_entities(
        texts,
        settings.model,
        settings.batch_size,
        settings.processes,
        settings.gpu_id,
        settings.runtime,
    )


def model_location(model: str) -> str:
    """A pipeline folder as an absolute path (workers may start elsewhere), or an
    installed package name as given."""
    path = Path(model)
    return str(path.resolve()) if path.exists() else model


def local_entities(
    texts: Iterable[str],
    model: str,
    batch_size: int,
    processes: int,
    gpu_id: int,
    runtime: str = "auto",
) -> Iterator[list[dict]]:
    """`nlp.pipe` over the texts, in `processes` processes on CPU (one on GPU)."""
    if gpu_id >= 0:
        if processes > 1:
            # spaCy's n_process forks workers that cannot share one CUDA context with
            # a transformer; the GPU is fed by one process with larger batches.
            msg.warn(f"--processes {processes} ignored on GPU: running 1 process")
            processes = 1
        spacy.require_gpu(gpu_id)
    with torch_threads(1 if processes > 1 else None):
        nlp = load_pipeline(model_location(model))
        use_runtime(nlp, runtime)
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
            yield doc_entities(doc)


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run torch on `threads` threads for the block (None: leave it as it is).

    spaCy's n_process forks workers; a parent whose torch has started its OpenMP
    thread pool (loading a transformer does) forks children that hang on its locks.
    With one thread no pool starts, and each worker then uses one core.
    """
    try:
        import torch
    except ImportError:
        torch = None
    if threads is None or torch is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class PipelineActor:
    """A Ray Data actor: loads the pipeline once, then annotates batches of texts."""

    def __init__(self, model: str, batch_size: int, use_gpu: bool, runtime: str):
        if use_gpu:
            spacy.require_gpu(0)  # Ray sets CUDA_VISIBLE_DEVICES to this actor's GPU
        functions.register_functions()  # the pipeline's config names them
        self.nlp = spacy.load(model)
        use_runtime(self.nlp, runtime)
        self.batch_size = batch_size

    def __call__(self, batch: dict) -> dict:
        docs = self.nlp.pipe(list(batch["text"]), batch_size=self.batch_size)
        # JSON strings keep Arrow from inferring a type from the first batch's entities
        entities = [json.dumps(doc_entities(doc), ensure_ascii=False) for doc in docs]
        return {"row": batch["row"], "entities": entities}


def start_ray(total_cpus: float, total_gpus: float) -> bool:
    """Connect to the cluster at RAY_ADDRESS, or start an embedded Ray on this machine
    (unless this process already has one). True if this call started it."""
    import ray

    # Actors need this module, the entity shape and the config's functions but not
    # this project: all are sent by value, so that workers need only the pipeline and
    # its requirements.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.cloudpickle.register_pickle_by_value(sys.modules[doc_entities.__module__])
    ray.cloudpickle.register_pickle_by_value(functions)
    ray.cloudpickle.register_pickle_by_value(sys.modules[use_runtime.__module__])
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "logging_level": logging.WARNING}
    if os.environ.get("RAY_ADDRESS"):
        ray.init(**quiet)
    else:
        # "local": a Ray of its own even on a node of a cluster (RAY_ADDRESS=auto
        # joins that one instead).
        cpus = max(os.cpu_count() or 1, int(total_cpus + 0.999))
        gpus = int(total_gpus + 0.999) or None
        ray.init(address="local", num_cpus=cpus, num_gpus=gpus, **quiet)
    return True


def ray_entities(
    texts: Iterable[str],
    model: str,
    batch_size: int,
    actors: int,
    cpus_per_actor: float,
    gpus_per_actor: float,
    runtime: str = "auto",
) -> Iterator[list[dict]]:
    """Ray Data: the texts with their row numbers, `map_batches` over `actors`
    pipeline actors, results read back in row order."""
    import ray

    started = start_ray(actors * cpus_per_actor, actors * gpus_per_actor)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False  # the driver shows one bar for all
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # INFO lines per run
        items = [{"row": row, "text": text} for row, text in enumerate(texts)]
        if not items:
            return
        annotated = ray.data.from_items(items).map_batches(
            PipelineActor,
            fn_constructor_kwargs={
                "model": model_location(model),
                "batch_size": batch_size,
                "use_gpu": gpus_per_actor > 0,
                "runtime": runtime,
            },
            batch_size=batch_size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=cpus_per_actor,
            num_gpus=gpus_per_actor,
        )
        expected = 0
        for batch in annotated.iter_batches(batch_size=None, batch_format="numpy"):
            for row, entities in zip(batch["row"], batch["entities"], strict=True):
                if row != expected:
                    raise RuntimeError(
                        f"Ray returned row {row} where {expected} was due"
                    )
                expected += 1
                yield json.loads(entities)
    finally:
        if started:
            ray.shutdown()
