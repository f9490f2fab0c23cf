"""Usage: what is asked and opened, what is never found, how often a result list leads to an open.

Everything is computed from rows of the query log (reader.py) over one window, plus the list of documents in
the index, passed in as `(doc_id, title, path)` tuples so that this module needs nothing of the catalogue.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

import numpy as np

from kmsearch.analytics.clustering import DEFAULT_DISTANCE, group_queries
from kmsearch.analytics.reader import OpenRow, QueryRow

NO_GROUP = "(no group)"


@dataclass(frozen=True)
class DocumentUse:
    doc_id: str
    title: str | None  # None: no longer in the index
    path: str | None
    opens: int
    views: int
    downloads: int
    mean_rank: float | None  # of the opens that came through a result link

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Usage:
    requests: dict[str, int]  # first-page requests by kind
    unanswered: int  # of those, with no strong match
    topics: list[dict[str, Any]]  # the most asked, grouped by meaning
    most_opened: list[DocumentUse]
    never_found: list[dict[str, str]]  # documents in no logged result list in the window
    never_opened: list[dict[str, str]]
    documents: int | None  # how many documents the index has (None: no list given)
    click_through: dict[str, Any]
    per_unit: list[dict[str, Any]]  # empty unless the log keeps callers (query_log = key)
    over_time: list[dict[str, Any]]  # per ISO week
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["most_opened"] = [d.to_json() for d in self.most_opened]
        return out


def _week(stamp: str) -> str:
    year, week, _ = datetime.strptime(stamp[:10], "%Y-%m-%d").isocalendar()
    return f"{year}-W{week:02d}"


def click_through(firsts: list[QueryRow], opens: list[OpenRow], top: int) -> dict[str, Any]:
    """Of the result lists with something in them, how many led to an open; the mean rank opened; and the
    commonest queries whose results were never opened."""
    with_results = [r for r in firsts if r.results > 0]
    opened_ids = {o.query_id for o in opens if o.query_id}
    opened = [r for r in with_results if r.query_id in opened_ids]
    ids = {r.query_id for r in with_results}
    ranks = [o.rank for o in opens if o.rank is not None and o.query_id in ids]
    never = Counter(r.query for r in with_results if r.query_id not in opened_ids)
    ever = {r.query for r in opened}
    return {
        "result_lists": len(with_results),
        "opened": len(opened),
        "rate": round(len(opened) / len(with_results), 4) if with_results else None,
        "mean_rank_opened": round(statistics.fmean(ranks), 2) if ranks else None,
        "queries_never_opened": [{"query": q, "count": n} for q, n in never.most_common()
                                 if q not in ever][:top],
    }


def _units(groups: tuple[str, ...] | None) -> tuple[str, ...]:
    """A logged caller's units: its key's groups, NO_GROUP for a key with none, nothing when not logged."""
    if groups is None:
        return ()
    return groups or (NO_GROUP,)


def per_unit(firsts: list[QueryRow], opens: list[OpenRow]) -> list[dict[str, Any]]:
    """Requests, unanswered and opens per key group (a key in two groups counts in both)."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in firsts:
        for g in _units(r.groups):
            table[g]["requests"] += 1
            table[g]["unanswered"] += r.unanswered
    for o in opens:
        for g in _units(o.groups):
            table[g]["opens"] += 1
    return [{"group": g, "requests": c["requests"], "unanswered": c["unanswered"], "opens": c["opens"]}
            for g, c in sorted(table.items(), key=lambda kv: (-kv[1]["requests"], kv[0]))]


def over_time(firsts: list[QueryRow], opens: list[OpenRow]) -> list[dict[str, Any]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in firsts:
        table[_week(r.time)]["requests"] += 1
        table[_week(r.time)]["unanswered"] += r.unanswered
    for o in opens:
        table[_week(o.time)]["opens"] += 1
    return [{"week": w, "requests": c["requests"], "unanswered": c["unanswered"], "opens": c["opens"]}
            for w, c in sorted(table.items())]


def document_use(opens: list[OpenRow], titles: dict[str, tuple[str, str]], top: int) -> list[DocumentUse]:
    by_doc: dict[str, list[OpenRow]] = defaultdict(list)
    for o in opens:
        by_doc[o.doc_id].append(o)
    ranked = sorted(by_doc.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]
    out = []
    for doc_id, rows in ranked:
        ranks = [o.rank for o in rows if o.rank is not None]
        title, path = titles.get(doc_id, (None, None))
        out.append(DocumentUse(doc_id, title, path, len(rows), sum(o.kind == "view" for o in rows),
                               sum(o.kind == "download" for o in rows),
                               round(statistics.fmean(ranks), 2) if ranks else None))
    return out


def usage(queries: Iterable[QueryRow], opens: Iterable[OpenRow], shown: Counter[str],
          documents: Iterable[tuple[str, str, str]] | None = None,
          embed: Callable[[list[str]], np.ndarray] | None = None, distance: float = DEFAULT_DISTANCE,
          top: int = 20) -> Usage:
    """Usage over the rows given (one window of the log). `shown` counts how often each document was in a
    logged result list (LogReader.shown_counts); `documents` lists the index's documents, for those never
    found or opened; `embed` groups the most asked queries by meaning (else identical queries only)."""
    firsts = [r for r in queries if r.page == 1]
    opens = list(opens)
    titles = {d: (t, p) for d, t, p in documents} if documents is not None else {}
    topics = group_queries(Counter(r.query for r in firsts), embed, distance)[:top]
    opened_docs = {o.doc_id for o in opens}
    by_path = sorted(titles.items(), key=lambda kv: kv[1][1])
    notes = []
    if documents is None:
        notes.append("no document list given: documents never found or opened are not listed")
    if firsts and all(r.groups is None for r in firsts):
        notes.append("callers are not logged (query_log is not 'key'): no figures per unit")
    return Usage(
        requests=dict(Counter(r.kind for r in firsts)),
        unanswered=sum(r.unanswered for r in firsts),
        topics=[{"label": g.label, "count": g.count, "variants": [q for q, _ in g.variants[:5]]} for g in topics],
        most_opened=document_use(opens, titles, top),
        never_found=[{"doc_id": d, "title": t, "path": p} for d, (t, p) in by_path if not shown.get(d)],
        never_opened=[{"doc_id": d, "title": t, "path": p} for d, (t, p) in by_path if d not in opened_docs],
        documents=len(titles) if documents is not None else None,
        click_through=click_through(firsts, opens, top),
        per_unit=per_unit(firsts, opens),
        over_time=over_time(firsts, opens),
        notes=notes,
    )
