"""Fit each label's confidence floor on dev, and the floor of the spans added for the
ensured labels, and write the pipeline that keeps only entities at or above them
(`resume-floors` command): the pipeline that `resume-evaluate` scores and
`resume-package` ships. The test set never sees the fit."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.evaluation.floors import fit_ensure_floor, fit_floors, print_floors
from ner_project.evaluation.scores import read_corpus
from ner_project.files import atomic_write_folder
from ner_project.pipeline.meta import load_pipeline, use_gpu

COMPONENT = "entity_confidence"


def main(
    model: Path = typer.Argument(..., help="Trained pipeline folder"),
    dev_path: Path = typer.Argument(
        ..., help="Dev corpus (.spacy) to fit the floors on"
    ),
    output: Path = typer.Argument(..., help="Folder to write the floored pipeline to"),
    gpu_id: int = typer.Option(-1, help="-1 for CPU, else the GPU to run on"),
) -> None:
    """Fit the floors of MODEL's entity_confidence on DEV_PATH; write it to OUTPUT."""
    use_gpu(gpu_id)
    if not dev_path.is_file():
        msg.fail(f"Corpus {dev_path} not found", exits=1)
    nlp = load_pipeline(str(model))
    if COMPONENT not in nlp.pipe_names:
        msg.fail(
            f"{model} has no {COMPONENT} component: floors are on its confidences",
            exits=1,
        )
    references = read_corpus(nlp, dev_path)
    rows = fit_floors(nlp, references, COMPONENT)
    ensured = fit_ensure_floor(nlp, references, COMPONENT)
    print_floors([*rows, ensured] if ensured else rows, dev_path.name)
    floors = {row["label"]: row["floor"] for row in rows if row["floor"] > 0}
    config = nlp.get_pipe_config(COMPONENT)
    config["min_confidence"] = floors
    if ensured:
        config["ensure_min_confidence"] = ensured["floor"]
    atomic_write_folder(output, nlp.to_disk)
    msg.good(
        f"{len(floors)} floors fitted on {dev_path}"
        + (f", the ensured labels' {ensured['floor']:.2f}" if ensured else "")
        + f"; pipeline written to {output}"
    )


if __name__ == "__main__":
    typer.run(main)
