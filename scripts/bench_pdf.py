"""Compare pypdf and pypdfium2 text extraction on the real PDFs in ../shared/corpus-real (speed and text).

Run by hand: python scripts/bench_pdf.py [--corpus DIR]. Prints a Markdown table for docs/benchmarks.md.
Quality proxy: words that a spell-free check can see are broken, i.e. tokens glued across a missing space
(longer than 25 letters), and pages where one library finds text and the other finds none.
"""

from __future__ import annotations

import argparse
import csv
import platform
import re
import time
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

LONG = re.compile(r"[A-Za-z]{26,}")


def with_pypdf(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def with_pdfium(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for page in pdf:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        pdf.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus-real")
    args = parser.parse_args()
    rows = list(csv.DictReader(open(args.corpus / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
    pdfs = [args.corpus / r["path"] for r in rows if r["ext"] == "pdf" and r["units_without_text"] != r["units"]]
    results = {}
    for name, fn in (("pypdf " + pypdf.__version__, with_pypdf), ("pypdfium2 " + __import__("importlib.metadata").metadata.version("pypdfium2"), with_pdfium)):
        pages = chars = glued = empty = 0
        started = time.perf_counter()
        for path in pdfs:
            texts = fn(path)
            pages += len(texts)
            chars += sum(len(t) for t in texts)
            glued += sum(len(LONG.findall(t)) for t in texts)
            empty += sum(1 for t in texts if not t.strip())
        seconds = time.perf_counter() - started
        results[name] = (len(pdfs), pages, seconds, chars, glued, empty)
    print(f"Machine: {platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}\n")
    print("| library | PDFs | pages | seconds | pages/s | characters | glued words (26+ letters) | empty pages |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (n, pages, seconds, chars, glued, empty) in results.items():
        print(f"| {name} | {n} | {pages} | {seconds:.1f} | {pages / seconds:.0f} | {chars} | {glued} | {empty} |")


if __name__ == "__main__":
    main()
