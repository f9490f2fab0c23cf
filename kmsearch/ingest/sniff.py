"""Decide a file's format from its bytes; the suffix only breaks ties between text formats."""

from __future__ import annotations

import zipfile
from pathlib import Path

from kmsearch.errors import ExtractionError

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".htm": "html", ".html": "html"}
IMAGE_MAGIC = {b"\x89PNG": "image", b"\xff\xd8\xff": "image", b"II*\x00": "image", b"MM\x00*": "image"}


def sniff(path: Path) -> str:
    """Return one of pdf, docx, pptx, html, markdown, csv, text, image; raise ExtractionError otherwise."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        raise ExtractionError(str(path), "empty file (0 bytes)")
    at = head.find(b"%PDF-", 0, 1024)
    if at == 0 or (at > 0 and _ends_like_pdf(path)):  # readers accept junk before the header; a text file that
        return "pdf"  # merely mentions "%PDF-" (a manifest, a note on formats) has no PDF trailer
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractionError(str(path), "legacy Office binary (.doc/.ppt/.xls) is not supported; save it as DOCX/PPTX")
    for magic, kind in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if not _looks_like_text(head):
        raise ExtractionError(str(path), "binary content of an unsupported format")
    lowered = head[:4096].lower().lstrip()
    suffix_kind = TEXT_SUFFIXES.get(path.suffix.lower())
    if suffix_kind == "html" or lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered:
        return "html"
    return suffix_kind or "text"


def _ends_like_pdf(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 2048))
        return b"%%EOF" in fh.read()


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(str(path), f"corrupt ZIP container ({exc})") from exc
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    raise ExtractionError(str(path), "ZIP archive that is neither DOCX nor PPTX")


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) * 0.01
