"""Facet counts (type, year, source folder, language) over the documents a query finds, or over all the
documents a caller may read when there is no query. Counts never include documents the caller may not read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kmsearch.index.store import Index
from kmsearch.search.filters import Filters
from kmsearch.search.hybrid import Searcher

FACETS = ("type", "year", "source", "language")


def facets(
    index: Index, query: str = "", filters: Filters | None = None, mode: str = "hybrid", doc_ids: set[str] | None = None
) -> dict[str, dict[str, int]]:
    """Counts over `doc_ids` if given (a search's candidates), else over what `query` finds, else over all."""
    filters = filters or Filters()
    if doc_ids is not None:
        doc_ids = list(doc_ids)
    elif query.strip():
        doc_ids = list(Searcher(index).search_page(query, 1, 1, mode, filters, passages=1)[1])
    else:
        allowed = filters.doc_ids(index.catalog)
        doc_ids = list(allowed) if allowed is not None else [r[0] for r in index.catalog.conn.execute("SELECT doc_id FROM documents")]
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for doc in index.catalog.documents(doc_ids).values():
        counts["type"][doc["doc_type"]] += 1
        counts["year"][(doc["date"] or "")[:4] or "unknown"] += 1
        counts["source"][_folder(doc["path"], doc["source"])] += 1
        counts["language"][doc["language"] or "unknown"] += 1
    return {name: dict(c.most_common()) for name, c in counts.items()}


def _folder(path: str, source: str) -> str:
    """The first folder under the ingested root ("reports", "minutes"), or the root's own name."""
    try:
        rel = Path(path).relative_to(source)
    except ValueError:
        return Path(path).parent.name
    return rel.parts[0] if len(rel.parts) > 1 else Path(source).name
