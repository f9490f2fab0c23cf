"""Evaluate where-is on judged requests: is the right document first, and is a right page among its first three?

The judgements are a TSV with a header: `query`, `reference` (the document register reference of the right
document, which also covers paper-only documents) and `pages` (comma-separated right pages; empty for a
paper-only document, which is then left out of the page figure).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from kmsearch.errors import InvalidParameterError
from kmsearch.index.store import Index
from kmsearch.search.where import where_is


def load_judgements(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if not rows or not {"query", "reference", "pages"} <= set(rows[0]):
        raise InvalidParameterError(f"{path}: expected the columns query, reference, pages")
    return [{"query": r["query"], "reference": r["reference"],
             "pages": {int(p) for p in (r["pages"] or "").split(",") if p.strip()}} for r in rows]


def evaluate_where(index: Index, judgements: list[dict[str, Any]],
                   groups: frozenset[str] | None = None) -> dict[str, Any]:
    """accuracy@1 (right document first), page@3 (a right page among the first answer's first three pages, over
    the requests whose answer has pages) and the requests that missed."""
    first = pages = with_pages = 0
    misses = []
    for j in judgements:
        found = where_is(index, j["query"], k=5, groups=groups)
        top = found[0] if found else None
        right = top is not None and top.reference == j["reference"]
        first += right
        if j["pages"]:
            with_pages += 1
            page_ok = right and bool(j["pages"] & set(top.pages[:3]))
            pages += page_ok
        else:
            page_ok = True
        if not (right and page_ok):
            misses.append({"query": j["query"], "expected": j["reference"], "got": top.reference if top else None,
                           "pages": list(top.pages) if top else []})
    n = len(judgements)
    return {"accuracy@1": round(first / n, 4) if n else 0.0,
            "page@3": round(pages / with_pages, 4) if with_pages else 0.0, "queries": n, "misses": misses}
