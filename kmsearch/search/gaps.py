"""Gaps between the events register and the reports: "where did the report end up?"

- An event has **no report filed** when its `report_reference` is empty, or names no row of the document
  register.
- An event report (a document of type "study-tour report", or a report whose title names a study tour, study
  visit, benchmarking visit, workshop, conference or seminar) **cites no event** when no event's
  `report_reference` is its register reference, and its title does not name the place and year of any event
  (e.g. "Study Tour to Canada ... 2008" for the Canada tour of 2008-09-14).

Both lists follow the caller's access groups: a register entry or document the caller may not read counts as
absent (so an event whose report is restricted shows, to that caller, as having none filed), exactly as the
rest of the service treats what a caller may not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kmsearch.access import Groups
from kmsearch.index.store import Index
from kmsearch.types import EventRecord

_EVENT_TITLE = re.compile(r"\b(study[- ]tours?|study visits?|benchmarking visits?|workshops?|conferences?|seminars?)\b",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Gaps:
    events_without_report: tuple[dict[str, Any], ...]
    reports_without_event: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {"events_without_report": list(self.events_without_report),
                "reports_without_event": list(self.reports_without_event)}


def _is_event_report(doc_type: str, title: str) -> bool:
    return doc_type == "study-tour report" or (doc_type == "report" and bool(_EVENT_TITLE.search(title)))


def _names_event(title: str, event: EventRecord) -> bool:
    year = (event.start_date or "")[:4]
    places = [p.strip() for p in re.split(r"[,;]| and ", event.place or "") if p.strip()]
    return bool(year) and year in title and any(p.lower() in title.lower() for p in places)


def register_gaps(index: Index, groups: Groups = None) -> Gaps:
    """Events whose report is missing, and event reports that no event in the register points at, as a caller
    with `groups` sees them (None: everything, as the CLI does)."""
    catalog = index.catalog
    events = catalog.register_events()
    entries = {e.reference: e for e in catalog.register_entries(groups)}
    missing = []
    for event in events:
        reference = event.report_reference
        if not reference:
            reason = "no report reference in the events register"
        elif reference not in entries:
            reason = f"report {reference} is not in the document register"
        else:
            continue
        missing.append({"name": event.name, "start": event.start_date, "end": event.end_date,
                        "place": event.place, "participants": list(event.participants), "reason": reason})

    cited = {e.report_reference for e in events if e.report_reference}
    reports: dict[str, dict[str, Any]] = {}
    for entry in entries.values():
        if _is_event_report(entry.type, entry.title):
            reports[entry.path or "ref:" + entry.reference] = {
                "reference": entry.reference, "title": entry.title, "path": entry.path, "date": entry.date}
    for doc in catalog.iter_documents(groups):
        if doc.path not in reports and not doc.reference and _is_event_report(doc.doc_type, doc.title):
            reports[doc.path] = {"reference": None, "title": doc.title, "path": doc.path, "date": doc.date}
    orphans = [
        r for r in reports.values()
        if r["reference"] not in cited and not any(_names_event(r["title"], e) for e in events)
    ]
    orphans.sort(key=lambda r: (r["date"] or "", r["title"]))
    return Gaps(tuple(missing), tuple(orphans))
