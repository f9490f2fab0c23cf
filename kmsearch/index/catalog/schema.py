"""The catalogue's tables, and the two ways a generation's catalogue file is opened (read-only, or to write the
next generation). Every table of the index lives here; the embedding cache and the API key store keep files of
their own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
    source TEXT NOT NULL DEFAULT 'text', -- text, properties, metadata, events
    person_id TEXT,                -- set by people.link; NULL when the name is ambiguous or unknown
    designation TEXT NOT NULL DEFAULT '',  -- the post written beside the name ("Director: Records Management")
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
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
-- Stems of each register person's skills, trainings, qualifications, post and unit: who-knows reads only the people
-- sharing a stem with a topic, not the whole skills register (100,000 rows in a national one).
CREATE TABLE IF NOT EXISTS person_terms (
    stem TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
    PRIMARY KEY (stem, person_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS person_aliases (
    alias TEXT NOT NULL,           -- every form of the name seen: "Dr T. Mokoena", "P. vd Merwe", "PvdM"
    person_id TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
    PRIMARY KEY (alias, person_id)
);
-- The title index where-is reads (catalog/titles.py): a key is a doc_id, or "ref:" + reference for a register
-- row without a file; its text is the titles, file name and reference; its terms are that text's stems.
CREATE TABLE IF NOT EXISTS title_keys (key TEXT PRIMARY KEY, text TEXT NOT NULL, date TEXT);
CREATE INDEX IF NOT EXISTS title_keys_date ON title_keys(date);
CREATE TABLE IF NOT EXISTS title_terms (stem TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (stem, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS title_terms_key ON title_terms(key);
-- The passages' words and their counts, for did-you-mean (catalog/vocabulary.py), rebuilt at each commit
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
-- Which version of vocabulary.py built those two tables (a newer one rebuilds them at the next ingest)
CREATE TABLE IF NOT EXISTS vocabulary_version (version INTEGER NOT NULL);
-- The acronyms the passages define, with each expansion and how often it is given (catalog/vocabulary.py)
CREATE TABLE IF NOT EXISTS acronyms (acronym TEXT NOT NULL, expansion TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (acronym, expansion)) WITHOUT ROWID;
"""


def count_documents(path: Path) -> int:
    """How many documents a generation's catalogue file holds (for the check of a generation's parts; raises
    sqlite3.Error when the file cannot be read as a catalogue)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Generations never change once written, so readers open them immutable: no locks, no journal."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def connect_writable(path: Path) -> sqlite3.Connection:
    """The next generation's catalogue, being written: durable commits, foreign keys on, every table present
    (a catalogue copied from an older generation gains the tables added since)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(SCHEMA)
    _add_missing_columns(conn)
    return conn


# Columns added to a table after its first release: a catalogue copied from an older generation gains them.
_ADDED_COLUMNS = {"mentions": ("designation TEXT NOT NULL DEFAULT ''", "email TEXT NOT NULL DEFAULT ''",
                               "phone TEXT NOT NULL DEFAULT ''")}


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    for table, columns in _ADDED_COLUMNS.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def copy_catalog(source: Path, destination: Path) -> None:
    """Copy a generation's catalogue file to start the next one, with SQLite's online backup (a consistent
    copy, whatever readers are doing)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
