"""The text of an uploaded resume: PDF, DOCX or plain text, read from bytes in memory.

Nothing is written to disk. The file's kind is told by its first bytes, not by the
name or media type the client gave, which only serve to word the error when the bytes
do not match them.
"""

import io
import zipfile
from pathlib import PurePosixPath

from docx import Document
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from .pdf_lines import pdf_text

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls
DOCX_MEDIA_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
# A DOCX is a zip of XML; refuse to inflate one that claims far more than any resume.
MAX_DOCX_UNZIPPED_BYTES = 50_000_000


class UnreadableDocument(ValueError):
    """The file is of a supported kind but cannot be read (corrupt, encrypted, no text,
    not UTF-8): a 422."""


class UnsupportedDocument(ValueError):
    """The file is of a kind the service does not read: a 415."""


def extract_text(data: bytes, filename: str | None, media_type: str | None) -> str:
    """The text of a PDF, DOCX or UTF-8 text file, told apart by content."""
    if not data:
        raise UnreadableDocument("the uploaded file is empty")
    claimed = _claimed_kind(filename, media_type)
    if data.startswith(PDF_MAGIC):
        text = _pdf_text(data)
    elif (
        data.startswith(ZIP_MAGIC)
        and (unzipped := _docx_unzipped_size(data)) is not None
    ):
        text = _docx_text(data, unzipped)
    elif claimed in {"pdf", "docx"}:
        raise UnreadableDocument(
            f"the file is named or typed as {claimed.upper()} but is not a readable "
            f"{claimed.upper()} file (corrupt or of another kind)"
        )
    elif (
        data.startswith((ZIP_MAGIC, OLE_MAGIC))
        or claimed == "other"
        or b"\x00" in data[:4096]  # images and other binary files
    ):
        raise UnsupportedDocument(
            "unsupported file type: send a PDF, a DOCX or a UTF-8 text file "
            "(legacy .doc and other office formats: save as DOCX or PDF first)"
        )
    else:
        text = _plain_text(data)
    if not text.strip():
        raise UnreadableDocument(
            "no text found in the file (a scanned PDF? text in images is not read)"
        )
    return text


def _claimed_kind(filename: str | None, media_type: str | None) -> str | None:
    suffix = PurePosixPath(filename or "").suffix.lower()
    media_type = (media_type or "").split(";")[0].strip().lower()
    if suffix == ".pdf" or media_type == "application/pdf":
        return "pdf"
    if suffix == ".docx" or media_type == DOCX_MEDIA_TYPE:
        return "docx"
    if suffix in {"", ".txt", ".text", ".md"} and media_type in {
        "",
        "text/plain",
        "text/markdown",
        "application/octet-stream",
    }:
        return None
    return "other"


def _pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        text = pdf_text(reader.pages)
    except FileNotDecryptedError:
        raise UnreadableDocument("the PDF is password-protected") from None
    except Exception as error:  # noqa: BLE001 - a corrupt PDF fails in many ways
        raise UnreadableDocument(f"the PDF could not be read: {error}") from None
    return text


def _docx_unzipped_size(data: bytes) -> int | None:
    """The bytes a DOCX unpacks to, or None if `data` is not a DOCX."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                return None
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return None


def _docx_text(data: bytes, unzipped: int) -> str:
    if unzipped > MAX_DOCX_UNZIPPED_BYTES:
        raise UnreadableDocument(
            f"the DOCX unpacks to {unzipped} bytes; at most "
            f"{MAX_DOCX_UNZIPPED_BYTES} are read"
        )
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - a corrupt DOCX fails in many ways
        raise UnreadableDocument(f"the DOCX could not be read: {error}") from None
    # Empty paragraphs are the blank lines of a CV, before and between its sections:
    # kept, so that the model reads the lines it would read in the CV as plain text.
    lines = [paragraph.text for paragraph in document.paragraphs]
    # Resumes often lay out contact details and skills in tables.
    for table in document.tables:
        for row in table.rows:
            cells = dict.fromkeys(cell.text.strip() for cell in row.cells)
            if row_text := " | ".join(cell for cell in cells if cell):
                lines.append(row_text)
    return "\n".join(lines)


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnreadableDocument(
            f"the text file is not UTF-8 (invalid byte at offset {error.start}, "
            f"line {line}); save it as UTF-8"
        ) from None
