"""Write the package meta: configs/meta.json, the test scores and the pinned
`transformers` release (`package` command)."""

from pathlib import Path

import typer

from ner_project.evaluation.package_meta import write_meta


def main(
    template: Path = typer.Argument(..., help="JSON with description, author, license"),
    metrics_path: Path = typer.Argument(
        ..., help="Test metrics from the evaluate step"
    ),
    output: Path = typer.Argument(..., help="Meta JSON to write for spacy package"),
) -> None:
    """Merge TEMPLATE, the test metrics and pinned requirements into OUTPUT."""
    write_meta(template, metrics_path, output)


if __name__ == "__main__":
    typer.run(main)
