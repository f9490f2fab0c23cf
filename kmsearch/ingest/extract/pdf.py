"""PDF text with pypdfium2 (PDFium): fast, good reading order, and it renders pages for OCR."""

from __future__ import annotations

import logging
import statistics
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.ingest.extract.ocr import BLANK_CHECK_DPI, is_blank, ocr_image
from kmsearch.ingest.extract.props import pdf_date
from kmsearch.types import Document, Page

log = logging.getLogger(__name__)
MIN_TEXT_CHARS = 20  # a page with less text than this is treated as scanned
COVER_PAGES = 2  # pages searched for a printed title
COVER_FACTOR = 1.3  # a title's text is at least this many times the body text's size
COVER_LINES = 4
SLIDE_CHARS = 900  # text per page under which landscape pages are slides, not a report printed sideways


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
        boxes: list[list[clean.Box | None]] = []
        ocr_pages: set[int] = set()
        cover = ""
        landscape = 0
        for i in range(n_pages):
            page = pdf[i]
            textpage = page.get_textpage()
            lines, places = page_lines(textpage, page.get_height())
            if i < COVER_PAGES and not cover:
                cover = cover_title(textpage)
            width, height = page.get_size()
            landscape += width > height
            textpage.close()
            if sum(len(line.replace(" ", "")) for line in lines) < MIN_TEXT_CHARS and settings.ocr:
                ocr_text = _ocr_page(page, settings, warnings)
                if ocr_text:
                    lines = clean.normalise(ocr_text).split("\n")
                    places = [None] * len(lines)
                    ocr_pages.add(i + 1)
            page.close()
            raw.append(lines)
            boxes.append(places)
        meta = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()

    raw = clean.strip_repeated_lines(raw, boxes)
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
        cover_title=cover,
        slides=landscape >= 0.8 * n_pages and sum(map(len, map("".join, raw))) < SLIDE_CHARS * n_pages,
    )


def _lines_with_sizes(textpage: pdfium.PdfTextPage) -> list[tuple[str, float]]:
    """The page's lines in PDFium's order, each with the median height of its characters' loose boxes (the
    font's size as drawn, whatever the text matrix: FPDFText_GetFontSize reads 1.0 on many real files)."""
    lines: list[tuple[str, float]] = []
    chars: list[str] = []
    heights: list[float] = []
    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
        if char in "\r\n":
            if chars and heights:
                lines.append((clean.normalise("".join(chars)), statistics.median(heights)))
            chars, heights = [], []
            continue
        chars.append(char)
        if not char.isspace():
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            heights.append(round(top - bottom, 1))
    if chars and heights:
        lines.append((clean.normalise("".join(chars)), statistics.median(heights)))
    return [(text, size) for text, size in lines if text]


def cover_title(textpage: pdfium.PdfTextPage) -> str:
    """The largest text on a page, as a title: the first run of lines at least COVER_FACTOR times the body's size
    and within 80% of the largest, at most COVER_LINES lines. "" when nothing stands out (a page of body text)."""
    from kmsearch.ingest.extract.titles import is_boilerplate, is_junk

    lines = _lines_with_sizes(textpage)
    if not lines:
        return ""
    body = statistics.median([size for text, size in lines for _ in text])
    big = [(i, text, size) for i, (text, size) in enumerate(lines) if size >= COVER_FACTOR * body and not
           clean.is_running_head(text) and not is_boilerplate(text)]
    if not big:
        return ""
    for _ in range(2):  # the largest run, or when that is one word (a logo: "neighbourhood"), the next largest
        top = max(size for _, _, size in big)
        run: list[tuple[int, str]] = []
        for i, text, size in big:
            if size < 0.8 * top:
                continue
            if run and i > run[-1][0] + 2 or len(run) == COVER_LINES:  # one smaller line may stand between
                break
            run.append((i, text))
        title = " ".join(text for _, text in run)
        taken = {i for i, _ in run}
        big = [line for line in big if line[0] not in taken]
        if len(title.split()) > 1 or not big:
            break
    return "" if is_junk(title) else title


def page_lines(textpage: pdfium.PdfTextPage, height: float) -> tuple[list[str], list[clean.Box | None]]:
    """A page's lines of text, normalised, and where each stands: the top and bottom of its first character, as
    fractions of the page's height from the top (None where PDFium's character index and its text disagree)."""
    text = textpage.get_text_range()
    count = textpage.count_chars()
    lines: list[str] = []
    boxes: list[clean.Box | None] = []
    offset = 0
    for raw in text.split("\r\n"):
        first = next((k for k, c in enumerate(raw) if not c.isspace()), None)
        box = None
        # Each character of the text is one of PDFium's characters, line breaks included ("\r\n" is two), except
        # a character outside the Basic Multilingual Plane; check the index still points at the same character.
        if first is not None and offset + first < count and height > 0:
            index = offset + first
            if pdfium_c.FPDFText_GetUnicode(textpage, index) == ord(raw[first]):
                _, bottom, _, top = textpage.get_charbox(index, loose=True)
                box = (1 - top / height, 1 - bottom / height)
        # Normalised line by line, so that each line keeps its place (dot leaders no longer join two lines)
        for part in clean.normalise(raw).split("\n"):
            lines.append(part)
            boxes.append(box)
        offset += len(raw) + 2
    return lines, boxes


def _ocr_page(page: pdfium.PdfPage, settings: Settings, warnings: list[str]) -> str:
    if is_blank(page.render(scale=BLANK_CHECK_DPI / 72, grayscale=True).to_pil()):
        return ""
    image = page.render(scale=settings.ocr_dpi / 72, grayscale=True).to_pil()
    return ocr_image(image, settings, warnings)
