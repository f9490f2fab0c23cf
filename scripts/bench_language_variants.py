"""BM25 layouts for many languages, compared on the judged af/zu/xh queries (docs/benchmarks.md, issue 20).

    python scripts/bench_language_variants.py --index DIR [VARIANT ...]

DIR is an index scripts/bench_language_search.py built (--fake-embedder); its passages, and the language
kmsearch gives each, are re-indexed here in each layout, so every variant ranks the same passages. Variants:
  before        one field, every passage analysed as English (kmsearch before issue 20)
  fields        a field per language with its own analyzer, the query analysed for each (the first pass)
  fields+max    the same, fields combined by tantivy's DisjunctionMaxQuery instead of summed
  fields+qlang  the query scored only in the language lingua detects for it (all when unsure, < 0.5)
  shared        a field per Snowball language (en fr nl de pt), one shared field, no stemmer, for the others,
                with the union of the stopwords-iso lists for af, zu and st; shared-nostop: no stop list
  one           one field; each passage analysed for its language before indexing (what lexical.py does)
  one+qlang     the same, the query analysed only for its detected language (all when unsure)
Prints Markdown rows: nDCG@10 / success@3 per language, BM25 then hybrid with the fake embedder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_language_search as bench

from kmsearch.index import analysis
from kmsearch.language import code_of, detector
from kmsearch.search import Searcher

SNOWBALL = {"en", "fr", "nl", "de", "pt"}


def plain(stopwords: list[str] | None) -> tantivy.TextAnalyzer:
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
               .filter(tantivy.Filter.lowercase()))
    return (builder.filter(tantivy.Filter.custom_stopword(stopwords)) if stopwords else builder).build()


class Layout:
    """A BM25 index of the given passages: `field_of` language -> field, `analyzer_of` language -> analyzer;
    `pre`: analysed here and indexed as space-separated terms; `qlang`: lingua's confidence needed to analyse
    the query for its own language only; `combine`: "sum" or "max" over fields."""

    def __init__(self, rows, codes, field_of, analyzer_of, combine="sum", qlang=None, pre=False):
        self.field_of, self.analyzer_of, self.combine, self.qlang = field_of, analyzer_of, combine, qlang
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("chunk", indexed=True, fast=True)
        fields = sorted(set(field_of.values()))
        tokenizer = {f: "terms" if pre else f for f in fields}
        for f in fields:
            builder.add_text_field(f, tokenizer_name=tokenizer[f], index_option="freq")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=tempfile.mkdtemp(prefix="kmsearch-variant-"))
        self.index.register_tokenizer("terms", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        for code, f in field_of.items():
            if not pre:
                self.index.register_tokenizer(f, analyzer_of[code])
        writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        for (chunk_id, _, text), code in zip(rows, codes):
            document = tantivy.Document()
            document.add_unsigned("chunk", chunk_id)
            document.add_text(field_of[code], " ".join(analyzer_of[code].analyze(text)) if pre else text)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.present = sorted(set(codes))

    def query_languages(self, query: str) -> list[str]:
        if self.qlang is None:
            return self.present
        best = detector().compute_language_confidence_values(query)[0]
        code = code_of(best.language)
        return [code] if best.value >= self.qlang and code in self.present else self.present

    def search(self, query: str, k: int, *_):
        terms: dict[str, dict[str, None]] = {}
        for code in self.query_languages(query):
            terms.setdefault(self.field_of[code], {}).update(dict.fromkeys(self.analyzer_of[code].analyze(query)))
        per_field = [tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, f, t, index_option="freq")) for t in ts])
            for f, ts in terms.items() if ts]
        if not per_field:
            return []
        query_ = (tantivy.Query.disjunction_max_query(per_field) if self.combine == "max"
                  else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in per_field]))
        hits = self.searcher.search(query_, limit=k, count=False).hits
        chunks = self.searcher.fast_field_values("chunk", [address for _, address in hits])
        return [(int(c), float(score)) for (score, _), c in zip(hits, chunks) if score > 0]


def variants(codes: list[str]) -> dict:
    langs = sorted(set(codes))
    own = {c: analysis.analyzer(c) for c in langs}
    english = {c: analysis.analyzer("en") for c in langs}
    union = sorted(set().union(*(analysis.iso_stopwords(c) for c in ("af", "zu", "st"))))

    def shared(stopwords):
        field_of = {c: c if c in SNOWBALL else "shared" for c in langs}
        return field_of, {c: own[c] if c in SNOWBALL else plain(stopwords) for c in langs}

    per_language = {c: c for c in langs}
    single = {c: "text" for c in langs}
    return {
        "before": lambda: (single, english, {}),
        "fields": lambda: (per_language, own, {}),
        "fields+max": lambda: (per_language, own, {"combine": "max"}),
        "fields+qlang": lambda: (per_language, own, {"qlang": 0.5}),
        "shared": lambda: (*shared(union), {}),
        "shared-nostop": lambda: (*shared(None), {}),
        "one": lambda: (single, own, {"pre": True}),
        "one+qlang": lambda: (single, own, {"pre": True, "qlang": 0.5}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus-real")
    parser.add_argument("variant", nargs="*")
    args = parser.parse_args()
    index = bench.build(args.corpus, args.index, fake=True)
    rows = list(index.catalog.iter_index_rows(None))
    languages = index.catalog.document_languages()
    codes: list[str] = []
    for batch in analysis.by_document(rows):
        codes += analysis.passage_languages(languages.get(batch[0][1]), [text for _, _, text in batch])
    table = variants(codes)
    pages = bench.passage_pages(index)
    for name in args.variant or list(table):
        field_of, analyzer_of, options = table[name]()
        index.lexical = Layout(rows, codes, field_of, analyzer_of, **options)
        searcher = Searcher(index)
        for mode in ("bm25", "hybrid"):
            by_lang: dict[str, list[tuple[float, float]]] = {}
            for _, lang, query, relevant in bench.judged():
                by_lang.setdefault(lang, []).append(bench.scores(searcher, pages, query, mode, relevant))
            cells = [f"{sum(g[0] for g in got) / len(got):.3f} / {sum(g[1] for g in got) / len(got):.2f}"
                     for got in (by_lang[lang] for lang in ("af", "zu", "xh"))]
            print(f"| {name} | {mode} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
