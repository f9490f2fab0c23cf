"""OCR through Tesseract (pytesseract), for scanned PDF pages and image files."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from PIL import Image, ImageStat

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.types import Document, Page

log = logging.getLogger(__name__)
# Tesseract's OpenMP threads fight the embedding model and the other extraction workers for the same cores:
# one thread per page measured 7.1 s against 10.7 s a page on this 2-core machine under ingest load.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
TESSERACT_MISSING = "OCR skipped: the tesseract program is not installed (apt-get install tesseract-ocr)"
BLANK_CHECK_DPI = 50  # enough to see a line of text, and a page renders in a fraction of a millisecond


def is_blank(image: Image.Image) -> bool:
    """A page with nothing to read: (nearly) one colour, or a speck or two on it. OCR of a blank page costs half
    a second, and a scanner left running makes thousands; this check costs well under a millisecond at 50 dpi."""
    gray = image.convert("L")
    lo, hi = gray.getextrema()
    return bool(hi - lo < 32 or ImageStat.Stat(gray).stddev[0] < 1.0)


# Called before each page goes to Tesseract: an extraction worker sets it to tell the parent, which then gives
# the file `ocr_page_timeout_s` more (kmsearch/ingest/workers.py). None outside a worker.
on_ocr_page: Callable[[], None] | None = None


def ocr_image(image: Image.Image, settings: Settings, warnings: list[str]) -> str:
    """Text of one page image; a missing Tesseract is a warning on the document, not a failure."""
    import pytesseract

    if on_ocr_page is not None:
        on_ocr_page()

    try:
        config = "" if settings.ocr_invert else "-c tessedit_do_invert=0"
        return pytesseract.image_to_string(image, lang=settings.ocr_language, config=config)
    except pytesseract.TesseractNotFoundError:
        if TESSERACT_MISSING not in warnings:
            warnings.append(TESSERACT_MISSING)
        return ""
    except pytesseract.TesseractError as exc:
        warnings.append(f"OCR failed on a page: {exc}")
        return ""


def extract_image(path: Path, settings: Settings) -> Document:
    """A scanned image (PNG, JPEG, TIFF; each TIFF frame a page)."""
    warnings: list[str] = []
    pages = []
    try:
        with Image.open(path) as img:
            for number in range(1, min(getattr(img, "n_frames", 1), settings.max_pages) + 1):
                img.seek(number - 1)
                frame = img.convert("L")
                small = frame.reduce(max(1, round(frame.width / (8.27 * BLANK_CHECK_DPI))))  # as if A4 at 50 dpi
                text = "" if is_blank(small) else clean.normalise(ocr_image(frame, settings, warnings))
                pages.append(Page(number, tuple(clean.lines_to_blocks(text.split("\n"))), ocr=True))
    except (OSError, Image.DecompressionBombError) as exc:
        raise ExtractionError(str(path), f"unreadable image ({exc})") from exc
    return Document(path=str(path), format="image", title="", pages=tuple(pages), warnings=tuple(warnings))
