"""Remove what the workflow generated, so the next `spacy project run all` starts from
the annotations: folders that git keeps (they hold a .gitkeep) are emptied, other
folders and files are deleted."""

import shutil
from pathlib import Path

import typer
from wasabi import msg

KEEP = ".gitkeep"


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def clean(paths: list[Path] = typer.Argument(..., help="Generated folders and files")):
    """Empty the kept folders in PATHS and delete everything else in PATHS."""
    for path in paths:
        if (path / KEEP).is_file():
            for child in path.iterdir():
                if child.name != KEEP:
                    remove(child)
        else:
            remove(path)
        msg.good(f"Cleaned {path}")


if __name__ == "__main__":
    typer.run(clean)
