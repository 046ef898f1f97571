"""The comparison's data settings, read from benchmarks/benchmark.cfg: the named
corpora and the default config settings of ours."""

from dataclasses import dataclass
from pathlib import Path

from thinc.api import Config

CONFIG_PATH = Path(__file__).with_name("benchmark.cfg")


@dataclass(frozen=True)
class CorpusFiles:
    """A named corpus's files, relative to the data folder."""

    train: str
    dev: str
    test: str


def read_config(path: Path = CONFIG_PATH) -> Config:
    return Config().from_disk(path, interpolate=False)


def named_corpora(config: Config) -> dict[str, CorpusFiles]:
    """The corpora by name, in the order the file gives them."""
    return {name: CorpusFiles(**files) for name, files in config["corpora"].items()}


BENCHMARK_CONFIG = read_config()
CORPORA = named_corpora(BENCHMARK_CONFIG)
OURS_SETTINGS: list[str] = list(BENCHMARK_CONFIG["ours"]["settings"])
