"""The audit's reads of an index (kmsearch.analytics.audit.AuditSource), through the catalogue's typed readers.

Every read is limited to what `groups` may read (None: all), by the one access rule (kmsearch.access), so the
audit's counts and names never reveal a document the caller may not read.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Sequence

from kmsearch.analytics.audit import LaterMatch, RegisterPerson, TourReport
from kmsearch.analytics.topics import TEXT_CHARS, AuditDocument
from kmsearch.types import DocumentRecord


def _is_tour(d: DocumentRecord) -> bool:
    return d.doc_type == "study-tour report" or (d.doc_type == "report" and "study tour" in d.title.lower())


def _is_exit_interview(d: DocumentRecord) -> bool:
    path = d.path.lower()
    return "exit interview" in d.title.lower() or "exit-interview" in path or "exit_interview" in path


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


class CatalogSource:
    def __init__(self, index: Any, groups: frozenset[str] | None = None):
        self.index = index
        self.groups = groups
        self.catalog = index.catalog
        self._who: dict[tuple[str, int], list[Any]] = {}

    def _documents(self, keep: Callable[[DocumentRecord], bool] = lambda d: True,
                   chars: int | None = TEXT_CHARS) -> list[AuditDocument]:
        out = []
        for d in sorted(self.catalog.iter_documents(self.groups), key=lambda d: d.doc_id):
            if not keep(d):
                continue
            text: list[str] = []
            size = 0
            for page in (self.catalog.pages(d.doc_id) if chars != 0 else ()):
                text.append(page.text)
                size += len(page.text)
                if chars is not None and size >= chars:  # (chars=0: no text wanted)
                    break
            joined = "\n".join(text)
            out.append(AuditDocument(d.doc_id, d.title, d.path, d.doc_type, _year(d.date),
                                     joined[:chars] if chars is not None else joined))
        return out

    def documents(self) -> Sequence[AuditDocument]:
        return self._documents()

    def tour_reports(self) -> Sequence[TourReport]:
        """Study-tour reports, each with the passages under its "Recommendations" heading (chunk headings)."""
        reports = self._documents(_is_tour, chars=0)
        wanted = {doc.doc_id for doc in reports}
        recommendations: dict[str, list[tuple[int, str]]] = {d: [] for d in wanted}
        for chunk in self.catalog.iter_chunks():
            if chunk.doc_id in wanted and "recommendation" in (chunk.heading or "").lower():
                recommendations[chunk.doc_id].append((chunk.ordinal, chunk.text))
        return [TourReport(doc, "\n".join(t for _, t in sorted(recommendations[doc.doc_id]))) for doc in reports]

    def who_knows(self, topic: str, k: int) -> Sequence[Any]:
        from kmsearch.search.experts import who_knows

        key = (topic, k)
        if key not in self._who:  # the per-person part asks again for topics and skills
            self._who[key] = who_knows(self.index, topic, k=k, groups=self.groups)
        return self._who[key]

    def people(self) -> Sequence[RegisterPerson]:
        """People in the skills register (status known); people only named in documents are not audited."""
        return [RegisterPerson(p.person_id, p.name, p.status, p.unit, p.role, tuple(p.skills))
                for p in sorted(self.catalog.people().values(), key=lambda p: p.name) if p.status]

    def register_entries(self) -> Sequence[Mapping[str, Any]]:
        return [e.to_json() for e in self.catalog.register_entries(self.groups)]

    def events_without_report(self) -> Sequence[Mapping[str, Any]]:
        from kmsearch.search.gaps import register_gaps

        return list(register_gaps(self.index, self.groups).events_without_report)

    def later_matches(self, text: str, after: str, exclude: str) -> Sequence[LaterMatch]:
        """Documents dated from `after` on whose passages are closest to `text` (dense cosine)."""
        from kmsearch.search import Filters, Searcher

        hits = Searcher(self.index).search(text[:1000], k=5, mode="dense",
                                           filters=Filters(date_from=after, groups=self.groups), passages=1)
        return [LaterMatch(h.doc_id, h.title, h.date, h.score) for h in hits if h.doc_id != exclude]

    def exit_interviews(self, person_id: str) -> Sequence[tuple[str, str]]:
        doc_ids = sorted({m.doc_id for m in self.catalog.mentions(person_id=person_id)})
        docs = self.catalog.documents(doc_ids, self.groups).values()
        return sorted(((d.doc_id, d.title) for d in docs if _is_exit_interview(d)), key=lambda x: x[1])


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
