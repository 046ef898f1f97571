"""The comparison's corpus: a named one from benchmark.cfg or the user's own files,
converted with the project's converter into train, dev and test .spacy files."""

from pathlib import Path

from wasabi import msg

from benchmarks.config import CORPORA

SPLITS = ("train", "dev", "test")


def resolve_files(corpus, data_dir, train_file, dev_file, test_file) -> tuple:
    """The corpus's train, dev and test files, or a clear failure."""
    if train_file or test_file:
        if not (train_file and test_file):
            msg.fail(
                "Give both --train-file and --test-file for your own corpus", exits=1
            )
        files = (train_file, dev_file or train_file, test_file)
    elif corpus in CORPORA:
        if not data_dir.is_dir():
            msg.fail(
                f"Data folder {data_dir} not found: point --data-dir at the real "
                "corpora (../shared/data)",
                exits=1,
            )
        files = tuple(data_dir / getattr(CORPORA[corpus], split) for split in SPLITS)
    else:
        msg.fail(
            f"Unknown corpus '{corpus}': use one of {', '.join(CORPORA)}, or name your "
            "own and give --train-file and --test-file (and --dev-file)",
            exits=1,
        )
    for path in files:
        if not Path(path).is_file():
            msg.fail(f"Corpus file {path} not found", exits=1)
    return tuple(Path(path) for path in files)


def write_corpora(files: tuple, work: Path, limits: tuple) -> dict:
    """Convert train, dev and test with the project's converter into .spacy files,
    keeping the first documents of each when a limit is given (0: all)."""
    import spacy
    from spacy.tokens import DocBin

    from ner_project.conversion.corpus import convert_files

    vocab, paths = spacy.blank("en").vocab, {}
    for split, path, limit in zip(SPLITS, files, limits, strict=True):
        doc_bin, _ = convert_files([path], "en", None)
        docs = list(doc_bin.get_docs(vocab))
        docs = docs[:limit] if limit else docs
        paths[split] = work / "corpus" / f"{split}.spacy"
        paths[split].parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(paths[split])
        words = sum(len(doc) for doc in docs)
        msg.info(f"{split}: {len(docs)} documents, {words} words from {path}")
    return paths
