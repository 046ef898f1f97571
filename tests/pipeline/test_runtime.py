"""The transformer of a loaded pipeline runs in ONNX Runtime or PyTorch, by one
setting: the same hidden states (within 1e-4) and the same entities either way."""

import warnings
from collections import Counter

import numpy
import onnx
import pytest
import spacy

from ner_project.pipeline.quantize import quantize_transformer
from ner_project.pipeline.runtime import runtime_in_use, use_runtime
from ner_project.training import functions
from ner_project.training.functions import runtime_state

TEXTS = [
    "Anna Lee",
    "Data Engineer at Acme Corp in Pune since 2019.",
    " ".join(["Python, SQL, Spark, Airflow and Kubernetes."] * 40),  # several windows
    "Raj Kumar, raj@example.org, +91 98765 43210, Bengaluru, Karnataka, India.",
]


def predictions(nlp, texts):
    docs = list(nlp.pipe(texts, batch_size=8))
    states = [doc._.trf_data.model_output.last_hidden_state for doc in docs]
    lengths = [doc._.trf_data.wordpieces.lengths for doc in docs]
    ents = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]
    return states, lengths, ents


@pytest.fixture
def nlp(trained_pipeline):
    return spacy.load(trained_pipeline)


def test_onnx_runtime_gives_pytorchs_states_and_entities(nlp, onnx_cache):
    assert use_runtime(nlp, "torch") == "torch"
    torch_states, lengths, torch_ents = predictions(nlp, TEXTS)
    assert use_runtime(nlp, "onnxruntime") == "onnxruntime"
    onnx_states, onnx_lengths, onnx_ents = predictions(nlp, TEXTS)
    assert onnx_lengths == lengths
    for a, b, doc_lengths in zip(onnx_states, torch_states, lengths, strict=True):
        for row, length in enumerate(doc_lengths):
            numpy.testing.assert_allclose(a[row, :length], b[row, :length], atol=1e-4)
    assert onnx_ents == torch_ents
    assert any(onnx_ents)
    session = runtime_state(nlp.get_pipe("transformer").model).session
    assert session.path.parent == onnx_cache


def test_the_export_is_made_once_and_read_from_the_cache(trained_pipeline):
    first, second = spacy.load(trained_pipeline), spacy.load(trained_pipeline)
    for nlp in (first, second):
        use_runtime(nlp, "onnxruntime")
        nlp("Anna Lee, Data Engineer")
    paths = [
        runtime_state(nlp.get_pipe("transformer").model).session.path
        for nlp in (first, second)
    ]
    assert paths[0] == paths[1]
    # no export left half-written
    assert not list(paths[0].parent.glob("*.part")) + list(
        paths[0].parent.glob("*.part.onnx")
    )


def test_onnx_runtime_runs_the_export_with_attention_and_layer_norms_fused(nlp):
    use_runtime(nlp, "onnxruntime")
    nlp("Anna Lee, Data Engineer")
    path = runtime_state(nlp.get_pipe("transformer").model).session.path
    assert path.name.endswith(".fused.onnx")
    operators = Counter(node.op_type for node in onnx.load(path).graph.node)
    layers = nlp.get_pipe("transformer").model.transformer.config.num_hidden_layers
    assert operators["Attention"] == layers
    assert operators["SkipLayerNormalization"] == 2 * layers


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NER_ONNX_CACHE", str(tmp_path / "onnx"))
    return tmp_path / "onnx"


def test_a_fusion_that_changes_the_states_is_not_kept(
    trained_pipeline, fresh_cache, monkeypatch
):
    monkeypatch.setattr(functions, "FUSED_MAX_DIFFERENCE", -1.0)  # any change too much
    nlp = spacy.load(trained_pipeline)
    use_runtime(nlp, "onnxruntime")
    with pytest.warns(UserWarning, match="runs unfused: its hidden states differ"):
        nlp("Anna Lee, Data Engineer")
    path = runtime_state(nlp.get_pipe("transformer").model).session.path
    assert path.suffix == ".onnx" and ".fused" not in path.name
    assert not list(fresh_cache.glob("*.fused.onnx"))
    # the next load reads the marker instead of trying again
    monkeypatch.setattr(functions, "_fuse", lambda *args: pytest.fail("fused again"))
    again = spacy.load(trained_pipeline)
    use_runtime(again, "onnxruntime")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again("Anna Lee, Data Engineer")
    assert runtime_state(again.get_pipe("transformer").model).session.path == path


def test_auto_is_onnx_runtime_where_it_is_installed(nlp, monkeypatch):
    assert use_runtime(nlp, "auto") == "onnxruntime"
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "onnxruntime" else find_spec(name, *a),
    )
    assert runtime_in_use(nlp) == "torch"  # not installed: PyTorch


def test_an_unknown_runtime_is_refused_by_name(nlp):
    with pytest.raises(ValueError, match="unknown transformer runtime 'tensorrt'"):
        use_runtime(nlp, "tensorrt")


def test_int8_runs_onnx_runtimes_quantized_export_where_the_setting_names_it(
    nlp, onnx_cache
):
    import torch

    use_runtime(nlp, "onnxruntime")
    fp32_states, lengths, _ = predictions(nlp, TEXTS)
    assert quantize_transformer(nlp) == "onnxruntime"
    assert runtime_in_use(nlp) == "onnxruntime"
    int8_states, int8_lengths, _ = predictions(nlp, TEXTS)
    session = runtime_state(nlp.get_pipe("transformer").model).session
    assert session.path.name.endswith(".int8-per-channel.onnx")
    assert session.path.parent == onnx_cache
    assert not list(onnx_cache.glob("*.part*"))  # no model left half-written
    # the same pieces, states near fp32's but not the same: int8 weights
    assert int8_lengths == lengths
    gaps = [
        float(numpy.abs(a[row, :n] - b[row, :n]).max())
        for a, b, doc_lengths in zip(int8_states, fp32_states, lengths, strict=True)
        for row, n in enumerate(doc_lengths)
    ]
    scale = max(float(numpy.abs(state).max()) for state in fp32_states)
    assert 0 < max(gaps) < 0.25 * scale
    module = nlp.get_pipe("transformer").model.layers[0].shims[0]._model
    assert any(isinstance(m, torch.nn.Linear) for m in module.modules())  # fp32 kept


def test_int8_runs_pytorchs_quantized_layers_where_the_setting_names_pytorch(nlp):
    import torch

    use_runtime(nlp, "torch")
    assert quantize_transformer(nlp) == "torch"
    assert runtime_in_use(nlp) == "torch"
    nlp("Anna Lee, Data Engineer")
    model = nlp.get_pipe("transformer").model
    assert runtime_state(model).session is None
    module = model.layers[0].shims[0]._model
    assert not any(type(m) is torch.nn.Linear for m in module.modules())
    use_runtime(nlp, "onnxruntime")  # quantized modules cannot be exported
    nlp("Anna Lee, Data Engineer")
    assert runtime_in_use(nlp) == "torch"
    assert runtime_state(model).session is None


def test_a_model_in_training_predicts_with_pytorch(nlp):
    from spacy.training import Example

    use_runtime(nlp, "onnxruntime")
    doc = nlp.make_doc("Anna Lee")
    nlp.update([Example.from_dict(doc, {"entities": [(0, 8, "NAME")]})])
    nlp("Anna Lee, Data Engineer")  # its exported weights would be out of date
    assert runtime_state(nlp.get_pipe("transformer").model).session is None


def test_a_pipeline_without_a_transformer_says_so():
    assert runtime_in_use(spacy.blank("en")) == "thinc"


def test_the_config_names_the_runtime_of_a_loaded_pipeline(trained_pipeline, nlp):
    assert runtime_in_use(nlp) == "onnxruntime"  # the shipped config: auto
    override = {"components.transformer.model.runtime": "torch"}
    assert runtime_in_use(spacy.load(trained_pipeline, config=override)) == "torch"


@pytest.fixture
def unwritable_cache(tmp_path, monkeypatch):
    """NER_ONNX_CACHE below a file, where no export can be written."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("NER_ONNX_CACHE", str(blocked / "cache"))


def test_an_unwritable_cache_falls_back_to_pytorch_with_a_warning(
    nlp, unwritable_cache
):
    use_runtime(nlp, "onnxruntime")
    with pytest.warns(UserWarning, match="The transformer runs in PyTorch"):
        doc = nlp("Anna Lee, Data Engineer")
    assert runtime_in_use(nlp) == "torch"
    assert doc._.trf_data.model_output.last_hidden_state.shape[0] == 1


def test_int8_falls_back_to_pytorchs_int8_when_the_export_cannot_be_written(
    nlp, unwritable_cache
):
    use_runtime(nlp, "onnxruntime")
    assert quantize_transformer(nlp) == "onnxruntime"
    with pytest.warns(UserWarning, match="The transformer runs in PyTorch"):
        nlp("Anna Lee, Data Engineer")
    assert runtime_in_use(nlp) == "torch"
    assert runtime_state(nlp.get_pipe("transformer").model).int8 == "torch"


def test_a_model_updated_since_loading_runs_pytorchs_int8(nlp):
    from spacy.training import Example

    use_runtime(nlp, "onnxruntime")
    doc = nlp.make_doc("Anna Lee")
    nlp.update([Example.from_dict(doc, {"entities": [(0, 8, "NAME")]})])
    assert quantize_transformer(nlp) == "torch"  # its export would be out of date
    nlp("Anna Lee, Data Engineer")
    assert runtime_state(nlp.get_pipe("transformer").model).session is None
