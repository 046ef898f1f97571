"""Check, before training starts, that the transformer and the device are usable.

Without this, a hub name with no network costs minutes of retries inside transformers,
and a missing GPU shows up as a traceback deep in thinc; here each fails at once and
says what to do.
"""

import os
import socket
from pathlib import Path

from wasabi import msg

HUB_HOST = "huggingface.co"


def looks_like_path(name: str) -> bool:
    """Hub names are `model` or `org/model`; anything else is meant as a folder."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name


def hub_reachable(timeout_s: float = 3.0) -> bool:
    try:
        socket.create_connection((HUB_HOST, 443), timeout=timeout_s).close()
        return True
    except OSError:
        return False


def check_transformer(name: str) -> None:
    """Fail unless `name` is a model folder or a hub model that can be loaded now."""
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            msg.fail(
                f"Transformer folder {path} has no config.json",
                "Point vars.transformer at a folder saved with save_pretrained().",
                exits=1,
            )
        return
    in_a_folder = path.parent != Path(".") and path.parent.is_dir()
    if path.exists() or in_a_folder or looks_like_path(name):
        msg.fail(
            f"Transformer folder {path} does not exist",
            "Run `spacy project run export-transformer` for the default model, or set "
            "vars.transformer to a model folder or a Hugging Face model name.",
            exits=1,
        )
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:  # Already in the local Hugging Face cache: no network needed.
        snapshot_download(name, local_files_only=True)
        return
    except LocalEntryNotFoundError:
        pass
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}
    if offline or not hub_reachable():
        reason = "HF_HUB_OFFLINE is set" if offline else f"{HUB_HOST} cannot be reached"
        msg.fail(
            f"Transformer {name!r} is not in the local Hugging Face cache and {reason}",
            "Download it on a machine with access (huggingface-cli download "
            f"{name}), or set vars.transformer to a local model folder such as "
            "assets/all-minilm-l6-v2.",
            exits=1,
        )
    with msg.loading(f"Downloading {name} from the Hugging Face hub..."):
        snapshot_download(name)


def check_gpu(gpu_id: int) -> None:
    """Fail unless GPU `gpu_id` can run both thinc (cupy) and torch."""
    if gpu_id < 0:
        return
    try:
        import cupy
    except ImportError as error:
        msg.fail(
            f"gpu_id={gpu_id} asks for a GPU, but cupy cannot be imported ({error})",
            "Install the GPU extras: pip install -r requirements-gpu.txt, or run on the "
            "CPU (gpu_id -1).",
            exits=1,
        )
    try:
        devices = cupy.cuda.runtime.getDeviceCount()
        runtime = cupy.cuda.runtime.runtimeGetVersion()
        driver = cupy.cuda.runtime.driverGetVersion()
    except cupy.cuda.runtime.CUDARuntimeError as error:
        msg.fail(
            f"gpu_id={gpu_id} asks for a GPU, but CUDA is not usable: {error}",
            "Check the NVIDIA driver (nvidia-smi) and that the cupy package matches its "
            "CUDA version (cupy-cuda12x for CUDA 12), or set gpu_id=-1.",
            exits=1,
        )
    if gpu_id >= devices:
        msg.fail(f"gpu_id={gpu_id}, but only {devices} GPU(s) are visible", exits=1)
    # CUDA's minor version compatibility: a 12.x runtime runs on any 12.y driver.
    if driver // 1000 < runtime // 1000:
        msg.fail(
            f"cupy is built for CUDA {runtime // 1000}.{runtime % 1000 // 10}, but the "
            f"driver supports only CUDA {driver // 1000}.{driver % 1000 // 10}",
            "Install the cupy package for the driver's CUDA (requirements-gpu.txt is "
            "for CUDA 12) or update the driver.",
            exits=1,
        )
    import torch

    if not torch.cuda.is_available():
        msg.fail(
            f"gpu_id={gpu_id}, but torch {torch.__version__} cannot use CUDA",
            "Install a CUDA build of torch (the CPU build has '+cpu' in its version).",
            exits=1,
        )
    msg.good(f"GPU {gpu_id}: {torch.cuda.get_device_name(gpu_id)}")
