"""ner_project/conversion/token_columns.py: IOB (`token<TAB>tag`) and CoNLL column files."""

import json

import pytest

from ner_project.conversion.corpus import Format, detect_format, read_documents
from tests.helpers import assert_refused, entities, invoke, write

CONLL = (
    "{docstart}\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n"
    "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n"
    "{docstart}\n\nBRUSSELS NNP B-NP B-LOC\n1996-08-22 CD I-NP O\n"
)


@pytest.mark.parametrize(
    "docstart",
    [
        "-DOCSTART- -X- -X- O",
        "-DOCSTART- -X- O O",
        "-DOCSTART-",
        "-DOCSTART-\t-X-\t-X-\tO",
    ],
)
def test_conll_takes_word_and_last_column_and_each_docstart_spelling(
    tmp_path, docstart
):
    source = write(tmp_path / "train.txt", CONLL.format(docstart=docstart))
    assert detect_format(source) == Format.conll
    docs, report = read_documents([source], "en", None)
    assert entities(docs) == [
        [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")],
        [("BRUSSELS", "LOC")],
    ]
    assert (report.documents, report.sentences, report.tokens) == (2, 3, 7)


def test_iob_accepts_conll_docstart_spellings(tmp_path):
    source = write(
        tmp_path / "a.iob",
        "-DOCSTART- -X- O O\n\nAnna\tB-NAME\n\n-DOCSTART- -X- -X- O\n\nPune\tB-LOC\n",
    )
    assert detect_format(source) == Format.iob
    assert entities(read_documents([source], "en", None)[0]) == [
        [("Anna", "NAME")],
        [("Pune", "LOC")],
    ]


def test_iob_with_more_tab_columns_takes_the_last_as_tag(tmp_path):
    source = write(tmp_path / "a.tsv", "Job\tNN\tB-Soft Skills\nskills\tNNS\tO\n")
    assert entities(read_documents([source], "en", None)[0]) == [
        [("Job", "Soft Skills")]
    ]


def test_iobes_tags_give_the_same_entities_as_iob2(tmp_path):
    iobes = write(
        tmp_path / "s.tsv", "Anna\tB-N\nMaria\tI-N\nLee\tE-N\nin\tO\nPune\tS-L\n"
    )
    iob2 = write(
        tmp_path / "b.tsv", "Anna\tB-N\nMaria\tI-N\nLee\tI-N\nin\tO\nPune\tB-L\n"
    )
    assert entities(read_documents([iobes], "en", None)[0]) == entities(
        read_documents([iob2], "en", None)[0]
    )


def test_format_option_reads_a_tab_file_as_conll(tmp_path):
    source = write(tmp_path / "a.tsv", "Anna\tNNP\tB-NAME\nLee\tNNP\tI-NAME\n")
    docs, _ = read_documents([source], "en", None, Format.conll)
    assert entities(docs) == [[("Anna Lee", "NAME")]]


def test_conll_line_with_another_column_count_is_refused(tmp_path):
    source = write(
        tmp_path / "train.txt",
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ O\n",
    )
    assert_refused(
        invoke(source, tmp_path / "train.spacy"),
        f"{source}:4",
        "expected 4 whitespace-separated columns as on line 3, found 3",
        tmp_path,
    )


def test_tab_line_with_another_column_count_is_refused(tmp_path):
    source = write(tmp_path / "a.tsv", "Anna\tB-NAME\nLee\tNNP\tI-NAME\n")
    assert_refused(
        invoke(source, tmp_path / "a.spacy"),
        f"{source}:2",
        "expected 2 tab-separated columns as on line 1, found 3",
        tmp_path,
    )


def test_conll_line_of_one_column_is_refused(tmp_path):
    source = write(tmp_path / "a.txt", "EU NNP B-ORG\nrejects\n")
    assert_refused(
        invoke(source, tmp_path / "a.spacy"), f"{source}:2", "(one column)", tmp_path
    )


def test_i_tag_after_another_label_is_read_as_new_entity_and_named(tmp_path):
    source = write(
        tmp_path / "a.tsv", "Anna\tB-NAME\nPune\tI-LOC\nand\tO\nGoa\tI-LOC\n"
    )
    output = tmp_path / "a.spacy"
    outcome = invoke(source, output)
    assert outcome.code == 0, outcome.output
    assert "I- tags that did not continue an entity of their label: 2" in outcome.output
    assert "read as the start of a new entity" in outcome.output
    assert f"{source}:2, {source}:4" in outcome.output
    assert output.exists()


@pytest.mark.realdata
@pytest.mark.parametrize(
    "split,documents,sentences,entity_count",
    [
        ("train", 946, 14041, 23499),
        ("valid", 216, 3250, 5942),
        ("test", 231, 3453, 5648),
    ],
)
def test_real_conll2003_keeps_every_entity(
    data_dir, split, documents, sentences, entity_count
):
    docs, report = read_documents([data_dir / "conll2003" / f"{split}.txt"], "en", None)
    assert report.documents == documents
    assert report.sentences == sentences
    assert sum(len(doc.ents) for doc in docs) == entity_count
    assert sum(report.entities.values()) == entity_count
    assert set(report.entities) == {"PER", "LOC", "ORG", "MISC"}


@pytest.mark.realdata
@pytest.mark.parametrize(
    "split,sentences,entity_count",
    [("train", 4560, 9385), ("devel", 4581, 9593), ("test", 4797, 9809)],
)
def test_real_bc5cdr_keeps_every_entity(data_dir, split, sentences, entity_count):
    docs, report = read_documents([data_dir / "bc5cdr" / f"{split}.tsv"], "en", None)
    assert report.sentences == sentences
    assert sum(len(doc.ents) for doc in docs) == entity_count
    assert set(report.entities) == {"Chemical", "Disease"}


@pytest.mark.parametrize("invisible", ["\ufeff", "\u200b", " \u200b\t\ufeff "])
def test_a_line_of_invisible_characters_is_a_blank_line_counted_in_the_report(
    tmp_path, invisible
):
    source = write(
        tmp_path / "a.tsv",
        f"Anna\tB-NAME\nLee\tI-NAME\n{invisible}\nPune\tB-LOC\n\nGoa\tB-LOC\n",
    )
    outcome = invoke(source, tmp_path / "a.spacy")
    assert outcome.code == 0, outcome.output
    assert "Lines of only invisible characters" in outcome.output
    assert f"{source}:3" in outcome.output
    stats = json.loads((tmp_path / "a.stats.json").read_text())
    assert [note["line"] for note in stats["invisible_lines"]] == [3]
    assert (stats["sentences"], stats["entities"]) == (3, 3)
    docs, report = read_documents([source], "en", None)
    assert entities(docs) == [[("Anna Lee", "NAME"), ("Pune", "LOC"), ("Goa", "LOC")]]
    assert len(report.invisible_lines) == 1
