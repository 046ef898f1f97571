"""Generate a small, seeded demo NER corpus of resume-style documents.

Why: the project needs a corpus it can commit, train on quickly and
regenerate exactly, without copying any third-party dataset. Every name,
company, college and phone number in pools.py was invented for
this project (cities are real places, used only as locations).

What: each resume is built as lines of raw text with entity character spans
(NAME, EMAIL, PHONE, URL, SKILL, COMPANY, DESIGNATION, DEGREE, COLLEGE,
LOCATION), tokenized with spaCy's English tokenizer and written as IOB2
`token<TAB>tag` files (train/dev/test.tsv). Name, company and college pools are
split so dev/test mostly use values never seen in train, and no dev/test sentence
repeats a train sentence. The same --seed gives byte-identical files.
Templates keep every entity apart from punctuation the tokenizer would not
split off, and each span is checked against the tokens (`tag_line`).

Run by `spacy project run generate-demo` (scripts/generate_demo_corpus.py).
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections import Counter
from pathlib import Path

import spacy
from spacy.language import Language
from wasabi import msg

from ner_project.conversion.token_columns import DOCSTART
from ner_project.demo.pools import (
    ADJECTIVES,
    BULLET_T,
    BULLETS,
    COLLEGES,
    COMPANIES,
    CONTACT_T,
    DEFAULT_HOLDOUT,
    DOMAINS,
    EDUCATION_H,
    EDUCATION_T,
    EMAIL_DOMAINS,
    EXPERIENCE_H,
    EXPERIENCE_T,
    FIRST_NAMES,
    GENERIC_SKILLS,
    HOLDOUT,
    LAST_NAMES,
    LOCATIONS,
    MONTHS,
    NAME_T,
    SKILL_SEPARATORS,
    SKILLS_H,
    SUMMARY_T,
)
from ner_project.files import atomic_write_bytes

LABELS = ("NAME", "EMAIL", "PHONE", "URL", "SKILL", "COMPANY")
LABELS += ("DESIGNATION", "DEGREE", "COLLEGE", "LOCATION")

Span = tuple[int, int, str]  # character offsets and label
Line = tuple[str, list[Span]]  # one line of a resume = one sentence
Field = tuple[str, str | None]  # a template slot's value and its label, if any
Role = tuple[str, str, int]  # designation, company, start year
Sentence = list[tuple[str, str]]  # (token, IOB2 tag)
Document = list[Sentence]


def all_pools() -> dict[str, tuple[str, ...]]:
    """Every entity value pool, keyed by kind (and domain, where it has one)."""
    pools = {"first": FIRST_NAMES, "last": LAST_NAMES, "company": COMPANIES}
    pools |= {
        "college": COLLEGES,
        "location": LOCATIONS,
        "skill:generic": GENERIC_SKILLS,
    }
    for domain, fields in DOMAINS.items():
        for kind in ("designation", "skill", "degree"):
            pools[f"{kind}:{domain}"] = fields[kind]
    return pools


class Picker:
    """Draws pool values; for dev/test, mostly values that train never sees."""

    def __init__(self, rng: random.Random, seed: int, held_out: bool) -> None:
        self.rng, self.held_out = rng, held_out
        self.parts: dict[str, tuple[list[str], list[str], float]] = {}
        split_rng = random.Random(seed)  # the same pool split for train, dev and test
        for key, values in all_pools().items():
            fraction, chance = HOLDOUT.get(key, DEFAULT_HOLDOUT)
            shuffled = sorted(set(values))
            split_rng.shuffle(shuffled)
            n_held = max(1, round(len(shuffled) * fraction))
            self.parts[key] = (shuffled[n_held:], shuffled[:n_held], chance)

    def __call__(self, key: str) -> str:
        train, held, chance = self.parts[key]
        use_held = self.held_out and self.rng.random() < chance
        return self.rng.choice(held if use_held else train)

    def distinct(self, key: str, n: int) -> list[str]:
        values: list[str] = []
        while len(values) < n:
            value = self(key)
            if value not in values:
                values.append(value)
        return values


def render(template: str, fields: dict[str, Field]) -> Line:
    """Fill `{field}` slots, recording a character span for each labelled value."""
    text, spans = "", []
    for literal, name, _, _ in string.Formatter().parse(template):
        text += literal
        if name is not None:
            value, label = fields[name]
            if label:
                spans.append((len(text), len(text) + len(value), label))
            text += value
    return text, spans


def article(phrase: str) -> str:
    """'a' or 'an' before `phrase` (acronyms by the sound of their first letter)."""
    first = phrase.split()[0]
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[0].lower() in "aeiou" else "a"


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def make_email(rng: random.Random, first: str, last: str) -> str:
    given, family = slug(first), slug(last)
    n = rng.randint(1, 99)
    users = [
        f"{given}.{family}",
        f"{given}{family}",
        f"{given[0]}.{family}",
        f"{given}_{family}",
        f"{given}.{family}{n}",
    ]
    users += [
        f"{family}.{given}",
        f"{given}{family[0]}",
        f"{given}{n}",
        f"{given[0]}{family}",
    ]
    domains = (*EMAIL_DOMAINS, f"{family}.dev", f"{given}{family}.me")
    return f"{rng.choice(users)}@{rng.choice(domains)}"


def make_phone(rng: random.Random) -> str:
    """A phone number in one of many national formats (555 and 7946 ranges are fictional)."""
    d = "".join(str(rng.randint(0, 9)) for _ in range(9))
    a, m = rng.randint(201, 989), rng.choice("6789")
    formats = (
        f"+1 {a} 555 {d[:4]}", f"({a}) 555-{d[:4]}", f"{a}-555-{d[:4]}", f"{a}.555.{d[:4]}",
        f"+44 20 7946 {d[:4]}", f"+44 7700 900{d[:3]}", f"{m}{d[:4]} {d[4:]}",
        f"+91 {m}{d[:4]} {d[4:]}", f"+91-{m}{d}", f"+49 30 {d[:4]} {d[4:8]}",
        f"+61 4{d[:2]} {d[2:5]} {d[5:8]}", f"+65 {d[:4]} {d[4:8]}", f"+971 50 {d[:3]} {d[3:7]}",
    )  # fmt: skip
    return rng.choice(formats)


def make_date(rng: random.Random, style: int, year: int) -> str:
    number = rng.randint(1, 12)
    month = MONTHS[number - 1]
    dates = (f"{month[:3]} {year}", f"{month} {year}", f"{number:02d}/{year}")
    return (*dates, str(year))[style]


class Resume:
    """The lines of one invented resume in one domain; `build()` puts them in order."""

    def __init__(self, pick: Picker) -> None:
        self.pick, self.rng = pick, pick.rng
        self.domain = self.rng.choice(sorted(DOMAINS))
        self.first, self.last = pick("first"), pick("last")
        self.location = pick("location")
        self.bullet = self.rng.choice(BULLETS)
        self.date_style = self.rng.randrange(4)

    def fields(self, **extra: Field) -> dict[str, Field]:
        """Slot values any template may use: skills, filler phrases, numbers."""
        rng, words = self.rng, DOMAINS[self.domain]
        skills = self.pick.distinct(f"skill:{self.domain}", 3)
        fields: dict[str, Field] = {
            f"s{i + 1}": (s, "SKILL") for i, s in enumerate(skills)
        }
        fields["loc"] = (self.location, "LOCATION")
        for kind in ("obj", "metric", "team"):
            fields[kind] = (rng.choice(words[kind]), None)
        fields["n"] = (str(rng.randint(2, 12)), None)
        fields["pct"] = (str(rng.randint(8, 60)), None)
        fields["adj"] = (rng.choice(ADJECTIVES), None)
        return fields | extra

    def header(self, title: str) -> list[Line]:
        rng, first, last = self.rng, self.first, self.last
        name = f"{first} {rng.choice(string.ascii_uppercase)}. {last}"
        name = name if rng.random() < 0.15 else f"{first} {last}"
        name = name.upper() if rng.random() < 0.2 else name
        link = f"linkedin.com/in/{slug(first)}-{slug(last)}"
        link += rng.choice(("", f"-{rng.randint(1, 99)}"))
        contact = self.fields(
            email=(make_email(rng, first, last), "EMAIL"),
            phone=(make_phone(rng), "PHONE"),
            link=(link, "URL"),
        )
        name_fields = {"name": (name, "NAME"), "des": (title, "DESIGNATION")}
        return [
            render(rng.choice(NAME_T), name_fields),
            render(rng.choice(CONTACT_T), contact),
        ]

    def summary(self, title: str, company: str) -> list[Line]:
        fields = self.fields(
            des=(title, "DESIGNATION"),
            a=(article(title), None),
            comp=(company, "COMPANY"),
        )
        return [render(self.rng.choice(SUMMARY_T), fields)]

    def roles(self) -> list[Role]:
        """(designation, company, start year) of each job, newest first."""
        roles: list[Role] = []
        year = 2025
        for _ in range(self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            year -= self.rng.randint(1, 5)
            company = self.pick("company")
            roles.append((self.pick(f"designation:{self.domain}"), company, year))
        return roles

    def experience(self, roles: list[Role]) -> list[Line]:
        rng, lines = self.rng, []
        sep = rng.choice((" - ", " – ", " to "))
        present = rng.choice(("Present", "present", "Current", "Today"))
        prefix = self.section_prefix(EXPERIENCE_H)
        end = present  # a role ends in the month the newer one starts
        for i, (title, company, start_year) in enumerate(roles):
            start = make_date(rng, self.date_style, start_year)
            moved = i > 0 and rng.random() < 0.5
            location = self.pick("location") if moved else self.location
            fields = self.fields(
                des=(title, "DESIGNATION"),
                comp=(company, "COMPANY"),
                loc=(location, "LOCATION"),
                dates=(f"{start}{sep}{end}", None),
                start=(start, None),
                end=(end, None),
            )
            template = (prefix if i == 0 else "") + rng.choice(EXPERIENCE_T)
            lines.append(render(template, fields))
            for _ in range(rng.choice((1, 1, 2))):
                lines.append(render(self.bullet + rng.choice(BULLET_T), self.fields()))
            end = start
        return lines

    def education(self, first_job: int) -> list[Line]:
        rng, lines = self.rng, []
        prefix = self.section_prefix(EDUCATION_H)
        degrees = self.pick.distinct(f"degree:{self.domain}", rng.choice((1, 1, 1, 2)))
        for i, degree in enumerate(degrees):
            year = first_job - rng.randint(0, 1) - 2 * i
            grades = (
                f"CGPA {rng.randint(60, 98) / 10}/10",
                f"GPA {rng.randint(28, 40) / 10}/4.0",
                "First Class with Distinction",
                f"{rng.randint(60, 95)}%",
            )
            fields: dict[str, Field] = {
                "deg": (degree, "DEGREE"),
                "col": (self.pick("college"), "COLLEGE"),
                "loc": (self.pick("location"), "LOCATION"),
                "year": (str(year), None),
                "y1": (str(year - rng.choice((2, 3, 4))), None),
                "grade": (rng.choice(grades), None),
            }
            template = (prefix if i == 0 else "") + rng.choice(EDUCATION_T)
            lines.append(render(template, fields))
        return lines

    def skills(self) -> list[Line]:
        rng = self.rng
        names = self.pick.distinct(f"skill:{self.domain}", rng.randint(3, 7))
        names += self.pick.distinct("skill:generic", rng.choice((0, 0, 1, 2)))
        sep = rng.choice(SKILL_SEPARATORS)
        slots = [f"{{s{i}}}" for i in range(len(names))]
        body = sep.join(slots)
        if sep == ", " and rng.random() < 0.4:
            body = ", ".join(slots[:-1]) + " and " + slots[-1]
        header = rng.choice(SKILLS_H) + " " if rng.random() < 0.9 else ""
        header = header.upper() if rng.random() < 0.3 else header
        fields = {f"s{i}": (skill, "SKILL") for i, skill in enumerate(names)}
        return [render(header + body, fields)]

    def section_prefix(self, headers: tuple[str, ...]) -> str:
        """A section header folded into the section's first line, or nothing."""
        if self.rng.random() < 0.35:
            return ""
        header = self.rng.choice(headers) + " "
        return header.upper() if self.rng.random() < 0.3 else header

    def build(self) -> list[Line]:
        roles = self.roles()
        title, company = roles[0][0], roles[0][1]
        sections = [self.experience(roles), self.education(roles[-1][2]), self.skills()]
        self.rng.shuffle(sections)
        lines = self.header(title)
        if self.rng.random() < 0.6:
            lines += self.summary(title, company)
        return lines + [line for section in sections for line in section]


def tag_line(nlp: Language, line: Line) -> Sentence:
    """Tokenize one line and turn its character spans into IOB2 tags."""
    text, spans = line
    doc = nlp.make_doc(text)
    tags = ["O"] * len(doc)
    for start, end, label in spans:
        span = doc.char_span(start, end)
        if span is None:
            raise ValueError(f"{label} {text[start:end]!r} splits a token of {text!r}")
        tags[span.start : span.end] = [f"B-{label}"] + [f"I-{label}"] * (len(span) - 1)
    if any(token.is_space or "\t" in token.text for token in doc):
        raise ValueError(f"whitespace token in {text!r}")
    return [(token.text, tag) for token, tag in zip(doc, tags, strict=True)]


def words(sentence: Sentence) -> tuple[str, ...]:
    return tuple(token for token, _ in sentence)


def generate_split(
    nlp: Language, pick: Picker, n_docs: int, forbidden: set[tuple[str, ...]]
) -> list[Document]:
    """Generate documents, regenerating any that repeats a forbidden sentence."""
    docs: list[Document] = []
    while len(docs) < n_docs:
        doc = [tag_line(nlp, line) for line in Resume(pick).build()]
        if not any(words(sentence) in forbidden for sentence in doc):
            docs.append(doc)
    return docs


def generate_corpus(
    seed: int = 0, n_train: int = 160, n_dev: int = 40, n_test: int = 40
) -> dict[str, list[Document]]:
    """Train, dev and test documents; dev/test never repeat a train sentence."""
    nlp = spacy.blank("en")
    pick = Picker(random.Random(f"train:{seed}"), seed, held_out=False)
    train = generate_split(nlp, pick, n_train, set())
    corpus = {"train": train}
    seen = {words(sentence) for doc in train for sentence in doc}
    for split, n_docs in (("dev", n_dev), ("test", n_test)):
        pick = Picker(random.Random(f"{split}:{seed}"), seed, held_out=True)
        corpus[split] = generate_split(nlp, pick, n_docs, seen)
    return corpus


def to_tsv(docs: list[Document]) -> str:
    """`token<TAB>tag` lines; a blank line after the DOCSTART line and each sentence
    except the last, which ends the file with a single newline."""
    blocks = []
    for doc in docs:
        blocks.append(f"{DOCSTART}\tO")
        blocks += ["\n".join(f"{token}\t{tag}" for token, tag in s) for s in doc]
    return "\n\n".join(blocks) + "\n"


def summarize(corpus: dict[str, list[Document]]) -> None:
    rows = []
    for split, docs in corpus.items():
        tags = [tag for doc in docs for sentence in doc for _, tag in sentence]
        counts = Counter(tag[2:] for tag in tags if tag.startswith("B-"))
        per_doc = round(len(tags) / max(1, len(docs)), 1)
        rows.append(
            (split, len(docs), len(tags), per_doc, *(counts[x] for x in LABELS))
        )
    header = ("split", "docs", "tokens", "tok/doc", *LABELS)
    msg.table(rows, header=header, divider=True)


def write_demo_corpus(
    output_dir: Path,
    seed: int = 0,
    n_train: int = 160,
    n_dev: int = 40,
    n_test: int = 40,
) -> dict[str, list[Document]]:
    """Write train.tsv, dev.tsv and test.tsv (IOB2, token<TAB>tag) into `output_dir`."""
    corpus = generate_corpus(seed, n_train, n_dev, n_test)
    for split, docs in corpus.items():
        atomic_write_bytes(output_dir / f"{split}.tsv", to_tsv(docs).encode("utf-8"))
    return corpus
