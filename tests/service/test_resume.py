"""The record /v1/parse returns, built from a resume's entities: every field present,
each value once, and a typed field never holding what is not of its type."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service import field_types
from service.field_types import PhoneNumber
from service.resume import build_record
from service.settings import DEFAULT_PARSE_FIELD_TYPES, DEFAULT_PARSE_FIELDS

TYPED_FIELDS = ["name", "emails", "phones", "urls"]
TYPED_FIELDS_LABELS = ["NAME", "EMAIL", "PHONE", "URL"]
# The garbage below, labelled as any contact, is a name no more than it is a contact:
# but "Mathematics Rashtriya Military" is shaped like one, so NAME is not among these.
CONTACT_LABELS = ["EMAIL", "PHONE", "URL"]

# What models labelled EMAIL and PHONE on real resumes.
NOT_EMAILS = ["me", "P.H.R.", "PO", "Inc.", "Maria", "Ltd"]
NOT_PHONES = [
    "Ltd",
    "2. Database",
    "3.",
    "Mathematics Rashtriya Military",
    "20082010",
    "100,",
    "500 international and",
]


def entity(text: str, label: str, start: int = 0) -> dict:
    return {"text": text, "label": label, "start": start, "end": start + len(text)}


def entities_in(text: str, *labelled: tuple[str, str]) -> list[dict]:
    """Entities of `text`: each (piece, label) found after the previous one."""
    found, offset = [], 0
    for piece, label in labelled:
        start = text.index(piece, offset)
        found.append(entity(piece, label, start))
        offset = start + len(piece)
    return found


def record_of(entities: list[dict], text: str = "", phone_region=None):
    return build_record(
        text, entities, DEFAULT_PARSE_FIELDS, DEFAULT_PARSE_FIELD_TYPES, phone_region
    )


def values(record, field: str) -> list[str]:
    value = record.fields[field]
    return [value] if isinstance(value, str) and value else list(value)


# --- every field, each value once ---------------------------------------------------


def test_record_has_every_field_even_when_nothing_is_found():
    record = record_of([])
    assert list(record.fields) == list(DEFAULT_PARSE_FIELDS)
    assert record.fields["name"] == ""
    assert all(
        record.fields[field] == [] for field in DEFAULT_PARSE_FIELDS if field != "name"
    )
    assert record.phone_numbers == {"phones": []}


def test_record_values_are_distinct_ignoring_case_and_whitespace_first_spelling_kept():
    entities = [
        entity("Machine  Learning", "SKILL"),
        entity("Python", "SKILL"),
        entity("machine\nlearning", "SKILL"),
        entity("PYTHON", "SKILL"),
        entity("SQL", "SKILL"),
    ]
    record = build_record("", entities, {"skills": ["SKILL"]})
    assert record.fields == {"skills": ["Machine Learning", "Python", "SQL"]}


def test_single_valued_field_takes_the_first_entity():
    entities = [entity("Jane Doe", "NAME"), entity("John Roe", "NAME")]
    assert build_record("", entities, {"name": "NAME"}).fields == {"name": "Jane Doe"}


def test_a_field_can_gather_several_labels_in_text_order():
    entities = [entity("+1 555 0100", "PHONE"), entity("j@x.org", "EMAIL")]
    record = build_record("", entities, {"contacts": ["EMAIL", "PHONE"]})
    assert record.fields == {"contacts": ["+1 555 0100", "j@x.org"]}


# --- typed fields -------------------------------------------------------------------


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_what_is_not_an_email_reaches_no_typed_field(text):
    record = record_of([entity(text, label) for label in CONTACT_LABELS])
    assert all(text not in values(record, field) for field in TYPED_FIELDS)


@pytest.mark.parametrize("region", [None, "US", "IN", "GB"])
@pytest.mark.parametrize("text", NOT_PHONES)
def test_what_is_not_a_phone_number_reaches_no_typed_field(text, region):
    record = record_of(
        [entity(text, label) for label in CONTACT_LABELS], phone_region=region
    )
    assert all(text not in values(record, field) for field in TYPED_FIELDS)
    assert record.phone_numbers == {"phones": []}


def test_an_entity_left_out_of_its_field_does_not_stop_the_next():
    record = record_of(
        [
            entity("Maria", "NAME"),
            entity("Maria Gonzalez", "NAME"),
            entity("me", "EMAIL"),
            entity("maria@example.org", "EMAIL"),
            entity("Ltd", "PHONE"),
            entity("+44 20 7946 0958", "PHONE"),
            entity("Inc.", "URL"),
            entity("www.mariagonzalez.dev", "URL"),
        ]
    )
    assert record.fields["name"] == "Maria Gonzalez"
    assert record.fields["emails"] == ["maria@example.org"]
    assert record.fields["phones"] == ["+44 20 7946 0958"]
    assert record.fields["urls"] == ["www.mariagonzalez.dev"]


def test_an_international_phone_number_comes_with_its_e164():
    record = record_of(
        [entity("+49 30 2735\n0737", "PHONE"), entity("+49 (30) 27350737", "PHONE")]
    )
    assert record.fields["phones"] == ["+49 30 2735 0737"]
    assert record.phone_numbers == {
        "phones": [PhoneNumber(text="+49 30 2735 0737", e164="+493027350737")]
    }


def test_a_national_phone_number_needs_the_phone_region():
    phones = [entity("(202) 555-0143", "PHONE")]
    assert record_of(phones).fields["phones"] == []
    assert record_of(phones, phone_region="US").phone_numbers == {
        "phones": [PhoneNumber(text="(202) 555-0143", e164="+12025550143")]
    }


def test_the_address_inside_a_longer_email_entity_reaches_the_field():
    record = record_of(
        [
            entity("Indeed:Auer.Rosie@dsam.co", "EMAIL"),
            entity("123-345-7890|Stamm.Eulalia@gmail.com", "EMAIL"),
            entity("mail: not-an-address@", "EMAIL"),
        ]
    )
    assert record.fields["emails"] == [
        "Auer.Rosie@dsam.co",
        "Stamm.Eulalia@gmail.com",
    ]


def test_an_email_is_kept_in_its_normalised_form_and_once():
    emails = [
        entity("Jane.Doe@EXAMPLE.com", "EMAIL"),
        entity("jane.doe@x.org", "EMAIL"),
    ]
    emails.append(entity("JANE.DOE@example.com", "EMAIL"))
    assert record_of(emails).fields["emails"] == [
        "Jane.Doe@example.com",
        "jane.doe@x.org",
    ]


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("careers.info@monash.edu", False),
        ("info@example.com", False),
        ("no-reply@example.com", False),
        ("HR@example.com", False),
        ("jobs+cv@example.com", False),
        ("jane.doe@example.com", True),
        ("information.jane@example.com", True),
        ("hrithik.roshan@example.com", True),
        ("jane-info@example.com", True),
    ],
)
def test_emails_leave_out_role_accounts_that_the_email_type_keeps(address, kept):
    """A CV's referee section lists its university's careers.info@ beside the
    referee: an office's address, not the person's."""
    emails = [entity(address, "EMAIL")]
    assert record_of(emails).fields["emails"] == ([address] if kept else [])
    record = build_record("", emails, {"emails": ["EMAIL"]}, {"emails": "email"})
    assert record.fields["emails"] == [address]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("https://github.com/janedoe", True),
        ("linkedin.com/in/priya-raman", True),
        ("www.janedoe.dev", True),
        ("http://janedoe.dev:8080/cv", True),
        ("ftp://janedoe.dev", False),
        ("jane@janedoe.dev", False),
        ("https://localhost", False),
        ("github", False),
        ("janedoe.dev/my cv", False),
        ("http://jane_doe.dev", False),
        ("http://janedoe.dev:99999", False),
        ("www.-janedoe.dev", False),
        ("https://janedoe.123", False),
    ],
)
def test_a_url_needs_http_or_no_scheme_and_a_valid_domain(text, kept):
    assert record_of([entity(text, "URL")]).fields["urls"] == ([text] if kept else [])


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Jane Doe", True),
        ("José María García López", True),
        ("Mary-Jane O'Neil", True),
        ("J. R. R. Tolkien", True),
        ("Jan van der Berg", True),
        ("JANE DOE", True),
        ("Иван Петров", True),
        ("अमित शर्मा", True),
        ("محمد علي", True),
        # As long as the anonymised names of the real CVs (14 words), and longer.
        ("Ada Bea Cyd Dee Eva Fay Gia Hal Ivo Jon Kai Lev Max Ned", True),
        ("Ada Bea Cyd Dee Eva Fay Gia Hal Ivo Jon Kai Lev Max Ned Oma Pia", False),
        ("jane doe", False),
        ("van der", False),
        ("Managed the sales team", False),
        ("jane.doe@example.com", False),
        ("+49 30 2735 0737", False),
        ("Jane Doe 2019", False),
        ("Curriculum Vitae:", False),
    ],
)
def test_the_name_is_the_first_entity_that_looks_like_a_name(text, kept):
    record = record_of([entity(text, "NAME"), entity("Jane Roe", "NAME", 100)])
    assert record.fields["name"] == (text if kept else "Jane Roe")


def test_a_name_of_one_word_is_taken_only_when_no_full_name_was_found():
    assert record_of([entity("Miller", "NAME")]).fields["name"] == "Miller"
    names = [entity("Jane", "NAME"), entity("Jane Roe", "NAME", 100)]
    assert record_of(names).fields["name"] == "Jane Roe"


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # A real CV: the model's first NAME cut the name short; later ones hold it.
        (
            "Jesusita Dorthy\n...\nJESUSITA DORTHY KOZEY\n...\nJesusita Dorthy Kozey",
            ["Jesusita Dorthy", "JESUSITA DORTHY KOZEY", "Jesusita Dorthy Kozey"],
            "JESUSITA DORTHY KOZEY",
        ),
        # Later names that do not go on word for word from the first leave it be.
        (
            "Jessie Schinner\nReferees: Maria Garof, Jessie Schinnerova Lee",
            ["Jessie Schinner", "Maria Garof", "Jessie Schinnerova Lee"],
            "Jessie Schinner",
        ),
    ],
)
def test_a_name_cut_short_is_completed_by_a_later_one_that_goes_on(
    text, names, expected
):
    found = entities_in(text, *((name, "NAME") for name in names))
    assert record_of(found, text).fields["name"] == expected


def test_a_name_the_model_split_at_a_line_break_is_joined():
    text = "Priya\nRaman\nData Engineer"
    names = entities_in(text, ("Priya", "NAME"), ("Raman", "NAME"))
    assert record_of(names, text).fields["name"] == "Priya Raman"


def test_names_apart_on_one_line_or_with_text_between_are_not_joined():
    text = "Priya  Raman and Jane\nDoe"
    names = entities_in(text, ("Priya", "NAME"), ("Raman", "NAME"), ("Jane", "NAME"))
    assert record_of(names, text).fields["name"] == "Priya"  # no full name: one word


def test_only_name_fields_are_joined_across_line_breaks():
    text = "Python\nSQL"
    skills = entities_in(text, ("Python", "SKILL"), ("SQL", "SKILL"))
    assert record_of(skills, text).fields["skills"] == ["Python", "SQL"]


def test_field_types_come_from_the_mapping_given():
    entities = [entity("Ltd", "PHONE"), entity("+44 20 7946 0958", "PHONE")]
    fields = {"contact": ["PHONE"], "raw": ["PHONE"]}
    record = build_record("", entities, fields, {"contact": "phone"})
    assert record.fields == {
        "contact": ["+44 20 7946 0958"],
        "raw": ["Ltd", "+44 20 7946 0958"],
    }
    assert list(record.phone_numbers) == ["contact"]


# --- any text at all ----------------------------------------------------------------

entity_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NOT_EMAILS + NOT_PHONES),
    st.emails(),
    st.from_regex(r"\+?[\d ()\-.]{3,20}", fullmatch=True),
    st.from_regex(r"(https?://)?[\w.\-]{1,20}\.[a-z]{2,5}(/\S{0,10})?", fullmatch=True),
    st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z.'\-]{0,8}){0,5}", fullmatch=True),
)


@given(
    st.lists(
        st.tuples(entity_texts, st.sampled_from(TYPED_FIELDS_LABELS)), max_size=12
    ),
    st.sampled_from([None, "US", "IN", "DE"]),
)
def test_every_value_of_a_typed_field_passes_its_type(labelled, region):
    text = "\n".join(piece for piece, _ in labelled)
    record = record_of(entities_in(text, *labelled), text, phone_region=region)
    assert all(field_types.name(value) == value for value in values(record, "name"))
    assert all(field_types.email(value) == value for value in record.fields["emails"])
    assert all(field_types.url(value) == value for value in record.fields["urls"])
    numbers = record.phone_numbers["phones"]
    assert [number.text for number in numbers] == record.fields["phones"]
    assert all(field_types.phone(number.text, region) == number for number in numbers)
