"""Give a pipeline the confidence floors another one was fitted (`resume-refit`): the
model retrained on train and dev keeps the floors that `resume-floors` fitted on dev
for the held-out run, since no data is left to fit its own on."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.evaluation.floors import copy_floors
from ner_project.files import atomic_write_folder
from ner_project.pipeline.meta import load_pipeline

COMPONENT = "entity_confidence"


def main(
    source: Path = typer.Argument(..., help="Pipeline whose floors were fitted"),
    model: Path = typer.Argument(..., help="Pipeline to give them to"),
    output: Path = typer.Argument(..., help="Folder to write MODEL with the floors to"),
) -> None:
    """Write MODEL, with the floors of SOURCE, to OUTPUT."""
    for path in (source, model):
        if not path.is_dir():
            msg.fail(f"Pipeline {path} not found", exits=1)
    pipelines = {path: load_pipeline(str(path)) for path in (source, model)}
    for path, nlp in pipelines.items():
        if COMPONENT not in nlp.pipe_names:
            msg.fail(f"{path} has no {COMPONENT} component: no floors", exits=1)
    try:
        floors = copy_floors(pipelines[source], pipelines[model], COMPONENT)
    except ValueError as error:
        msg.fail(f"{source} -> {model}: {error}", exits=1)
    atomic_write_folder(output, pipelines[model].to_disk)
    msg.good(
        f"{len(floors['min_confidence'])} floors of {source}, the ensured labels' "
        f"{floors['ensure_min_confidence']:.2f}; pipeline written to {output}"
    )


if __name__ == "__main__":
    typer.run(main)
