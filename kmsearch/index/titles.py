"""The title index where-is reads: the stems of every document's and paper-only register entry's title text, kept
in the catalogue and brought up to date at each commit, so a request reads only the titles sharing a word with
it, and a serving process holds none of it in memory (at a million passages it would be half a million titles).

A key is a doc_id, or "ref:" + reference for a register row without a file. Its title text is the document
title, the register title, the file name and the reference (`title_text`).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any


SCHEMA = """
CREATE TABLE IF NOT EXISTS title_keys (key TEXT PRIMARY KEY, text TEXT NOT NULL, date TEXT);
CREATE INDEX IF NOT EXISTS title_keys_date ON title_keys(date);
CREATE TABLE IF NOT EXISTS title_terms (stem TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (stem, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS title_terms_key ON title_terms(key);
"""


def title_text(doc: dict[str, Any] | None, entry: dict[str, Any] | None) -> str:
    """What a request's words are matched against: titles, register title, file name and reference."""
    return " ".join(filter(None, [
        doc["title"] if doc else "", entry["title"] if entry else "",
        re.sub(r"[-_.]", " ", Path(doc["path"]).stem) if doc else "", entry["reference"] if entry else "",
    ]))


def stems(text: str) -> set[str]:
    """The same stems a request is reduced to (where.py), so the two meet."""
    from kmsearch.search.snippets import query_stems

    return query_stems(text)


def sync_titles(conn: sqlite3.Connection) -> int:
    """Make the title tables match the documents and the register; returns how many keys changed. Reads every
    document's title fields (seconds at half a million documents) and writes only what changed."""
    conn.executescript(SCHEMA)
    entries = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT reference, title, date, path FROM register_documents")}
    paper_only = {r[0] for r in conn.execute("SELECT reference FROM register_documents WHERE path IS NULL OR path = ''")}
    want: dict[str, tuple[str, str | None]] = {}
    for doc_id, title, path, reference, date in conn.execute(
        "SELECT doc_id, title, path, reference, date FROM documents"
    ):
        entry = entries.get(reference) if reference else None
        entry_dict = {"title": entry[0], "reference": reference} if entry else None
        want[doc_id] = (title_text({"title": title, "path": path}, entry_dict), (entry[1] if entry else None) or date)
    for reference in paper_only:
        title, date, _ = entries[reference]
        want["ref:" + reference] = (title_text(None, {"title": title, "reference": reference}), date)
    have = {key: (text, date) for key, text, date in conn.execute("SELECT key, text, date FROM title_keys")}
    gone = [k for k in have if have[k] != want.get(k)]
    new = [k for k in want if have.get(k) != want[k]]
    with conn:
        for i in range(0, len(gone), 500):
            part = [(k,) for k in gone[i : i + 500]]
            conn.executemany("DELETE FROM title_keys WHERE key = ?", part)
            conn.executemany("DELETE FROM title_terms WHERE key = ?", part)
        conn.executemany("INSERT INTO title_keys VALUES (?, ?, ?)", [(k, *want[k]) for k in new])
        conn.executemany("INSERT INTO title_terms VALUES (?, ?)", [(s, k) for k in new for s in stems(want[k][0])])
    return len(gone) + len(new)
