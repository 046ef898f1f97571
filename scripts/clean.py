"""Remove what the workflow generated: the contents of folders (keeping .gitkeep) and
single files, so the next `spacy project run all` starts from the annotations."""

import shutil
from pathlib import Path

import typer
from wasabi import msg


def clean(
    paths: list[Path] = typer.Argument(..., help="Folders to empty, files to delete"),
):
    """Empty each folder in PATHS (keeping .gitkeep) and delete each file."""
    for path in paths:
        if path.is_dir():
            for child in path.iterdir():
                if child.name == ".gitkeep":
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        elif path.exists():
            path.unlink()
        msg.good(f"Cleaned {path}")


if __name__ == "__main__":
    typer.run(clean)
