"""A PDF's text keeps its author's line breaks and loses its layout's: a paragraph that
wrapped at the margin comes back as one line, on one page or across two, and so does
text wrapped inside a table cell, a word broken after its hyphen, slash, bar or
backslash comes back whole, while short lines, lines the next word would have fitted
on, a right-aligned date and text that never meets the margin keep their breaks."""

import textwrap

from service import pdf_lines
from service.documents import extract_text
from tests.helpers import RESUME, make_pdf

# 70 characters of 11-point Courier end 78 points short of a US Letter page's edge
WIDTH = 70
SUMMARY = (
    "Led a team of four engineers who rebuilt the billing service, cut its monthly "
    "cost by a third and moved every customer onto the new invoices without a single "
    "missed payment run."
)
FULL_LINE = "x" * WIDTH


def pdf_text(lines, **layout) -> str:
    return extract_text(make_pdf(lines, font="Courier", **layout), "cv.pdf", None)


def test_a_paragraph_wrapped_at_the_margin_comes_back_as_one_line():
    wrapped = textwrap.wrap(SUMMARY, WIDTH)
    assert len(wrapped) == 3
    text = pdf_text(["Jane Doe", "Summary", *wrapped, "Skills: Python"])
    assert text == f"Jane Doe\nSummary\n{SUMMARY}\nSkills: Python"


def test_a_name_split_by_the_margin_is_one_line_again():
    header = (
        "Curriculum vitae of the data engineer "
        "Amara Okonkwo-Lindqvist de la Cruz Ferreira Halvorsen, Leith"
    )
    wrapped = textwrap.wrap(header, WIDTH)
    assert wrapped[0].endswith("de la") and wrapped[1].startswith("Cruz")
    assert pdf_text([*wrapped, FULL_LINE]).splitlines()[0] == header


def test_short_lines_and_lines_the_next_word_fitted_on_keep_their_breaks():
    lines = [
        "Jane Doe",
        "Data Engineer",
        "Rebuilt the billing service and cut its cost by a third.",
        "Skills: Python, SQL, Spark",
        FULL_LINE,
    ]
    assert pdf_text(lines) == "\n".join(lines)


def test_a_full_line_with_a_blank_line_below_it_keeps_its_break():
    wrapped = textwrap.wrap(SUMMARY, WIDTH)
    text = pdf_text([wrapped[0], "", *wrapped[1:]])
    assert text.splitlines()[0] == wrapped[0]


def test_text_that_never_meets_the_margin_keeps_every_break():
    # Helvetica's widest line here ends 250 points short of the page's edge
    text = extract_text(make_pdf(RESUME.splitlines()), "cv.pdf", None)
    assert text.splitlines() == RESUME.splitlines()


def test_a_line_with_a_right_aligned_date_is_joined_to_neither_neighbour():
    # the date ends where the full lines do: "Acme" and "Data" would not have fitted
    lines = [FULL_LINE, ("Acme Analytics", "2014 - 2017"), "Data Engineer"]
    text = pdf_text(lines, pair_offset=390)
    assert text == f"{FULL_LINE}\nAcme Analytics 2014 - 2017\nData Engineer"


def test_a_word_broken_at_its_hyphen_is_joined_without_a_space():
    first = "Built the reporting service used by the finance, legal and sales well-"
    text = pdf_text([first, "being teams", FULL_LINE])
    assert text.splitlines()[0] == first + "being teams"


def test_a_word_broken_after_a_dash_slash_bar_or_backslash_is_joined_as_one():
    lead = "Led billing, payroll and the ledger rebuild at Acme Analytics from "
    for word, broken_at in [
        ("2013-2017", 5),
        ("github.com/jane-doe/ledger", 11),
        ("C:\\Users\\jane\\ledger", 9),
        ("123-345-7890|jane@example.com", 13),
        ("\\xe2\\x80\\xa2", 1),
    ]:
        first = lead[: WIDTH - broken_at] + word[:broken_at]
        text = pdf_text([first, word[broken_at:] + " onwards", FULL_LINE])
        assert text.splitlines()[0] == first + word[broken_at:] + " onwards"


def test_a_dash_standing_alone_at_a_wrap_keeps_its_space():
    first = "Managed payroll, benefits and compliance for three hundred staff, -"
    text = pdf_text([first, "CORE COMPETENCIES", FULL_LINE])
    assert text.splitlines()[0] == first + " CORE COMPETENCIES"


def test_a_wrap_in_a_run_of_spaces_is_joined_with_its_spaces():
    # "CORE" fits after one space but not after the four the line ends with
    first = "Managed payroll, benefits and compliance for three hundred staff.    "
    text = pdf_text([first, "CORE COMPETENCIES", FULL_LINE])
    assert text.splitlines()[0] == first + "CORE COMPETENCIES"


CELL = "Data engineer building the ingestion pipelines of a retail analytics platform"


def cell_lines(wrap_space: str) -> list[str]:
    """CELL wrapped at 30 characters, each wrapped line ending in `wrap_space`: word
    processors leave the space they wrapped at."""
    wrapped = textwrap.wrap(CELL, 30)
    return [line + wrap_space for line in wrapped[:-1]] + wrapped[-1:]


def test_text_wrapped_in_a_table_cell_is_joined_inside_the_cell():
    # a full-width line a blank line above: the cell's width is its own, not the page's
    lines = [FULL_LINE, "", "Acme Analytics", *cell_lines(" "), "", "Beta Logistics"]
    text = pdf_text(lines, second_column=["2014 - 2017", "Python, Spark"])
    assert text.splitlines()[:4] == [
        FULL_LINE,
        "Acme Analytics",
        CELL,
        "Beta Logistics",
    ]


def test_a_cell_line_without_the_space_of_a_wrap_keeps_its_break():
    lines = ["Acme Analytics", *cell_lines(""), "", "Beta Logistics"]
    text = pdf_text(lines, second_column=["2014 - 2017", "Python, Spark"])
    assert text.splitlines()[1:4] == cell_lines("")


def test_a_paragraph_running_onto_the_next_page_is_joined_across_the_break():
    lines = ["Summary", *textwrap.wrap(SUMMARY, WIDTH), "Skills"]
    # pages [Summary, two lines of the paragraph] [its last line, Skills]
    assert pdf_text(lines, lines_per_page=3) == f"Summary\n{SUMMARY}\nSkills"
    # pages [Summary, the whole paragraph] [Skills]: the page ended with a short line
    assert pdf_text(lines, lines_per_page=4) == f"Summary\n{SUMMARY}\n\nSkills"


def test_content_the_layout_reader_cannot_follow_leaves_pypdfs_text(monkeypatch):
    def fails(*args):
        raise ValueError("an operator of an unexpected shape")

    monkeypatch.setattr(pdf_lines._Layout, "_show", fails)
    wrapped = textwrap.wrap(SUMMARY, WIDTH)
    assert pdf_text(wrapped) == "\n".join(wrapped)


def test_a_page_without_a_media_box_is_read_all_the_same():
    box = b"/MediaBox [0 0 612 792] "
    pdf = make_pdf(["Jane Doe", "Data Engineer"])
    pdf = pdf.replace(box, b" " * len(box))  # same length: the offsets stay right
    assert extract_text(pdf, "cv.pdf", None) == "Jane Doe\nData Engineer"
