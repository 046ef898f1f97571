"""int8 inference on the CPU: the transformer's matrix products with int8 weights,
activations quantized per call.

By ONNX Runtime where the transformer's runtime setting names it (its export
quantized once, beside the fp32 export in the cache), else by PyTorch (the linear
layers quantized at load). Measured by the benchmarks (benchmarks/results/): speed in
runtimes.json, the F1 cost of each in int8-cost.json.
"""

from spacy.language import Language

from ner_project.pipeline.runtime import grouped_transformers


class QuantizeError(ValueError):
    """The pipeline cannot run in int8: no transformer, or not on the CPU."""


def quantize_transformer(nlp: Language) -> str:
    """Run the pipeline's transformer in int8 from now on; the runtime that runs it,
    "onnxruntime" or "torch"."""
    if "transformer" not in nlp.pipe_names:
        raise QuantizeError(
            "int8 needs a transformer pipeline; this one has none "
            f"(components: {', '.join(nlp.pipe_names)})"
        )
    model = nlp.get_pipe("transformer").model
    modules = [
        getattr(shim, "_model", None) for node in model.walk() for shim in node.shims
    ]
    if any(
        parameter.device.type != "cpu"
        for module in modules
        if module is not None
        for parameter in module.parameters()
    ):
        raise QuantizeError("int8 runs on the CPU only; this pipeline is on GPU")
    grouped = grouped_transformers(nlp)
    if not grouped:
        raise QuantizeError(
            "int8 needs the transformer architecture "
            "ner_project.LengthGroupedTransformer.v1 (configs/base_config.cfg); this "
            "pipeline was trained with spacy-transformers' own, so retrain it"
        )
    runtimes = {model.attrs["runtime_state"].quantize(model) for model in grouped}
    return runtimes.pop() if len(runtimes) == 1 else "torch"
