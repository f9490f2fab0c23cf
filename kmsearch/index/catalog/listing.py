"""The catalogue as a librarian browses and exports it: every indexed document with its register row, and every
register row with no indexed file, filtered, sorted and paged in SQL (an archive's catalogue can hold hundreds of
thousands of records), then read back as CatalogueEntry records (kmsearch.types).

Nothing here filters by access groups: the catalogue is for librarians and admins, who see every record, as the
knowledge audit does; the API and the page refuse it to readers. Each record shows its groups instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kmsearch.access import group_name
from kmsearch.index.catalog import records
from kmsearch.index.catalog.query import like_literal
from kmsearch.types import HELD, CatalogueEntry, DocumentRecord, RegisterEntry

# One row per record: a document (its register row's title, type and date first, as where-is shows them), or a
# register row that no document is filed under (held: paper when it names no file, missing when its file is not
# in the index). NOT IN, not a correlated NOT EXISTS: documents.reference has no index, and the list of filed
# references is made once per statement instead of scanned once per register row.
_RECORDS = """
SELECT d.doc_id AS doc_id, COALESCE(r.reference, d.reference) AS reference, COALESCE(r.title, d.title) AS title,
       COALESCE(NULLIF(r.type, ''), d.doc_type) AS type, COALESCE(r.date, d.date) AS date, d.path AS path,
       d.source AS source, COALESCE(r.location, '{}') AS location, r.custodian AS custodian,
       d.access_groups AS groups, 'file' AS held
FROM documents d LEFT JOIN register_documents r ON r.reference = d.reference
UNION ALL
SELECT NULL, r.reference, r.title, r.type, r.date, r.path, r.source, r.location, r.custodian, r.access_groups,
       CASE WHEN r.path IS NULL THEN 'paper' ELSE 'missing' END
FROM register_documents r WHERE r.reference NOT IN (SELECT reference FROM documents WHERE reference IS NOT NULL)
"""
_PLACE = ("json_extract(location, '$.building')", "json_extract(location, '$.room')",
          "json_extract(location, '$.cabinet')", "json_extract(location, '$.shelf')")
# Each column a librarian may sort by, as the expressions it sorts on (text without regard to case)
SORTS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "reference": ("reference",), "type": ("type",), "date": ("date",), "location": _PLACE,
    "custodian": ("custodian",), "groups": ("NULLIF(groups, '[]')",), "path": ("COALESCE(path, source)",),
    "held": ("held",),
}
# What a record may lack, as a condition: the audit's "no date", "no location", "not in the register" ...
LACKING: dict[str, str] = {
    "date": "(date IS NULL OR date = '')", "location": "location = '{}'",
    "custodian": "(custodian IS NULL OR custodian = '')", "register": "reference IS NULL", "groups": "groups = '[]'",
}
_BATCH = 1000


@dataclass(frozen=True)
class CatalogueQuery:
    """Which records, in which order. Every filter is optional; text matches the title or the reference."""

    doc_type: str | None = None
    year: str | None = None  # "2009"
    folder: str | None = None  # a folder's absolute path: the records filed in it or below it
    custodian: str | None = None
    group: str | None = None  # an access group the record carries
    held: str | None = None  # one of HELD
    lacking: str | None = None  # one of LACKING
    text: str | None = None
    sort: str = "title"
    descending: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (("type", self.doc_type), ("SUBSTR(date, 1, 4)", self.year),
                              ("custodian", self.custodian), ("held", self.held)):
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        if self.folder:
            folder = like_literal(self.folder.rstrip("/"))
            clauses.append("(path LIKE ? ESCAPE '\\' OR (path IS NULL AND (source = ? OR source LIKE ? ESCAPE '\\')))")
            args += [folder + "/%", self.folder.rstrip("/"), folder + "/%"]
        if self.group:
            clauses.append("EXISTS (SELECT 1 FROM json_each(groups) WHERE value = ?)")
            args.append(group_name(self.group))
        if self.lacking:
            clauses.append(LACKING[self.lacking])
        if self.text:
            clauses.append("(title LIKE ? ESCAPE '\\' OR reference LIKE ? ESCAPE '\\')")
            args += [f"%{like_literal(self.text)}%"] * 2
        return " AND ".join(clauses) or "1", args

    def order(self) -> str:
        """Empty values last either way; ties by title, then path and reference, so that pages never overlap."""
        way = " DESC" if self.descending else ""
        keys = []
        for i, expr in enumerate(SORTS[self.sort]):
            if i == 0:
                keys.append(f"({expr} IS NULL OR {expr} = '')")
            keys.append(f"{expr} COLLATE NOCASE{way}")
        return ", ".join(keys + ["title COLLATE NOCASE", "COALESCE(path, '')", "COALESCE(reference, '')"])


@dataclass(frozen=True)
class CatalogueOptions:
    """The values the filters offer, from every record: types, years (newest first), custodians, groups, and the
    folders records are filed in, as (ingested folder, folder) pairs (a register row with no file: its register's
    ingested folder)."""

    types: list[str]
    years: list[str]
    custodians: list[str]
    groups: list[str]
    places: list[tuple[str, str]]


class Listing:
    """The catalogue's records of one generation (`Catalog.listing()`)."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def count(self, query: CatalogueQuery) -> int:
        where, args = query.where()
        return int(self._conn.execute(f"SELECT COUNT(*) FROM ({_RECORDS}) WHERE {where}", args).fetchone()[0])

    def page(self, query: CatalogueQuery, offset: int, limit: int) -> list[CatalogueEntry]:
        """`limit` records from `offset` on, in the query's order."""
        where, args = query.where()
        rows = self._conn.execute(f"SELECT doc_id, reference FROM ({_RECORDS}) WHERE {where} ORDER BY "
                                  f"{query.order()} LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return self._entries(rows)

    def iter(self, query: CatalogueQuery) -> Iterator[CatalogueEntry]:
        """Every record the query lets through, in its order, read a batch at a time."""
        where, args = query.where()
        cursor = self._conn.execute(f"SELECT doc_id, reference FROM ({_RECORDS}) WHERE {where} ORDER BY "
                                    f"{query.order()}", args)
        while batch := cursor.fetchmany(_BATCH):
            yield from self._entries(batch)

    def options(self) -> CatalogueOptions:
        def column(sql: str) -> list[str]:
            return [r[0] for r in self._conn.execute(sql.replace("RECORDS", f"({_RECORDS})"))]

        # a file's folder is its path up to the last "/" (RTRIM drops every character but "/" from the right)
        places = self._conn.execute("SELECT DISTINCT source, COALESCE(RTRIM(RTRIM(path, REPLACE(path, '/', '')), '/'), "
                                    f"source) FROM ({_RECORDS})")
        return CatalogueOptions(
            types=column("SELECT DISTINCT type FROM RECORDS ORDER BY 1"),
            years=column("SELECT DISTINCT SUBSTR(date, 1, 4) FROM RECORDS WHERE date > '' ORDER BY 1 DESC"),
            custodians=column("SELECT DISTINCT custodian FROM RECORDS WHERE custodian > '' "
                              "ORDER BY custodian COLLATE NOCASE"),
            groups=column("SELECT DISTINCT j.value FROM RECORDS r, json_each(r.groups) j ORDER BY 1"),
            places=[(source, path) for source, path in places],
        )

    def _entries(self, keys: list[sqlite3.Row]) -> list[CatalogueEntry]:
        doc_ids = [k[0] for k in keys if k[0] is not None]
        references = [k[1] for k in keys if k[1] is not None]
        docs: dict[str, DocumentRecord] = {}
        entries: dict[str, RegisterEntry] = {}
        if doc_ids:
            rows = self._conn.execute(f"SELECT * FROM documents WHERE doc_id IN ({_marks(doc_ids)})", doc_ids)
            docs = {row["doc_id"]: records.document(row) for row in rows}
        if references:
            rows = self._conn.execute(f"SELECT * FROM register_documents WHERE reference IN ({_marks(references)})",
                                      references)
            entries = {row["reference"]: records.register_entry(row) for row in rows}
        return [CatalogueEntry(docs.get(doc_id) if doc_id else None, entries.get(reference) if reference else None)
                for doc_id, reference in keys]


def _marks(items: list[str]) -> str:
    return ",".join("?" * len(items))


__all__ = ["HELD", "LACKING", "SORTS", "CatalogueOptions", "CatalogueQuery", "Listing"]
