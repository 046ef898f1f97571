"""The page at / in a real headless browser (Debian's chromium, driven by Playwright):
a person pastes a resume or drops a file and sees its entities and fields."""

import shutil
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.helpers import PROJECT_DIR, RESUME, free_port, make_docx, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's browser checks run it: no sandbox (root), and none of the
# background connections that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(trained_pipeline):
    port = free_port()
    command = [sys.executable, PROJECT_DIR / "scripts" / "serve.py"]
    command += ["--model", trained_pipeline, "--port", str(port)]
    with running_server(command, port, cwd=PROJECT_DIR) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), (
        "the page test needs Debian's chromium: apt-get install chromium"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server) -> Page:
    page = browser.new_page()
    page.goto(f"{server.url}/")
    yield page
    page.close()


def field_value(page: Page, field: str):
    return page.locator("#fields tr", has_text=field).locator("td").nth(1)


def test_pasted_text_shows_highlighted_entities_and_fields(page):
    page.fill("#text", RESUME)
    page.click("#submit")
    email = page.locator("#entities mark.entity", has_text="jane.doe@example.com")
    expect(email).to_have_count(2)
    expect(email.first).to_contain_text("EMAIL")
    expect(field_value(page, "emails")).to_have_text("jane.doe@example.com")
    expect(field_value(page, "phones")).to_have_text("+49 30 2735 0737")
    expect(page.locator("#status")).to_contain_text("entities")


def test_a_chosen_docx_file_is_parsed(page):
    docx = make_docx(["Jane Doe", "Phone: +1 (202) 555-0143"])
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "resume.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
                "buffer": docx,
            }
        ],
    )
    expect(field_value(page, "phones")).to_have_text("+1 (202) 555-0143")


def test_a_dropped_text_file_is_parsed(page):
    transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "resume.txt", { type: "text/plain" }));
            return transfer;
        }""",
        RESUME,
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    expect(field_value(page, "urls")).to_have_text("https://github.com/janedoe")


def test_an_unsupported_file_shows_the_error(page):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    page.set_input_files(
        "#file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png}]
    )
    expect(page.locator("#status")).to_have_class("error")
    expect(page.locator("#status")).to_contain_text("415: unsupported file type")
    expect(page.locator("#fields")).to_be_hidden()


def test_markup_in_the_text_is_shown_not_run(page):
    page.fill("#text", '<img src=x onerror="window.pwned = 1"> jane@x.org')
    page.click("#submit")
    email = page.locator("#entities mark.entity", has_text="jane@x.org")
    expect(email).to_have_count(1)
    expect(page.locator("#entities")).to_contain_text("onerror")  # shown as text
    expect(page.locator("#entities img")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
