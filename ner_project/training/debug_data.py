"""Run `spacy debug data` as a gate: errors stop the workflow, warnings are shown.

`spacy debug data` writes nothing, and a weasel command without outputs reruns every
time, so the report it prints is also saved (only when it passes) as the gate's output.
"""

import os
import subprocess
import sys
from pathlib import Path

from wasabi import msg

from ner_project.files import atomic_write_bytes


def check_data(config_path: Path, report_path: Path, overrides: list[str]) -> None:
    """Run `spacy debug data CONFIG_PATH [overrides...]` and save its report."""
    command = [sys.executable, "-m", "spacy", "debug", "data", str(config_path)]
    # The fast tokenizer's thread pool warns when debug data forks; it is harmless.
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    process = subprocess.Popen(
        [*command, *overrides],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    if process.wait() != 0:
        msg.fail("spacy debug data found errors in the data (see above)", exits=1)
    atomic_write_bytes(report_path, "".join(lines).encode())
    msg.good(f"Data checks passed; report saved to {report_path}")
