"""Title and type accuracy on the hand-judged real files (tests/data/judged/real/titles.tsv).

Each judged file is extracted as ingest does (`kmsearch.ingest.extract.extract`, OCR on) and its title and type
compared with the judgement. A title is right when, case, accents and punctuation aside, it equals the judged
title or one of its acceptable forms (the `also` column); a type is right when it is the judged type. The set
was judged from the documents alone (tests/data/judged/real/titles.md); rules were tuned on the `tune` half and
are reported on both halves.

    python scripts/bench_titles.py              # print the table and each miss
    python scripts/bench_titles.py --write      # also record the figures in docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import csv
import platform
import re
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kmsearch.config import Settings  # noqa: E402
from kmsearch.ingest.extract import extract  # noqa: E402

JUDGED = REPO / "tests" / "data" / "judged" / "real" / "titles.tsv"
CORPUS = REPO.parent / "shared" / "corpus-real"


def normal(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def judged() -> list[dict[str, str]]:
    with open(JUDGED, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def title_right(title: str, row: dict[str, str]) -> bool:
    accepted = [row["title"]] + [t for t in row["also"].split(" | ") if t.strip()]
    return normal(title) in {normal(t) for t in accepted}


def measure(rows: list[dict[str, str]], settings: Settings) -> list[dict[str, object]]:
    results = []
    for row in rows:
        started = time.perf_counter()
        try:
            doc = extract(CORPUS / row["path"], settings)
            title, doc_type = doc.title, doc.doc_type
        except Exception as exc:  # noqa: BLE001 - a failed file counts as wrong, and is shown
            title, doc_type = f"<{type(exc).__name__}: {exc}>", "<failed>"
        results.append({"row": row, "title": title, "type": doc_type, "seconds": time.perf_counter() - started,
                        "title_ok": title_right(title, row), "type_ok": doc_type == row["type"]})
    return results


def table(results: list[dict[str, object]]) -> list[str]:
    lines = ["| split | files | title right | type right |", "|---|---:|---:|---:|"]
    for split in ("tune", "heldout", "all"):
        part = [r for r in results if split == "all" or r["row"]["split"] == split]
        if not part:
            continue
        titles = sum(bool(r["title_ok"]) for r in part)
        types = sum(bool(r["type_ok"]) for r in part)
        lines.append(f"| {split} | {len(part)} | {titles} ({titles / len(part):.0%}) | "
                     f"{types} ({types / len(part):.0%}) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="record the figures in docs/benchmarks.md")
    parser.add_argument("--label", default="now", help="what this run measures (e.g. 'before', 'after')")
    parser.add_argument("--split", choices=("tune", "heldout", "all"), default="all")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} not found: the real corpus is needed")
    rows = [r for r in judged() if args.split == "all" or r["split"] == args.split]
    results = measure(rows, Settings(ocr=True))
    for r in results:
        if not (r["title_ok"] and r["type_ok"]):
            row = r["row"]
            print(f"[{row['split']}] {row['path']}")
            if not r["title_ok"]:
                print(f"    title {r['title']!r}\n    judged {row['title']!r}")
            if not r["type_ok"]:
                print(f"    type  {r['type']!r}, judged {row['type']!r}")
    lines = table(results)
    print("\n".join(lines))
    if args.write:
        write(lines, args.label)


def write(lines: list[str], label: str) -> None:
    from importlib.metadata import version

    doc = REPO / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    heading = "## Titles and types of real files"
    block = "\n".join([
        f"### {label}", "",
        f"{date.today().isoformat()}, {platform.machine()} {platform.system()}, Python {platform.python_version()}, "
        f"pypdfium2 {version('pypdfium2')}, ftfy {version('ftfy')}; `python scripts/bench_titles.py --write "
        f"--label \"{label}\"`", "", *lines, ""])
    if heading not in text:
        text = text.rstrip() + f"\n\n{heading}\n\nThe hand-judged sample: tests/data/judged/real/titles.tsv (109 " \
            "files of all 20 groups, judged from the documents; see titles.md). Rules tuned on `tune`.\n\n"
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    section = text[start:] if end < 0 else text[start:end]
    marker = f"### {label}\n"
    if marker in section:
        a = section.index(marker)
        b = section.find("\n### ", a + len(marker))
        section = section[:a] + block + ("" if b < 0 else section[b + 1:])
    else:
        section = section.rstrip() + "\n\n" + block
    text = text[:start] + section + ("" if end < 0 else text[end:])
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
