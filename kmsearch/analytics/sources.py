"""The audit's reads of an index (kmsearch.analytics.audit.AuditSource), on today's catalogue.

The one module of kmsearch.analytics that reads the catalogue's tables; when the catalogue becomes a package
with typed readers, only this file changes. Every read is limited to what `groups` may read (None: all), by
the one access rule (kmsearch.access), so the audit's counts and names never reveal a document the caller
may not read.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from kmsearch.access import may_read, sql_clause
from kmsearch.analytics.audit import LaterMatch, RegisterPerson, TourReport
from kmsearch.analytics.topics import TEXT_CHARS, AuditDocument

_TOUR = "(d.doc_type = 'study-tour report' OR (d.doc_type = 'report' AND LOWER(d.title) LIKE '%study tour%'))"
_EXIT = "(LOWER(d.title) LIKE '%exit interview%' OR LOWER(d.path) LIKE '%exit-interview%' " \
        "OR LOWER(d.path) LIKE '%exit_interview%')"


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


class CatalogSource:
    def __init__(self, index: Any, groups: frozenset[str] | None = None):
        self.index = index
        self.groups = groups
        self.conn = index.catalog.conn
        self._who: dict[tuple[str, int], list[Any]] = {}

    def _documents(self, where: str = "1", chars: int | None = TEXT_CHARS) -> list[AuditDocument]:
        access, args = sql_clause(self.groups)
        rows = self.conn.execute(f"SELECT d.doc_id, d.title, d.path, d.doc_type, d.date FROM documents d "
                                 f"WHERE {access} AND {where} ORDER BY d.doc_id", args).fetchall()
        out = []
        for doc_id, title, path, doc_type, date in rows:
            text: list[str] = []
            size = 0
            pages = (self.conn.execute("SELECT text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
                     if chars != 0 else ())
            for (page,) in pages:
                text.append(page)
                size += len(page)
                if chars is not None and size >= chars:  # (chars=0: no text wanted)
                    break
            joined = "\n".join(text)
            out.append(AuditDocument(doc_id, title, path, doc_type, _year(date),
                                     joined[:chars] if chars is not None else joined))
        return out

    def documents(self) -> Sequence[AuditDocument]:
        return self._documents()

    def tour_reports(self) -> Sequence[TourReport]:
        """Study-tour reports, each with the passages under its "Recommendations" heading (chunk headings)."""
        out = []
        for doc in self._documents(_TOUR, chars=0):
            rows = self.conn.execute("SELECT text FROM chunks WHERE doc_id = ? AND LOWER(heading) LIKE "
                                     "'%recommendation%' ORDER BY ordinal", (doc.doc_id,))
            out.append(TourReport(doc, "\n".join(r[0] for r in rows)))
        return out

    def who_knows(self, topic: str, k: int) -> Sequence[Any]:
        from kmsearch.search.experts import who_knows

        key = (topic, k)
        if key not in self._who:  # the per-person part asks again for topics and skills
            self._who[key] = who_knows(self.index, topic, k=k, groups=self.groups)
        return self._who[key]

    def people(self) -> Sequence[RegisterPerson]:
        """People in the skills register (status known); people only named in documents are not audited."""
        return [RegisterPerson(p["person_id"], p["name"], p["status"], p["unit"], p["role"], tuple(p["skills"]))
                for p in sorted(self.index.catalog.people().values(), key=lambda p: p["name"]) if p["status"]]

    def register_entries(self) -> Sequence[Mapping[str, Any]]:
        return [e for e in self.index.catalog.register_entries() if may_read(self.groups, e["access_groups"])]

    def events_without_report(self) -> Sequence[Mapping[str, Any]]:
        from kmsearch.search.gaps import register_gaps

        return list(register_gaps(self.index).events_without_report)

    def later_matches(self, text: str, after: str, exclude: str) -> Sequence[LaterMatch]:
        """Documents dated from `after` on whose passages are closest to `text` (dense cosine)."""
        from kmsearch.search import Filters, Searcher

        hits = Searcher(self.index).search(text[:1000], k=5, mode="dense",
                                           filters=Filters(date_from=after, groups=self.groups), passages=1)
        return [LaterMatch(h.doc_id, h.title, h.date, h.score) for h in hits if h.doc_id != exclude]

    def exit_interviews(self, person_id: str) -> Sequence[tuple[str, str]]:
        access, args = sql_clause(self.groups)
        rows = self.conn.execute(
            f"SELECT DISTINCT d.doc_id, d.title FROM mentions m JOIN documents d USING (doc_id) "
            f"WHERE m.person_id = ? AND {_EXIT} AND {access} ORDER BY d.title", [person_id, *args])
        return [(r[0], r[1]) for r in rows]


def load_overrides(path: Any) -> Any:
    """A librarian's topic overrides from a JSON file ({"rename": {...}, "merge": [[...]]}), or None."""
    from pathlib import Path

    from kmsearch.analytics.topics import Overrides
    from kmsearch.errors import InvalidParameterError

    path = Path(path)
    if not path.exists():
        return None
    try:
        return Overrides.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValueError) as exc:
        raise InvalidParameterError(f"{path}: {exc}") from exc
