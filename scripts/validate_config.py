"""Validate a training config before the workflow fills and trains with it
(`init-config` command): the config file and the field at fault, or a non-zero exit."""

from pathlib import Path

import typer

from ner_project.training.config_check import validate_config


def main(
    config_path: Path = typer.Argument(..., help="Config to check"),
    code_path: Path | None = typer.Option(None, "--code", help="Registered functions"),
) -> None:
    """Parse CONFIG_PATH, fill it with spaCy's defaults, and resolve its training block."""
    validate_config(config_path, code_path)


if __name__ == "__main__":
    typer.run(main)
