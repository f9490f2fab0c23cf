"""Writing the next generation's catalogue: documents and their pages and chunks, register rows, access groups,
mentions and linked people, and the derived title index. Each change commits on its own unless it runs inside
`transaction()`; nothing is visible to readers until the index writer switches generations."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from kmsearch.index.catalog import records, titles, vocabulary
from kmsearch.index.catalog.reader import Catalog
from kmsearch.index.catalog.schema import connect_writable
from kmsearch.index.stems import query_stems
from kmsearch.types import Chunk, Document, PersonRecord


class _Entry(Protocol):  # kmsearch.registers.RegisterDocument
    reference: str
    title: str
    type: str
    date: str | None
    location: dict[str, str]
    custodian: str | None
    access_groups: tuple[str, ...]
    supersedes: str | None


class _Mention(Protocol):  # kmsearch.people.extract.Mention
    name: str
    role: str
    page: int | None
    certain: bool
    source: str
    designation: str
    email: str
    phone: str


def _skill_stems(person: PersonRecord) -> set[str]:
    """What a topic is matched against in the skills register (kmsearch.search.experts.skill_match)."""
    phrases = (*person.skills, *person.trainings, *person.qualifications, person.role or "", person.unit or "")
    return query_stems(" ".join(phrases))


class CatalogWriter(Catalog):
    """A catalogue being written (`CatalogWriter.open(path)`): the reader's queries plus the changes."""

    def __init__(self, conn: Any):
        super().__init__(conn)
        self._depth = 0

    @classmethod
    def open(cls, path: Path) -> CatalogWriter:
        """The catalogue file at `path`, created or brought up to the current schema."""
        return cls(connect_writable(path))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group changes into one commit (nested uses join the outermost); rolled back on an exception."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._conn:
                yield
        finally:
            self._depth = 0

    def set_durable(self, durable: bool) -> None:
        """False: no fsync per commit (a scratch build that syncs the folder once at the end)."""
        self._conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")

    def close(self, optimize: bool = False) -> None:
        """Close the file; `optimize` first lets SQLite refresh its query statistics for the readers."""
        if optimize:
            self._conn.execute("PRAGMA optimize")
        self._conn.close()

    # --- documents -----------------------------------------------------------------------------------------
    def add_document(self, doc: Document, chunks: list[Chunk], first_chunk_id: int, size: int, mtime: float) -> None:
        """Store a document with its pages and its chunks, numbered from `first_chunk_id`."""
        with self.transaction():
            self._conn.execute(
                "INSERT INTO documents (doc_id, path, source, format, title, authors, created, modified, date, "
                "language, doc_type, content_hash, size, mtime, n_pages, warnings, indexed_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id, doc.path, doc.source, doc.format, doc.title, json.dumps(list(doc.authors)),
                    doc.created, doc.modified, doc.date, doc.language, doc.doc_type, doc.content_hash, size, mtime,
                    len(doc.pages), json.dumps(list(doc.warnings)),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                ),
            )
            self._conn.executemany(
                "INSERT INTO pages VALUES (?,?,?,?)", [(doc.doc_id, p.number, p.text, int(p.ocr)) for p in doc.pages]
            )
            self._conn.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
                [
                    (first_chunk_id + i, doc.doc_id, c.ordinal, c.page, c.heading, c.text, c.n_tokens)
                    for i, c in enumerate(chunks)
                ],
            )

    def remove_document(self, doc_id: str) -> list[int]:
        """Delete a document (its pages, chunks and mentions go with it); returns its chunk ids."""
        with self.transaction():
            ids = [r[0] for r in self._conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
            self._conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def set_access(self, doc_id: str, reference: str | None, groups: Iterable[str]) -> bool:
        """Register reference and access groups of a document; True if they changed."""
        value = records.groups_json(groups)
        with self.transaction():
            cur = self._conn.execute(
                "UPDATE documents SET reference = ?, access_groups = ? WHERE doc_id = ? "
                "AND (reference IS NOT ? OR access_groups != ?)",
                (reference, value, doc_id, reference, value),
            )
        return cur.rowcount > 0

    def correct(self, doc_id: str, fields: dict[str, Any]) -> bool:
        """Store a librarian's corrections of a document (kmsearch.ingest.overrides): title, type, date, authors
        and access groups (already narrowed by the caller); True if anything changed."""
        columns = {"title": "title", "type": "doc_type", "date": "date", "authors": "authors", "groups": "access_groups"}
        values = {columns[k]: (records.groups_json(v) if k == "groups" else json.dumps(list(v)) if k == "authors"
                               else v) for k, v in fields.items() if k in columns}
        if not values:
            return False
        sets = ", ".join(f"{c} = ?" for c in values)
        differs = " OR ".join(f"{c} IS NOT ?" for c in values)
        with self.transaction():
            cur = self._conn.execute(f"UPDATE documents SET {sets} WHERE doc_id = ? AND ({differs})",
                                     (*values.values(), doc_id, *values.values()))
        return cur.rowcount > 0

    def touch(self, doc_id: str, size: int, mtime: float) -> None:
        """Record a file's new size and mtime (its content is unchanged)."""
        with self.transaction():
            self._conn.execute("UPDATE documents SET size = ?, mtime = ? WHERE doc_id = ?", (size, mtime, doc_id))

    # --- registers -----------------------------------------------------------------------------------------
    def replace_register_documents(self, source: str, rows: list[tuple[str | None, _Entry]]) -> bool:
        """Make the register rows from `source` exactly `rows` ((path, RegisterDocument)); True if that changed them."""
        new = sorted(
            (e.reference, source, path, e.title, e.type, e.date, json.dumps(e.location, sort_keys=True), e.custodian,
             records.groups_json(e.access_groups), e.supersedes)
            for path, e in rows
        )
        with self.transaction():
            old = sorted(tuple(r) for r in self._conn.execute("SELECT * FROM register_documents WHERE source = ?",
                                                              (source,)))
            if new == old:
                return False
            self._conn.execute("DELETE FROM register_documents WHERE source = ?", (source,))
            self._conn.executemany("INSERT OR REPLACE INTO register_documents VALUES (?,?,?,?,?,?,?,?,?,?)", new)
        return True

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
        with self.transaction():
            old = sorted(tuple(r) for r in self._conn.execute(f"SELECT * FROM {table} WHERE source = ?", (source,)))
            if new == old:
                return False
            self._conn.execute(f"DELETE FROM {table} WHERE source = ?", (source,))
            marks = ",".join("?" * len(new[0])) if new else ""
            self._conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", new)
        return True

    # --- mentions and people -------------------------------------------------------------------------------
    def add_mentions(self, doc_id: str, mentions: Iterable[_Mention], version: int) -> None:
        """Record the people a document names (kmsearch.people.extract.Mention), replacing earlier ones, and the
        extractor `version` that found them."""
        with self.transaction():
            # events rows are the register's; metadata rows (explicit author ids) cannot be found again in the text, so
            # a backfill by a newer extractor keeps them (a new version of the document starts with none anyway)
            self._conn.execute("DELETE FROM mentions WHERE doc_id = ? AND source NOT IN ('events', 'metadata')",
                               (doc_id,))
            self._conn.executemany(
                "INSERT INTO mentions (doc_id, name, role, page, certain, source, designation, email, phone) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                [(doc_id, m.name, m.role, m.page, int(m.certain), m.source, m.designation, m.email, m.phone)
                 for m in mentions],
            )
            self._conn.execute("INSERT OR REPLACE INTO mention_docs VALUES (?, ?)", (doc_id, version))

    def replace_event_mentions(self) -> None:
        """Participants of an event in the events register become delegates on the event's report, when the
        report (its register row's file) is indexed; earlier such mentions are dropped."""
        with self.transaction():
            self._conn.execute("DELETE FROM mentions WHERE source = 'events'")
            rows = self._conn.execute(
                "SELECT e.participants, d.doc_id FROM register_events e "
                "JOIN register_documents r ON r.reference = e.report_reference "
                "JOIN documents d ON d.path = r.path"
            ).fetchall()
            self._conn.executemany(
                "INSERT INTO mentions (doc_id, name, role, page, certain, source) "
                "VALUES (?, ?, 'delegate', NULL, 1, 'events')",
                [(doc_id, name) for participants, doc_id in rows for name in json.loads(participants)],
            )

    def replace_people(self, people: list[PersonRecord], aliases: dict[str, Iterable[str]],
                       person_of_name: dict[str, str]) -> int:
        """Make the people exactly `people`, each with `aliases[person_id]`, and attach every mention of a name
        in `person_of_name` to that person (all other mentions to nobody). Returns how many people there are."""
        with self.transaction():
            self._conn.execute("DELETE FROM person_aliases")
            self._conn.execute("DELETE FROM person_terms")
            self._conn.execute("DELETE FROM people")
            self._conn.executemany("INSERT INTO people VALUES (?,?,?,?,?,?,?,?,?,?)",
                                   [records.person_row(p) for p in people])
            self._conn.executemany("INSERT OR IGNORE INTO person_terms VALUES (?, ?)",
                                   ((stem, p.person_id) for p in people if p.in_register for stem in _skill_stems(p)))
            self._conn.executemany(
                "INSERT OR IGNORE INTO person_aliases VALUES (?, ?)",
                [(alias, p.person_id) for p in people for alias in sorted(aliases.get(p.person_id, ()))],
            )
            self._conn.execute("UPDATE mentions SET person_id = NULL")
            self._conn.executemany("UPDATE mentions SET person_id = ? WHERE name = ?",
                                   [(pid, name) for name, pid in person_of_name.items()])
        return len(people)

    # --- derived tables ------------------------------------------------------------------------------------
    def sync_titles(self) -> int:
        """Bring the title index up to date with the documents and the register; returns the keys changed."""
        with self.transaction():
            return titles.sync(self._conn)

    def sync_vocabulary(self) -> int:
        """Count the passages' words again (did-you-mean); returns how many distinct words there are."""
        with self.transaction():
            return vocabulary.rebuild(self._conn)
