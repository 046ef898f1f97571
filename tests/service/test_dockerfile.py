"""The Dockerfile's install and start steps are the serving page's, and they work: no
Docker engine runs here, so the test runs them outside Docker, in a fresh virtual environment
holding only what the image would hold, and calls the service they start."""

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import PROJECT_DIR, RESUME, free_port, run_cli, running_server


def dockerfile_steps() -> dict:
    """The Dockerfile's COPY (source, destination) pairs, pip install command,
    environment and command, with its build arguments at their defaults."""
    text = (PROJECT_DIR / "Dockerfile").read_text()
    arguments = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, flags=re.MULTILINE))
    text = re.sub(r"\$\{(\w+)\}", lambda match: arguments[match.group(1)], text)
    instructions = re.findall(r"^(COPY|RUN|ENV|CMD) (.+)$", text, flags=re.MULTILINE)
    steps = {"copy": [], "install": None, "env": {}, "cmd": None}
    for instruction, argument in instructions:
        if instruction == "COPY":
            steps["copy"].append(tuple(shlex.split(argument)))
        elif instruction == "RUN" and argument.startswith("pip install"):
            steps["install"] = shlex.split(argument)
        elif instruction == "ENV":
            steps["env"].update(item.split("=", 1) for item in shlex.split(argument))
        elif instruction == "CMD":
            steps["cmd"] = json.loads(argument)  # the exec form: a JSON list
    return steps


def serving_page_commands(section: str) -> list[str]:
    """The shell lines of the serving page's code block under the heading `section`."""
    page = (PROJECT_DIR / "docs" / "serving.md").read_text()
    start = re.search(rf"^#+ {section}", page, flags=re.MULTILINE).start()
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", page[start:], flags=re.DOTALL)
    return [line for line in block.group(1).splitlines() if line and line[0] != "#"]


def test_the_dockerfile_installs_and_starts_as_the_serving_page_says():
    steps = dockerfile_steps()
    readme_install, readme_start = serving_page_commands("Serve the wheel anywhere")
    docker_install = [arg for arg in steps["install"] if arg != "--no-cache-dir"]
    readme_install = shlex.split(readme_install)
    # The same command, the wheel copied beside the requirements in the image.
    assert [Path(arg).name for arg in readme_install] == docker_install
    assert [source for source, _ in steps["copy"][:2]] == readme_install[-2:]

    assert shlex.split(readme_start) == [
        *(
            f"{name}={value}"
            for name, value in steps["env"].items()
            if name == "NER_MODEL"
        ),
        *steps["cmd"],
    ]


def test_the_image_holds_no_training_code():
    sources = [source for source, _ in dockerfile_steps()["copy"]]
    assert "scripts/" not in sources
    library = [source for source in sources if source.startswith("ner_project")]
    assert library == ["ner_project/__init__.py", "ner_project/pipeline/"]


@pytest.fixture(scope="module")
def wheel(trained_pipeline, tmp_path_factory) -> Path:
    """The small trained pipeline packaged as the project packages its own."""
    out = tmp_path_factory.mktemp("packages")
    result = run_cli(
        [
            *(sys.executable, "-m", "spacy", "package", trained_pipeline, out),
            *("--name", "resume_ner", "--version", "0.1.0"),
            *(
                "--code",
                PROJECT_DIR / "ner_project" / "training" / "functions.py",
                "--build",
                "wheel",
            ),
        ]
    )
    assert result.returncode == 0, result.output[-3000:]
    (wheel,) = out.glob("*/dist/*.whl")
    return wheel


def test_the_dockerfile_steps_serve_the_wheel_outside_docker(wheel, tmp_path):
    steps = dockerfile_steps()
    image = tmp_path / "srv"  # the image's WORKDIR
    image.mkdir()
    for source, destination in steps["copy"]:
        target = image / destination
        if destination.endswith("/") and not source.endswith("/"):
            target = target / Path(source).name
        target.parent.mkdir(parents=True, exist_ok=True)
        path = wheel if source.endswith(".whl") else PROJECT_DIR / source
        if path.is_dir():
            shutil.copytree(
                path,
                target,
                ignore=shutil.ignore_patterns("__pycache__"),
                dirs_exist_ok=True,
            )
        else:
            shutil.copy(path, target)
    venv = tmp_path / "venv"
    assert run_cli([sys.executable, "-m", "venv", venv]).returncode == 0
    bin_dir = venv / "bin"
    # Outside the image, pip may use its cache.
    pip_install = [arg for arg in steps["install"] if arg != "--no-cache-dir"]
    install = run_cli([bin_dir / "python", "-m", *pip_install], cwd=image)
    assert install.returncode == 0, install.output[-3000:]

    port = free_port()
    command = [bin_dir / steps["cmd"][0], *steps["cmd"][1:]]
    command[command.index("--host") + 1] = "127.0.0.1"  # loopback only, in a test
    command[command.index("--port") + 1] = str(port)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        **steps["env"],
    }
    with running_server(command, port, cwd=image, env=env, timeout=120) as server:
        model = httpx.get(f"{server.url}/v1/model").json()
        parsed = httpx.post(f"{server.url}/v1/parse", json={"text": RESUME}, timeout=60)
    assert model["name"] == "en_resume_ner"
    assert parsed.status_code == 200
    assert parsed.json()["fields"]["emails"] == ["jane.doe@example.com"]
