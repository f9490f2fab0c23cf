"""How long the hostile-file corpus (tests/hostile.py) takes to ingest, file by file, and how long line joining
takes on long text: the times that tests/ingest/test_hostile.py used to assert, measured here instead.

Run by hand: PYTHONPATH=. python scripts/bench_hostile.py [--lines 50000]

With the fake embedder (the model is not what is measured), OCR on, max_pages 1000 and max_chars 2,000,000, as
the test runs it. Prints the total, the slowest files, and the joining time as Markdown.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.ingest import clean
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests import hostile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000, help="lines in the one paragraph joined")
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hostile"
        started = time.perf_counter()
        hostile.build(folder)
        built = time.perf_counter() - started
        settings = Settings(index_dir=Path(tmp) / "index", model=FAKE_MODEL, ocr=True, max_pages=1000,
                            max_chars=2_000_000)
        started = time.perf_counter()
        report = ingest([folder], settings, FakeEmbedder())
        total = time.perf_counter() - started
    print(f"hostile corpus: {len(report.files)} files built in {built:.1f} s, ingested in {total:.1f} s\n")
    print("| file | status | seconds |\n|---|---|---:|")
    for f in sorted(report.files, key=lambda f: -f.seconds)[: args.slowest]:
        print(f"| {Path(f.path).name} | {f.status} | {f.seconds:.2f} |")
    lines = [f"line {i} of a registry export with a few words" for i in range(args.lines)]
    started = time.perf_counter()
    clean.text_to_blocks("\n".join(lines))
    clean.lines_to_blocks(lines)
    print(f"\njoining {args.lines} lines (text_to_blocks and lines_to_blocks): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
