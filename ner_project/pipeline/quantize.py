"""int8 inference on the CPU: the transformer's linear layers dynamically quantized.

Measured by the benchmark (benchmarks/results/): about twice the words per second of
the fp32 pipeline on a 2-core CPU, for the F1 cost each results file gives as
`f1_cost`. Weights are quantized once at load; activations are quantized per call.
"""

import torch
from spacy.language import Language


class QuantizeError(ValueError):
    """The pipeline cannot run in int8: no transformer, or not on the CPU."""


def quantize_transformer(nlp: Language) -> int:
    """Swap each PyTorch model in the pipeline's transformer for a copy whose linear
    layers run in int8; the number of models swapped."""
    from torch.ao.quantization import quantize_dynamic

    if "transformer" not in nlp.pipe_names:
        raise QuantizeError(
            "int8 needs a transformer pipeline; this one has none "
            f"(components: {', '.join(nlp.pipe_names)})"
        )
    swapped = 0
    for node in nlp.get_pipe("transformer").model.walk():
        if "runtime_state" in node.attrs:  # quantized modules run in PyTorch
            node.attrs["runtime_state"].int8 = True
        for shim in node.shims:
            model = getattr(shim, "_model", None)
            if not isinstance(model, torch.nn.Module):
                continue
            if any(p.device.type != "cpu" for p in model.parameters()):
                raise QuantizeError(
                    "int8 runs on the CPU only; this pipeline is on GPU"
                )
            quantized = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            shim._model = quantized
            if hasattr(shim, "_hfmodel"):
                shim._hfmodel.transformer = quantized
            swapped += 1
    return swapped
