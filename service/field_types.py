"""What each kind of resume field may hold: an entity's text passes its field's type, or
stays out of the field (it is still listed among the entities).

Each validator takes an entity's text, its whitespace already collapsed, and gives the
value the field holds, or None for text that is not one: a model that labels "Ltd" a
phone number or "Maria" an email must not put them in `phones` or `emails`. They live
in the service, not in the pipeline, because they need email-validator and
phonenumbers, which the packaged pipeline does not.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

FieldType = Literal["email", "personal_email", "phone", "url", "name", "text"]

# What a phone number is written with: digits, a leading +, and separators.
PHONE_CHARACTERS = re.compile(r"\+?[\d\s().\-/]+")
# One label of a host name (RFC 1123), and a top-level domain: letters, or punycode.
HOST_LABEL = re.compile(r"(?!-)[a-z\d-]{1,63}(?<!-)", re.IGNORECASE)
TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z\d-]{1,59}", re.IGNORECASE)
# Up to 15 words: the real CVs' annotations (resumes-dotin) hold names of 14 words,
# made so by their anonymisation, and a model trained on them finds them whole.
NAME_WORDS = range(1, 16)
# Marks a name's words may carry besides letters: O'Neil, Jean-Luc, J. R. R.
NAME_MARKS = str.maketrans("", "", "'’-.")
# The words of a name that are written in lower case: van der Berg, de la Cruz, bin Ali.
NAME_PARTICLES = frozenset(
    "al bin binti da das de del della der di do dos du el la le van von y zu".split()
)


@dataclass(frozen=True)
class PhoneNumber:
    """A valid phone number: as the resume writes it, and in E.164."""

    text: str
    e164: str


# What cannot be part of an unquoted address, and so parts it from what an entity
# holds beside it: "Indeed:jd@example.com", "123-345-7890|jd@example.com".
ADDRESS_SEPARATORS = re.compile(r"[\s:|,;<>()\[\]]+")


def email(text: str) -> str | None:
    """The first valid address among the parts that separators make of the text (the
    whole text where there are none), in email-validator's normalised form (domain
    lowercased); domains are not looked up. "|" is valid in an address, but on a CV it
    parts a phone number from one."""
    for candidate in ADDRESS_SEPARATORS.split(text):
        if "@" not in candidate:
            continue
        try:
            return validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


# Local-part words of role accounts: addresses of an office or a service, not of a
# person ("careers.info@monash.edu" under a referee's details on a CV).
ROLE_ACCOUNT_WORDS = frozenset(
    "admin career careers enquiries enquiry hr info jobs noreply no-reply office "
    "postmaster recruitment sales support webmaster".split()
)
LOCAL_PART_SEPARATORS = re.compile(r"[._+]")


def personal_email(text: str) -> str | None:
    """The address, as `email` gives it, unless it is a role account: its local part
    holds one of ROLE_ACCOUNT_WORDS between its dots, underscores and pluses."""
    address = email(text)
    if address is None:
        return None
    local_part = address.rpartition("@")[0].casefold()
    if ROLE_ACCOUNT_WORDS.isdisjoint(LOCAL_PART_SEPARATORS.split(local_part)):
        return address
    return None


def phone(text: str, region: str | None = None) -> PhoneNumber | None:
    """The number, if `text` is only a phone number and phonenumbers finds it valid.

    Without a `region`, only numbers written with their country code (+49 ...) can be
    read; with one (an ISO 3166 code such as "US"), national numbers are taken to be
    from there.
    """
    if not PHONE_CHARACTERS.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(text=text, e164=e164)


def url(text: str) -> str | None:
    """The text, if it is an http(s) URL or a bare domain with an optional path
    (`github.com/jd`, `www.janedoe.dev`) whose host is a valid domain name."""
    if not text or any(character.isspace() for character in text):
        return None
    has_scheme = "://" in text
    try:
        parts = urlsplit(text if has_scheme else f"http://{text}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"}:
        return None
    if "@" in parts.netloc or not valid_host(parts.hostname or ""):
        return None
    return text


def valid_host(host: str) -> bool:
    """A domain name with at least two labels and a top-level domain of letters."""
    labels = host.removesuffix(".").split(".")
    return (
        len(labels) >= 2
        and len(host) <= 253
        and all(HOST_LABEL.fullmatch(label) for label in labels)
        and TOP_LEVEL_DOMAIN.fullmatch(labels[-1]) is not None
    )


def name(text: str) -> str | None:
    """The text, if it looks like a person's name: 1 to 15 words of letters (with the
    apostrophes, hyphens and periods of O'Neil, Jean-Luc or J. R.), each capitalised
    (or in capitals, or of a script without case) but for particles such as "van"
    and "de", not all particles."""
    words = text.split()
    if len(words) not in NAME_WORDS:
        return None
    others = [word for word in words if not is_capitalised(word)]
    if len(others) < len(words) and NAME_PARTICLES.issuperset(others):
        return text
    return None


def is_capitalised(word: str) -> bool:
    """Letters (and the combining marks of scripts such as Devanagari), the first not
    in lower case: a capital, or a letter of a script without case (अमित, 王小明)."""
    letters = word.translate(NAME_MARKS)
    return (
        letters[:1].isalpha()
        and not letters[0].islower()
        and all(c.isalpha() or unicodedata.category(c)[0] == "M" for c in letters)
    )


def plain_text(text: str) -> str | None:
    """Any text that is not empty."""
    return text or None
