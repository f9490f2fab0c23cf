"""The catalogue's exports for a records audit: documents (every record, indexed or in a register only, with its
location, custodian and access groups), people, events, and the files that fail now; as CSV, JSON or XLSX. What
the CLI (`kmsearch export`), the API (GET /api/v1/admin/export/...) and the catalogue page all call.

Each export is everything: the catalogue is for librarians and admins, who see every record (as the knowledge
audit does); the API and the page refuse it to readers' keys.

A spreadsheet runs a cell that starts with =, +, - or @ (or a tab or a carriage return) as a formula, so a
register title like `=HYPERLINK(...)` would become a live link in the librarian's Excel ("CSV injection"). CSV
and XLSX cells that start so get a leading apostrophe, and XLSX cells are always written as text, never as
formulas; JSON keeps every value as it is.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from kmsearch.index.catalog import CatalogueQuery
from kmsearch.index.store import Index
from kmsearch.types import LOCATION_FIELDS, CatalogueEntry

EXPORTS = ("documents", "people", "events", "failures")
FORMATS = ("csv", "json", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DOCUMENT_COLUMNS = ("reference", "title", "type", "date", "held", "path", "source", *LOCATION_FIELDS, "custodian",
                    "access_groups", "supersedes", "doc_id", "file_title", "format", "language", "pages",
                    "size_bytes", "authors", "created", "modified", "sha256", "indexed_at", "warnings")
PEOPLE_COLUMNS = ("person_id", "name", "aliases", "in_register", "status", "unit", "role", "email", "skills",
                  "qualifications", "trainings", "documents", "roles")
EVENT_COLUMNS = ("name", "start", "end", "place", "participants", "report_reference", "report", "report_title",
                 "report_path", "source")
FAILURE_COLUMNS = ("path", "kind", "problem", "since", "indexed_doc_id")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CHARS = 32_767  # what one Excel cell holds
_ILLEGAL_XML = dict.fromkeys([*range(9), 11, 12, *range(14, 32)])  # control characters XLSX cannot hold


@dataclass(frozen=True)
class Table:
    """One export: its name, its columns in order, and its rows (dicts of str, int, bool, None or lists)."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[dict[str, Any]]


# --- the four tables --------------------------------------------------------------------------------------------
def document_row(record: CatalogueEntry) -> dict[str, Any]:
    """A catalogue record as DOCUMENT_COLUMNS: the register's title, type and date first; the file's facts."""
    doc, entry = record.document, record.entry
    location = entry.location.to_json() if entry else {}
    return {
        "reference": entry.reference if entry else doc.reference if doc else None,
        "title": record.title, "type": record.doc_type, "date": record.date, "held": record.held,
        "path": record.path, "source": doc.source if doc else entry.source if entry else None,
        **{part: location.get(part) for part in LOCATION_FIELDS},
        "custodian": entry.custodian if entry else None, "access_groups": list(record.access_groups),
        "supersedes": entry.supersedes if entry else None,
        "doc_id": doc.doc_id if doc else None, "file_title": doc.title if doc else None,
        "format": doc.format if doc else None, "language": doc.language if doc else None,
        "pages": doc.n_pages if doc else None, "size_bytes": doc.size if doc else None,
        "authors": list(doc.authors) if doc else [], "created": doc.created if doc else None,
        "modified": doc.modified if doc else None, "sha256": doc.content_hash if doc else None,
        "indexed_at": doc.indexed_at if doc else None, "warnings": list(doc.warnings) if doc else [],
    }


def documents_table(index: Index, query: CatalogueQuery | None = None) -> Table:
    """Every catalogue record the query lets through (default: all, by title), streamed from the catalogue."""
    records = index.catalog.listing().iter(query or CatalogueQuery())
    return Table("documents", DOCUMENT_COLUMNS, (document_row(r) for r in records))


def people_table(index: Index) -> Table:
    """Everyone linked from the skills register and the documents, by name, with how many documents name them
    and in which parts (author, presenter, attendee ...)."""
    catalog = index.catalog
    documents: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    for mention in catalog.mentions(linked=True):
        documents[mention.person_id or ""].add(mention.doc_id)
        roles[mention.person_id or ""].add(mention.role)
    aliases: dict[str, set[str]] = defaultdict(set)
    for alias, person_id in catalog.person_aliases().items():
        aliases[person_id].add(alias)
    rows = [{
        "person_id": p.person_id, "name": p.name, "aliases": sorted(aliases[p.person_id] - {p.name}),
        "in_register": p.in_register, "status": p.status, "unit": p.unit, "role": p.role, "email": p.email,
        "skills": list(p.skills), "qualifications": list(p.qualifications), "trainings": list(p.trainings),
        "documents": len(documents[p.person_id]), "roles": sorted(roles[p.person_id]),
    } for p in sorted(catalog.people().values(), key=lambda p: (p.name.casefold(), p.person_id))]
    return Table("people", PEOPLE_COLUMNS, rows)


def events_table(index: Index) -> Table:
    """The events registers' rows, by start date, each with where its report stands: held as a file, on paper
    only, its file missing, "not in register" (a reference the document register lacks) or None (no reference)."""
    catalog = index.catalog
    entries = {e.reference: e for e in catalog.register_entries()}
    filed = catalog.documents_by_reference()
    paths = {d.doc_id: d.path for d in catalog.documents(sorted(set(filed.values()))).values()}
    rows = []
    for event in catalog.register_events():
        ref = event.report_reference
        entry = entries.get(ref or "")
        doc_id = filed.get(ref or "")
        report = None if not ref else "not in register" if entry is None else \
            "file" if doc_id else "paper" if entry.path is None else "missing"
        rows.append({"name": event.name, "start": event.start_date, "end": event.end_date, "place": event.place,
                     "participants": list(event.participants), "report_reference": ref, "report": report,
                     "report_title": entry.title if entry else None,
                     "report_path": paths.get(doc_id or "") or (entry.path if entry else None),
                     "source": event.source})
    return Table("events", EVENT_COLUMNS, rows)


def current_failures(index_dir: Path) -> list[dict[str, Any]]:
    """The files that fail now, then the registers that could not be used as written, by path: each stands from the
    ingest that reported it (`since`) until a later finished ingest walks it again without the problem, as the
    ingest history tells (kmsearch.ingest.history; the files are its `failing_now`, which `status` shows)."""
    from kmsearch.ingest import history

    rows = [{"path": f["path"], "kind": "file", "problem": f.get("reason") or "failed", "since": f["since"]}
            for f in history.failing_now(index_dir)]
    registers: dict[str, tuple[list[str], str]] = {}
    for run in history.runs(index_dir):
        if run.outcome != "done":  # an interrupted or failed ingest decided nothing about its registers
            continue
        found = {p["path"]: [m for m in (p.get("reason"), *p.get("errors", [])) if m] for p in run.problems
                 if p.get("status") == "register"}
        for path in [p for p in registers if run.walked(p) and not found.get(p)]:
            del registers[path]
        for path, problems in found.items():
            if problems:
                registers[path] = (problems, registers.get(path, ([], run.started))[1])
    rows += [{"path": path, "kind": "register", "problem": problem, "since": since}
             for path, (problems, since) in registers.items() for problem in problems]
    return sorted(rows, key=lambda r: (r["kind"], r["path"]))


def failures_table(index_dir: Path, index: Index | None = None) -> Table:
    """The failures now; with the open index, the id of the version still indexed of a changed file that now
    fails (a failing file keeps its previous version)."""
    rows = current_failures(index_dir)
    for row in rows:
        kept = index.catalog.first_document_at(row["path"]) if index is not None and row["kind"] == "file" else None
        row["indexed_doc_id"] = kept
    return Table("failures", FAILURE_COLUMNS, rows)


def table(what: str, index_dir: Path, index: Index | None = None, query: CatalogueQuery | None = None) -> Table:
    """The export named `what` (one of EXPORTS). Failures need only the index folder (with `index`, they name the
    version still indexed); the others the live generation (`index`)."""
    if what == "failures":
        return failures_table(index_dir, index)
    if index is None:
        raise ValueError(f"the {what} export needs the open index")
    if what == "documents":
        return documents_table(index, query)
    if what == "people":
        return people_table(index)
    if what == "events":
        return events_table(index)
    raise ValueError(f"what to export must be one of {', '.join(EXPORTS)}, got {what!r}")


# --- cells and formats ----------------------------------------------------------------------------------------
def defused(text: str) -> str:
    """`text` as a spreadsheet shows it but never runs it: a leading apostrophe when it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str | float:
    """A value as one spreadsheet cell: lists joined with "; ", yes/no, "" for None, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    return defused(str(value))


def csv_lines(table: Table, bom: bool = False) -> Iterator[str]:
    """The table as CSV text, a row at a time (for a streamed download); `bom`: a UTF-8 byte-order mark first,
    which Excel needs to read the file as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    yield ("\ufeff" if bom else "") + out.getvalue()
    for row in table.rows:
        out.seek(0)
        out.truncate()
        writer.writerow([cell(row[c]) for c in table.columns])
        yield out.getvalue()


def write_csv(table: Table, out: IO[str], bom: bool = False) -> int:
    """Write the table as CSV; the number of rows written."""
    n = -1
    for n, line in enumerate(csv_lines(table, bom)):
        out.write(line)
    return n


def write_xlsx(table: Table, out: IO[bytes] | Path) -> int:
    """Write the table as one XLSX sheet: a bold, frozen header with filters, every text cell a string (never a
    formula) and defused; the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name)
    sheet.freeze_panes = "A2"
    for i, name in enumerate(table.columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = 40 if name in ("title", "path", "problem") else 16
    header = []
    for name in table.columns:
        head = WriteOnlyCell(sheet, value=name)
        head.font = Font(bold=True)
        header.append(head)
    sheet.append(header)
    n = 0
    for n, row in enumerate(table.rows, 1):
        sheet.append([_xlsx_cell(sheet, WriteOnlyCell, cell(row[c])) for c in table.columns])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{n + 1}"
    book.save(out)
    return n


def _xlsx_cell(sheet: Any, make: Any, value: str | float) -> Any:
    if not isinstance(value, str):
        return value
    made = make(sheet, value=value.translate(_ILLEGAL_XML)[:XLSX_MAX_CHARS])
    made.data_type = "s"  # text, whatever it looks like (defused already: nothing starts with "=")
    return made


def json_export(table: Table, generation: str | None, now: datetime | None = None) -> dict[str, Any]:
    """The JSON export: the generation it was read from, when, and the rows as they are (lists stay lists, None
    stays null) under the table's name: {"generation", "exported", "documents": [...]}."""
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"generation": generation, "exported": when, table.name: [dict(row) for row in table.rows]}


def file_name(what: str, fmt: str, day: datetime | None = None) -> str:
    """"kmsearch-documents-2025-03-31.csv": what a download is saved as."""
    return f"kmsearch-{what}-{(day or datetime.now(timezone.utc)).strftime('%Y-%m-%d')}.{fmt}"


# --- the catalogue page's filters -----------------------------------------------------------------------------
def folder_options(places: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(folder, label) of every ingested folder and every folder between it and a folder that holds a record,
    from (ingested folder, folder) pairs, sorted; the label is the path from the ingested folder's name
    ("corpus/minutes")."""
    found: dict[str, str] = {}
    for source, folder in places:
        root, folder = source.rstrip("/") or "/", folder.rstrip("/") or "/"
        base = os.path.dirname(root)
        while folder == root or folder.startswith(root + "/"):
            found.setdefault(folder, os.path.relpath(folder, base) if base else folder)
            if folder == root:
                break
            folder = os.path.dirname(folder)
    return sorted(found.items(), key=lambda kv: kv[1].casefold())


def catalogue_options(index: Index) -> dict[str, Any]:
    """The values the catalogue's filters offer, read once per generation (`Index.derived`)."""
    if "catalogue_options" not in index.derived:
        found = index.catalog.listing().options()
        index.derived["catalogue_options"] = {
            "types": found.types, "years": found.years, "custodians": found.custodians, "groups": found.groups,
            "folders": folder_options(found.places)}
    return index.derived["catalogue_options"]


def catalogue_page(index: Index, query: CatalogueQuery, page: int, per_page: int) -> dict[str, Any]:
    """One page of the catalogue: its records, how many there are in all, and the filters' values."""
    listing = index.catalog.listing()
    total = listing.count(query)
    return {"records": listing.page(query, (page - 1) * per_page, per_page), "total": total,
            "options": catalogue_options(index)}


__all__ = ["DOCUMENT_COLUMNS", "EVENT_COLUMNS", "EXPORTS", "FAILURE_COLUMNS", "FORMATS", "MEDIA_TYPES",
           "PEOPLE_COLUMNS", "Table", "catalogue_options", "catalogue_page", "cell", "csv_lines", "current_failures",
           "defused", "document_row", "documents_table", "events_table", "failures_table", "file_name",
           "folder_options", "json_export", "people_table", "table", "write_csv", "write_xlsx"]
