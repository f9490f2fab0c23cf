"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused, then grouped by document.

Fusion is normalised score fusion by default (min-max per retriever, the dense side weighted by `fusion_alpha`),
which beat reciprocal-rank fusion (Cormack et al. 2009, also offered) on SciFact's train split; the figures
behind the default are in docs/benchmarks.md.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.index import dense
from kmsearch.index.store import Index
from kmsearch.search import acronyms
from kmsearch.search.filters import Filters
from kmsearch.search.snippets import make_snippet, query_stems
from kmsearch.types import ChunkRecord, Hit, Passage

log = logging.getLogger(__name__)
MODES = ("hybrid", "dense", "bm25")
FUSIONS = ("rrf", "score")
MAX_QUERY_CHARS = 10_000  # a pasted paragraph or page is a query; the dense side embeds what fits the model
MAX_K = 1000


@dataclass(frozen=True)
class Floor:
    """A model's relevance floor: the dense cosine a passage with no query word must reach, and the languages the
    model reads. A passage in another language counts only through its words: there an English model's cosines
    are noise (on the Constitution's isiZulu and Setswana editions, made-up words reach 0.5)."""

    cosine: float
    languages: frozenset[str] | None = None  # None: every language


# Calibrated by scripts/bench_relevance_floor.py (docs/benchmarks.md): at 0.50 SciFact's recall@10 (0.8586 against
# 0.8536 with none) and the judged real queries' (tune split 0.950, held-out 0.975) lose nothing, and 3 of 60
# made-up queries still find something in the real corpus (2 in SciFact), against all 60 without a floor. Another
# model's cosines have another scale, so a model not listed gets no floor unless the setting gives one.
FLOORS = {name: Floor(0.50, frozenset({"en"})) for name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")}


def relevance_floor(settings: Settings, model_id: str) -> Floor:
    """The floor in force for an index of `model_id` under `settings` (cosine 0: none)."""
    calibrated = FLOORS.get(model_id, Floor(0.0))
    if settings.relevance_floor is not None:
        return Floor(settings.relevance_floor, calibrated.languages)
    return calibrated


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """Threads for the BM25 side of hybrid searches (shared by every search in the process)."""
    return ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="kmsearch-bm25")


def checked_query(query: str, k: int) -> str:
    """The query with its whitespace collapsed, after checking it and `k` against the limits every search obeys."""
    query = " ".join(query.split())
    if not 1 <= k <= MAX_K:
        raise InvalidParameterError(f"k must be between 1 and {MAX_K}, got {k}")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidParameterError(f"query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
    return query


def rrf(lists: list[list[tuple[int, float]]], k: int = 60) -> dict[int, float]:
    fused: dict[int, float] = defaultdict(float)
    for ranked in lists:
        for rank, (chunk_id, _) in enumerate(ranked, start=1):
            fused[chunk_id] += 1.0 / (k + rank)
    return dict(fused)


def score_fusion(dense_hits: list[tuple[int, float]], bm25_hits: list[tuple[int, float]], alpha: float) -> dict[int, float]:
    def minmax(hits: list[tuple[int, float]]) -> dict[int, float]:
        if not hits:
            return {}
        scores = [s for _, s in hits]
        lo, hi = min(scores), max(scores)
        return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in hits}

    d, b = minmax(dense_hits), minmax(bm25_hits)
    return {c: alpha * d.get(c, 0.0) + (1 - alpha) * b.get(c, 0.0) for c in d.keys() | b.keys()}


class Searcher:
    """`Searcher(index).search(query, k, mode, filters) -> list[Hit]`, one hit per document, best first."""

    def __init__(self, index: Index):
        self.index = index
        self.settings = index.settings

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        fusion: str | None = None,
        passages: int = 3,
    ) -> list[Hit]:
        query = self._validate(query, k, mode, fusion or self.settings.fusion)
        if not query:
            return []
        scores = self.score_chunks(query, k, mode, filters or Filters(), fusion or self.settings.fusion)
        return self._group(query, scores, k, passages)

    def search_page(
        self,
        query: str,
        page: int = 1,
        page_size: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        fusion: str | None = None,
        passages: int = 3,
    ) -> tuple[list[Hit], set[str]]:
        """One page of documents, and the ids of every document among the candidates (for the total and facets)."""
        fusion = fusion or self.settings.fusion
        query = self._validate(query, page * page_size, mode, fusion)
        if not query:
            return [], set()
        scores = self.score_chunks(query, page * page_size, mode, filters or Filters(), fusion)
        owners = self.index.catalog.chunk_documents(list(scores))
        hits = self._group(query, scores, page * page_size, passages, owners)
        return hits[(page - 1) * page_size :], set(owners.values())

    def score_chunks(self, query: str, k: int, mode: str, filters: Filters, fusion: str) -> dict[int, float]:
        """Fused chunk scores for a query (the candidates before grouping)."""
        selection = filters.selection(self.index)
        n = max(self.settings.candidates, k * 5)

        words = acronyms.expanded(self.index, query)  # BM25 also looks for what the acronyms stand for

        def lexical() -> list[tuple[int, float]]:
            if selection is None:
                return self.index.lexical.search(words, n)
            return self.index.lexical.search(words, n, selection.docs, None if selection.docs else selection.mask)

        dense_hits: list[tuple[int, float]] = []
        bm25_hits: list[tuple[int, float]] = []
        if mode == "bm25":
            bm25_hits = lexical()
        else:
            # BM25 on another thread while the query is embedded and FAISS searched here: both libraries release
            # the GIL, so on two cores a hybrid query costs about the slower side instead of the sum.
            # dense mode asks BM25 too when a floor is in force: which passages share a word with the query
            floored = relevance_floor(self.settings, self.index.embedder.model_id).cosine > 0
            pending = _pool().submit(lexical) if mode == "hybrid" or floored else None
            vector = self.index.embedder.embed_query(query)
            dense_hits = dense.search(self.index.faiss_index, vector, n, selection.mask if selection else None)
            bm25_hits = pending.result() if pending is not None else []
        if mode == "bm25":
            return dict(bm25_hits)
        if mode == "dense":
            fused = dict(dense_hits)
        elif fusion == "rrf":
            fused = rrf([dense_hits, bm25_hits], self.settings.rrf_k)
        else:
            fused = score_fusion(dense_hits, bm25_hits, self.settings.fusion_alpha)
        return self._above_floor(fused, dense_hits, bm25_hits)

    def _above_floor(self, fused: dict[int, float], dense_hits: list[tuple[int, float]],
                     bm25_hits: list[tuple[int, float]]) -> dict[int, float]:
        """The fused candidates that share a word with the query or reach the relevance floor's cosine. Applied
        after fusion, so the passages kept keep their scores (a document moves only when its best passage is
        cut): it cuts the tail of weak matches, and all of a nonsense query's ("xqzv blorft wibble")."""
        floor = relevance_floor(self.settings, self.index.embedder.model_id)
        if floor.cosine <= 0:
            return fused
        lexical = {c for c, _ in bm25_hits}
        cosine = dict(dense_hits)
        kept = {c: s for c, s in fused.items() if c in lexical or cosine.get(c, 0.0) >= floor.cosine}
        unread = [c for c in kept if c not in lexical]
        if floor.languages is None or not unread:
            return kept
        owners = self.index.catalog.chunk_documents(unread)
        docs = self.index.catalog.documents(list(set(owners.values())))
        foreign = {c for c, d in owners.items() if d in docs and docs[d].language not in (None, *floor.languages)}
        return {c: s for c, s in kept.items() if c not in foreign}

    def _group(self, query: str, scores: dict[int, float], k: int, passages: int,
               owners: dict[int, str] | None = None) -> list[Hit]:
        """The top k documents by their best passage, each with its `passages` best. `owners` (chunk -> doc_id)
        may be given when the caller already has it; passage text is fetched only for the passages shown."""
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if owners is None:
            owners = self.index.catalog.chunk_documents([c for c, _ in ranked])
        by_doc: dict[str, list[tuple[int, float]]] = {}
        for chunk_id, score in ranked:
            doc_id = owners.get(chunk_id)
            if doc_id is None:
                continue
            if doc_id not in by_doc and len(by_doc) == k:
                continue
            by_doc.setdefault(doc_id, []).append((chunk_id, score))
        rows = self.index.catalog.chunks([c for best in by_doc.values() for c, _ in best[:passages]])
        docs = self.index.catalog.documents(list(by_doc))
        stems = query_stems(query)
        hits = []
        for doc_id, chunk_scores in by_doc.items():
            doc = docs[doc_id]
            best = [
                Passage(c, rows[c].page, rows[c].heading, make_snippet(_body(rows[c]), stems), s)
                for c, s in chunk_scores[:passages]
            ]
            hits.append(Hit(doc_id, doc.path, doc.title, doc.doc_type, doc.date, chunk_scores[0][1], tuple(best),
                            doc.language))
        return hits

    @staticmethod
    def _validate(query: str, k: int, mode: str, fusion: str) -> str:
        if mode not in MODES:
            raise InvalidParameterError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if fusion not in FUSIONS:
            raise InvalidParameterError(f"fusion must be one of {', '.join(FUSIONS)}, got {fusion!r}")
        return checked_query(query, k)


def _body(row: ChunkRecord) -> str:
    """A passage's text without its leading heading, which a hit shows on its own."""
    text, heading = row.text, row.heading
    if heading and text.startswith(heading) and len(text) > len(heading):
        return text[len(heading) :].lstrip(" :.-")
    return text
