"""Regenerate the demo corpus of resume-style documents, seeded and byte-identical
(`generate-demo` command); see ner_project/demo/generator.py for how it is built."""

from pathlib import Path

import typer
from wasabi import msg

from ner_project.demo.generator import summarize, write_demo_corpus


def main(
    output_dir: Path,
    seed: int = 0,
    n_train: int = 160,
    n_dev: int = 40,
    n_test: int = 40,
) -> None:
    """Write train.tsv, dev.tsv and test.tsv (IOB2, token<TAB>tag) into OUTPUT_DIR."""
    corpus = write_demo_corpus(output_dir, seed, n_train, n_dev, n_test)
    msg.good(f"Wrote the demo corpus (seed {seed}) to {output_dir}")
    summarize(corpus)


if __name__ == "__main__":
    typer.run(main)
