"""Librarians' corrections to the catalogue: a document's title, type, date, authors and groups, set without
editing its file (`kmsearch edit`). Kept in `<index>/overrides.sqlite`, outside the generations, so a correction
survives every re-ingest; each ingest, and the edit itself, applies them to the new generation's catalogue
(`kmsearch.ingest.edits`). A document is known by its doc_id, which is stable for a path.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kmsearch.errors import InvalidParameterError
from kmsearch.types import DOC_TYPES

OVERRIDES_FILE = "overrides.sqlite"
FIELDS = ("title", "type", "date", "authors", "groups")


@dataclass(frozen=True)
class Edit:
    doc_id: str
    path: str
    field: str  # one of FIELDS
    value: Any  # str for title, type and date; a list of str for authors and groups
    who: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check(field: str, value: Any) -> Any:
    """The value in its stored form, or InvalidParameterError naming the field and the reason."""
    from kmsearch.registers import check_date, split_groups, split_list

    if field not in FIELDS:
        raise InvalidParameterError(f"field {field!r} cannot be edited; choose from {', '.join(FIELDS)}")
    if field == "title":
        value = " ".join(str(value).split())
        if not value:
            raise InvalidParameterError("title: give a title, or clear the correction instead")
        return value[:300]
    if field == "type":
        if value not in DOC_TYPES:
            raise InvalidParameterError(f"type {value!r} is not one of {', '.join(DOC_TYPES)}")
        return value
    if field == "date":
        try:
            return check_date(str(value))
        except ValueError as exc:
            raise InvalidParameterError(f"date: {exc}") from None
    items = split_groups(value) if field == "groups" else split_list(value)
    if field == "groups" and not items:
        raise InvalidParameterError("groups: name at least one group; a correction can restrict, never open up")
    return list(items)


class Overrides:
    """The store; open it, read or change it, close it (or use it as a context manager)."""

    def __init__(self, index_dir: str | Path):
        path = Path(index_dir) / OVERRIDES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS edits (doc_id TEXT NOT NULL, path TEXT NOT NULL, field TEXT "
                          "NOT NULL, value TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL, "
                          "PRIMARY KEY (doc_id, field))")

    def __enter__(self) -> Overrides:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def set(self, doc_id: str, path: str, field: str, value: Any, who: str) -> Edit:
        stored = check(field, value)
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO edits VALUES (?, ?, ?, ?, ?, ?)",
                              (doc_id, path, field, json.dumps(stored), who, at))
        return Edit(doc_id, path, field, stored, who, at)

    def clear(self, doc_id: str, field: str | None = None) -> int:
        """Drop one field's correction, or all of a document's; how many were dropped."""
        with self.conn:
            if field is None:
                return self.conn.execute("DELETE FROM edits WHERE doc_id = ?", (doc_id,)).rowcount
            return self.conn.execute("DELETE FROM edits WHERE doc_id = ? AND field = ?", (doc_id, field)).rowcount

    def edits(self, doc_id: str | None = None) -> list[Edit]:
        rows = self.conn.execute(
            "SELECT doc_id, path, field, value, who, at FROM edits" + (" WHERE doc_id = ?" if doc_id else "") +
            " ORDER BY path, field", (doc_id,) if doc_id else ())
        return [Edit(d, p, f, json.loads(v), w, a) for d, p, f, v, w, a in rows]

    def by_document(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = defaultdict(dict)
        for edit in self.edits():
            found[edit.doc_id][edit.field] = edit.value
        return dict(found)


def has_overrides(index_dir: str | Path) -> bool:
    return (Path(index_dir) / OVERRIDES_FILE).exists()
