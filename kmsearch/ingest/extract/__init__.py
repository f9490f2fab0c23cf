"""`extract(path, settings) -> Document`: pick the extractor by content, then fill in the metadata it could not."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest.extract.genres import guess_type
from kmsearch.ingest.extract.titles import choose_title
from kmsearch.ingest.sniff import sniff
from kmsearch.types import Document

_DATE = re.compile(
    r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+"
    r"((?:19|20)\d{2})\b"
)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]


def extract(path: Path, settings: Settings | None = None) -> Document:
    """Read one file into a Document with title, dates, language and type filled in where they can be."""
    settings = settings or Settings()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror})") from exc
    if size > settings.max_file_mb * 1024 * 1024:
        raise ExtractionError(str(path), f"file is {size / 2**20:.1f} MB, over max_file_mb={settings.max_file_mb:g}")
    try:
        kind = sniff(path)
        doc = _dispatch(path, kind, settings)
    except PermissionError as exc:
        raise ExtractionError(str(path), "permission denied") from exc
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
    if not any(page.blocks for page in doc.pages):
        reason = "no text found"
        if doc.warnings:
            reason += f" ({'; '.join(doc.warnings)})"
        raise ExtractionError(str(path), reason)
    return finalise(cap_text(doc, settings.max_chars))


def too_much_text(max_chars: int) -> str:
    return f"only the first {max_chars:,} characters of text were kept (max_chars)"


def cap_text(doc: Document, max_chars: int) -> Document:
    """Keep the first `max_chars` characters of text (the last block cut short), with a warning."""
    if sum(len(b.text) for p in doc.pages for b in p.blocks) <= max_chars:
        return doc
    pages, room = [], max_chars
    for page in doc.pages:
        if room <= 0:
            break
        blocks = []
        for block in page.blocks:
            if room <= 0:
                break
            blocks.append(block if len(block.text) <= room else dataclasses.replace(block, text=block.text[:room]))
            room -= len(block.text)
        pages.append(dataclasses.replace(page, blocks=tuple(blocks)))
    warnings = doc.warnings if too_much_text(max_chars) in doc.warnings else (*doc.warnings, too_much_text(max_chars))
    return dataclasses.replace(doc, pages=tuple(pages), warnings=warnings)


def _dispatch(path: Path, kind: str, settings: Settings) -> Document:
    if kind == "pdf":
        from kmsearch.ingest.extract.pdf import extract_pdf

        return extract_pdf(path, settings)
    if kind in ("docx", "pptx"):
        from kmsearch.ingest.extract.office import extract_docx, extract_pptx

        return extract_docx(path) if kind == "docx" else extract_pptx(path)
    if kind == "image":
        if not settings.ocr:
            raise ExtractionError(str(path), "image file and OCR is turned off")
        from kmsearch.ingest.extract.ocr import extract_image

        return extract_image(path, settings)
    from kmsearch.ingest.extract.web import extract_html, extract_text

    return extract_html(path) if kind == "html" else extract_text(path, kind, settings.max_chars)


def finalise(doc: Document) -> Document:
    """Title (properties, else first heading, else file name), date, language and document type."""
    title = choose_title(doc)
    text = doc.text
    created = doc.created or first_date(text[:3000])
    return dataclasses.replace(
        doc,
        title=title[:300],
        created=created,
        language=document_language(doc.language, text),
        doc_type=guess_type(doc.format, Path(doc.path).name, title, text[:4000], doc.slides),
    )


def first_date(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:  # "31 February 2009" (or OCR's "39 March") is no date
        return date(int(m.group(3)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))).isoformat()
    except ValueError:
        return None


def document_language(metadata: str | None, text: str) -> str | None:
    """The detector's answer, except where the file's own metadata names a language the detector cannot tell
    (Sepedi, siSwati, isiNdebele, Tshivenda): metadata is often a template's default ('en-US' on an Afrikaans
    letter), so it only decides where detection cannot, or finds nothing."""
    from kmsearch import language

    declared = language.normalise(metadata)
    if declared in language.UNDETECTED:
        return declared
    return (language.detect_document(text) if text.strip() else None) or declared


def detect_language(text: str) -> str | None:
    """The language of a text (kmsearch.language.detect_document)."""
    from kmsearch.language import detect_document

    return detect_document(text)


__all__ = ["ExtractionError", "cap_text", "extract", "finalise", "guess_type"]
