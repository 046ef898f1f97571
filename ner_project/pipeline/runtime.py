"""Which runtime computes the transformer's forward pass when a loaded pipeline
predicts: ONNX Runtime (the same weights, exported once and cached) or PyTorch.

The config names it (`components.transformer.model.runtime`, "auto" by default);
the service and `annotate` set it from their own setting, so that pipelines saved
before the setting existed get the faster runtime too. The model keeps it in
`attrs["runtime_state"]`, defined by the pipeline's functions.py (shipped inside each
pipeline package, so this module reaches it through the model, never by import).
Benchmark: benchmarks/results/runtimes.json.
"""

from enum import StrEnum

from spacy.language import Language
from thinc.api import Model

# The choices of a command-line option (functions.py checks them).
Runtime = StrEnum("Runtime", {name: name for name in ("auto", "torch", "onnxruntime")})


def grouped_transformers(nlp: Language) -> list[Model]:
    """The pipeline's transformer models that take a runtime (this project's
    length-grouped architecture; spacy-transformers' own always runs PyTorch)."""
    if "transformer" not in nlp.pipe_names:
        return []
    model = nlp.get_pipe("transformer").model
    return [node for node in model.walk() if "runtime_state" in node.attrs]


def use_runtime(nlp: Language, runtime: str) -> str:
    """Run the pipeline's transformer by `runtime` ("auto": the fastest installed);
    the runtime that runs it, as `runtime_in_use` says. An unknown name is refused."""
    for model in grouped_transformers(nlp):
        model.attrs["runtime_state"].use(runtime)
    return runtime_in_use(nlp)


def runtime_in_use(nlp: Language) -> str:
    """ "onnxruntime" or "torch" for a transformer pipeline (PyTorch on a GPU and for
    PyTorch's int8, whatever the setting), "thinc" for one without a transformer."""
    if "transformer" not in nlp.pipe_names:
        return "thinc"
    states = [model.attrs["runtime_state"] for model in grouped_transformers(nlp)]
    if not states or any(state.int8 == "torch" for state in states):
        return "torch"
    on_cpu = all(
        parameter.device.type == "cpu"
        for model in grouped_transformers(nlp)
        for shim in model.layers[0].shims
        for parameter in shim._model.parameters()
    )
    return states[0].installed() if on_cpu else "torch"
