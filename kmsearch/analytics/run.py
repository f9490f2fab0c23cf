"""The analytics report and the knowledge audit of an open index: what the CLI, the API and the page all call.

Each reads the query log (in the index folder, outside generations) and the index's live generation, and returns
plain JSON-ready dicts; the CLI prints them, the API returns them and the page draws them (charts.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from kmsearch.access import Groups
from kmsearch.analytics.audit import knowledge_audit
from kmsearch.analytics.gaps import knowledge_gaps
from kmsearch.analytics.reader import LogReader
from kmsearch.analytics.report import build_report
from kmsearch.analytics.settings import analytics_settings
from kmsearch.analytics.sources import CatalogSource, load_overrides
from kmsearch.index.store import Index

OVERRIDES_FILE = "topic-overrides.json"  # in the index folder: {"rename": {id: name}, "merge": [[id, id]]}
GAPS_FOR_AUDIT = 200  # gap groups matched against the audit's topics ("asked for but thin")


def documents_of(index: Index, groups: Groups = None) -> list[tuple[str, str, str]]:
    """(doc_id, title, path) of every document in the index that `groups` may read."""
    return [(d.doc_id, d.title, d.path) for d in index.catalog.iter_documents(groups)]


def people_finder(index: Index, groups: Groups = None) -> Callable[[str], Any]:
    """who-knows for a gap's label: the three people best linked to it, from what `groups` may read."""
    from kmsearch.search.experts import who_knows

    def knows(label: str) -> Any:
        return who_knows(index, label, k=3, groups=groups)

    return knows


def analytics_report(index: Index, settings: Any, days: int = 90, top: int = 20, people: bool = True,
                     now: datetime | None = None) -> dict[str, Any]:
    """Knowledge gaps and usage over the last `days` of the query log (kmsearch.analytics.report)."""
    config = analytics_settings(settings)
    now = now or datetime.now(timezone.utc)
    return build_report(config.log_path, now, days, documents_of(index), index.embedder.embed,
                        people_finder(index) if people else None, config.gap_distance, top)


def audit_report(index: Index, settings: Any, groups: Groups = None, days: int = 90, overrides: Path | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """The knowledge audit (kmsearch.analytics.audit) of what `groups` may read (None: everything), with the
    unanswered queries of the last `days` marking topics "asked for but thin", and the librarian's topic renames
    and merges from `overrides` (default: the index folder's topic-overrides.json)."""
    config = analytics_settings(settings)
    now = now or datetime.now(timezone.utc)
    reader = LogReader(config.log_path)
    try:
        rows = reader.queries(now - timedelta(days=days), now)
    finally:
        reader.close()
    gaps = knowledge_gaps(rows, now, index.embedder.embed, distance=config.gap_distance, limit=GAPS_FOR_AUDIT)
    source = CatalogSource(index, groups)
    result = knowledge_audit(source, index.embedder.embed, gaps, now.year,
                             load_overrides(overrides or Path(settings.index_dir) / OVERRIDES_FILE))
    result["documents_by_year"] = documents_by_year_and_type(index, groups)
    return result


def documents_by_year_and_type(index: Index, groups: Groups = None) -> list[dict[str, Any]]:
    """How many documents `groups` may read, per year and type: [{"year": 2009, "type": "minutes", "count": 3}]
    (year None: undated)."""
    counts = Counter((int(d.date[:4]) if d.date and d.date[:4].isdigit() else None, d.doc_type or "other")
                     for d in index.catalog.iter_documents(groups))
    return [{"year": year, "type": kind, "count": n}
            for (year, kind), n in sorted(counts.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0, kv[0][1]))]


AUDIT_CSV_COLUMNS = ("topic", "terms", "documents", "first_year", "newest", "people", "flags")


def audit_csv_rows(result: dict[str, Any]) -> list[list[Any]]:
    """One row per topic, under AUDIT_CSV_COLUMNS."""
    return [[t["name"], "; ".join(t["terms"]), t["documents"], (t["years"] or [None])[0], t["newest"],
             "; ".join(f"{p['name']} ({p['status'] or 'not in register'})" for p in t["people"]),
             "; ".join(f["text"] for f in t["flags"])] for t in result["topics"]]


__all__ = ["AUDIT_CSV_COLUMNS", "OVERRIDES_FILE", "analytics_report", "audit_csv_rows", "audit_report",
           "documents_by_year_and_type", "documents_of"]
