"""ner_project/conversion/corpus.py and its `preprocess` script: annotated files become .spacy corpora with nothing lost; the
format readers have their own tests (test_read_*.py)."""

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from ner_project.conversion.corpus import Format, convert_files, detect_format
from tests.helpers import (
    PROJECT_DIR,
    assert_refused,
    entities,
    invoke,
    read_corpus,
    run_cli,
    write,
)

CONVERT = [sys.executable, str(PROJECT_DIR / "scripts" / "convert.py")]


def run_convert(*args: Path) -> subprocess.CompletedProcess:
    return run_cli(CONVERT + list(args))


def test_docstart_separates_documents_and_blank_lines_sentences(tmp_path):
    source = write(
        tmp_path / "a.tsv",
        "-DOCSTART-\tO\n\nAnna\tB-NAME\nLee\tI-NAME\n\nPython\tB-SKILL\n\n"
        "-DOCSTART-\tO\n\nAcme\tB-COMPANY\nLtd\tI-COMPANY\n",
    )
    doc_bin, report = convert_files([source], "en", None)
    assert entities(doc_bin) == [
        [("Anna Lee", "NAME"), ("Python", "SKILL")],
        [("Acme Ltd", "COMPANY")],
    ]
    assert (report.documents, report.sentences, report.tokens) == (2, 3, 5)


def test_labels_with_spaces_are_kept_whole(tmp_path):
    source = write(
        tmp_path / "a.tsv",
        "machine\tB-Job Specific Skills\nlearning\tI-Job Specific Skills\n",
    )
    doc_bin, report = convert_files([source], "en", None)
    assert entities(doc_bin) == [[("machine learning", "Job Specific Skills")]]
    assert report.entities == {"Job Specific Skills": 1}


def test_entity_continues_across_a_line_break(tmp_path):
    source = write(
        tmp_path / "a.tsv",
        "-DOCSTART-\tO\n\nNorth\tB-College Name\n\nMaharashtra\tI-College Name\n"
        "University\tI-College Name\n\nPune\tB-Location\n",
    )
    doc_bin, report = convert_files([source], "en", None)
    assert entities(doc_bin) == [
        [("North Maharashtra University", "College Name"), ("Pune", "Location")]
    ]
    assert report.sentences == 2


def test_bilou_and_iob1_tags_give_the_same_entities(tmp_path):
    bilou = write(tmp_path / "b.tsv", "Anna\tB-NAME\nLee\tL-NAME\nin\tO\nPune\tU-LOC\n")
    iob1 = write(tmp_path / "i.tsv", "Anna\tI-NAME\nLee\tI-NAME\nin\tO\nPune\tI-LOC\n")
    assert entities(convert_files([bilou], "en", None)[0]) == entities(
        convert_files([iob1], "en", None)[0]
    )


def test_i_tag_of_another_label_opens_a_new_entity_and_is_reported(tmp_path):
    source = write(tmp_path / "a.tsv", "Anna\tB-NAME\nPune\tI-LOC\n")
    doc_bin, report = convert_files([source], "en", None)
    assert entities(doc_bin) == [[("Anna", "NAME"), ("Pune", "LOC")]]
    assert [(r.line, r.tag) for r in report.repairs] == [(2, "I-LOC")]


def test_file_without_docstart_is_grouped_by_sentences(tmp_path):
    source = write(tmp_path / "a.tsv", "".join(f"w{i}\tO\n\n" for i in range(25)))
    assert convert_files([source], "en", None)[1].documents == 3
    _, report = convert_files([source], "en", 5)
    assert report.documents == 5


def test_bom_and_crlf_are_accepted(tmp_path):
    source = tmp_path / "a.tsv"
    source.write_bytes("\ufeffAnna\tB-NAME\r\nLee\tI-NAME\r\n".encode("utf-8"))
    assert entities(convert_files([source], "en", None)[0]) == [[("Anna Lee", "NAME")]]


def test_cli_writes_corpus_and_report(tmp_path):
    source = write(tmp_path / "a.tsv", "Anna\tB-NAME\nLee\tI-NAME\n")
    output = tmp_path / "out" / "train.spacy"
    result = run_convert(source, output)
    assert result.returncode == 0, result.output + result.stderr
    assert entities(DocBin().from_disk(output)) == [[("Anna Lee", "NAME")]]
    report = srsly.read_json(output.with_suffix(".stats.json"))
    assert report["entities_per_label"] == {"NAME": 1}


@pytest.mark.parametrize(
    "content,line,problem",
    [
        ("Anna\tB-NAME\nLee NAME\n", 2, "no tab"),
        ("Anna\tB-NAME\nLee\tX-NAME\n", 2, "is not O or B-"),
        ("Anna\tB-\n", 1, "is not O or B-"),
        ("\tB-NAME\n", 1, "token column is empty"),
    ],
)
def test_bad_line_names_file_and_line_and_writes_nothing(
    tmp_path, content, line, problem
):
    source = write(tmp_path / "bad.tsv", content)
    outcome = invoke(source, tmp_path / "train.spacy")
    assert_refused(outcome, f"{source}:{line}", problem, tmp_path)


def test_missing_empty_and_non_utf8_files_are_refused(tmp_path):
    output = tmp_path / "out.spacy"
    missing = invoke(tmp_path / "nope.tsv", output)
    assert_refused(missing, "nope.tsv: file not found", "", tmp_path)
    empty = write(tmp_path / "empty.tsv", "\n\n")
    assert_refused(invoke(empty, output), str(empty), "the file is empty", tmp_path)
    latin1 = tmp_path / "latin1.tsv"
    latin1.write_bytes("Anna\tB-NAME\nJos\xe9\tI-NAME\n".encode("latin-1"))
    assert_refused(invoke(latin1, output), f"{latin1}:2", "not UTF-8", tmp_path)


def test_formats_are_told_apart_and_read_into_one_corpus(tmp_path):
    iob = write(tmp_path / "a.tsv", "Anna\tB-NAME\n")
    conll = write(tmp_path / "b.txt", "Pune NNP B-NP B-LOC\n")
    spans = write(tmp_path / "c.jsonl", '{"text": "Acme", "label": [[0, 4, "ORG"]]}\n')
    found = [detect_format(path) for path in (iob, conll, spans)]
    assert found == [Format.iob, Format.conll, Format.jsonl]
    doc_bin, report = convert_files([iob, conll, spans], "en", None)
    assert entities(doc_bin) == [
        [("Anna", "NAME")],
        [("Pune", "LOC")],
        [("Acme", "ORG")],
    ]
    assert report.entities == {"NAME": 1, "LOC": 1, "ORG": 1}


def test_json_file_in_no_known_format_is_refused(tmp_path):
    source = write(tmp_path / "a.json", '"just a string"')
    outcome = invoke(source, tmp_path / "a.spacy")
    assert_refused(outcome, f"{source}:1", "cannot tell the format", tmp_path)


def test_output_must_be_a_spacy_file_or_a_split_folder(tmp_path):
    source = write(tmp_path / "a.tsv", "Anna\tB-NAME\n")
    outcome = invoke(source, tmp_path / "corpus")
    assert_refused(outcome, "", "the output must be a .spacy file", tmp_path)
    outcome = invoke(source, tmp_path / "a.spacy", "--split", "0.5,0.5")
    assert_refused(outcome, "", "with --split the output is a folder", tmp_path)


def many_documents(tmp_path, count: int = 20) -> Path:
    return write(
        tmp_path / "all.tsv",
        "".join(f"-DOCSTART-\tO\n\nCV{i}\tB-NAME\nworks\tO\n\n" for i in range(count)),
    )


def test_split_is_seeded_and_puts_each_document_in_one_part(tmp_path):
    source = many_documents(tmp_path)
    texts = {}
    for run, seed in (("a", 0), ("b", 0), ("c", 1)):
        outcome = invoke(
            source, tmp_path / run, "--split", "0.8,0.1,0.1", "--seed", seed
        )
        assert outcome.code == 0, outcome.output
        texts[run] = {
            name: [doc.text for doc in read_corpus(tmp_path / run / f"{name}.spacy")]
            for name in ("train", "dev", "test")
        }
    assert texts["a"] == texts["b"] != texts["c"]
    parts = texts["a"]
    assert [len(parts[name]) for name in ("train", "dev", "test")] == [16, 2, 2]
    every = parts["train"] + parts["dev"] + parts["test"]
    assert sorted(every) == sorted(f"CV{i} works " for i in range(20))
    stats = srsly.read_json(tmp_path / "a" / "dev.stats.json")
    assert (stats["documents"], stats["entities"]) == (2, 2)
    about = srsly.read_json(tmp_path / "a" / "split.json")
    assert about["documents"] == {"train": 16, "dev": 2, "test": 2}


def test_split_that_leaves_a_part_empty_is_refused(tmp_path):
    source = many_documents(tmp_path, count=3)
    outcome = invoke(source, tmp_path / "corpus", "--split", "0.8,0.1,0.1")
    assert_refused(outcome, "", "3 documents cannot be split", tmp_path)
    assert not (tmp_path / "corpus").exists()
    outcome = invoke(source, tmp_path / "corpus", "--split", "0.8,0.3")
    assert_refused(outcome, "", "add up to 1", tmp_path)


def test_documents_also_in_the_training_corpus_are_counted_and_named(tmp_path):
    train = write(
        tmp_path / "train.tsv", "-DOCSTART-\tO\n\nAnna\tB-N\n\n-DOCSTART-\tO\n\nBo\tO\n"
    )
    dev = write(
        tmp_path / "dev.jsonl",
        '{"text": "Cy", "label": []}\n{"id": "cv-9", "text": "Anna", "label": []}\n',
    )
    assert invoke(train, tmp_path / "train.spacy").code == 0
    output = tmp_path / "dev.spacy"
    outcome = invoke(dev, output, "--train-reference", tmp_path / "train.spacy")
    assert outcome.code == 0, outcome.output
    assert "1 of 2 documents of" in outcome.output
    assert "first document 2: 'cv-9'" in outcome.output
    assert (
        srsly.read_json(tmp_path / "dev.stats.json")["documents_in_train_reference"]
        == 1
    )


def test_duplicate_documents_of_one_input_are_flagged_across_split_parts(tmp_path):
    source = write(tmp_path / "all.tsv", "-DOCSTART-\tO\n\nSame\tO\n\n" * 10)
    outcome = invoke(source, tmp_path / "corpus", "--split", "0.8,0.2")
    assert (
        "2 of 2 documents of" in outcome.output
        and "are also in train" in outcome.output
    )


@pytest.mark.realdata
@pytest.mark.parametrize(
    "split,documents,entity_count", [("train", 310, 15661), ("test", 50, 2541)]
)
def test_real_resumes_keep_every_entity(data_dir, split, documents, entity_count):
    doc_bin, report = convert_files(
        [data_dir / "resumes-dotin" / f"{split}.iob.tsv"], "en", None
    )
    assert report.documents == documents
    assert sum(report.entities.values()) == entity_count
    assert sum(len(doc.ents) for doc in doc_bin.get_docs(spacy.blank("en").vocab)) == (
        entity_count
    )
