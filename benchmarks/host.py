"""What a benchmark ran on, in the words of /proc/cpuinfo."""

import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name, or what the platform module knows of it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()
