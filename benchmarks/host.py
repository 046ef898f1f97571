"""What a benchmark ran on, in the words of /proc/cpuinfo and /proc/meminfo."""

import os
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


def machine_description(threads: int) -> str:
    """One line for a results table: the CPU, its CPUs and the torch threads used."""
    return f"{cpu_name()}, {os.cpu_count()} CPUs, {threads} torch threads"


def machine_details() -> dict:
    """What the figures were measured on, and how busy the machine was."""
    import spacy

    meminfo = Path("/proc/meminfo").read_text().splitlines()
    return {
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": int(meminfo[0].split()[1]) / 2**20,
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "load_average_at_start": os.getloadavg(),
    }
