"""How many header and footer lines real PDFs and PPTX keep after cleaning, in how many blocks, and what goes.

Run by hand: PYTHONPATH=. python scripts/bench_running_heads.py [FOLDER] [--show N] [--dropped]
(FOLDER: ../shared/corpus-real by default, whose MANIFEST.tsv lists the files; any other folder is walked.)

A header or footer candidate is a line of a page's raw text (PDFium's lines, in its text order; a slide's
paragraphs, its footer, date and slide-number placeholders among them) that recurs, digits aside, on at least 3
pages or slides of one document, has at least 3 letters, and stands among the first or last 4 lines of those
pages or has a running head's shape ("4 | TITLE", "Page 2 of 9"). The text order, not the page's geometry, picks
them, so that the measure does not share the cleaner's rule: a table's header row, a repeated agenda slide or a
question asked of every minister is a candidate too, and must stay. The script extracts every file as kmsearch
does (OCR off; the image-only scans are skipped), counts the candidate lines a page still has after cleaning
(a PDF's lines once `strip_repeated_lines` and `strip_page_number` have run; a slide's blocks) and the blocks
that contain one, then prints the candidates left on most pages, to be read by eye. --dropped lists, per
document, every line the header and footer rules removed. It runs on older commits too (for "before" figures),
where the PDF extractor had no `page_lines`.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest import clean
from kmsearch.ingest.extract import extract

MIN_PAGES = 3
ZONE = 4  # lines at the top and bottom of a page or slide, in text order
SCANNED = "scanned-us-nara-jfk"
PAGE_OF = re.compile(r"\bpage\s+\d+(\s+of\s+\d+)?\b", re.IGNORECASE)


def key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def raw_pdf_pages(path: Path) -> list[list[str]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(clean.normalise(textpage.get_text_range()).split("\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()


def raw_pptx_pages(path: Path) -> list[list[str]]:
    from pptx import Presentation

    def texts(shapes) -> list[str]:
        out = []
        for shape in shapes:
            if shape.shape_type == 6:
                out.extend(texts(shape.shapes))
            elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                out.extend(clean.normalise(p.text).replace("\n", " ").strip() for p in shape.text_frame.paragraphs)
        return [line for line in out if line]

    return [texts(slide.shapes) for slide in Presentation(str(path)).slides]


def candidates(pages: list[list[str]]) -> set[str]:
    """Keys of the lines that stand among a page's first or last ZONE lines, or have a running head's shape, on
    at least MIN_PAGES pages."""
    seen: Counter[str] = Counter()
    for lines in pages:
        lines = [line for line in lines if line]
        edge = set(lines[:ZONE] + lines[-ZONE:])
        seen.update({key(line) for line in lines
                     if sum(c.isalpha() for c in line) >= 3 and len(line) <= 150
                     and (line in edge or clean.is_running_head(line) or PAGE_OF.search(line))})
    return {k for k, n in seen.items() if n >= MIN_PAGES}


def cleaned_pdf_pages(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """A PDF's lines as the extractor reads them, and as they are once headers, footers and page numbers are gone."""
    import pypdfium2 as pdfium

    try:
        from kmsearch.ingest.extract.pdf import page_lines
    except ImportError:  # before the lines' places were read
        raw = raw_pdf_pages(path)
        kept = clean.strip_repeated_lines(raw)
    else:
        pdf = pdfium.PdfDocument(str(path))
        raw, boxes = [], []
        try:
            for page in pdf:
                textpage = page.get_textpage()
                lines, places = page_lines(textpage, page.get_height())
                textpage.close()
                page.close()
                raw.append(lines)
                boxes.append(places)
        finally:
            pdf.close()
        kept = clean.strip_repeated_lines(raw, boxes)
    return raw, [clean.strip_page_number(lines, n) for n, lines in enumerate(kept, start=1)]


def measure(path: Path, doc, totals: Counter[str], left: Counter[tuple[str, str]]) -> Counter[str]:
    """Count the candidates left in `doc`; return the lines cleaning removed (line -> times)."""
    fmt = doc.format
    if fmt == "pptx":
        raw = raw_pptx_pages(path)
        kept = [[b.text for b in p.blocks] for p in doc.pages]
    else:
        raw, kept = cleaned_pdf_pages(path)
    found = candidates(raw_pdf_pages(path) if fmt == "pdf" else raw)
    totals[f"{fmt} documents"] += 1
    totals[f"{fmt} pages"] += len(doc.pages)
    totals[f"{fmt} blocks"] += sum(len(p.blocks) for p in doc.pages)
    totals[f"{fmt} candidate lines (distinct, per document)"] += len(found)
    before = totals[f"{fmt} candidate lines left (on a page)"]
    for page, lines in zip(doc.pages, kept):
        here = {line for line in lines if line and key(line) in found}
        totals[f"{fmt} candidate lines left (on a page)"] += len(here)
        totals[f"{fmt} blocks with a candidate line"] += sum(any(h in b.text for h in here) for b in page.blocks)
        for line in here:
            left[(path.name, key(line))] += 1
    totals[f"{fmt} documents with one left"] += totals[f"{fmt} candidate lines left (on a page)"] > before
    if fmt == "pptx":
        return pptx_dropped(path)
    gone: Counter[str] = Counter()
    for a, b in zip(raw, kept):
        gone.update(Counter(line for line in a if line) - Counter(b))
    return gone


def pptx_dropped(path: Path) -> Counter[str]:
    """The paragraphs of footer, date and slide-number placeholders, and the blocks `without_footers` removes."""
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    from kmsearch.ingest.extract import office

    prs = Presentation(str(path))
    footers = (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.HEADER)
    gone: Counter[str] = Counter(
        clean.normalise(shape.text_frame.text).replace("\n", " ").strip() or "(empty placeholder)"
        for slide in prs.slides for shape in slide.placeholders if shape.placeholder_format.type in footers)
    if not hasattr(office, "without_footers"):  # before footers were removed
        return Counter()
    slides = [office._slide_blocks(slide, prs.slide_height or 0) for slide in prs.slides]
    for placed, kept in zip(slides, office.without_footers(slides)):
        gone.update(Counter(block.text for block, _, _ in placed) - Counter(block.text for block in kept))
    return gone


def files(folder: Path) -> list[Path]:
    manifest = folder / "MANIFEST.tsv"
    if manifest.is_file():
        with open(manifest, encoding="utf-8", newline="") as fh:
            return [folder / r["path"] for r in csv.DictReader(fh, delimiter="\t")
                    if r["ext"] in ("pdf", "pptx") and not r["group"].startswith(SCANNED) and r["text_chars"] != "0"]
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".pdf", ".pptx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "corpus-real")
    parser.add_argument("--show", type=int, default=40, help="how many remaining candidates to print")
    parser.add_argument("--dropped", action="store_true", help="list every line the header and footer rules removed")
    args = parser.parse_args()
    started = time.perf_counter()
    totals: Counter[str] = Counter()
    remaining: Counter[tuple[str, str]] = Counter()
    dropped: dict[str, Counter[str]] = {}
    for path in files(args.folder):
        try:
            doc = extract(path, Settings(ocr=False))
        except ExtractionError:
            totals["failed"] += 1
            continue
        gone = measure(path, doc, totals, remaining)
        if args.dropped:
            dropped[path.name] = gone
    for name, value in sorted(totals.items()):
        print(f"{name}: {value:,}")
    print(f"seconds: {time.perf_counter() - started:.1f}\n")
    print(f"candidates left on most pages (pages, document, line with digits as #), top {args.show}:")
    for (name, k), n in remaining.most_common(args.show):
        print(f"{n:5d}  {name[:44]:44s}  {k[:90]}")
    if args.dropped:
        print(f"\nlines removed (PDF: by the header, footer and page-number rules; PPTX: footer placeholders and the"
              f" blocks the footer rules remove): {sum(sum(c.values()) for c in dropped.values()):,} (count, line with digits as #)")
        for name, gone in sorted(dropped.items()):
            keys = Counter()
            for line, n in gone.items():
                keys[key(line)] += n
            if keys:
                print(f"## {name}")
                for k, n in keys.most_common():
                    print(f"   {n:4d} {k[:110]}")


if __name__ == "__main__":
    main()
