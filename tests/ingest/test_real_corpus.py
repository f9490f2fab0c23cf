"""Extraction on real public-sector files from ../shared/corpus-real (skipped when that folder is absent).

Every non-scanned PDF, DOCX and PPTX in MANIFEST.tsv either extracts, with the manifest's page or slide count
and some text where the manifest found text, or fails with an ExtractionError: never another exception.
Skipped to keep the suite fast: files over 5 MB (none now), and DOCX whose manifest `units` (paragraphs for DOCX,
not pages) exceed 2,000: the two listed in SLOW_DOCX, 12 and 21 s each on the shared 2-core machine. The limit
was 200 paragraphs when the corpus had 110 files; with 174 it also skipped a 319-paragraph judgment, a
451-paragraph RFQ and a 1,238-paragraph Hansard, which extract in 0.3 to 2 s, so they are tested now.
"""

from __future__ import annotations

import csv
import functools
import shutil

import pytest

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest.extract import extract
from kmsearch.types import Document
from tests.helpers import REAL_CORPUS

CORPUS = REAL_CORPUS
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"real corpus not found at {CORPUS}", allow_module_level=True)

MAX_BYTES = 5 * 1024 * 1024
MAX_DOCX_UNITS = 2000
# The files left out, and why: the slowest DOCX (python-docx reads every paragraph and table cell).
SLOW_DOCX = {
    "us-docx-pptx/US-DOJ-EOUST_Handbook-for-Chapter-13-Standing-Trustees_2012__handbook-872p.docx": "8,140 paragraphs",
    "people-za-parliament-questions-interests/members-interests__Register_of_Members_Interests_2022.docx":
        "13,204 paragraphs, mostly table cells",
}
SCANNED = "scanned-us-nara-jfk"

with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
    ROWS = list(csv.DictReader(fh, delimiter="\t"))


def selected(row: dict[str, str]) -> bool:
    if row["ext"] not in ("pdf", "docx", "pptx") or row["group"].startswith(SCANNED):
        return False
    if int(row["bytes"]) > MAX_BYTES:
        return False
    return not (row["ext"] == "docx" and int(row["units"]) > MAX_DOCX_UNITS)


CASES = [row for row in ROWS if selected(row)]
SKIPPED = [
    row["path"]
    for row in ROWS
    if row["ext"] in ("pdf", "docx", "pptx") and not row["group"].startswith(SCANNED) and not selected(row)
]


@functools.cache
def extracted(path: str) -> Document | ExtractionError:
    try:
        return extract(CORPUS / path, Settings(ocr=False))
    except ExtractionError as exc:
        return exc


def test_manifest_is_what_this_module_expects() -> None:
    assert {"path", "group", "ext", "bytes", "units", "text_chars"} <= set(ROWS[0])
    assert len(ROWS) == 174, "corpus-real changed: check the counts and SLOW_DOCX below"
    assert len(CASES) >= 160
    assert len(SKIPPED) <= 2, SKIPPED
    assert set(SKIPPED) == set(SLOW_DOCX), SKIPPED  # each file left out is a known slow one, never a failure


@pytest.mark.parametrize("row", CASES, ids=[row["path"].rsplit("/", 1)[-1] for row in CASES])
def test_real_file_extracts_or_fails_cleanly(row: dict[str, str]) -> None:
    result = extracted(row["path"])  # any exception other than ExtractionError fails the test here
    if isinstance(result, ExtractionError):
        assert result.path == str(CORPUS / row["path"]) and result.reason
        return
    assert result.format == row["ext"]
    assert [p.number for p in result.pages] == list(range(1, len(result.pages) + 1))
    if row["ext"] in ("pdf", "pptx"):  # DOCX pagination is Word's, only approximated from the file
        assert len(result.pages) == int(row["units"])
    if int(row["text_chars"]) > 0:
        assert result.text.strip()
        assert result.title
    assert "\ufffe" not in result.text  # PDFium's line-end hyphen marker never leaks into the text


def test_almost_every_real_file_with_text_extracts() -> None:
    failed = [
        row["path"]
        for row in CASES
        if int(row["text_chars"]) > 0 and isinstance(extracted(row["path"]), ExtractionError)
    ]
    assert len(failed) <= len(CASES) // 20, failed


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_ocr_of_a_real_scanned_record() -> None:
    scans = [row for row in ROWS if row["group"].startswith(SCANNED) and row["ext"] == "pdf"]
    row = min(scans, key=lambda r: int(r["bytes"]))
    doc = extract(CORPUS / row["path"], Settings(ocr=True))
    assert len(doc.pages) == int(row["units"])
    assert all(page.ocr for page in doc.pages if page.blocks)
    assert any(page.ocr for page in doc.pages)
    words = [w for w in doc.text.split() if sum(c.isalpha() for c in w) >= 4]
    assert len(words) >= 20, doc.text
