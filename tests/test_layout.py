"""The layout the code keeps: imports run one way (scripts -> library, service ->
library, benchmarks -> library and service), nothing edits the import path, and the file
that the packaged pipeline ships (`--code`) needs nothing from this project."""

import ast
import sys
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR, run_cli

PROJECT_PACKAGES = {"ner_project", "service", "benchmarks", "scripts", "tests"}
# Spelt in two parts so that this file, too, passes the check it makes.
IMPORT_PATH_EDIT = "sys" + ".path"
CODE_FILE = PROJECT_DIR / "ner_project" / "training" / "functions.py"


def python_files(*folders: str) -> list[Path]:
    return sorted(
        path for folder in folders for path in (PROJECT_DIR / folder).rglob("*.py")
    )


def imported_modules(path: Path) -> set[str]:
    """Every module that `path` imports, anywhere in it, as a dotted name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def project_imports(path: Path) -> set[str]:
    return {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in PROJECT_PACKAGES
    }


def test_no_python_file_edits_the_import_path():
    folders = ("ner_project", "scripts", "service", "benchmarks", "tests")
    offenders = [
        str(path.relative_to(PROJECT_DIR))
        for path in python_files(*folders)
        if IMPORT_PATH_EDIT in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "folder,allowed",
    [
        ("ner_project", {"ner_project"}),
        ("scripts", {"ner_project", "service"}),
        ("service", {"ner_project.pipeline", "service"}),
        ("benchmarks", {"ner_project", "service", "benchmarks"}),
    ],
)
def test_imports_run_one_way(folder, allowed):
    wrong = {
        f"{path.relative_to(PROJECT_DIR)}: {name}"
        for path in python_files(folder)
        for name in project_imports(path)
        if not any(name == root or name.startswith(f"{root}.") for root in allowed)
    }
    assert wrong == set()


def test_only_the_serve_script_imports_the_service():
    importers = [
        path.name
        for path in python_files("scripts")
        if any(name.startswith("service") for name in project_imports(path))
    ]
    assert importers == ["serve.py"]


def test_the_pipeline_subpackage_needs_no_training_code_at_import():
    """The service's image holds ner_project/pipeline alone; only loading a pipeline
    folder (never done there) reaches for the training functions."""
    for path in python_files("ner_project/pipeline"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [
            node.module
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module
        ]
        assert all(
            not name.startswith("ner_project")
            or name.startswith("ner_project.pipeline")
            for name in top_level
        ), path


def test_the_code_file_imports_nothing_from_the_project():
    assert project_imports(CODE_FILE) == set()


def test_the_code_file_registers_its_functions_with_the_project_out_of_reach(tmp_path):
    blocked = ", ".join(repr(name) for name in sorted(PROJECT_PACKAGES))
    check = (
        "import sys\n"
        f"for name in ({blocked}):\n"
        "    sys.modules[name] = None  # any import of it fails\n"
        "from spacy.util import import_file, registry\n"
        f"import_file('functions', {str(CODE_FILE)!r})\n"
        "registry.optimizers.get('ner_project.pretrained_scaled_adam.v1')\n"
        "registry.readers.get('ner_project.chunked_corpus.v1')\n"
    )
    result = run_cli([sys.executable, "-B", "-c", check], cwd=tmp_path)
    assert result.returncode == 0, result.output[-3000:]
