"""The title index where-is reads: the stems of every document's and paper-only register entry's title text, kept
in the catalogue and brought up to date at each commit, so a request reads only the titles sharing a word with
it, and a serving process holds none of it in memory (at a million passages it would be half a million titles).

A key is a doc_id, or "ref:" + reference for a register row without an indexed file (none named, or its file is
gone: the paper copy is still on its shelf). Its title text is the document
title, the register title, the file name and the reference (`title_text`). The tables are in schema.py; the
writer calls `sync` at every commit and the reader's `title_*` methods query them.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from kmsearch.index.stems import query_stems
from kmsearch.types import DocumentRecord, RegisterEntry

PAPER_ONLY = "ref:"  # key prefix of a register row without a file


def _text(doc_title: str, doc_path: str | None, entry_title: str, reference: str) -> str:
    return " ".join(filter(None, [
        doc_title, entry_title, re.sub(r"[-_.]", " ", Path(doc_path).stem) if doc_path else "", reference,
    ]))


def title_text(doc: DocumentRecord | None, entry: RegisterEntry | None) -> str:
    """What a request's words are matched against: titles, register title, file name and reference."""
    return _text(doc.title if doc else "", doc.path if doc else None, entry.title if entry else "",
                 entry.reference if entry else "")


def sync(conn: sqlite3.Connection) -> int:
    """Make the title tables match the documents and the register; returns how many keys changed. Reads every
    document's title fields (seconds at half a million documents) and writes only what changed."""
    entries = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT reference, title, date FROM register_documents")}
    paper_only = {r[0] for r in conn.execute(  # rows without a file, and rows whose file is gone: paper copies
        "SELECT reference FROM register_documents WHERE reference NOT IN "
        "(SELECT reference FROM documents WHERE reference IS NOT NULL)")}
    want: dict[str, tuple[str, str | None]] = {}
    rows = conn.execute("SELECT doc_id, title, path, reference, date FROM documents")
    for doc_id, title, path, reference, date in rows:
        entry = entries.get(reference) if reference else None
        text = _text(title, path, entry[0] if entry else "", reference if entry else "")
        want[doc_id] = (text, (entry[1] if entry else None) or date)
    for reference in paper_only:
        title, date = entries[reference]
        want[PAPER_ONLY + reference] = (_text("", None, title, reference), date)
    have = {key: (text, date) for key, text, date in conn.execute("SELECT key, text, date FROM title_keys")}
    gone = [k for k in have if have[k] != want.get(k)]
    new = [k for k in want if have.get(k) != want[k]]
    for i in range(0, len(gone), 500):  # the caller (CatalogWriter.sync_titles) holds the transaction
        part = [(k,) for k in gone[i : i + 500]]
        conn.executemany("DELETE FROM title_keys WHERE key = ?", part)
        conn.executemany("DELETE FROM title_terms WHERE key = ?", part)
    conn.executemany("INSERT INTO title_keys VALUES (?, ?, ?)", [(k, *want[k]) for k in new])
    conn.executemany("INSERT INTO title_terms VALUES (?, ?)", [(s, k) for k in new for s in query_stems(want[k][0])])
    return len(gone) + len(new)
