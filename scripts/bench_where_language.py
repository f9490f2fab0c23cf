"""Where-is with a language named, on the Constitution's seven editions (../shared/corpus-real/za-sa-languages).

    python scripts/bench_where_language.py --index /tmp/ed-index "Molaotheo" "Molaotheo in Setswana" ...

Ingests the 8 documents of za-sa-languages (temporary copies) with the tests' hashed bag of words (no model: the
editions' text is not English), once per index folder, and prints where-is's top 5 for each request. The figures
are in docs/benchmarks.md ("A language named in a request").
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search.where import where_is
from kmsearch.testing import FAKE_MODEL, FakeEmbedder

LANGS = Path(__file__).resolve().parents[2] / "shared" / "corpus-real" / "za-sa-languages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("requests", nargs="+")
    args = parser.parse_args()
    settings, embedder = Settings(index_dir=args.index, model=FAKE_MODEL, ocr=False), FakeEmbedder()
    if not (args.index / "manifest.json").exists():
        with tempfile.TemporaryDirectory() as folder:
            for path in sorted(LANGS.glob("*.pdf")):  # copies: ingest refuses a symlink leading outside its folder
                shutil.copyfile(path, Path(folder) / path.name)
            ingest([Path(folder)], settings, embedder)
    index = Index.open(settings, embedder)
    for request in args.requests:
        found = where_is(index, request)
        print(f"{request!r}: " + ", ".join(f"{Path(f.path).stem.rsplit('-', 1)[-1]} {f.score:.2f}" for f in found))


if __name__ == "__main__":
    main()
