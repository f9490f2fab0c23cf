"""The SQLite catalogue: documents, pages, chunks, register rows, and the people documents name; one file per
index generation."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from kmsearch.access import group_name
from kmsearch.types import Chunk, Document

_IN_BATCH = 10_000  # ids per `IN (...)` statement: under SQLite's parameter limit (32,766 in current builds)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    created TEXT,
    modified TEXT,
    date TEXT,
    language TEXT,
    doc_type TEXT NOT NULL DEFAULT 'other',
    content_hash TEXT NOT NULL,
    size INTEGER,
    mtime REAL,
    n_pages INTEGER NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    indexed_at TEXT NOT NULL,
    reference TEXT,                              -- its row in the document register, if any
    access_groups TEXT NOT NULL DEFAULT '[]'     -- JSON list; empty: open to every reader
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    page INTEGER NOT NULL,
    heading TEXT,
    text TEXT NOT NULL,
    n_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS register_documents (
    reference TEXT PRIMARY KEY,
    source TEXT NOT NULL,          -- the ingested folder whose registers/documents.csv holds the row
    path TEXT,                     -- absolute path of the file, NULL for paper-only documents
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    date TEXT,
    location TEXT NOT NULL DEFAULT '{}',
    custodian TEXT,
    access_groups TEXT NOT NULL DEFAULT '[]',
    supersedes TEXT
);
-- People (kmsearch.people): mentions are found when a document is stored; `link` resolves them to people.
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    name TEXT NOT NULL,            -- as written: "Dr T. Mokoena"
    role TEXT NOT NULL,            -- author, presenter, delegate, attendee, mentioned
    page INTEGER,                  -- NULL: the whole document (file properties, events register)
    certain INTEGER NOT NULL DEFAULT 1,  -- 0: attach only to a person already known
    source TEXT NOT NULL DEFAULT 'text', -- text, properties, events
    person_id TEXT                 -- set by people.link; NULL when the name is ambiguous or unknown
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_person ON mentions(person_id);
CREATE TABLE IF NOT EXISTS mention_docs (   -- documents whose mentions are extracted, and by which version
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS register_people (
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT,
    role TEXT,
    email TEXT,
    skills TEXT NOT NULL DEFAULT '[]',
    qualifications TEXT NOT NULL DEFAULT '[]',
    trainings TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active',
    PRIMARY KEY (source, name)
);
CREATE TABLE IF NOT EXISTS register_events (
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    place TEXT,
    participants TEXT NOT NULL DEFAULT '[]',
    report_reference TEXT,
    PRIMARY KEY (source, name, start_date)
);
CREATE TABLE IF NOT EXISTS people (
    person_id TEXT PRIMARY KEY,    -- kept across generations while any of the person's aliases remains
    name TEXT NOT NULL,
    unit TEXT,
    role TEXT,
    email TEXT,
    status TEXT,                   -- active, moved, left; NULL for people not in the register
    skills TEXT NOT NULL DEFAULT '[]',
    qualifications TEXT NOT NULL DEFAULT '[]',
    trainings TEXT NOT NULL DEFAULT '[]',
    in_register INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS person_aliases (
    alias TEXT NOT NULL,           -- every form of the name seen: "Dr T. Mokoena", "P. vd Merwe", "PvdM"
    person_id TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
    PRIMARY KEY (alias, person_id)
);
"""


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Generations never change once written, so readers open them immutable: no locks, no journal."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def connect_writable(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(SCHEMA)
    return conn


def embed_text(title: str, heading: str | None, text: str) -> str:
    """What the models see for a chunk: its document title and heading give a passage its context."""
    context = title if not heading or heading == title else f"{title} — {heading}"
    return f"{context[:200]}\n{text}"


class Catalog:
    """Typed access to one generation's catalogue."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # --- writing -------------------------------------------------------------------------------------------
    def add_document(self, doc: Document, chunks: list[Chunk], first_chunk_id: int, size: int, mtime: float) -> None:
        self.conn.execute(
            "INSERT INTO documents (doc_id, path, source, format, title, authors, created, modified, date, language, "
            "doc_type, content_hash, size, mtime, n_pages, warnings, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id, doc.path, doc.source, doc.format, doc.title, json.dumps(list(doc.authors)),
                doc.created, doc.modified, doc.date, doc.language, doc.doc_type, doc.content_hash, size, mtime,
                len(doc.pages), json.dumps(list(doc.warnings)), datetime.now(timezone.utc).isoformat(timespec="seconds"),
            ),
        )
        self.conn.executemany(
            "INSERT INTO pages VALUES (?,?,?,?)", [(doc.doc_id, p.number, p.text, int(p.ocr)) for p in doc.pages]
        )
        self.conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
            [
                (first_chunk_id + i, doc.doc_id, c.ordinal, c.page, c.heading, c.text, c.n_tokens)
                for i, c in enumerate(chunks)
            ],
        )

    def remove_document(self, doc_id: str) -> list[int]:
        ids = [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def set_access(self, doc_id: str, reference: str | None, groups: tuple[str, ...]) -> bool:
        """Register reference and access groups of a document; True if they changed."""
        value = json.dumps(sorted({group_name(g) for g in groups} - {""}))
        cur = self.conn.execute(
            "UPDATE documents SET reference = ?, access_groups = ? WHERE doc_id = ? "
            "AND (reference IS NOT ? OR access_groups != ?)",
            (reference, value, doc_id, reference, value),
        )
        return cur.rowcount > 0

    def replace_register_documents(self, source: str, rows: list[tuple[str | None, Any]]) -> bool:
        """Make the register rows from `source` exactly `rows` ((path, RegisterDocument)); True if that changed them."""
        new = sorted(
            (e.reference, source, path, e.title, e.type, e.date, json.dumps(e.location, sort_keys=True), e.custodian,
             json.dumps(sorted({group_name(g) for g in e.access_groups} - {""})), e.supersedes)
            for path, e in rows
        )
        old = sorted(tuple(r) for r in self.conn.execute("SELECT * FROM register_documents WHERE source = ?", (source,)))
        if new == old:
            return False
        self.conn.execute("DELETE FROM register_documents WHERE source = ?", (source,))
        self.conn.executemany("INSERT OR REPLACE INTO register_documents VALUES (?,?,?,?,?,?,?,?,?,?)", new)
        return True

    def register_entry(self, reference: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM register_documents WHERE reference = ?", (reference,)).fetchone()
        if row is None:
            return None
        d = dict(row)
        d["location"] = json.loads(d["location"])
        d["access_groups"] = json.loads(d["access_groups"])
        return d

    def add_mentions(self, doc_id: str, mentions: list[Any], version: int) -> None:
        """Record the people a document names (kmsearch.people.extract.Mention), replacing earlier ones."""
        self.conn.execute("DELETE FROM mentions WHERE doc_id = ? AND source != 'events'", (doc_id,))
        self.conn.executemany(
            "INSERT INTO mentions (doc_id, name, role, page, certain, source) VALUES (?,?,?,?,?,?)",
            [(doc_id, m.name, m.role, m.page, int(m.certain), m.source) for m in mentions],
        )
        self.conn.execute("INSERT OR REPLACE INTO mention_docs VALUES (?, ?)", (doc_id, version))

    def replace_register_people(self, source: str, people: list[Any]) -> bool:
        """Make the skills-register rows from `source` exactly `people` (RegisterPerson); True if they changed."""
        new = sorted(
            (source, p.name, p.unit, p.role, p.email, json.dumps(list(p.skills)), json.dumps(list(p.qualifications)),
             json.dumps(list(p.trainings)), p.status)
            for p in people
        )
        return self._replace_rows("register_people", source, new)

    def replace_register_events(self, source: str, events: list[Any]) -> bool:
        """Make the events-register rows from `source` exactly `events` (RegisterEvent); True if they changed."""
        new = sorted(
            (source, e.name, e.start, e.end, e.place, json.dumps(list(e.participants)), e.report_reference)
            for e in events
        )
        return self._replace_rows("register_events", source, new)

    def _replace_rows(self, table: str, source: str, new: list[tuple[Any, ...]]) -> bool:
        old = sorted(tuple(r) for r in self.conn.execute(f"SELECT * FROM {table} WHERE source = ?", (source,)))
        if new == old:
            return False
        self.conn.execute(f"DELETE FROM {table} WHERE source = ?", (source,))
        marks = ",".join("?" * len(new[0])) if new else ""
        self.conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", new)
        return True

    def touch(self, doc_id: str, size: int, mtime: float) -> None:
        self.conn.execute("UPDATE documents SET size = ?, mtime = ? WHERE doc_id = ?", (size, mtime, doc_id))

    # --- reading -------------------------------------------------------------------------------------------
    def next_chunk_id(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(chunk_id), -1) + 1 FROM chunks").fetchone()[0])

    def counts(self) -> dict[str, int]:
        q = self.conn.execute
        return {
            "documents": q("SELECT COUNT(*) FROM documents").fetchone()[0],
            "pages": q("SELECT COUNT(*) FROM pages").fetchone()[0],
            "chunks": q("SELECT COUNT(*) FROM chunks").fetchone()[0],
        }

    def known_files(self) -> dict[str, sqlite3.Row]:
        rows = self.conn.execute("SELECT doc_id, path, source, content_hash, size, mtime FROM documents")
        return {row["path"]: row for row in rows}

    def document_languages(self) -> dict[str, str | None]:
        """Each document's language, for BM25's choice of analyzer."""
        return dict(self.conn.execute("SELECT doc_id, language FROM documents").fetchall())

    def iter_embed_texts(self, chunk_ids: list[int] | None = None) -> Iterator[tuple[int, str]]:
        """(chunk_id, text as the models see it), in chunk_id order."""
        for chunk_id, _, text in self.iter_index_rows(chunk_ids):
            yield chunk_id, text

    def iter_index_rows(self, chunk_ids: list[int] | None = None) -> Iterator[tuple[int, str, str]]:
        """(chunk_id, doc_id, text as the models see it) for all chunks or the given ones, in chunk_id order."""
        sql = (
            "SELECT c.chunk_id, c.doc_id, d.title, c.heading, c.text FROM chunks c JOIN documents d USING (doc_id) "
            "ORDER BY c.chunk_id"
        )
        if chunk_ids is None:
            rows = self.conn.execute(sql)
        else:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id INTEGER PRIMARY KEY)")
            self.conn.execute("DELETE FROM wanted")
            self.conn.executemany("INSERT INTO wanted VALUES (?)", ((i,) for i in chunk_ids))
            rows = self.conn.execute(sql.replace("ORDER BY", "WHERE c.chunk_id IN (SELECT id FROM wanted) ORDER BY"))
        for row in rows:
            yield row[0], row[1], embed_text(row[2], row[3], row[4])

    def chunks(self, chunk_ids: list[int]) -> dict[int, sqlite3.Row]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            f"SELECT chunk_id, doc_id, page, heading, text FROM chunks WHERE chunk_id IN ({marks})", chunk_ids
        )
        return {row["chunk_id"]: row for row in rows}

    def chunk_documents(self, chunk_ids: list[int]) -> dict[int, str]:
        """chunk_id -> doc_id, without the passages' text (for ranking candidates by document)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({marks})", chunk_ids)
        return dict(rows.fetchall())

    def documents(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(doc_ids), _IN_BATCH):  # SQLite caps the parameters of one statement
            batch = doc_ids[start : start + _IN_BATCH]
            rows = self.conn.execute(f"SELECT * FROM documents WHERE doc_id IN ({','.join('?' * len(batch))})", batch)
            out.update((row["doc_id"], _doc_dict(row)) for row in rows)
        return out

    def document(self, doc_id: str) -> dict[str, Any] | None:
        return self.documents([doc_id]).get(doc_id)

    def people(self, person_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """People by id (all of them when `person_ids` is None), with their register fields decoded."""
        if person_ids is None:
            rows = self.conn.execute("SELECT * FROM people")
        elif not person_ids:
            return {}
        else:
            marks = ",".join("?" * len(person_ids))
            rows = self.conn.execute(f"SELECT * FROM people WHERE person_id IN ({marks})", person_ids)
        out = {}
        for row in rows:
            d = dict(row)
            for key in ("skills", "qualifications", "trainings"):
                d[key] = json.loads(d[key])
            out[d["person_id"]] = d
        return out

    def register_events(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM register_events ORDER BY start_date, name")
        return [dict(r) | {"participants": json.loads(r["participants"])} for r in rows]

    def register_entries(self) -> list[dict[str, Any]]:
        """Every row of the document register, with location and access groups decoded."""
        out = []
        for row in self.conn.execute("SELECT * FROM register_documents ORDER BY reference"):
            d = dict(row)
            d["location"] = json.loads(d["location"])
            d["access_groups"] = json.loads(d["access_groups"])
            out.append(d)
        return out

    def find_documents(self, ref: str) -> list[dict[str, Any]]:
        """Documents by id, exact path, or path suffix (for `kmsearch remove`)."""
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE doc_id = ? OR path = ? OR path LIKE ? ESCAPE '\\'",
            (ref, ref, "%/" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")),
        )
        return [_doc_dict(r) for r in rows]


def _doc_dict(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["authors"] = json.loads(d["authors"])
    d["warnings"] = json.loads(d["warnings"])
    d["access_groups"] = json.loads(d["access_groups"])
    return d
