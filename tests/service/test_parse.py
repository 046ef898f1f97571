"""POST /v1/parse: a resume, as JSON text or an uploaded PDF, DOCX or text file, becomes
a record of fields; the pattern rules for emails, phones and URLs; metrics; limits."""

import io
import logging
import tempfile
from dataclasses import asdict

import pytest
import spacy
from pydantic import ValidationError
from pypdf import PdfReader, PdfWriter

from service.documents import DOCX_MEDIA_TYPE
from service.history import build_history
from service.settings import (
    DEFAULT_EDUCATION_LABELS,
    DEFAULT_JOB_LABELS,
    DEFAULT_PARSE_FIELDS,
    Settings,
)
from tests.helpers import RESUME, make_client, make_docx, make_pdf


@pytest.fixture(scope="module")
def client(trained_pipeline):
    with make_client(trained_pipeline) as client:
        yield client


def encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the pattern rules --------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_only(trained_pipeline):
    """The trained pipeline's pattern component alone: no model, no phone labels."""
    nlp = spacy.load(
        trained_pipeline, exclude=["transformer", "ner", "entity_confidence"]
    )
    assert nlp.pipe_names == ["contact_patterns"]
    return nlp


@pytest.mark.parametrize(
    "phone",
    [
        "+1 (555) 123-4567",
        "555-123-4567",
        "+44 20 7946 0958",
        "+91-98765-43210",
        "838.555.2264",
        "(+33) 1 23 45 67 89",
        "9876543210",
    ],
)
def test_phone_numbers_are_found_by_patterns_without_any_model(rules_only, phone):
    doc = rules_only(f"Call {phone}. Thanks")
    assert [(e.text, e.label_) for e in doc.ents] == [(phone, "PHONE")]


@pytest.mark.parametrize(
    "text",
    [
        "2015-2019",
        "Jan 2015 - 2019",
        "2015 2016 2017",
        "12.05.2019",
        "room 42",
        "GPA 3.8",
    ],
)
def test_years_dates_and_short_numbers_are_not_phones(rules_only, text):
    assert list(rules_only(text).ents) == []


def test_emails_and_urls_are_found_but_not_library_names(rules_only):
    doc = rules_only(
        "jane@x.org, https://linkedin.com/in/jane www.janedoe.dev github.com/jd; "
        "Node.js and ASP.NET"
    )
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("jane@x.org", "EMAIL"),
        ("https://linkedin.com/in/jane", "URL"),
        ("www.janedoe.dev", "URL"),
        ("github.com/jd", "URL"),
    ]


@pytest.mark.parametrize(
    "token",
    [
        "Indeed:SSauer@hotmail.com",
        "Email:jane.doe@example.com",
        "123-345-7890|Stamm.Eulalia@gmail.com",
        "o'neil@example.ie",
    ],
)
def test_an_address_glued_to_a_word_or_with_an_apostrophe_is_an_email(
    rules_only, token
):
    doc = rules_only(f"Contact {token} today")
    assert [(e.text, e.label_) for e in doc.ents] == [(token, "EMAIL")]


@pytest.mark.parametrize("text", ["m@ca", "@handle", "x@y", "jane@localhost"])
def test_an_at_sign_without_a_domain_is_no_email(rules_only, text):
    assert list(rules_only(f"Contact {text} today").ents) == []


def test_pattern_matches_replace_the_model_entities_they_overlap(trained_pipeline):
    nlp = spacy.load(trained_pipeline)
    assert nlp.pipe_names[-1] == "contact_patterns"
    text = "Reach me at jane.doe@example.com or +49 30 2735 0737 today"
    with nlp.select_pipes(disable=["contact_patterns"]):
        model_only = nlp(text)
    doc = nlp(text)
    assert ("jane.doe@example.com", "EMAIL") in [(e.text, e.label_) for e in doc.ents]
    assert ("+49 30 2735 0737", "PHONE") in [(e.text, e.label_) for e in doc.ents]
    pattern_spans = [e for e in doc.ents if e.label_ in {"EMAIL", "PHONE"}]
    for kept in model_only.ents:
        overlaps = any(kept.start < p.end and p.start < kept.end for p in pattern_spans)
        assert overlaps or (kept.text, kept.label_) in [
            (e.text, e.label_) for e in doc.ents
        ]


# --- the endpoint -------------------------------------------------------------------


def assert_parsed_resume(body: dict, text: str) -> None:
    assert list(body["fields"]) == list(DEFAULT_PARSE_FIELDS)
    assert body["fields"]["emails"] == ["jane.doe@example.com"]
    assert body["fields"]["phones"] == ["+49 30 2735 0737"]
    assert body["fields"]["urls"] == ["https://github.com/janedoe"]
    assert body["phone_numbers"] == {
        "phones": [{"text": "+49 30 2735 0737", "e164": "+493027350737"}]
    }
    assert isinstance(body["fields"]["name"], str)
    assert body["text"] == text
    for found in body["entities"]:
        assert text[found["start"] : found["end"]] == found["text"]


def test_parse_json_gives_every_field_with_distinct_values(client):
    response = client.post("/v1/parse", json={"text": RESUME})
    assert response.status_code == 200
    assert_parsed_resume(response.json(), RESUME)
    assert response.json()["html"] is None


def test_parse_fields_equal_the_pipeline_entities(client, trained_pipeline):
    body = client.post("/v1/parse", json={"text": RESUME}).json()
    nlp = spacy.load(trained_pipeline)
    expected = [(e.text, e.label_, e.start_char) for e in nlp(RESUME).ents]
    assert [(e["text"], e["label"], e["start"]) for e in body["entities"]] == expected


def test_parse_gives_the_jobs_education_and_experience_of_its_entities(client):
    text = (
        f"{RESUME}\nExperience\nData Engineer, Acme Corp, Berlin, May 2019 - Present\n"
        "Education\nMSc Computer Science, TU Berlin, 2017\n"
    )
    body = client.post("/v1/parse", json={"text": text}).json()
    history = build_history(
        text, body["entities"], DEFAULT_JOB_LABELS, DEFAULT_EDUCATION_LABELS
    )
    assert body["jobs"] == [asdict(job) for job in history.jobs]
    assert body["education"] == [asdict(entry) for entry in history.education]
    assert body["experience_years"] == history.experience_years
    for record in body["jobs"] + body["education"]:
        for value in filter(None, record.values()):
            assert text[value["start"] : value["end"]] == value["text"]


def test_job_and_education_labels_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("NER_PARSE_JOB_LABELS", '{"company": ["Companies worked at"]}')
    assert Settings().parse_job_labels == {"company": ["Companies worked at"]}
    monkeypatch.setenv("NER_PARSE_EDUCATION_LABELS", '{"school": ["College Name"]}')
    with pytest.raises(ValidationError, match="degree"):
        Settings()


def test_parse_reads_an_uploaded_text_file(client):
    files = {"file": ("resume.txt", RESUME.encode(), "text/plain")}
    response = client.post("/v1/parse", files=files)
    assert response.status_code == 200
    assert_parsed_resume(response.json(), RESUME)


def test_parse_reads_a_text_file_sent_as_the_body(client):
    headers = {"Content-Type": "text/plain"}
    response = client.post("/v1/parse", content=RESUME.encode(), headers=headers)
    assert response.status_code == 200
    assert_parsed_resume(response.json(), RESUME)


def test_parse_reads_an_uploaded_pdf(client):
    pdf = make_pdf(RESUME.splitlines())
    files = {"file": ("resume.pdf", pdf, "application/pdf")}
    response = client.post("/v1/parse", files=files)
    assert response.status_code == 200
    body = response.json()
    assert body["text"].splitlines() == RESUME.splitlines()
    assert_parsed_resume(body, body["text"])


def test_parse_reads_an_uploaded_docx_with_a_table(client):
    lines = RESUME.splitlines()
    docx = make_docx(lines[:2], table=[["Email", "jane.doe@example.com"]])
    files = {"file": ("resume.docx", docx, DOCX_MEDIA_TYPE)}
    response = client.post("/v1/parse", files=files)
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "\n".join([*lines[:2], "Email | jane.doe@example.com"])
    assert body["fields"]["emails"] == ["jane.doe@example.com"]


def test_a_docx_keeps_its_blank_lines_as_the_text_has_them(client):
    """So the model reads the same lines from a CV as DOCX as from it as text."""
    lines = ["", *RESUME.splitlines()[:2], "", "", "Skills", "Python", ""]
    files = {"file": ("resume.docx", make_docx(lines), DOCX_MEDIA_TYPE)}
    body = client.post("/v1/parse", files=files).json()
    assert body["text"] == "\n".join(lines)


def test_parse_leaves_no_temporary_file(client, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uploads = [
        ("resume.pdf", make_pdf(["x" * 80] * 40), "application/pdf"),
        ("resume.docx", make_docx(["y" * 80] * 40), DOCX_MEDIA_TYPE),
        ("resume.txt", b"z " * 600_000, "text/plain"),  # 1.2 MB: over any spool size
    ]
    for upload in uploads:
        response = client.post("/v1/parse", files={"file": upload})
        assert response.status_code in {200, 422}, response.text
    assert list(tmp_path.iterdir()) == []


def test_parse_fields_follow_the_configured_mapping(trained_pipeline):
    fields = {"person": "NAME", "contact": ["EMAIL", "PHONE"]}
    with make_client(trained_pipeline, parse_fields=fields) as client:
        body = client.post("/v1/parse", json={"text": RESUME}).json()
    assert list(body["fields"]) == ["person", "contact"]
    assert body["fields"]["contact"] == ["jane.doe@example.com", "+49 30 2735 0737"]


def test_parse_fields_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("NER_PARSE_FIELDS", '{"who": "Name", "skills": ["Skills"]}')
    assert Settings().parse_fields == {"who": "Name", "skills": ["Skills"]}


def test_parse_field_types_and_phone_region_can_come_from_the_environment(
    monkeypatch,
):
    monkeypatch.setenv("NER_PARSE_FIELDS", '{"who": "Name", "call": ["Phone"]}')
    monkeypatch.setenv("NER_PARSE_FIELD_TYPES", '{"who": "name", "call": "phone"}')
    monkeypatch.setenv("NER_PHONE_REGION", "in")
    settings = Settings()
    assert settings.parse_field_types == {"who": "name", "call": "phone"}
    assert settings.phone_region == "IN"


def test_default_field_types_type_the_default_fields():
    settings = Settings()
    assert settings.parse_fields == DEFAULT_PARSE_FIELDS
    assert settings.parse_field_types == {
        "name": "name",
        "emails": "personal_email",
        "phones": "phone",
        "urls": "url",
    }
    assert settings.phone_region is None


def test_default_field_types_follow_the_field_names_whatever_their_labels():
    fields = {"name": "Name", "emails": ["Email Address"], "skills": ["Skills"]}
    assert Settings(parse_fields=fields).parse_field_types == {
        "name": "name",
        "emails": "personal_email",
    }


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"parse_field_types": {"skills": "email"}}, "NER_PARSE_FIELDS lacks: skills"),
        (
            {"parse_field_types": {"name": "person"}},
            "'email', 'personal_email', 'phone', 'url'",
        ),
        ({"phone_region": "XX"}, "not a region phonenumbers knows"),
    ],
    ids=["unknown-field", "unknown-type", "unknown-region"],
)
def test_field_types_and_region_that_cannot_apply_are_refused(settings, problem):
    fields = {"name": "NAME", "emails": ["EMAIL"]}
    with pytest.raises(ValidationError, match=problem):
        Settings(parse_fields=fields, **settings)


def test_parse_types_the_fields_the_settings_name(trained_pipeline):
    text = "Jane Doe\nPhone: 030 27350737 or +1 (555) 123-4567\nWeb: github.com/janedoe"
    fields = {"who": "NAME", "call": ["PHONE"], "raw": ["PHONE"]}
    with make_client(
        trained_pipeline,
        parse_fields=fields,
        parse_field_types={"call": "phone"},
        phone_region="DE",
    ) as client:
        body = client.post("/v1/parse", json={"text": text}).json()
    phones = [e["text"] for e in body["entities"] if e["label"] == "PHONE"]
    assert phones == ["030 27350737", "+1 (555) 123-4567"]
    assert body["fields"]["raw"] == phones
    assert body["fields"]["call"] == ["030 27350737"]
    assert body["phone_numbers"] == {
        "call": [{"text": "030 27350737", "e164": "+493027350737"}]
    }


def test_parse_html_highlights_entities_and_escapes_the_text(client):
    text = "<script>alert(1)</script> jane.doe@example.com"
    response = client.post("/v1/parse?html=true", json={"text": text})
    html = response.json()["html"]
    assert "<script" not in html
    assert "&lt;" in html
    assert '<mark class="entity"' in html
    assert "jane.doe@example.com" in html


@pytest.mark.parametrize(
    ("upload", "status", "detail"),
    [
        (
            ("cv.pdf", b"%PDF-1.4 broken", "application/pdf"),
            422,
            "PDF could not be read",
        ),
        (("cv.pdf", b"not a pdf at all", "application/pdf"), 422, "not a readable PDF"),
        (("cv.docx", b"PK\x03\x04broken", DOCX_MEDIA_TYPE), 422, "not a readable DOCX"),
        (("cv.txt", "café".encode("latin-1"), "text/plain"), 422, "not UTF-8"),
        (("cv.txt", b"", "text/plain"), 422, "empty"),
        (("cv.txt", b"   \n ", "text/plain"), 422, "no text"),
        (("cv.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"), 415, "unsupported"),
        (
            ("cv.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "application/msword"),
            415,
            "legacy .doc",
        ),
    ],
    ids=[
        "corrupt-pdf",
        "fake-pdf",
        "corrupt-docx",
        "latin-1",
        "empty",
        "blank",
        "png",
        "doc",
    ],
)
def test_unreadable_or_unsupported_files_get_a_4xx(client, upload, status, detail):
    response = client.post("/v1/parse", files={"file": upload})
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_encrypted_pdf_gets_422(client):
    pdf = encrypted(make_pdf(["Jane Doe"]))
    response = client.post(
        "/v1/parse", files={"file": ("cv.pdf", pdf, "application/pdf")}
    )
    assert response.status_code == 422
    assert "password-protected" in response.json()["detail"]


def test_pdf_without_text_gets_422(client):
    response = client.post(
        "/v1/parse", files={"file": ("cv.pdf", make_pdf([]), "application/pdf")}
    )
    assert response.status_code == 422
    assert "no text found" in response.json()["detail"]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "detail"),
    [
        ({"json": {"text": ""}}, 422, "at least 1 character"),
        ({"json": {"text": "  \n"}}, 422, "empty"),
        ({"json": {"text": 42}}, 422, "valid string"),
        ({"json": {"resume": "x"}}, 422, "Field required"),
        (
            {"content": b'{"text": ', "headers": {"Content-Type": "application/json"}},
            422,
            "Invalid JSON",
        ),
        (
            {"content": b"<cv/>", "headers": {"Content-Type": "application/xml"}},
            415,
            "multipart",
        ),
        (
            {"files": {"resume": ("cv.txt", b"Jane", "text/plain")}},
            422,
            "no `file` field",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "not-a-string",
        "no-text",
        "malformed",
        "xml",
        "no-file-field",
    ],
)
def test_bad_parse_requests_get_a_4xx(client, request_kwargs, status, detail):
    response = client.post("/v1/parse", **request_kwargs)
    assert response.status_code == status
    assert detail in str(response.json()["detail"])


def test_validation_errors_do_not_echo_the_text_sent(client):
    response = client.post("/v1/entities", json={"texts": ["Zebulon Quillfeather", 7]})
    assert response.status_code == 422
    assert "Zebulon" not in response.text


def test_size_limits_give_413_and_422(trained_pipeline):
    with make_client(
        trained_pipeline,
        max_upload_bytes=1000,
        max_request_bytes=5000,
        max_text_chars=300,
    ) as client:
        big_file = client.post(
            "/v1/parse", files={"file": ("cv.txt", b"a " * 1000, "text/plain")}
        )
        big_body = client.post("/v1/parse", json={"text": "a " * 5000})
        chunked = client.post(
            "/v1/entities",
            content=(b'{"texts": ["' + b"a" * 1000 for _ in range(10)),
            headers={"Content-Type": "application/json"},
        )
        long_text = client.post("/v1/parse", json={"text": "a " * 200})
    assert big_file.status_code == 413
    assert "at most 1000" in big_file.json()["detail"]
    assert big_body.status_code == 413
    assert "5000 bytes" in big_body.json()["detail"]
    assert chunked.status_code == 413
    assert long_text.status_code == 422
    assert "text has 400 characters; at most 300" in long_text.json()["detail"]


def test_requests_never_put_text_in_the_logs(client, caplog):
    secret = "Zebulon Quillfeather"
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/parse", json={"text": f"{secret} jane@x.org"})
        client.post(
            "/v1/parse",
            files={
                "file": ("cv.pdf", b"%PDF-1.4 " + secret.encode(), "application/pdf")
            },
        )
        client.post("/v1/entities", json={"texts": [secret * 100_000]})
    assert secret not in caplog.text


# --- metrics and the page -----------------------------------------------------------


def test_metrics_count_requests_by_route_and_batches(trained_pipeline):
    with make_client(trained_pipeline) as client:
        client.post("/v1/parse", json={"text": RESUME})
        client.post("/v1/entities", json={"texts": ["Jane Doe", "Acme Corp"]})
        client.post("/v1/parse", json={"text": ""})
        client.get("/no/such/page")
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert (
        'ner_http_requests_total{method="POST",route="/v1/parse",status="200"} 1.0'
        in lines
    )
    assert (
        'ner_http_requests_total{method="POST",route="/v1/parse",status="422"} 1.0'
        in lines
    )
    assert (
        'ner_http_requests_total{method="POST",route="/v1/entities",status="200"} 1.0'
        in lines
    )
    assert (
        'ner_http_requests_total{method="GET",route="unmatched",status="404"} 1.0'
        in lines
    )
    assert "ner_texts_total 3.0" in lines
    assert "ner_batch_texts_count 2.0" in lines
    assert "ner_queue_requests 0.0" in lines
    assert "Jane" not in response.text


def test_metrics_and_page_need_no_api_key(trained_pipeline):
    with make_client(trained_pipeline, api_key="s3cret") as client:
        assert client.get("/metrics").status_code == 200
        assert client.get("/").status_code == 200
        assert client.post("/v1/parse", json={"text": RESUME}).status_code == 401


def test_page_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="text"' in response.text
    assert "v1/parse?html=true" in response.text
