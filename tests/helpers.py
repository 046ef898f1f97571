"""What several test modules share: running commands and step scripts, the converter's
tiny inputs and checks, and the service in-process or as a real server."""

import importlib.util
import io
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import httpx
import spacy
import typer
from docx import Document
from fastapi.testclient import TestClient
from spacy.tokens import Doc, DocBin
from typer.testing import CliRunner

from service.app import create_app
from service.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A short resume with every contact field, written twice in different cases.
RESUME = """Jane Doe
Data Engineer at Acme Corp, Berlin
Email: jane.doe@example.com | Phone: +49 30 2735 0737
Web: https://github.com/janedoe
Contact again: JANE.DOE@example.com or +49 30 2735 0737"""


def run_cli(args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """Run a command; stdout and stderr come back as one line in `.output`, without
    colours or line wrapping, so tests can look for whole messages."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "ANSI_COLORS_DISABLED": "1", **(env or {})},
    )
    result.output = " ".join((result.stdout + "\n" + result.stderr).split())
    return result


def copy_project(destination: Path) -> Path:
    """A copy of the project as a clean clone has it: no generated files."""

    def generated(folder: str, names: list) -> set:
        relative = Path(folder).resolve().relative_to(PROJECT_DIR)
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}
        if relative.parts in {("corpus",), ("training",), ("packages",)}:
            skip |= {name for name in names if name != ".gitkeep"}
        if relative.parts == ("assets",):
            skip.add("all-minilm-l6-v2")
        if relative.parts == ("configs",):
            skip.add("config.cfg")
        return skip & set(names)

    shutil.copytree(PROJECT_DIR, destination, ignore=generated)
    for lock in destination.glob("project.lock"):
        lock.unlink()
    return destination


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def load_script(name: str) -> ModuleType:
    """A step script of `scripts/` as a module, to call its CLI in this process (the
    scripts are entry points, not an importable package)."""
    path = PROJECT_DIR / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONVERT_APP = typer.Typer()
CONVERT_APP.command()(load_script("convert").convert)


@dataclass
class Outcome:
    """Exit code, and stdout and stderr as one line without colours or wrapping."""

    code: int
    output: str


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args) -> Outcome:
    """`python scripts/convert.py ARGS`, run in this process (fast: spaCy is loaded)."""
    result = CliRunner().invoke(CONVERT_APP, [str(arg) for arg in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, " ".join(ANSI.sub("", result.output).split()))


def entities(docs) -> list[list[tuple[str, str]]]:
    """(text, label) of each document's entities."""
    if isinstance(docs, DocBin):
        docs = docs.get_docs(spacy.blank("en").vocab)
    return [[(ent.text, ent.label_) for ent in doc.ents] for doc in docs]


def assert_same_records(found: list[dict], expected: list[dict]) -> None:
    """The same records with the same entities; confidences equal to 1e-3, since a
    text batched with others (or on other threads) gets floating-point sums in another
    order."""

    def exact(record: dict) -> dict:
        return {
            **record,
            "entities": [
                {k: v for k, v in e.items() if k != "confidence"}
                for e in record.get("entities", [])
            ],
        }

    assert [exact(r) for r in found] == [exact(r) for r in expected]
    for a, b in zip(found, expected, strict=True):
        for x, y in zip(a.get("entities", []), b.get("entities", []), strict=True):
            assert (x["confidence"] is None) == (y["confidence"] is None)
            if x["confidence"] is not None:
                assert abs(x["confidence"] - y["confidence"]) <= 1e-3


def demo_pipeline(transformer: Path, components: list[str], n_docs: int):
    """The base config's pipeline cut to `components` (no contact patterns), running
    `transformer`, not yet initialised; and Examples of the demo's first `n_docs`
    training documents to initialise and train it on."""
    from spacy.training import Example
    from thinc.api import Config

    from ner_project.conversion.corpus import convert_files

    config = Config().from_disk(PROJECT_DIR / "configs" / "base_config.cfg")
    config["components"]["transformer"]["model"]["name"] = str(transformer)
    config["nlp"]["pipeline"] = components
    for name in set(config["components"]) - set(components):
        del config["components"][name]
    del config["initialize"]["components"]["contact_patterns"]
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc_bin, _ = convert_files([PROJECT_DIR / "assets/demo/train.tsv"], "en", None)
    docs = list(doc_bin.get_docs(nlp.vocab))[:n_docs]
    return nlp, [Example(nlp.make_doc(doc.text), doc) for doc in docs]


def read_corpus(path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def assert_refused(outcome: Outcome, where: str, problem: str, folder: Path) -> None:
    """Exit 1, a message naming the place and the problem, and no corpus, report or
    temporary file left in `folder`."""
    assert outcome.code == 1, outcome.output
    assert where in outcome.output, outcome.output
    assert problem in outcome.output, outcome.output
    outputs = (".spacy", ".stats.json", "split.json")
    written = [
        path.name for path in folder.rglob("*") if any(o in path.name for o in outputs)
    ]
    assert written == [], written


# The service


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A DOCX file of these paragraphs, and a table of these rows if given."""
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(
    lines: list[str | tuple[str, str]],
    font: str = "Helvetica",
    lines_per_page: int = 48,
    pair_offset: int = 300,
    second_column: list[str] | None = None,
) -> bytes:
    """A PDF showing `lines` in 11-point `font` (one of the 14 standard fonts), 14
    points apart, on US Letter pages with a one-inch left margin: the smallest file a
    PDF reader takes, written out object by object. A pair is one line with its second
    part `pair_offset` points right of the first, the way a date stands right-aligned
    beside a company. `second_column` is drawn after the first page's lines,
    `pair_offset` points right of them from the same top, as a table's second column."""

    def shown(text: str) -> str:
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({text}) Tj"

    def line(content: str | tuple[str, str]) -> str:
        if isinstance(content, str):
            return f"{shown(content)} T*"
        left, right = content
        move = f"{pair_offset} 0 Td {shown(right)} {-pair_offset} 0 Td"
        return f"{shown(left)} {move} T*"

    pages = [
        lines[start : start + lines_per_page]
        for start in range(0, max(len(lines), 1), lines_per_page)
    ]
    contents = [
        "BT /F1 11 Tf 14 TL 72 720 Td " + " ".join(map(line, page)) + " ET"
        for page in pages
    ]
    if second_column:
        right = " ".join(map(line, second_column))
        contents[0] += f" BT /F1 11 Tf 14 TL {72 + pair_offset} 720 Td {right} ET"
    first_content = 4 + len(pages)
    kids = " ".join(f"{4 + number} 0 R" for number in range(len(pages)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>",
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} >>",
        *(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Contents {first_content + number} 0 R "
            f"/Resources << /Font << /F1 3 0 R >> >> >>"
            for number in range(len(pages))
        ),
        *(f"<< /Length {len(c)} >>\nstream\n{c}\nendstream" for c in contents),
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return pdf + f"startxref\n{xref}\n%%EOF\n".encode()


def make_client(pipeline, **settings) -> TestClient:
    """The app around `pipeline`; use it in a `with` block to load the pipeline."""
    return TestClient(create_app(Settings(model=str(pipeline), **settings)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def logs(self) -> str:
        """Everything the server printed, once it has stopped."""
        return "".join(self.output)


@contextmanager
def running_server(
    command: list, port: int, cwd=None, env=None, timeout: float = 90
) -> Iterator[Server]:
    """Run `command` (which must listen on 127.0.0.1:`port`) until the block ends."""
    process = subprocess.Popen(
        [str(arg) for arg in command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stdout.read()[-3000:]}")
            assert time.monotonic() < deadline, f"server not ready in {timeout} s"
            try:
                if httpx.get(f"{server.url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.output.append(process.stdout.read())
