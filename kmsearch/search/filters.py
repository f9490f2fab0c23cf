"""Document filters, resolved to the set of chunk ids both retrievers may return (filtering before ranking)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from kmsearch.errors import InvalidParameterError
from kmsearch.index.catalog import Catalog
from kmsearch.types import DOC_TYPES

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Filters:
    doc_type: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, inclusive
    date_to: str | None = None
    author: str | None = None  # case-insensitive substring of any author
    source: str | None = None  # a folder: the absolute path given to ingest, or a folder name in the path
    language: str | None = None  # ISO 639-1 code
    # The caller's access groups: None reads everything (admin, open desktop mode); otherwise only documents
    # with no groups or sharing one with the caller. Set by the service from the API key, never by a user.
    groups: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InvalidParameterError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        unknown = set(self.doc_type) - set(DOC_TYPES)
        if unknown:
            raise InvalidParameterError(f"doc_type {sorted(unknown)} unknown; choose from {', '.join(DOC_TYPES)}")

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "groups") or self.groups is not None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if self.doc_type:
            clauses.append(f"d.doc_type IN ({','.join('?' * len(self.doc_type))})")
            args.extend(self.doc_type)
        if self.date_from:
            clauses.append("d.date >= ?")
            args.append(self.date_from)
        if self.date_to:
            clauses.append("SUBSTR(d.date, 1, ?) <= ?")  # "2009" includes every day of 2009
            args.extend([len(self.date_to), self.date_to])
        if self.author:
            clauses.append("LOWER(d.authors) LIKE ?")
            args.append(f"%{self.author.lower()}%")
        if self.source:
            resolved = os.path.abspath(Path(self.source).expanduser())
            clauses.append("(d.path LIKE ? OR d.path LIKE ?)")
            args.extend([resolved + "/%", f"%/{self.source.strip('/')}/%"])
        if self.language:
            clauses.append("d.language = ?")
            args.append(self.language.lower())
        if self.groups is not None:
            clauses.append(access_clause(self.groups))
            args.extend(sorted(self.groups))
        return " AND ".join(clauses) or "1", args

    def doc_ids(self, catalog: Catalog) -> set[str] | None:
        """Documents allowed by these filters, or None when nothing is filtered."""
        if not self.active:
            return None
        where, args = self.where()
        return {r[0] for r in catalog.conn.execute(f"SELECT d.doc_id FROM documents d WHERE {where}", args)}

    def chunk_ids(self, catalog: Catalog) -> np.ndarray | None:
        """Chunk ids allowed by these filters, or None when nothing is filtered."""
        if not self.active:
            return None
        where, args = self.where()
        rows = catalog.conn.execute(f"SELECT c.chunk_id FROM chunks c JOIN documents d USING (doc_id) WHERE {where}", args)
        return np.fromiter((r[0] for r in rows), dtype=np.int64)


def access_clause(groups: frozenset[str], column: str = "d.access_groups") -> str:
    """SQL for 'open to everyone, or shares a group with the caller' (parameters: the sorted groups)."""
    marks = ",".join("?" * len(groups))
    shared = f" OR EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN ({marks}))" if groups else ""
    return f"({column} = '[]'{shared})"
