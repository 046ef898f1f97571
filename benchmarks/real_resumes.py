"""Score a resume pipeline on the real test CVs of `resumes-dotin` for the labels the two
share: a check that the demo corpus teaches what real resumes need, not a template.

The real corpus has no PHONE label and splits skills three ways; its labels are mapped
onto the pipeline's by configs/resume_labels.json, and only the labels both have are
scored.

    python -m benchmarks.real_resumes training/model-best ../shared/data
"""

from pathlib import Path

import srsly
import typer
from wasabi import msg

from benchmarks.config import CORPORA
from ner_project.conversion.corpus import read_documents, to_doc_bin
from ner_project.conversion.labels import read_label_map
from ner_project.evaluation.scores import entity_metrics, predict, print_metrics
from ner_project.files import atomic_write_bytes
from ner_project.pipeline.meta import load_pipeline

# The real corpus's labels mapped onto the project's, as the resume-model workflow maps
# them.
RESUME_LABELS = Path(__file__).resolve().parent.parent / "configs/resume_labels.json"


def keep_labels(doc, keep: set) -> None:
    doc.ents = [ent for ent in doc.ents if ent.label_ in keep]


def real_resumes(
    model: str = typer.Argument(..., help="Pipeline folder or installed package"),
    data_dir: Path = typer.Argument(
        ..., help="Folder of real corpora (../shared/data)"
    ),
    output: Path = typer.Option(None, help="Write the metrics as JSON here"),
) -> None:
    """Print P/R/F per shared label of MODEL on resumes-dotin/test.iob.tsv."""
    nlp = load_pipeline(model)
    mapping = read_label_map(RESUME_LABELS)
    shared = {label for label in mapping.values() if label} & set(
        nlp.get_pipe("ner").labels
    )
    test_path = data_dir / CORPORA["resumes"].test
    docs, _ = read_documents([test_path], "en", None, label_map=RESUME_LABELS)
    gold = list(to_doc_bin(docs).get_docs(nlp.vocab))
    for doc in gold:
        keep_labels(doc, shared)
    examples = predict(nlp, gold)
    for eg in examples:
        keep_labels(eg.predicted, shared)
    metrics = {"model": model, "labels": sorted(shared), **entity_metrics(examples)}
    print_metrics(metrics)
    msg.good(f"F1 on the real test CVs, shared labels: {metrics['ents_f']:.3f}")
    if output:
        atomic_write_bytes(output, srsly.json_dumps(metrics, indent=2).encode())


if __name__ == "__main__":
    typer.run(real_resumes)
