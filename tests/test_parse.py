"""POST /v1/parse: a resume, as JSON text or an uploaded PDF, DOCX or text file, becomes
a record of fields; the pattern rules for emails, phones and URLs; metrics; limits."""

import io
import logging
import tempfile
from pathlib import Path

import pytest
import spacy
from docx import Document
from pypdf import PdfReader, PdfWriter
from service.documents import DOCX_MEDIA_TYPE
from service.resume import build_record
from service.settings import DEFAULT_PARSE_FIELDS, Settings

from server import make_client

PROJECT_DIR = Path(__file__).resolve().parent.parent

RESUME = """Jane Doe
Data Engineer at Acme Corp, Berlin
Email: jane.doe@example.com | Phone: +49 30 2735 0737
Web: https://github.com/janedoe
Contact again: JANE.DOE@example.com or +49 30 2735 0737"""


@pytest.fixture(scope="module")
def client(trained_pipeline):
    with make_client(trained_pipeline) as client:
        yield client


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica: the smallest file a PDF reader
    takes, written out object by object."""
    escaped = [
        line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        for line in lines
    ]
    content = (
        "BT /F1 11 Tf 14 TL 72 720 Td "
        + " ".join(f"({line}) Tj T*" for line in escaped)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return pdf + f"startxref\n{xref}\n%%EOF\n".encode()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the record -------------------------------------------------------------------


def entity(text: str, label: str, start: int = 0) -> dict:
    return {"text": text, "label": label, "start": start, "end": start + len(text)}


def test_record_has_every_field_even_when_nothing_is_found():
    record = build_record([], DEFAULT_PARSE_FIELDS)
    assert list(record) == list(DEFAULT_PARSE_FIELDS)
    assert record["name"] == ""
    assert all(record[field] == [] for field in DEFAULT_PARSE_FIELDS if field != "name")


def test_record_values_are_distinct_ignoring_case_and_whitespace_first_spelling_kept():
    entities = [
        entity("Machine  Learning", "SKILL"),
        entity("Python", "SKILL"),
        entity("machine\nlearning", "SKILL"),
        entity("PYTHON", "SKILL"),
        entity("SQL", "SKILL"),
    ]
    record = build_record(entities, {"skills": ["SKILL"]})
    assert record == {"skills": ["Machine Learning", "Python", "SQL"]}


def test_single_valued_field_takes_the_first_entity():
    entities = [entity("Jane Doe", "NAME"), entity("John Roe", "NAME")]
    assert build_record(entities, {"name": "NAME"}) == {"name": "Jane Doe"}


def test_a_field_can_gather_several_labels_in_text_order():
    entities = [entity("+1 555 0100", "PHONE"), entity("j@x.org", "EMAIL")]
    fields = {"contacts": ["EMAIL", "PHONE"]}
    assert build_record(entities, fields) == {"contacts": ["+1 555 0100", "j@x.org"]}


# --- the pattern rules --------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_only(trained_pipeline):
    """The trained pipeline's pattern component alone: no model, no phone labels."""
    nlp = spacy.load(trained_pipeline, exclude=["transformer", "ner"])
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
