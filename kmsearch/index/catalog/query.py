"""Document filters as SQL: the one place a search's filters (kmsearch.search.Filters) and the caller's access
groups become a WHERE clause over the `documents` table (aliased `d`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from kmsearch.access import Groups, sql_clause

LIKE_ESCAPE = "\\"


class DocumentFilter(Protocol):
    """What the catalogue reads of a filter (kmsearch.search.Filters has these fields, already validated)."""

    doc_type: tuple[str, ...]
    date_from: str | None  # YYYY, YYYY-MM or YYYY-MM-DD, inclusive
    date_to: str | None
    author: str | None  # case-insensitive substring of any author
    source: str | None  # a folder: the absolute path given to ingest, or a folder name in the path
    language: str | None
    groups: Groups  # the caller's access groups; None reads everything


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern (with ESCAPE '\\') that matches it literally: '%' and '_' are no wildcards."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def where_clause(f: DocumentFilter) -> tuple[str, list[Any]]:
    """The filter as an SQL condition on `documents d`, with its parameters ("1" when it lets everything through).
    User text (author, source) is matched literally: a '%' or '_' in it is no wildcard."""
    clauses: list[str] = []
    args: list[Any] = []
    if f.doc_type:
        clauses.append(f"d.doc_type IN ({','.join('?' * len(f.doc_type))})")
        args.extend(f.doc_type)
    if f.date_from:
        clauses.append("d.date >= ?")
        args.append(f.date_from)
    if f.date_to:
        clauses.append("SUBSTR(d.date, 1, ?) <= ?")  # "2009" includes every day of 2009
        args.extend([len(f.date_to), f.date_to])
    if f.author:
        # each author's decoded name, not the JSON text (where "é" is stored as "\u00e9")
        clauses.append("EXISTS (SELECT 1 FROM json_each(d.authors) WHERE LOWER(value) LIKE ? ESCAPE '\\')")
        args.append(f"%{like_literal(f.author.lower())}%")
    if f.source:
        resolved = os.path.abspath(Path(f.source).expanduser())
        clauses.append("(d.path LIKE ? ESCAPE '\\' OR d.path LIKE ? ESCAPE '\\')")
        args.extend([like_literal(resolved) + "/%", f"%/{like_literal(f.source.strip('/'))}/%"])
    if f.language:
        clauses.append("d.language = ?")
        args.append(f.language.lower())
    if f.groups is not None:
        clause, groups = sql_clause(f.groups)
        clauses.append(clause)
        args.extend(groups)
    return " AND ".join(clauses) or "1", args
