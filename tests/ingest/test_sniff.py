"""The format comes from a file's bytes; the suffix only breaks ties between text formats."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from kmsearch.errors import ExtractionError
from kmsearch.ingest.sniff import sniff
from tests.fixtures import make_docx, make_pdf, make_pptx


def renamed(src: Path, name: str) -> Path:
    dst = src.with_name(name)
    src.rename(dst)
    return dst


def test_pdf_named_txt_is_pdf(tmp_path: Path) -> None:
    path = renamed(make_pdf(tmp_path / "a.pdf", [["Some text on a page."]]), "notes.txt")
    assert sniff(path) == "pdf"


def test_a_text_file_that_mentions_the_pdf_header_is_text(tmp_path: Path) -> None:
    """corpus-real's MANIFEST.tsv lists each file's magic bytes, "%PDF-" among them, in its first lines."""
    path = tmp_path / "MANIFEST.tsv"
    path.write_text("path\tmagic\nreports/a.pdf\t%PDF-\nslides/b.pptx\tPK\n", encoding="utf-8")
    assert sniff(path) == "text"


def test_a_pdf_with_bytes_before_its_header_is_pdf(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", [["Some text on a page."]])
    path = tmp_path / "prefixed.bin"
    path.write_bytes(b"\x00\x01junk from a mail gateway\r\n" + pdf.read_bytes())
    assert sniff(path) == "pdf"


def test_docx_named_pdf_is_docx(tmp_path: Path) -> None:
    path = renamed(make_docx(tmp_path / "a.docx", [["A paragraph."]]), "report.pdf")
    assert sniff(path) == "docx"


def test_pptx_is_pptx_even_without_suffix(tmp_path: Path) -> None:
    path = renamed(make_pptx(tmp_path / "a.pptx", [("Title", ["a bullet"], None)]), "deck")
    assert sniff(path) == "pptx"


@pytest.mark.parametrize(
    "content",
    [
        "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        "  <html lang='en'><p>Hi</p></html>",
        "<div>fragment</div><body><p>Hi</p></body>",
    ],
)
def test_html_without_html_suffix(tmp_path: Path, content: str) -> None:
    path = tmp_path / "page.txt"
    path.write_text(content, encoding="utf-8")
    assert sniff(path) == "html"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.md", "markdown"),
        ("notes.markdown", "markdown"),
        ("notes.txt", "text"),
        ("notes", "text"),
        ("rows.csv", "csv"),
        ("page.htm", "html"),
    ],
)
def test_text_formats_by_suffix(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text("# Heading\n\nplain words, more words\n", encoding="utf-8")
    assert sniff(path) == expected


def test_utf16_text_with_bom_is_text(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Hello in UTF-16".encode("utf-16"))  # NUL bytes, but a BOM
    assert sniff(path) == "text"


def test_png_is_image(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "scan.dat"
    Image.new("L", (10, 10), 255).save(path, "PNG")
    assert sniff(path) == "image"


def assert_rejected(path: Path, reason_part: str) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        sniff(path)
    assert reason_part in info.value.reason
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert_rejected(path, "empty file (0 bytes)")


def test_random_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"\x01\x02" + random.Random(7).randbytes(4096))
    assert_rejected(path, "binary content of an unsupported format")


def test_zip_that_is_not_office(tmp_path: Path) -> None:
    path = tmp_path / "bundle.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a Word document")
    assert_rejected(path, "neither DOCX nor PPTX")


def test_xlsx_is_rejected_as_other_zip(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert_rejected(path, "neither DOCX nor PPTX")


def test_legacy_ole_doc(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    error = assert_rejected(path, "legacy Office binary")
    assert "DOCX" in error.reason  # the message names the fix


def test_corrupt_zip_with_docx_name(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx", [["A paragraph."]]).read_bytes()
    path = tmp_path / "broken.docx"
    path.write_bytes(good[:200])  # the local header survives, the central directory does not
    assert_rejected(path, "corrupt ZIP container")
