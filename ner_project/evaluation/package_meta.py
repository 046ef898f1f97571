"""Write the package meta: the descriptive fields of configs/meta.json, the test scores,
the exact `transformers` release the pipeline was trained with, and the template's
requirements (ONNX Runtime, the pipeline's default runtime on the CPU).

A pipeline saved under one `transformers` release can fail to load under a later one,
so the wheel pins the release that was used; `spacy package` adds spaCy and
spacy-transformers ranges itself.
"""

from importlib.metadata import version
from pathlib import Path

import srsly
from wasabi import msg

from ner_project.files import atomic_write_bytes

PINNED_PACKAGES = ("transformers",)


def write_meta(template: Path, metrics_path: Path, output: Path) -> None:
    """Merge TEMPLATE, the test metrics and pinned requirements into OUTPUT."""
    for path in (template, metrics_path):
        if not path.is_file():
            msg.fail(f"{path} not found", exits=1)
    meta = srsly.read_json(template)
    metrics = srsly.read_json(metrics_path)
    meta["performance"] = {
        key: metrics[key] for key in ("ents_p", "ents_r", "ents_f", "ents_per_type")
    }
    pinned = [f"{name}=={version(name)}" for name in PINNED_PACKAGES]
    # The template's own (the runtime that predicts fastest on the CPU) follow.
    meta["requirements"] = pinned + meta.get("requirements", [])
    atomic_write_bytes(output, srsly.json_dumps(meta, indent=2).encode())
    msg.good(f"Meta written to {output} (requires {', '.join(meta['requirements'])})")
