"""What an extraction worker needs, loaded once: imported by the fork server that workers are forked from.

Importing this module loads every extractor, the language identifier's model and PDFium's allocator, so none
of it is paid per worker or counted against a file's time and memory limits.
"""

from __future__ import annotations

import docx  # noqa: F401
import pptx  # noqa: F401
import pypdfium2 as pdfium
import pytesseract  # noqa: F401

import kmsearch.ingest.extract.ocr  # noqa: F401
import kmsearch.ingest.extract.office  # noqa: F401
import kmsearch.ingest.extract.pdf  # noqa: F401
import kmsearch.ingest.extract.web  # noqa: F401
from kmsearch.ingest.extract import detect_language

detect_language("The committee approved the strategy.")
_pdf = pdfium.PdfDocument.new()
_pdf.new_page(100, 100).close()
_pdf.close()
del _pdf
