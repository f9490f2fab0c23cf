"""Reading the query log back, for the gap and usage reports (kmsearch/analytics/querylog.py writes it)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kmsearch.analytics.querylog import connect, stamp


@dataclass(frozen=True)
class QueryRow:
    query_id: str
    time: str  # UTC, YYYY-MM-DDTHH:MM:SSZ
    kind: str
    query: str  # normalised
    mode: str | None
    filters: dict[str, Any]
    page: int
    results: int
    top_score: float | None
    below_floor: bool
    caller: str | None
    groups: tuple[str, ...] | None  # None when the caller was not recorded

    @property
    def unanswered(self) -> bool:
        """No strong match: nothing found, or nothing above the relevance floor."""
        return self.results == 0 or self.below_floor


@dataclass(frozen=True)
class OpenRow:
    time: str
    kind: str  # view | download
    doc_id: str
    rank: int | None
    query_id: str | None
    caller: str | None
    groups: tuple[str, ...] | None


def _groups(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(filter(None, value.split(";")))


class LogReader:
    """Read access to a query log file; a file that does not exist yet reads as empty."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.conn: sqlite3.Connection | None = connect(self.path) if self.path.exists() else None

    def queries(self, since: datetime, until: datetime | None = None) -> list[QueryRow]:
        """Requests logged from `since` to `until` (both included, to the second), oldest first."""
        rows = self._rows("SELECT * FROM queries WHERE time >= ? AND time <= ? ORDER BY time, rowid",
                          since, until)
        return [QueryRow(r["query_id"], r["time"], r["kind"], r["query"], r["mode"],
                         json.loads(r["filters"]) if r["filters"] else {}, r["page"], r["results"], r["top_score"],
                         bool(r["below_floor"]), r["caller"], _groups(r["groups"])) for r in rows]

    def opens(self, since: datetime, until: datetime | None = None) -> list[OpenRow]:
        rows = self._rows("SELECT * FROM opens WHERE time >= ? AND time <= ? ORDER BY time, rowid", since, until)
        return [OpenRow(r["time"], r["kind"], r["doc_id"], r["rank"], r["query_id"], r["caller"],
                        _groups(r["groups"])) for r in rows]

    def shown_counts(self, since: datetime, until: datetime | None = None) -> Counter[str]:
        """How many logged result lists showed each document."""
        rows = self._rows("SELECT s.doc_id AS doc_id, COUNT(*) AS n FROM shown s JOIN queries q USING (query_id) "
                          "WHERE q.time >= ? AND q.time <= ? GROUP BY s.doc_id", since, until)
        return Counter({r["doc_id"]: r["n"] for r in rows})

    def dropped(self, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
        """What the writer could not log, and why (written once it could write again)."""
        rows = self._rows("SELECT time, records, reason FROM dropped WHERE time >= ? AND time <= ? ORDER BY time",
                          since, until)
        return [{"time": r["time"], "records": r["records"], "reason": r["reason"]} for r in rows]

    def _rows(self, sql: str, since: datetime, until: datetime | None) -> list[sqlite3.Row]:
        if self.conn is None:
            return []
        self.conn.row_factory = sqlite3.Row
        return self.conn.execute(sql, (stamp(since), stamp(until) if until else "9999")).fetchall()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
