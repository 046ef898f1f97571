"""Work history and education as records: each job's designation, company, location
and dates, each degree's college and year, and the years of experience the jobs add
up to.

The model labels designations, companies and degrees, not dates: date ranges are found
in the text by pattern and each end is read by dateparser. Records are then made by
walking the entities and date ranges in text order, as a reader of a CV does: a job's
title, employer, place and dates come on one line or on lines next to each other, and
a second title (or company, or date range) starts the next job.
"""

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

JOB_ROLES = ("designation", "company", "location")
EDUCATION_ROLES = ("degree", "college", "graduation_year")
# Lines between two parts of one record at most: further apart, they are two records.
MAX_LINE_GAP = 3

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d{2}"
# One date as CVs write it; the longest forms first, as the first that matches wins.
DATE = rf"""(?<![\w/.])(?:
    {MONTH}\s+{DAY},?\s+{YEAR}        # Dec 15 2014, May 25th, 2017
  | {DAY}\s+{MONTH},?\s+{YEAR}        # 15 Dec 2014
  | {MONTH}\s*[,']?\s*{YEAR}          # May 2014, Dec'2014
  | [01]?\d\s*[/.-]\s*{YEAR}          # 06/2013
  | {YEAR}[/.-][01]\d(?!\d)           # 2013-06
  | {YEAR}                            # 2014
)(?![\w/])"""
PRESENT = r"(?:present|current(?:ly)?|now|today|till\s+date|date|ongoing)\b"
SEPARATOR = r"\s*(?:-|–|—|~|\bto\b|\btill\b|\buntil\b|\bthrough\b|\bup\s*to\b)\s*"
DATE_RANGE = re.compile(
    rf"(?P<start>{DATE}){SEPARATOR}(?:(?P<end>{DATE})|(?P<present>{PRESENT}))"
    rf"|\bsince\s+(?P<since>{DATE})",
    re.IGNORECASE | re.VERBOSE,
)
LONE_YEAR = re.compile(rf"(?<![\w/.-]){YEAR}(?![\w/])")
NUMERIC_MONTH_YEAR = re.compile(rf"([01]?\d)\s*[/.-]\s*({YEAR})")
ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TextValue:
    """A value and where the text gives it."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class DateValue:
    """A date as ISO 8601 at the precision the text gives ("2014", "2014-06",
    "2014-06-15"), or "present"; and where the text gives it."""

    date: str
    text: str
    start: int
    end: int


@dataclass
class Job:
    designation: TextValue | None = None
    company: TextValue | None = None
    location: TextValue | None = None
    start: DateValue | None = None
    end: DateValue | None = None


@dataclass
class Education:
    degree: TextValue | None = None
    college: TextValue | None = None
    graduation_year: TextValue | None = None


@dataclass
class History:
    jobs: list[Job] = field(default_factory=list)
    education: list[Education] = field(default_factory=list)
    experience_years: float | None = None


@cache
def date_parser():
    """dateparser's parser for English dates; loaded once, on first use (slow)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"]}
    return DateDataParser(languages=["en"], settings=settings)


def iso_date(text: str) -> str | None:
    """One date as ISO 8601 at the precision written: "Dec 15 2014" gives
    "2014-12-15", "06/2013" "2013-06", "2014" "2014"; None if it is no date."""
    text = ORDINAL.sub("", " ".join(text.split())).replace("'", " ")
    if re.fullmatch(YEAR, text):
        return text
    if numeric := NUMERIC_MONTH_YEAR.fullmatch(text):
        month, year = int(numeric[1]), numeric[2]
        return f"{year}-{month:02d}" if 1 <= month <= 12 else None
    data = date_parser().get_date_data(text)
    if data.date_obj is None:
        return None
    formats = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
    return data.date_obj.strftime(formats.get(data.period, "%Y-%m-%d"))


@dataclass(frozen=True)
class DateRange:
    start: DateValue
    end: DateValue


def date_ranges(text: str) -> list[DateRange]:
    """Every range of dates in the text, in order: "May 2014 - Present", "2014-2017",
    "Dec 15 2014 to date", "since 06/2013"; an open end reads "present"."""
    ranges = []
    for match in DATE_RANGE.finditer(text):
        group = "since" if match["since"] else "start"
        start = date_value(match, group)
        if match["end"]:
            end = date_value(match, "end")
        else:
            at = match.start("present") if match["present"] else match.end()
            end_text = match["present"] or ""
            end = DateValue("present", end_text, at, at + len(end_text))
        if start and end:
            ranges.append(DateRange(start, end))
    return ranges


def date_value(match: re.Match, group: str) -> DateValue | None:
    iso = iso_date(match[group])
    if iso is None:
        return None
    return DateValue(iso, match[group], match.start(group), match.end(group))


def month_index(iso: str, reference: date) -> int:
    """Months since year 0 of a date's first month (of January for a bare year)."""
    if iso == "present":
        return reference.year * 12 + reference.month - 1
    year, _, rest = iso.partition("-")
    return int(year) * 12 + (int(rest[:2]) - 1 if rest else 0)


def experience_years(jobs: Sequence[Job], reference: date) -> float | None:
    """Years worked: the union of the jobs' date intervals (time in two jobs at once
    counted once), in months, over 12; None when no job gives its dates."""
    intervals = sorted(
        (month_index(job.start.date, reference), month_index(job.end.date, reference))
        for job in jobs
        if job.start and job.end
    )
    intervals = [(start, end) for start, end in intervals if end >= start]
    if not intervals:
        return None
    months, covered_until = 0, None
    for start, end in intervals:
        if covered_until is not None and start < covered_until:
            start = covered_until
        if end > start:
            months += end - start
        covered_until = max(end, covered_until or end)
    return round(months / 12, 1)


class Lines:
    """The line of a character offset."""

    def __init__(self, text: str):
        self.breaks = [i for i, char in enumerate(text) if char == "\n"]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset)


def roles_of(
    entities: Sequence[Mapping], labels: Mapping[str, Sequence[str]]
) -> list[tuple[str, TextValue]]:
    """(role, value) of each entity whose label one of the roles lists, in text order."""
    role_of = {label: role for role, names in labels.items() for label in names}
    return [
        (
            role_of[e["label"]],
            TextValue(" ".join(e["text"].split()), e["start"], e["end"]),
        )
        for e in sorted(entities, key=lambda e: e["start"])
        if e["label"] in role_of
    ]


def group_records(
    items: list[tuple[int, str, object]], lines: Lines
) -> list[dict[str, object]]:
    """Items (offset, role, value) in text order, gathered into records: a record ends
    where a role it has comes again, or where the next item is over MAX_LINE_GAP
    lines further on."""
    records: list[dict[str, object]] = []
    current: dict[str, object] = {}
    last_line = None
    for offset, role, value in items:
        line = lines(offset)
        if current and (role in current or line - last_line > MAX_LINE_GAP):
            records.append(current)
            current = {}
        current[role] = value
        last_line = line
    if current:
        records.append(current)
    return records


def jobs_of(
    text: str,
    entities: Sequence[Mapping],
    labels: Mapping[str, Sequence[str]],
    education_lines: set[int],
    lines: Lines,
) -> list[Job]:
    """The jobs: designation, company and location entities and date ranges grouped;
    what is on a line with a degree or college is education's, not a job's."""
    items: list[tuple[int, str, object]] = [
        (value.start, role, value)
        for role, value in roles_of(entities, labels)
        if lines(value.start) not in education_lines
    ]
    items += [
        (span.start.start, "dates", span)
        for span in date_ranges(text)
        if lines(span.start.start) not in education_lines
    ]
    items.sort(key=lambda item: item[0])
    jobs = []
    for record in group_records(items, lines):
        if not ({"designation", "company"} & record.keys()):
            continue
        dates = record.pop("dates", None)
        job = Job(**record)  # type: ignore[arg-type]
        if isinstance(dates, DateRange):
            job.start, job.end = dates.start, dates.end
        jobs.append(job)
    dated = {job_key(job) for job in jobs if job.start}
    return [job for job in jobs if job.start or job_key(job) not in dated]


def job_key(job: Job) -> tuple[str, str]:
    """What tells one job from another: a summary's "Data Engineer at Northwind" and
    the same job in the history are one."""
    return tuple(  # type: ignore[return-value]
        (value.text.casefold() if value else "")
        for value in (job.designation, job.company)
    )


def education_of(
    text: str,
    entities: Sequence[Mapping],
    labels: Mapping[str, Sequence[str]],
    lines: Lines,
) -> tuple[list[Education], set[int]]:
    """The education entries, and the lines they are on. An entry without a labelled
    graduation year takes the latest year written on its lines."""
    items = [(value.start, role, value) for role, value in roles_of(entities, labels)]
    entries, used_lines = [], set()
    line_starts = [0] + [i + 1 for i in lines.breaks]
    for record in group_records(items, lines):
        if not ({"degree", "college"} & record.keys()):
            continue
        entry = Education(**record)  # type: ignore[arg-type]
        spans = [v for v in record.values() if isinstance(v, TextValue)]
        first, last = lines(spans[0].start), lines(spans[-1].start)
        used_lines.update(range(first, last + 1))
        if entry.graduation_year is None:
            begin = line_starts[first]
            end = line_starts[last + 1] if last + 1 < len(line_starts) else len(text)
            years = list(LONE_YEAR.finditer(text, begin, end))
            if years:
                latest = max(years, key=lambda match: match[0])
                entry.graduation_year = TextValue(
                    latest[0], latest.start(), latest.end()
                )
        entries.append(entry)
    return entries, used_lines


def build_history(
    text: str,
    entities: Sequence[Mapping],
    job_labels: Mapping[str, Sequence[str]],
    education_labels: Mapping[str, Sequence[str]],
    today: date | None = None,
) -> History:
    """The jobs, education and years of experience of a resume's text and entities;
    `today` is when "present" is (the current date by default)."""
    today = today or date.today()
    lines = Lines(text)
    education, education_lines = education_of(text, entities, education_labels, lines)
    jobs = jobs_of(text, entities, job_labels, education_lines, lines)
    return History(jobs, education, experience_years(jobs, today))
