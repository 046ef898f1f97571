"""scripts/convert.py: IOB annotations become .spacy corpora with nothing lost."""

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from conftest import run_cli
from convert import convert_files

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONVERT = [sys.executable, str(PROJECT_DIR / "scripts" / "convert.py")]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def entities(doc_bin: DocBin):
    nlp = spacy.blank("en")
    return [
        [(ent.text, ent.label_) for ent in doc.ents]
        for doc in doc_bin.get_docs(nlp.vocab)
    ]


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
    output = tmp_path / "train.spacy"
    result = run_convert(source, output)
    assert result.returncode == 1
    assert f"{source}:{line}" in result.output and problem in result.output
    assert list(tmp_path.iterdir()) == [source]


def test_missing_empty_and_non_utf8_files_are_refused(tmp_path):
    output = tmp_path / "out.spacy"
    missing = run_convert(tmp_path / "nope.tsv", output)
    assert missing.returncode == 1 and "nope.tsv: file not found" in missing.output
    empty = run_convert(write(tmp_path / "empty.tsv", "\n\n"), output)
    assert empty.returncode == 1 and "the file is empty" in empty.output
    latin1 = tmp_path / "latin1.tsv"
    latin1.write_bytes("Anna\tB-NAME\nJos\xe9\tI-NAME\n".encode("latin-1"))
    result = run_convert(latin1, output)
    assert result.returncode == 1 and f"{latin1}:2: not UTF-8" in result.output
    assert not output.exists()


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
