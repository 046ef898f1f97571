"""Writing and removing the workflow's files: a failed step never leaves half a file
that the next step trusts, and `clean` never removes what git keeps."""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def atomic_write_folder(path: Path, write: Callable[[Path], None]) -> None:
    """Have `write` fill a temporary folder beside `path`, then put it in the place of
    whatever `path` held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        write(temporary)
        os.chmod(temporary, 0o755)
        remove(path)
        os.replace(temporary, path)
    except BaseException:
        remove(temporary)
        raise


KEEP = ".gitkeep"  # marks a folder that git keeps: `clean` empties it instead


def remove(path: Path) -> None:
    """Delete a file, link or folder tree, if there is one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def clean_path(path: Path) -> None:
    """Empty `path` if git keeps it (it holds a .gitkeep), else delete it."""
    if (path / KEEP).is_file():
        for child in path.iterdir():
            if child.name != KEEP:
                remove(child)
    else:
        remove(path)
