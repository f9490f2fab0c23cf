"""Lexical before/after on real non-English documents: judged Afrikaans, isiZulu and isiXhosa queries.

Run by hand, once with this checkout and once with an older one on PYTHONPATH (the "before"):
    python scripts/bench_language_search.py --index DIR [--corpus DIR] [--label TEXT]
Prints Markdown rows for docs/benchmarks.md.

The index holds the eight za-sa-languages documents, the two French ones and four English ones, ingested with the
default model (English MiniLM), or with --fake-embedder the tests' hashed bag of words (quick; its "hybrid" is a
language-blind stand-in for a multilingual model, not a real model's figure). The judged queries are in
tests/data/judged/languages/queries.tsv, written by reading the documents: each names the pages (document and page)
that answer it. A passage is relevant when its page is one of those; the ranking scored is the passage ranking
Searcher.score_chunks produces (before grouping by document), nDCG@10 with binary gains and success@3.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher
from kmsearch.search.filters import Filters

HERE = Path(__file__).resolve().parents[1]
JUDGED = HERE / "tests/data/judged/languages/queries.tsv"
EXTRA = [
    "pdfplumber-gov/2023-06-20-PV.pdf", "pdfplumber-gov/chelsea_pdta.pdf",
    "za-openup/idp-process-guide/003-understanding-municipal-budgets.pdf",
    "za-openup/idp-process-guide/001-understanding-the-idp.pdf",
    "people-za-fasset-seta/images__Language_Policy.pdf", "pdfplumber-gov/federal-register-2020-17221.pdf",
]


def link_name(relative: str) -> str:
    return relative.replace("/", "__")


def judged() -> list[tuple[str, str, str, set[tuple[str, int]]]]:
    rows = []
    for line in JUDGED.read_text(encoding="utf-8").splitlines()[1:]:
        qid, lang, query, relevant = line.split("\t")
        pages = {(link_name(p.rsplit(":", 1)[0]), int(p.rsplit(":", 1)[1])) for p in relevant.split(";")}
        rows.append((qid, lang, query, pages))
    return rows


def build(corpus: Path, index_dir: Path, fake: bool) -> Index:
    """Ingest the documents (links in a scratch folder, so nothing is copied) unless the index exists."""
    settings = Settings().replace(index_dir=index_dir)
    embedder = None
    if fake:  # the hashed bag of words: a quick, language-blind stand-in for a multilingual model
        from kmsearch.testing import FAKE_MODEL, FakeEmbedder

        settings, embedder = settings.replace(model=FAKE_MODEL), FakeEmbedder()
    if not (index_dir / "manifest.json").exists():
        folder = Path(tempfile.mkdtemp(prefix="kmsearch-lang-"))
        files = sorted((corpus / "za-sa-languages").glob("*.pdf")) + [corpus / rel for rel in EXTRA]
        for path in files:
            link = folder / link_name(path.relative_to(corpus).as_posix())
            os.symlink(path, link)
        ingest([folder], settings, embedder)
    return Index.open(settings, embedder)


def passage_pages(index: Index) -> dict[int, tuple[str, int]]:
    """Every passage's (document link name, page)."""
    paths = {d.doc_id: d.path for d in index.catalog.iter_documents()}
    return {c.chunk_id: (Path(paths[c.doc_id]).name, c.page) for c in index.catalog.iter_chunks()}


def scores(searcher: Searcher, pages: dict[int, tuple[str, int]], query: str, mode: str,
           relevant: set[tuple[str, int]]) -> tuple[float, float]:
    """nDCG@10 (binary gain per passage on a relevant page) and success@3 of the passage ranking."""
    found = searcher.score_chunks(query, 10, mode, Filters(), searcher.settings.fusion)
    ranked = [pages[c] for c in sorted(found, key=lambda c: -found[c])[:10]]
    dcg = sum(1 / math.log2(i + 2) for i, page in enumerate(ranked) if page in relevant)
    n_relevant = sum(page in relevant for page in pages.values())
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, n_relevant)))
    return (dcg / ideal if ideal else 0.0), float(any(page in relevant for page in ranked[:3]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "shared/corpus-real")
    parser.add_argument("--index", type=Path, required=True, help="scratch index folder (built when absent)")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--fake-embedder", action="store_true", help="kmsearch.testing's hashed bag of words")
    parser.add_argument("--afrikaans-stemmer", default=None, help="try a Snowball stemmer on Afrikaans, e.g. dutch")
    args = parser.parse_args()
    if args.afrikaans_stemmer:
        from kmsearch.index import analysis

        analysis.ANALYSES["af"] = analysis.Analysis(args.afrikaans_stemmer, analysis.ANALYSES["af"].stopwords)
    corpus = args.corpus if args.corpus.is_dir() else Path("/work/shared/corpus-real")
    index = build(corpus, args.index, args.fake_embedder)
    searcher, pages = Searcher(index), passage_pages(index)
    for mode in ("bm25", "hybrid"):
        by_lang: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for _, lang, query, relevant in judged():
            by_lang[lang].append(scores(searcher, pages, query, mode, relevant))
        cells = []
        for lang in ("af", "zu", "xh"):
            got = by_lang[lang]
            cells.append(f"{sum(g[0] for g in got) / len(got):.3f} / {sum(g[1] for g in got) / len(got):.2f}")
        print(f"| {args.label} | {mode} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
