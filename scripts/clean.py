"""Remove what the workflow generated (`clean` command), so the next `spacy project run
all` starts from the annotations: folders that git keeps are emptied, the rest deleted."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.files import clean_path


def clean(paths: list[Path] = typer.Argument(..., help="Generated folders and files")):
    """Empty the kept folders in PATHS and delete everything else in PATHS."""
    for path in paths:
        clean_path(path)
        msg.good(f"Cleaned {path}")


if __name__ == "__main__":
    typer.run(clean)
