"""Score a resume pipeline on the real test CVs of `resumes-dotin` for the labels the two
share: a check that the demo corpus teaches what real resumes need, not a template.

The real corpus has no PHONE label and splits skills three ways; its labels are mapped
onto the pipeline's, and predictions of labels it lacks are left out of the score.

    python -m benchmarks.real_resumes training/model-best ../shared/data
"""

from pathlib import Path

import srsly
import typer
from spacy.tokens import Span
from wasabi import msg

from benchmarks.config import CORPORA
from ner_project.conversion.corpus import convert_files
from ner_project.evaluation.scores import entity_metrics, predict, print_metrics
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline

REAL_TO_DEMO = {
    "Name": "NAME",
    "Email Address": "EMAIL",
    "Location": "LOCATION",
    "Designation": "DESIGNATION",
    "Companies worked at": "COMPANY",
    "Degree": "DEGREE",
    "College Name": "COLLEGE",
    "Job Specific Skills": "SKILL",
    "Tech Tools": "SKILL",
    "Soft Skills": "SKILL",
}


def relabel(doc, mapping: dict, keep: set) -> None:
    doc.ents = [
        Span(doc, ent.start, ent.end, label=mapping.get(ent.label_, ent.label_))
        for ent in doc.ents
        if mapping.get(ent.label_, ent.label_) in keep
    ]


def real_resumes(
    model: str = typer.Argument(..., help="Pipeline folder or installed package"),
    data_dir: Path = typer.Argument(
        ..., help="Folder of real corpora (../shared/data)"
    ),
    output: Path = typer.Option(None, help="Write the metrics as JSON here"),
) -> None:
    """Print P/R/F per shared label of MODEL on resumes-dotin/test.iob.tsv."""
    nlp = load_pipeline(model)
    shared = set(REAL_TO_DEMO.values()) & set(nlp.get_pipe("ner").labels)
    doc_bin, _ = convert_files([data_dir / CORPORA["resumes"].test], "en", None)
    gold = list(doc_bin.get_docs(nlp.vocab))
    for doc in gold:
        relabel(doc, REAL_TO_DEMO, shared)
    examples = predict(nlp, gold)
    for eg in examples:
        relabel(eg.predicted, {}, shared)
    metrics = {"model": model, "labels": sorted(shared), **entity_metrics(examples)}
    print_metrics(metrics)
    msg.good(f"F1 on the real test CVs, shared labels: {metrics['ents_f']:.3f}")
    if output:
        atomic_write_bytes(output, srsly.json_dumps(metrics, indent=2).encode())


if __name__ == "__main__":
    typer.run(real_resumes)
