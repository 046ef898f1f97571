"""Work history and education as records: dates in the forms real CVs write them, jobs
and degrees gathered from entities on neighbouring lines, and years of experience from
the merged intervals."""

import re
from datetime import date

import pytest

from service.history import (
    DateValue,
    Job,
    build_history,
    date_ranges,
    experience_years,
    iso_date,
)

JOB_LABELS = {
    "designation": ["DESIGNATION"],
    "company": ["COMPANY"],
    "location": ["LOCATION"],
}
EDUCATION_LABELS = {
    "degree": ["DEGREE"],
    "college": ["COLLEGE"],
    "graduation_year": ["GRADUATION_YEAR"],
}
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("Dec 15 2014", "2014-12-15"),
        ("May 25th 2017", "2017-05-25"),
        ("15 December, 2014", "2014-12-15"),
        ("06/2013", "2013-06"),
        ("6.2013", "2013-06"),
        ("2013-06", "2013-06"),
        ("May 2014", "2014-05"),
        ("Sept. 2019", "2019-09"),
        ("Dec'2014", "2014-12"),
        ("2014", "2014"),
    ],
)
def test_a_date_reads_as_iso_at_the_precision_written(written, iso):
    assert iso_date(written) == iso


@pytest.mark.parametrize("written", ["13/2013", "Python 3", "soon"])
def test_what_is_no_date_reads_as_none(written):
    assert iso_date(written) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Worked there May 25th 2017 till now, leading", "2017-05-25", "present"),
        ("Joined Dec 15 2014 to date.", "2014-12-15", "present"),
        ("B.Tech 2014-2017", "2014", "2017"),
        ("06/2013 - 08/2015", "2013-06", "2015-08"),
        ("Jan 2019 – Present", "2019-01", "present"),
        ("(Oct 2021 to Today)", "2021-10", "present"),
        ("March 2016 to current", "2016-03", "present"),
        ("since 06/2013", "2013-06", "present"),
        ("2011 to 2013", "2011", "2013"),
    ],
)
def test_a_date_range_in_running_text_gives_its_ends_and_where_they_are(
    text, start, end
):
    (found,) = date_ranges(text)
    assert (found.start.date, found.end.date) == (start, end)
    assert iso_date(text[found.start.start : found.start.end]) == start
    if end != "present":
        assert iso_date(text[found.end.start : found.end.end]) == end
    else:
        assert re.fullmatch(
            r"now|date|present|today|current|",
            text[found.end.start : found.end.end],
            re.IGNORECASE,
        )


def test_numbers_that_are_no_dates_make_no_range():
    assert date_ranges("Scored 95-100 marks; call 98765-43210; Python 3.8 - 3.12") == []


def job(start: str, end: str) -> Job:
    return Job(start=DateValue(start, start, 0, 0), end=DateValue(end, end, 0, 0))


def test_overlapping_jobs_count_once_and_present_is_today():
    jobs = [
        job("2015-01", "2018-01"),  # 3 years
        job("2017-01", "2019-01"),  # 1 more year beyond the first
        job("2020-01", "present"),  # 6 years 11 months up to December 2026
    ]
    assert experience_years(jobs, TODAY) == round((36 + 12 + 83) / 12, 1)


def test_a_job_inside_another_adds_nothing_and_bare_years_count_from_january():
    jobs = [job("2010", "2014"), job("2011-03", "2012-05")]
    assert experience_years(jobs, TODAY) == 4.0


def test_no_dated_job_gives_no_experience():
    assert experience_years([Job()], TODAY) is None


def entities_of(text: str, spans: list[tuple[str, str]]) -> list[dict]:
    """Entities for each (text, label), found in order in `text`."""
    entities, at = [], 0
    for value, label in spans:
        start = text.index(value, at)
        entities.append(
            {"text": value, "label": label, "start": start, "end": start + len(value)}
        )
        at = start + len(value)
    return entities


CV = """Priya Raman
Data Engineer at Northwind Analytics, building pipelines.

EXPERIENCE
Data Engineer
Northwind Analytics - Bengaluru, Karnataka
May 2019 to Present
- Built the ingestion pipelines.

Software Engineer
Infosys Limited - Pune
June 2016 to April 2019

EDUCATION
B.Tech in Computer Science, National Institute of Technology, 2012 - 2016
"""
CV_ENTITIES = [
    ("Priya Raman", "NAME"),
    ("Data Engineer", "DESIGNATION"),
    ("Northwind Analytics", "COMPANY"),
    ("Data Engineer", "DESIGNATION"),
    ("Northwind Analytics", "COMPANY"),
    ("Bengaluru, Karnataka", "LOCATION"),
    ("Software Engineer", "DESIGNATION"),
    ("Infosys Limited", "COMPANY"),
    ("Pune", "LOCATION"),
    ("B.Tech in Computer Science", "DEGREE"),
    ("National Institute of Technology", "COLLEGE"),
]


def test_each_job_of_a_cv_is_one_record_with_its_dates_and_offsets():
    history = build_history(
        CV, entities_of(CV, CV_ENTITIES), JOB_LABELS, EDUCATION_LABELS, TODAY
    )
    rows = [
        (
            job.designation.text,
            job.company.text,
            job.location.text,
            job.start.date,
            job.end.date,
        )
        for job in history.jobs
    ]
    assert rows == [
        (
            "Data Engineer",
            "Northwind Analytics",
            "Bengaluru, Karnataka",
            "2019-05",
            "present",
        ),
        ("Software Engineer", "Infosys Limited", "Pune", "2016-06", "2019-04"),
    ]
    for found in history.jobs:
        for value in (found.designation, found.company, found.location, found.start):
            assert CV[value.start : value.end] == value.text
    # The summary's mention of the current job is not a job of its own.
    assert len(history.jobs) == 2
    # May 2019 to December 2026 and June 2016 to April 2019 do not overlap.
    assert history.experience_years == round((91 + 34) / 12, 1)


def test_a_degree_takes_its_college_and_the_year_it_ended_not_a_job():
    history = build_history(
        CV, entities_of(CV, CV_ENTITIES), JOB_LABELS, EDUCATION_LABELS, TODAY
    )
    (entry,) = history.education
    assert entry.degree.text == "B.Tech in Computer Science"
    assert entry.college.text == "National Institute of Technology"
    assert entry.graduation_year.text == "2016"
    assert CV[entry.graduation_year.start : entry.graduation_year.end] == "2016"
    assert all(job.start.date != "2012" for job in history.jobs)


def test_one_line_jobs_in_the_demo_style_and_a_labelled_graduation_year():
    text = (
        "Experience : Hollow Oak Studios - Program Manager ( Oct 2021 to Today )\n"
        "* Owned onboarding.\n"
        "Xylo Semiconductors , Prague — Project Manager , Sep 2017 to Oct 2021\n"
        "Education : MBA at Granary Hill Institute , graduated 2016\n"
    )
    spans = [
        ("Hollow Oak Studios", "COMPANY"),
        ("Program Manager", "DESIGNATION"),
        ("Xylo Semiconductors", "COMPANY"),
        ("Prague", "LOCATION"),
        ("Project Manager", "DESIGNATION"),
        ("MBA", "DEGREE"),
        ("Granary Hill Institute", "COLLEGE"),
        ("2016", "GRADUATION_YEAR"),
    ]
    history = build_history(
        text, entities_of(text, spans), JOB_LABELS, EDUCATION_LABELS, TODAY
    )
    assert [
        (j.company.text, j.designation.text, j.start.date, j.end.date)
        for j in history.jobs
    ] == [
        ("Hollow Oak Studios", "Program Manager", "2021-10", "present"),
        ("Xylo Semiconductors", "Project Manager", "2017-09", "2021-10"),
    ]
    assert history.jobs[1].location.text == "Prague"
    assert history.education[0].graduation_year.text == "2016"
    assert history.experience_years == round((62 + 49) / 12, 1)


def test_a_cv_without_jobs_or_degrees_has_empty_records():
    history = build_history("Just some text 2019.", [], JOB_LABELS, EDUCATION_LABELS)
    assert (history.jobs, history.education, history.experience_years) == ([], [], None)
