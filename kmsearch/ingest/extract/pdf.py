"""PDF text with pypdfium2 (PDFium): fast, good reading order, and it renders pages for OCR."""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.ingest.extract.ocr import BLANK_CHECK_DPI, is_blank, ocr_image
from kmsearch.ingest.extract.props import pdf_date
from kmsearch.types import Document, Page

log = logging.getLogger(__name__)
MIN_TEXT_CHARS = 20  # a page with less text than this is treated as scanned


def extract_pdf(path: Path, settings: Settings) -> Document:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ExtractionError(str(path), "encrypted PDF that needs a password") from exc
        raise ExtractionError(str(path), f"corrupt or unreadable PDF ({reason})") from exc
    warnings: list[str] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ExtractionError(str(path), "PDF has no pages")
        if n_pages > settings.max_pages:
            warnings.append(f"only the first {settings.max_pages} of {n_pages} pages were read (max_pages)")
            n_pages = settings.max_pages
        raw: list[list[str]] = []
        ocr_pages: set[int] = set()
        for i in range(n_pages):
            page = pdf[i]
            textpage = page.get_textpage()
            text = clean.normalise(textpage.get_text_range())
            textpage.close()
            if len(text.replace("\n", "").replace(" ", "")) < MIN_TEXT_CHARS and settings.ocr:
                ocr_text = _ocr_page(page, settings, warnings)
                if ocr_text:
                    text = clean.normalise(ocr_text)
                    ocr_pages.add(i + 1)
            page.close()
            raw.append(text.split("\n"))
        meta = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()

    raw = clean.strip_repeated_lines(raw)
    pages = []
    for number, lines in enumerate(raw, start=1):
        lines = clean.strip_page_number(lines, number)
        pages.append(Page(number, tuple(clean.lines_to_blocks(lines)), ocr=number in ocr_pages))
    authors = tuple(a.strip() for a in meta.get("Author", "").replace(";", ",").split(",") if a.strip())
    return Document(
        path=str(path),
        format="pdf",
        title=meta.get("Title", "").strip(),
        pages=tuple(pages),
        authors=authors,
        created=pdf_date(meta.get("CreationDate")),
        modified=pdf_date(meta.get("ModDate")),
        warnings=tuple(warnings),
    )


def _ocr_page(page: pdfium.PdfPage, settings: Settings, warnings: list[str]) -> str:
    if is_blank(page.render(scale=BLANK_CHECK_DPI / 72, grayscale=True).to_pil()):
        return ""
    image = page.render(scale=settings.ocr_dpi / 72, grayscale=True).to_pil()
    return ocr_image(image, settings, warnings)
