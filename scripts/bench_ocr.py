"""OCR speed against accuracy: Tesseract at several resolutions, with and without its inverted-text pass.

Run by hand: python scripts/bench_ocr.py [--corpus DIR] [--pages N]. Prints Markdown for docs/benchmarks.md.

Scanned pages cost more CPU than anything else an ingest does, so the resolution they are rendered at for
Tesseract matters. Two sets of pages from ../shared/corpus-real:
- "scans with known text": pages of born-digital PDFs, printed to a 300 dpi black-and-white image (as a
  scanner or fax does) and wrapped in an image-only PDF, so the PDF's own text layer is the ground truth.
  Accuracy is word recall and precision against it (bags of lower-cased words, so reading order in tables
  does not count against OCR).
- "real scans": the image-only US National Archives pages, which have no ground truth. The proxy is how
  many of the words found are dictionary words (the model tokenizer's whole-word vocabulary).
Each configuration goes through kmsearch's own PDF OCR path; CPU seconds are Tesseract's (child process).
"""

from __future__ import annotations

import argparse
import platform
import re
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

from kmsearch.config import Settings
from kmsearch.ingest.extract import pdf as pdf_extract

WORD = re.compile(r"[a-z0-9]{2,}")
CONFIGS = [(300, True), (300, False), (200, True), (200, False), (150, False)]


def words(text: str) -> Counter:
    return Counter(WORD.findall(text.lower()))


def known_text_pages(corpus: Path, want: int, workdir: Path) -> list[tuple[str, Path, Counter]]:
    """Born-digital pages with at least 600 characters of text, spread over the groups; each printed to a
    300 dpi 1-bit image in an image-only PDF of its own."""
    candidates = []
    for path in sorted(corpus.rglob("*.pdf")):
        if "scanned" in str(path) or "gazette" in str(path):  # the gazette's text layer is scanner noise
            continue
        pdf = pdfium.PdfDocument(str(path))
        for i in range(min(len(pdf), 3)):
            text = pdf[i].get_textpage().get_text_range()
            if len(text) >= 600:
                candidates.append((path, i, text))
        pdf.close()
    step = max(1, len(candidates) // want)
    out = []
    for path, i, text in candidates[::step][:want]:
        pdf = pdfium.PdfDocument(str(path))
        image = pdf[i].render(scale=300 / 72, grayscale=True).to_pil().point(lambda v: 255 if v > 160 else 0, "1")
        pdf.close()
        target = workdir / f"{path.stem}-p{i + 1}.pdf"
        image.save(target, "PDF", resolution=300)
        out.append((f"{path.parent.name}/{path.name} p{i + 1}", target, words(text)))
    return out


def real_scan_pages(corpus: Path, per_file: int) -> list[tuple[str, Path, int]]:
    out = []
    for path in sorted((corpus / "scanned-us-nara-jfk").glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        out += [(f"{path.name} p{i + 1}", path, i) for i in range(min(len(pdf), per_file))]
        pdf.close()
    return out


def ocr(path: Path, index: int, settings: Settings) -> tuple[str, float]:
    """One page through kmsearch's PDF OCR path; Tesseract CPU seconds from the child-process clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pdf = pdfium.PdfDocument(str(path))
    try:
        text = pdf_extract._ocr_page(pdf[index], settings, [])
    finally:
        pdf.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return text, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def dictionary() -> set[str]:
    """The default model's whole-word vocabulary (about 22,000 English words)."""
    from kmsearch.config import DEFAULT_MODEL
    from kmsearch.index.embed import model_folder, resolve_model

    vocab = (model_folder(resolve_model(DEFAULT_MODEL)) / "vocab.txt").read_text(encoding="utf-8").split()
    return {w for w in vocab if w.isalpha() and len(w) > 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus-real")
    parser.add_argument("--pages", type=int, default=30, help="born-digital pages to print and OCR")
    parser.add_argument("--scan-pages", type=int, default=3, help="pages per real scanned file")
    args = parser.parse_args()

    vocab = dictionary()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        known = known_text_pages(args.corpus, args.pages, Path(tmp))
        scans = real_scan_pages(args.corpus, args.scan_pages)
        for dpi, invert in CONFIGS:
            settings = Settings().replace(ocr_dpi=dpi, ocr_invert=invert)
            cpu_known = found = right = truth = 0
            for _, path, expected in known:
                text, cpu = ocr(path, 0, settings)
                got = words(text)
                cpu_known += cpu
                found += sum(got.values())
                right += sum((got & expected).values())
                truth += sum(expected.values())
            cpu_scan = scan_words = scan_dict = 0
            for _, path, index in scans:
                text, cpu = ocr(path, index, settings)
                cpu_scan += cpu
                found_words = re.findall(r"[A-Za-z]{2,}", text)
                scan_words += len(found_words)
                scan_dict += sum(w.lower() in vocab for w in found_words)
            rows.append((dpi, invert, cpu_known / len(known), right / truth, right / max(found, 1),
                         cpu_scan / len(scans), scan_words, scan_dict))
            print(f"done {dpi} dpi invert={invert}", flush=True)

    print(f"\n{time.strftime('%Y-%m-%d')}, {platform.node()}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}; {len(known)} printed born-digital pages, {len(scans)} real scanned pages\n")
    print("| dpi | inverted-text pass | printed pages: CPU s/page | word recall | word precision "
          "| real scans: CPU s/page | words | dictionary words |")
    print("|---|---|---|---|---|---|---|---|")
    for dpi, invert, cpu_k, recall, precision, cpu_s, n, d in rows:
        print(f"| {dpi} | {'on' if invert else 'off'} | {cpu_k:.2f} | {recall:.3f} | {precision:.3f} "
              f"| {cpu_s:.2f} | {n:,} | {d:,} |")
    print("\nPages used:", ", ".join(name for name, _, _ in known))


if __name__ == "__main__":
    main()
