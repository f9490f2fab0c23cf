"""BM25 with tantivy, each passage analysed for its language (analysis.py), updated in place between generations.

Each generation has its own tantivy folder. A new generation starts as hard links to the previous one's files
(tantivy never rewrites a file: segments, deletes and its meta are written new and renamed into place), then
deletes the chunks of removed documents and adds the new ones. So an update costs what changed, not a rebuild,
and the previous generation's files stay exactly as its readers saw them.

Every indexed passage carries its chunk id (a fast field, read back without touching the document store) and
its document id (a raw term, so filters can include or exclude documents inside the query, before ranking),
and its language (a raw term, `lang`). Its text is analysed for that language here (analysis.py) and the terms
go to the one `text` field, split on spaces only. One field, not one a language, because tantivy's BM25 counts a
field's average length and its document frequencies' total over every document of the index: a field holding only
the Afrikaans passages gets an average length a fraction of the true one, and its ranking changes (measured:
docs/benchmarks.md, "Lexical before and after"). An index of English passages alone holds exactly the terms, term
frequencies and lengths it had when tantivy analysed the text itself, so its ranking is unchanged.
A query is analysed once for each language the index holds; the terms, each once, are summed as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import tantivy

from kmsearch.index import analysis

K1, B = 1.2, 0.75  # tantivy's BM25 constants (Lucene's defaults), recorded in the manifest
PARAMS = {"k1": K1, "b": B, "tokenizer": "simple, lowercase, max 40 bytes",
          "fields": "one text field, each passage analysed for its language", "languages": analysis.params()}
TERMS = "kmsearch_terms"  # the text field's tokenizer: the terms come analysed, separated by spaces
WRITER_HEAP = 128_000_000
_LOCK_FILES = {".tantivy-writer.lock", ".tantivy-meta.lock"}

MAX_QUERY_TERMS = 64  # distinct terms of a query BM25 scores: the rarest in the index, for a long query


@lru_cache(maxsize=1)
def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("chunk", indexed=True, fast=True)
    builder.add_text_field("doc", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("lang", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", tokenizer_name=TERMS, index_option="freq")
    return builder.build()


def query_terms(query: str, language: str = analysis.DEFAULT) -> list[str]:
    """The query's terms as one language analyses them (English: stems, stop words removed), each once, in order."""
    return list(dict.fromkeys(analysis.analyzer(language).analyze(query)))


def _open(folder: Path) -> tantivy.Index:
    index = tantivy.Index(schema(), path=str(folder), reuse=True)
    index.register_tokenizer(TERMS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


@dataclass(frozen=True)
class DocFilter:
    """Documents to keep (`include`) or to leave out, applied inside the BM25 query."""

    doc_ids: frozenset[str]
    include: bool

    @cached_property
    def query(self) -> tantivy.Query:
        """The term-set query, built once: a filter is reused by every search of a generation (filters.py)."""
        return tantivy.Query.term_set_query(schema(), "doc", sorted(self.doc_ids))


class Lexical:
    """A generation's BM25 index, read-only.

    tantivy's reader takes a lock file (`.tantivy-meta.lock`) in the index's folder while it opens the segments,
    creating it if need be, which fails on a read-only copy with an error about damaged files, and writes into
    a generation that is never to change. So the reader opens a private folder of symbolic links to the
    generation's files (made in the system's temporary folder, a few dozen links) where it may put its lock;
    the files themselves are only read and mapped."""

    def __init__(self, folder: Path):
        self.folder = folder
        links = Path(tempfile.mkdtemp(prefix="kmsearch-bm25-"))
        # removed with this object; ignore_errors: tantivy's threads may still be putting their lock there
        weakref.finalize(self, shutil.rmtree, links, True)
        for path in folder.iterdir():
            if path.is_file() and path.name not in _LOCK_FILES:
                os.symlink(path.resolve(), links / path.name)
        self.index = _open(links)
        self.searcher = self.index.searcher()
        # The languages the index holds passages in: a query is analysed for each (an English-only index: English).
        self.languages = [code for code in analysis.ANALYSES if self.searcher.doc_freq("lang", code) > 0]

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        if not (folder / "meta.json").is_file():
            raise ValueError(f"{folder}: no BM25 index")
        return cls(folder)

    def __len__(self) -> int:
        return int(self.searcher.num_docs)

    def search(
        self, query: str, k: int, doc_filter: DocFilter | None = None, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk_id, BM25 score); passages without a query term are left out.

        Two ways to filter, both exact: `doc_filter`, a document term set inside the query (cheap when it names
        few documents), or `mask` (booleans by chunk id), applied to a deeper result list that is deepened again
        until k allowed passages are found or none are left (cheap when most passages are allowed; a term set of
        thousands of documents costs tens of milliseconds at a million passages)."""
        terms = list(dict.fromkeys(t for code in self.languages for t in query_terms(query, code)))
        if len(terms) > MAX_QUERY_TERMS:  # a pasted paragraph: its rarest words say what it is about
            freq = {t: self.searcher.doc_freq("text", t) for t in terms}
            terms = sorted((t for t in terms if freq[t]), key=freq.__getitem__)[:MAX_QUERY_TERMS]
        if not terms or k <= 0:
            return []
        text = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema(), "text", t, index_option="freq")) for t in terms]
        )
        if doc_filter is not None:
            if doc_filter.include and not doc_filter.doc_ids:
                return []
            if doc_filter.doc_ids:
                if doc_filter.include:  # must match, without adding to the score
                    text = tantivy.Query.boolean_query([
                        (tantivy.Occur.Must, text),
                        (tantivy.Occur.Must, tantivy.Query.const_score_query(doc_filter.query, 0.0)),
                    ])
                else:
                    text = tantivy.Query.boolean_query(
                        [(tantivy.Occur.Must, text), (tantivy.Occur.MustNot, doc_filter.query)])
        if mask is None:
            return self._top(text, k)
        share = max(np.count_nonzero(mask) / len(mask), 1e-4) if len(mask) else 1e-4  # count_nonzero: 10x sum()
        limit = int(k / share * 1.2) + 10
        while True:
            hits = self._top(text, limit)
            kept = [(c, s) for c, s in hits if c < len(mask) and mask[c]]
            if len(kept) >= k or len(hits) < limit:
                return kept[:k]
            limit *= 4

    def _top(self, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
        hits = self.searcher.search(query, limit=limit, count=False).hits
        if not hits:
            return []
        chunk_ids = self.searcher.fast_field_values("chunk", [address for _, address in hits])
        return [(int(c), float(score)) for (score, _), c in zip(hits, chunk_ids) if score > 0]


class LexicalWriter:
    """The next generation's BM25 index: hard links to the previous one's files, then deletes and adds."""

    def __init__(self, folder: Path, previous: Path | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        if previous is not None:
            for path in previous.iterdir():
                if path.is_file() and path.name not in _LOCK_FILES:
                    os.link(path, folder / path.name)
        self.folder = folder
        self.index = _open(folder)
        self._writer: tantivy.IndexWriter | None = None

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def add(self, rows: Iterable[tuple[int, str, str]], languages: Mapping[str, str | None] | None = None) -> None:
        """Add (chunk_id, doc_id, text) rows, a document's rows together; `languages` gives each document's
        language, which its passages take unless detection finds the document mixed (analysis.py)."""
        writer = self.writer
        languages = languages or {}
        for batch in analysis.by_document(rows):
            codes = analysis.passage_languages(languages.get(batch[0][1]), [text for _, _, text in batch])
            for (chunk_id, doc_id, text), code in zip(batch, codes):
                document = tantivy.Document()
                document.add_unsigned("chunk", chunk_id)
                document.add_text("doc", doc_id)
                document.add_text("lang", code)
                document.add_text("text", " ".join(analysis.analyzer(code).analyze(text)))
                writer.add_document(document)

    def delete_document(self, doc_id: str) -> None:
        """Drop every passage of a document added before this call (a re-added document's new passages stay)."""
        self.writer.delete_documents_by_term("doc", doc_id)

    def commit(self) -> int:
        """Write the changes, let tantivy's merges finish, release the writer; returns the passage count."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()  # also drops the writer and its lock
            self._writer = None
        self.index.reload()
        for name in _LOCK_FILES:
            (self.folder / name).unlink(missing_ok=True)
        return int(self.index.searcher().num_docs)
