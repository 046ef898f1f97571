"""Run `spacy debug data` as a gate (`debug-data` command): errors stop the workflow,
and the passing report is saved as the step's output."""

from pathlib import Path

import typer

from ner_project.training.debug_data import check_data

app = typer.Typer(add_completion=False)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def main(
    context: typer.Context,
    config_path: Path = typer.Argument(..., help="Filled training config"),
    report_path: Path = typer.Argument(..., help="Where to save the passing report"),
) -> None:
    """Run `spacy debug data CONFIG_PATH [overrides...]` and save its report."""
    check_data(config_path, report_path, context.args)


if __name__ == "__main__":
    app()
