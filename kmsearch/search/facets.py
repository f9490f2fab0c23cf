"""Facet counts (type, year, source folder, language) over the documents a query finds, or over all the
documents a caller may read when there is no query. Counts never include documents the caller may not read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from kmsearch.access import may_read
from kmsearch.index.store import Index
from kmsearch.search.filters import Filters
from kmsearch.search.hybrid import Searcher

FACETS = ("type", "year", "source", "language")


def facets(
    index: Index, query: str = "", filters: Filters | None = None, mode: str = "hybrid", doc_ids: set[str] | None = None
) -> dict[str, dict[str, int]]:
    """Counts over `doc_ids` if given (a search's candidates), else over what `query` finds, else over all; only
    ever over documents the filters' caller (`filters.groups`) may read."""
    filters = filters or Filters()
    if doc_ids is None and query.strip():
        doc_ids = Searcher(index).search_page(query, 1, 1, mode, filters, passages=1)[1]
    if doc_ids is not None:
        docs = index.catalog.documents(list(doc_ids)).values()
        return _count((d.doc_type, d.date, d.path, d.source, d.language) for d in docs
                      if may_read(filters.groups, d.access_groups))  # given ids count only if the caller may read them
    return _all_documents(index, filters)


def _all_documents(index: Index, filters: Filters) -> dict[str, dict[str, int]]:
    """Counts over every document the filters allow, streamed from the catalogue (hundreds of thousands of
    documents at a million passages) and kept for the generation, like the filter selections."""
    cache: dict[Filters, dict[str, dict[str, int]]] = index.derived.setdefault("facets.all", {})
    if filters not in cache:
        rows = index.catalog.iter_facet_rows(filters)
        if len(cache) >= 64:
            cache.clear()
        cache[filters] = _count(rows)
    return cache[filters]


def _count(rows: Iterable[tuple[str, str | None, str, str, str | None]]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for doc_type, date, path, source, language in rows:
        counts["type"][doc_type] += 1
        counts["year"][(date or "")[:4] or "unknown"] += 1
        counts["source"][_folder(path, source)] += 1
        counts["language"][language or "unknown"] += 1
    return {name: dict(c.most_common()) for name, c in counts.items()}


def _folder(path: str, source: str) -> str:
    """The first folder under the ingested root ("reports", "minutes"), or the root's own name."""
    try:
        rel = Path(path).relative_to(source)
    except ValueError:
        return Path(path).parent.name
    return rel.parts[0] if len(rel.parts) > 1 else Path(source).name
