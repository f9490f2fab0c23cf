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
from kmsearch.language import detector

# A passage long enough to be detected: lingua loads its language models on the first detection, which must not
# fall inside a file's time and memory limits (a worker's first document paid ~1 s and ~100 MB for it).
detector().detect_language_of("The committee approved the strategy and asked the department to report back on "
                              "the records management policy before the end of the financial year.")
_pdf = pdfium.PdfDocument.new()
_pdf.new_page(100, 100).close()
_pdf.close()
del _pdf
