"""How right /v1/parse is, field by field, on the real test CVs of resumes-dotin: each CV
posted as text, and as a DOCX and a PDF that LibreOffice makes from it during the run.

    python -m benchmarks.resume_fields en_resume_dotin --data-dir ../shared/data

Gold values are the CVs' own spans, their labels mapped onto the pipeline's by
configs/resume_labels.json. A DOCX or PDF gives back a text of its own (line breaks and
spaces move), so values and entities are compared by label and text, whitespace runs
as one space and case aside, never by offsets; the same for all three formats.
Writes benchmarks/results/resume-fields.json and .md.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import srsly
import typer
from fastapi.testclient import TestClient
from wasabi import msg

from ner_project.conversion.labels import read_label_map
from ner_project.files import atomic_write_bytes
from service.app import create_app
from service.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
FORMATS = ("text", "docx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# The parse fields scored as sets, and the label their gold values have.
SET_FIELDS = {"skills": "SKILL", "companies": "COMPANY", "designations": "DESIGNATION"}
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
# The figures of each format, in the order of the results table.
FIGURES = (
    "name_exact",
    "email_precision",
    "email_recall",
    "phone_valid",
    "entity_f1",
    "skills_f1",
    "companies_f1",
    "designations_f1",
)


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class GoldCV:
    """What a CV holds, from its annotation."""

    text: str
    name: str | None
    emails: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=dict)  # label -> texts
    entities: Counter = field(default_factory=Counter)  # (label, text) -> count


def gold_cv(record: dict, mapping: dict[str, str | None]) -> GoldCV:
    """The gold values of one resumes-dotin record ({"text", "spans"})."""
    text = record["text"]
    spans = sorted(record["spans"], key=lambda span: span["start"])
    labelled = [
        (mapping[span["label"]], norm(text[span["start"] : span["end"]]))
        for span in spans
        if mapping.get(span["label"])
    ]
    names = [value for label, value in labelled if label == "NAME"]
    values: dict[str, set[str]] = {}
    for label, value in labelled:
        values.setdefault(label, set()).add(value)
    return GoldCV(
        text=text,
        name=names[0] if names else None,
        emails=gold_addresses(values.get("EMAIL", set())),
        values=values,
        entities=Counter(labelled),
    )


# An address as the annotations write one; spans that hold more ("Indeed:a@b.co",
# "123-345-7890|a@b.co") are scored on the address inside.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def gold_addresses(values: Iterable[str]) -> set[str]:
    """The email addresses inside the annotated email spans."""
    return {address for value in values for address in ADDRESS.findall(value)}


def set_f1(predicted: Iterable[str], gold: Iterable[str]) -> tuple[int, int, int]:
    """(true positives, predicted, gold) of two sets of normalised values."""
    predicted, gold = {norm(v) for v in predicted}, {norm(v) for v in gold}
    return len(predicted & gold), len(predicted), len(gold)


def bag_counts(predicted: Counter, gold: Counter) -> tuple[int, int, int]:
    """(true positives, predicted, gold) of two multisets of (label, text)."""
    return sum((predicted & gold).values()), sum(predicted.values()), sum(gold.values())


def f1(counts: Iterable[tuple[int, int, int]]) -> float:
    """Micro-averaged F1 of (tp, predicted, gold) counts; 1.0 when both are empty."""
    tp = predicted = gold = 0
    for a, b, c in counts:
        tp, predicted, gold = tp + a, predicted + b, gold + c
    if predicted + gold == 0:
        return 1.0
    return round(2 * tp / (predicted + gold), 4)


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def scored_labels(
    pipeline_labels: set[str], mapping: dict[str, str | None]
) -> set[str]:
    """The labels entity F1 counts: those both the pipeline and the CVs' annotation
    have. Gold entities of a label the pipeline was never taught are not its misses,
    and its entities of a label the annotation never uses (the pattern rules' PHONE
    and URL: these CVs' phone numbers and links are not annotated) not its errors."""
    return pipeline_labels & {label for label in mapping.values() if label}


def score_format(golds: list[GoldCV], parsed: list[dict], labels: set[str]) -> dict:
    """The figures of one format: the parse responses against the gold CVs, entity F1
    over `labels` alone (`scored_labels`)."""
    named = [(g, p) for g, p in zip(golds, parsed, strict=True) if g.name]
    name_hits = sum(norm(p["fields"].get("name", "")) == g.name for g, p in named)
    email = [
        set_f1(p["fields"].get("emails", []), g.emails)
        for g, p in zip(golds, parsed, strict=True)
    ]
    phones = [n["e164"] for p in parsed for n in p["phone_numbers"].get("phones", [])]
    valid = sum(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in phones)
    entity_counts = [
        bag_counts(
            Counter(
                (e["label"], norm(e["text"]))
                for e in p["entities"]
                if e["label"] in labels
            ),
            Counter({k: v for k, v in g.entities.items() if k[0] in labels}),
        )
        for g, p in zip(golds, parsed, strict=True)
    ]
    figures = {
        "name_exact": ratio(name_hits, len(named)),
        "email_precision": ratio(sum(c[0] for c in email), sum(c[1] for c in email)),
        "email_recall": ratio(sum(c[0] for c in email), sum(c[2] for c in email)),
        "phone_valid": ratio(valid, len(phones)),
        "entity_f1": f1(entity_counts),
    }
    for name, label in SET_FIELDS.items():
        figures[f"{name}_f1"] = f1(
            set_f1(p["fields"].get(name, []), g.values.get(label, set()))
            for g, p in zip(golds, parsed, strict=True)
        )
    figures["phones"] = len(phones)
    return figures


def libreoffice() -> str:
    """The soffice command; installed from Debian (as root) when missing."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        msg.fail(
            "DOCX and PDF need LibreOffice: install it (Debian: apt-get install "
            f"{LIBREOFFICE_PACKAGE}) or pass --formats text",
            exits=1,
        )
    msg.info(f"Installing {LIBREOFFICE_PACKAGE} with apt-get")
    subprocess.run([apt, "update", "-qq"], check=True)
    subprocess.run(
        [apt, "install", "-y", "-qq", "--no-install-recommends", LIBREOFFICE_PACKAGE],
        check=True,
    )
    installed = shutil.which("soffice")
    if installed is None:
        msg.fail(f"soffice not found after installing {LIBREOFFICE_PACKAGE}", exits=1)
    return installed


def convert_with_libreoffice(texts: list[str], folder: Path, target: str) -> list[Path]:
    """Each text as a .txt file, converted by LibreOffice into `target` (docx, pdf)."""
    soffice = libreoffice()
    sources = []
    for i, text in enumerate(texts):
        source = folder / f"cv-{i:03d}.txt"
        source.write_text(text, encoding="utf-8")
        sources.append(source)
    out_dir = folder / target
    out_dir.mkdir(exist_ok=True)
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--infilter=Text (encoded):UTF8,LF,,",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
    )
    made = [out_dir / f"{source.stem}.{target}" for source in sources]
    if missing := [path.name for path in made if not path.is_file()]:
        msg.fail(f"LibreOffice made no {target} of {', '.join(missing)}", exits=1)
    return made


def parse_all(client: TestClient, file_format: str, texts: list[str], work: Path):
    """The /v1/parse response for each CV, posted in `file_format`."""
    if file_format == "text":
        requests = [{"json": {"text": text}} for text in texts]
    else:
        files = convert_with_libreoffice(texts, work, file_format)
        requests = [
            {
                "content": path.read_bytes(),
                "headers": {"content-type": MEDIA_TYPES[file_format]},
            }
            for path in files
        ]
    responses = []
    for i, request in enumerate(requests):
        response = client.post("/v1/parse", **request)
        if response.status_code != 200:
            msg.fail(
                f"{file_format} CV {i}: {response.status_code} {response.text}", exits=1
            )
        responses.append(response.json())
    return responses


def markdown(result: dict) -> str:
    columns = FIGURES
    lines = [
        "# /v1/parse on the real test CVs, field by field",
        "",
        f"{result['date']}, model `{result['model']}`, {result['cvs']} CVs of "
        f"`{result['corpus']}`; phone region {result['phone_region'] or 'unset'}. "
        "Values compared by label and text (whitespace and case aside), emails by the "
        "address inside each annotated span; entity F1 over the labels that both "
        f"the pipeline and the annotation have ({', '.join(result['entity_labels'])}). "
        "DOCX and PDF made from each CV's text by LibreOffice during the run.",
        "",
        "| format | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, figures in result["formats"].items():
        cells = ["n/a" if figures[c] is None else f"{figures[c]:.4f}" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def resume_fields(
    model: str = typer.Argument(..., help="Pipeline folder or installed package name"),
    data_dir: Path = typer.Option(Path("../shared/data"), help="The real corpora"),
    test_file: str = typer.Option("resumes-dotin/test.jsonl", help="Under --data-dir"),
    labels: Path = typer.Option(
        PROJECT_DIR / "configs/resume_labels.json", help="The CVs' labels mapped"
    ),
    formats: str = typer.Option(
        ",".join(FORMATS), help="Comma-separated: text,docx,pdf"
    ),
    phone_region: str | None = typer.Option(
        None, help="NER_PHONE_REGION of the service"
    ),
    limit: int = typer.Option(0, help="Only the first N CVs (0: all)"),
    output: Path = typer.Option(
        PROJECT_DIR / "benchmarks/results/resume-fields.json",
        help="Results JSON (and .md)",
    ),
) -> None:
    """Post each test CV to /v1/parse in each format and score the fields."""
    chosen = [name.strip() for name in formats.split(",") if name.strip()]
    if unknown := [name for name in chosen if name not in FORMATS]:
        msg.fail(
            f"--formats: unknown {', '.join(unknown)}; choose from {FORMATS}", exits=1
        )
    source = data_dir / test_file
    if not source.is_file():
        msg.fail(f"{source} not found (set --data-dir)", exits=1)
    mapping = read_label_map(labels)
    records = list(srsly.read_jsonl(source))
    records = records[:limit] if limit else records
    golds = [gold_cv(record, mapping) for record in records]
    texts = [gold.text for gold in golds]
    settings = Settings(model=model, phone_region=phone_region)
    result = {
        "model": model,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": test_file,
        "cvs": len(golds),
        "phone_region": phone_region,
        "formats": {},
    }
    with (
        TestClient(create_app(settings)) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        pipeline_labels = set(client.get("/v1/model").json().get("labels", []))
        result["entity_labels"] = sorted(scored_labels(pipeline_labels, mapping))
        for file_format in chosen:
            parsed = parse_all(client, file_format, texts, Path(tmp))
            result["formats"][file_format] = score_format(
                golds, parsed, set(result["entity_labels"])
            )
            msg.info(f"{file_format}: {result['formats'][file_format]}")
    atomic_write_bytes(output, srsly.json_dumps(result, indent=2).encode())
    atomic_write_bytes(output.with_suffix(".md"), markdown(result).encode())
    msg.good(f"Results in {output} and {output.with_suffix('.md')}")


if __name__ == "__main__":
    typer.run(resume_fields)
