"""Document filters, resolved to the set of chunk ids both retrievers may return (filtering before ranking)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from kmsearch.errors import InvalidParameterError
from kmsearch.index.catalog import Catalog
from kmsearch.index.lexical import DocFilter
from kmsearch.types import DOC_TYPES

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Filters:
    doc_type: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, inclusive
    date_to: str | None = None
    author: str | None = None  # case-insensitive substring of any author
    source: str | None = None  # a folder: the absolute path given to ingest, or a folder name in the path
    language: str | None = None  # ISO 639-1 code, or 'nso' (Sepedi has none); kmsearch.language.KNOWN
    # The caller's access groups: None reads everything (admin, open desktop mode); otherwise only documents
    # with no groups or sharing one with the caller. Set by the service from the API key, never by a user.
    groups: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InvalidParameterError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        unknown = set(self.doc_type) - set(DOC_TYPES)
        if unknown:
            raise InvalidParameterError(f"doc_type {sorted(unknown)} unknown; choose from {', '.join(DOC_TYPES)}")

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "groups") or self.groups is not None

    def doc_ids(self, catalog: Catalog) -> set[str] | None:
        """Documents allowed by these filters, or None when nothing is filtered."""
        if not self.active:
            return None
        return catalog.matching_document_ids(self)  # the SQL, LIKE escaping and access clause: index/catalog/query.py

    def selection(self, index: Any) -> Selection | None:
        """What both retrievers may return under these filters, for one open index generation; None when they
        let everything through (no filter, or a caller who may read every document). Cached per generation,
        since callers repeat the same access groups and filters."""
        if not self.active:
            return None
        cache: OrderedDict[Filters, Selection | None] = index.derived.setdefault("filters.selections", OrderedDict())
        with _CACHE_LOCK:  # requests run in a thread pool
            if self in cache:
                cache.move_to_end(self)
                return cache[self]
        layout = _ChunkLayout.of(index)
        allowed = self.doc_ids(index.catalog) or set()
        if len(allowed) == len(layout.doc_ids):
            selection = None
        else:
            keep = np.zeros(len(layout.doc_ids), dtype=bool)
            keep[[layout.ordinal[d] for d in allowed if d in layout.ordinal]] = True
            mask = np.zeros(len(layout.chunk_doc), dtype=bool)
            present = layout.chunk_doc >= 0
            mask[present] = keep[layout.chunk_doc[present]]
            few = len(allowed) <= TERM_SET_MAX_DOCS or mask.mean() < POST_FILTER_MIN_SHARE
            selection = Selection(mask, DocFilter(frozenset(allowed), include=True) if few else None)
        with _CACHE_LOCK:
            cache[self] = selection
            if len(cache) > SELECTION_CACHE:
                cache.popitem(last=False)
        return selection


SELECTION_CACHE = 64
_CACHE_LOCK = threading.Lock()
# BM25 takes a filter as a document term set inside the query when it names few documents, or else as the chunk
# mask applied to a deeper result list (bench_search: a reader's access filter at 1M passages cost ~70 ms a
# query as a 23k-document exclusion set).
TERM_SET_MAX_DOCS = 5_000
POST_FILTER_MIN_SHARE = 0.05


@dataclass(frozen=True)
class Selection:
    """Filtered documents, as each retriever takes them: a chunk-id mask (FAISS, and BM25 post-filtering), and for
    a filter that keeps few documents, their term set for BM25."""

    mask: np.ndarray
    docs: DocFilter | None


@dataclass(frozen=True)
class _ChunkLayout:
    """Which document each chunk id belongs to (-1 for ids no longer in use), read once per generation."""

    doc_ids: list[str]
    ordinal: dict[str, int]
    chunk_doc: np.ndarray

    @classmethod
    def of(cls, index: Any) -> _ChunkLayout:
        layout = index.derived.get("filters.layout")
        if layout is None:
            catalog = index.catalog
            doc_ids = catalog.document_ids()
            ordinal = {d: i for i, d in enumerate(doc_ids)}
            size = (catalog.max_chunk_id() or -1) + 1
            chunk_doc = np.full(size, -1, dtype=np.int32)
            for doc_id, lo, hi in catalog.chunk_spans():
                chunk_doc[lo : hi + 1] = ordinal[doc_id]  # a document's chunks have consecutive ids
            layout = index.derived["filters.layout"] = cls(doc_ids, ordinal, chunk_doc)
        return layout
