"""ner_project/demo/generator.py (the `generate-demo` command): the TSV layout other code parses, label
coverage, train/eval separation, determinism and the committed assets/demo corpus."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR, load_script

generate_demo_corpus = load_script("generate_demo_corpus")


SPLITS = ("train", "dev", "test")
LABELS = ("NAME", "EMAIL", "PHONE", "URL", "SKILL", "COMPANY")
LABELS += ("DESIGNATION", "DEGREE", "COLLEGE", "LOCATION")
DOCSTART = "-DOCSTART-\tO"
TAG = re.compile(rf"O|[BI]-({'|'.join(LABELS)})")

Sentence = list[tuple[str, str]]


def parse_tsv(path: Path) -> list[list[Sentence]]:
    """Documents -> sentences -> (token, tag), asserting the exact layout on the way:
    DOCSTART + blank line opens each document, one blank line between sentences,
    every other line `token<TAB>tag` with a valid IOB2 tag, one final newline."""
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n"), path
    lines = text[:-1].split("\n")
    docs: list[list[Sentence]] = []
    for number, line in enumerate(lines):
        where = f"{path.name}:{number + 1}: {line!r}"
        if line == DOCSTART:
            assert lines[number + 1] == "", where
            assert number == 0 or lines[number - 1] == "", where
            docs.append([])
        elif line == "":
            assert lines[number - 1] != "" and lines[number + 1] != "", where
        else:
            token, tag = line.split("\t")
            assert token and not token.isspace() and TAG.fullmatch(tag), where
            previous = lines[number - 1]
            if previous in ("", DOCSTART):
                docs[-1].append([])
            if tag.startswith("I-"):
                assert previous.endswith(("\tB-" + tag[2:], "\t" + tag)), where
            docs[-1][-1].append((token, tag))
    assert lines[0] == DOCSTART and all(docs), path
    return docs


def entities(doc: list[Sentence]) -> list[tuple[str, str]]:
    """(label, text) of each entity in a document."""
    found: list[tuple[str, list[str]]] = []
    for sentence in doc:
        for token, tag in sentence:
            if tag.startswith("B-"):
                found.append((tag[2:], [token]))
            elif tag.startswith("I-"):
                found[-1][1].append(token)
    return [(label, " ".join(tokens)) for label, tokens in found]


def read_corpus(folder: Path) -> dict[str, list[list[Sentence]]]:
    return {split: parse_tsv(folder / f"{split}.tsv") for split in SPLITS}


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {split: (folder / f"{split}.tsv").read_bytes() for split in SPLITS}


@pytest.fixture(scope="module")
def default_dir(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("demo-default")
    generate_demo_corpus.main(output)
    return output


@pytest.fixture(scope="module")
def corpus(default_dir) -> dict[str, list[list[Sentence]]]:
    return read_corpus(default_dir)


def small(output: Path, seed: int) -> dict[str, bytes]:
    generate_demo_corpus.main(output, seed=seed, n_train=12, n_dev=4, n_test=4)
    return file_bytes(output)


def test_default_sizes_give_at_least_150_train_and_40_dev_and_test_documents(corpus):
    assert len(corpus["train"]) >= 150
    assert len(corpus["dev"]) >= 40
    assert len(corpus["test"]) >= 40


def test_documents_average_100_to_150_tokens(corpus):
    for split, docs in corpus.items():
        tokens = sum(len(sentence) for doc in docs for sentence in doc)
        assert 100 <= tokens / len(docs) <= 150, split


def test_every_label_occurs_in_every_split(corpus):
    for split, docs in corpus.items():
        found = {label for doc in docs for label, _ in entities(doc)}
        assert found == set(LABELS), split


def test_no_dev_or_test_sentence_occurs_in_train(corpus):
    def sentences(docs):
        return {tuple(token for token, _ in s) for doc in docs for s in doc}

    train = sentences(corpus["train"])
    assert not sentences(corpus["dev"]) & train
    assert not sentences(corpus["test"]) & train


@pytest.mark.parametrize("label", ["NAME", "COMPANY", "COLLEGE"])
def test_most_eval_names_companies_and_colleges_are_unseen_in_train(corpus, label):
    seen = {
        text for doc in corpus["train"] for lab, text in entities(doc) if lab == label
    }
    for split in ("dev", "test"):
        values = [
            t for doc in corpus[split] for lab, t in entities(doc) if lab == label
        ]
        unseen = sum(value not in seen for value in values)
        assert unseen / len(values) >= 0.7, (split, Counter(values).most_common(3))


def test_every_line_is_blank_docstart_or_token_tab_valid_iob2_tag(default_dir):
    for split in SPLITS:  # parse_tsv asserts the layout line by line
        assert parse_tsv(default_dir / f"{split}.tsv")


def test_same_seed_gives_identical_bytes(tmp_path):
    assert small(tmp_path / "a", seed=7) == small(tmp_path / "b", seed=7)


def test_different_seed_gives_different_output(tmp_path):
    first, second = small(tmp_path / "a", seed=7), small(tmp_path / "b", seed=8)
    assert all(first[split] != second[split] for split in SPLITS)


def test_cli_writes_the_requested_number_of_documents(tmp_path):
    script = PROJECT_DIR / "scripts" / "generate_demo_corpus.py"
    args = [sys.executable, str(script), str(tmp_path / "out"), "--seed", "3"]
    args += ["--n-train", "5", "--n-dev", "2", "--n-test", "3"]
    subprocess.run(args, check=True, capture_output=True)
    sizes = {split: len(docs) for split, docs in read_corpus(tmp_path / "out").items()}
    assert sizes == {"train": 5, "dev": 2, "test": 3}
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left behind


def test_committed_demo_corpus_equals_default_generation(default_dir):
    committed = PROJECT_DIR / "assets" / "demo"
    assert file_bytes(committed) == file_bytes(default_dir), (
        "assets/demo is stale: spacy project run generate-demo"
    )
