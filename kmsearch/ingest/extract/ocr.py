"""OCR through Tesseract (pytesseract), for scanned PDF pages and image files."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.types import Document, Page

log = logging.getLogger(__name__)
TESSERACT_MISSING = "OCR skipped: the tesseract program is not installed (apt-get install tesseract-ocr)"


def ocr_image(image: Image.Image, settings: Settings, warnings: list[str]) -> str:
    """Text of one page image; a missing Tesseract is a warning on the document, not a failure."""
    import pytesseract

    try:
        return pytesseract.image_to_string(image, lang=settings.ocr_language)
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
                text = clean.normalise(ocr_image(img.convert("L"), settings, warnings))
                pages.append(Page(number, tuple(clean.lines_to_blocks(text.split("\n"))), ocr=True))
    except (OSError, Image.DecompressionBombError) as exc:
        raise ExtractionError(str(path), f"unreadable image ({exc})") from exc
    return Document(path=str(path), format="image", title="", pages=tuple(pages), warnings=tuple(warnings))
