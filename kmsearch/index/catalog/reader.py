"""Reading one generation's catalogue: every query the library makes of the index's SQLite file, each a named
method returning records from kmsearch.types. Methods that take `groups` (a caller's access groups, None: reads
everything) apply the one access rule (kmsearch.access) and return only what that caller may read."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Iterator, NamedTuple

from kmsearch.access import Groups, may_read, sql_clause
from kmsearch.index.catalog import records
from kmsearch.index.catalog.listing import Listing
from kmsearch.index.catalog.query import DocumentFilter, like_literal, where_clause
from kmsearch.index.catalog.schema import connect_readonly
from kmsearch.types import (
    ChunkRecord,
    DocumentRecord,
    EventRecord,
    KnownFile,
    MentionRecord,
    PageText,
    PersonRecord,
    RegisterEntry,
    RegisterPersonRecord,
)

_IN_BATCH = 10_000  # ids per `IN (...)` statement: under SQLite's parameter limit (32,766 in current builds)


class FacetRow(NamedTuple):
    """The fields facets count, streamed for every matching document (a tuple: hundreds of thousands of them)."""

    doc_type: str
    date: str | None
    path: str
    source: str
    language: str | None


class ChunkSpan(NamedTuple):
    """A document's chunk ids, which are consecutive: lo to hi inclusive."""

    doc_id: str
    lo: int
    hi: int


def _marks(items: list[object] | set[object] | dict[object, object]) -> str:
    return ",".join("?" * len(items))


COMMON_SHARE = 0.2  # a skill stem held by more of the register than this is too common to find candidates by


class Catalog:
    """Typed, read-only access to one generation's catalogue (`Catalog.open(path)`); the writer (`CatalogWriter`)
    adds the changes."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        # Counted once: a generation's catalogue never changes (people_with_terms weighs stems by them)
        self._register_people: int | None = None
        self._stem_df: dict[str, int] = {}

    @classmethod
    def open(cls, path: Path) -> Catalog:
        """A generation's catalogue, opened immutable (generations never change once written)."""
        return cls(connect_readonly(path))

    def close(self) -> None:
        self._conn.close()

    # --- the collection ------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Documents, pages and chunks (what the manifest records)."""
        q = self._conn.execute
        return {
            "documents": q("SELECT COUNT(*) FROM documents").fetchone()[0],
            "pages": q("SELECT COUNT(*) FROM pages").fetchone()[0],
            "chunks": q("SELECT COUNT(*) FROM chunks").fetchone()[0],
        }

    def doc_type_counts(self) -> dict[str, int]:
        """Documents per type, commonest first (`kmsearch status`)."""
        return dict(self._conn.execute("SELECT doc_type, COUNT(*) FROM documents GROUP BY doc_type ORDER BY 2 DESC"))

    def ocr_page_count(self) -> int:
        """Pages whose text came from OCR."""
        return int(self._conn.execute("SELECT COUNT(*) FROM pages WHERE ocr = 1").fetchone()[0])

    def sources(self) -> list[str]:
        """The folders documents were ingested from, sorted (what a re-index without paths goes over)."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT source FROM documents WHERE source != '' ORDER BY 1")]

    def listing(self) -> Listing:
        """Every record, indexed or in a register only, as a librarian browses and exports them (listing.py)."""
        return Listing(self._conn)

    def newest_year(self) -> int | None:
        """The year of the newest dated document."""
        return self._conn.execute("SELECT MAX(CAST(SUBSTR(date, 1, 4) AS INTEGER)) FROM documents").fetchone()[0]

    # --- documents -----------------------------------------------------------------------------------------
    def document_access(self) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """path -> (register reference, access groups) of every document: what an ingest must not loosen. Three
        columns only, since it runs on every ingest over every document."""
        rows = self._conn.execute("SELECT path, reference, access_groups FROM documents")
        return {path: (reference, tuple(json.loads(groups))) for path, reference, groups in rows}

    def register_sources(self) -> set[str]:
        """Every folder whose documents or registers the catalogue holds."""
        rows = self._conn.execute("SELECT source FROM documents UNION SELECT source FROM register_people "
                                  "UNION SELECT source FROM register_events UNION SELECT source FROM register_documents")
        return {s for (s,) in rows if s}

    def document_languages(self) -> dict[str, str | None]:
        """Each document's language, for BM25's choice of analyzer."""
        return dict(self._conn.execute("SELECT doc_id, language FROM documents").fetchall())

    def known_files(self) -> dict[str, KnownFile]:
        """Every indexed file by path, with what tells whether it changed."""
        rows = self._conn.execute("SELECT doc_id, path, source, content_hash, size, mtime FROM documents")
        return {row["path"]: records.known_file(row) for row in rows}

    def document_ids(self) -> list[str]:
        """Every document's id, sorted."""
        return [r[0] for r in self._conn.execute("SELECT doc_id FROM documents ORDER BY doc_id")]

    def documents(self, doc_ids: list[str], groups: Groups = None) -> dict[str, DocumentRecord]:
        """The documents with these ids that exist and that `groups` may read, by id (any number of ids)."""
        out: dict[str, DocumentRecord] = {}
        for start in range(0, len(doc_ids), _IN_BATCH):  # SQLite caps the parameters of one statement
            batch = doc_ids[start : start + _IN_BATCH]
            rows = self._conn.execute(f"SELECT * FROM documents WHERE doc_id IN ({_marks(batch)})", batch)
            out.update((row["doc_id"], records.document(row)) for row in rows)
        if groups is not None:
            out = {d: doc for d, doc in out.items() if may_read(groups, doc.access_groups)}
        return out

    def document(self, doc_id: str, groups: Groups = None) -> DocumentRecord | None:
        """One document, or None when there is none or `groups` may not read it (the two look the same)."""
        return self.documents([doc_id], groups).get(doc_id)

    def iter_documents(self, groups: Groups = None) -> Iterator[DocumentRecord]:
        """Every document `groups` may read, in insertion order."""
        where, args = sql_clause(groups)
        for row in self._conn.execute(f"SELECT * FROM documents d WHERE {where} ORDER BY rowid", args):
            yield records.document(row)

    def find_documents(self, ref: str) -> list[DocumentRecord]:
        """Documents by id, exact path, or path suffix (for `kmsearch remove`)."""
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE doc_id = ? OR path = ? OR path LIKE ? ESCAPE '\\'",
            (ref, ref, "%/" + like_literal(ref)),
        )
        return [records.document(r) for r in rows]

    def first_document_at(self, path: str) -> str | None:
        """The id of the first document stored with this path."""
        row = self._conn.execute("SELECT doc_id FROM documents WHERE path = ? ORDER BY rowid LIMIT 1",
                                 (path,)).fetchone()
        return row[0] if row else None

    def documents_by_reference(self) -> dict[str, str]:
        """Register reference -> the document filed under it (the last stored, when two claim one reference)."""
        rows = self._conn.execute("SELECT doc_id, reference FROM documents WHERE reference IS NOT NULL ORDER BY rowid")
        return {reference: doc_id for doc_id, reference in rows}

    def matching_document_ids(self, f: DocumentFilter) -> set[str]:
        """Ids of the documents a search filter (and its caller's access groups) lets through."""
        where, args = where_clause(f)
        return {r[0] for r in self._conn.execute(f"SELECT d.doc_id FROM documents d WHERE {where}", args)}

    def iter_facet_rows(self, f: DocumentFilter) -> Iterator[FacetRow]:
        """The faceted fields of every document the filter (and its caller's groups) lets through, streamed."""
        where, args = where_clause(f)
        rows = self._conn.execute(f"SELECT d.doc_type, d.date, d.path, d.source, d.language FROM documents d "
                                  f"WHERE {where}", args)
        return (FacetRow(*row) for row in rows)

    def pages(self, doc_id: str) -> list[PageText]:
        """A document's pages, in order."""
        rows = self._conn.execute("SELECT number, text, ocr FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
        return [records.page(r) for r in rows]

    # --- chunks --------------------------------------------------------------------------------------------
    def next_chunk_id(self) -> int:
        return int(self._conn.execute("SELECT COALESCE(MAX(chunk_id), -1) + 1 FROM chunks").fetchone()[0])

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRecord]:
        """The passages with these ids, by id."""
        if not chunk_ids:
            return {}
        rows = self._conn.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({_marks(chunk_ids)})", chunk_ids)
        return {row["chunk_id"]: records.chunk(row) for row in rows}

    def iter_chunks(self) -> Iterator[ChunkRecord]:
        """Every passage, in chunk_id order."""
        return (records.chunk(row) for row in self._conn.execute("SELECT * FROM chunks ORDER BY chunk_id"))

    def chunk_documents(self, chunk_ids: list[int]) -> dict[int, str]:
        """chunk_id -> doc_id, without the passages' text (for ranking candidates by document)."""
        if not chunk_ids:
            return {}
        rows = self._conn.execute(f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({_marks(chunk_ids)})",
                                  chunk_ids)
        return dict(rows.fetchall())

    def chunk_spans(self) -> list[ChunkSpan]:
        """Each document's range of chunk ids (a document's chunks have consecutive ids)."""
        rows = self._conn.execute("SELECT doc_id, MIN(chunk_id), MAX(chunk_id) FROM chunks GROUP BY doc_id")
        return [ChunkSpan(*row) for row in rows]

    def max_chunk_id(self) -> int | None:
        return self._conn.execute("SELECT MAX(chunk_id) FROM chunks").fetchone()[0]

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
            rows = self._conn.execute(sql)
        else:
            self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id INTEGER PRIMARY KEY)")
            self._conn.execute("DELETE FROM wanted")
            self._conn.executemany("INSERT INTO wanted VALUES (?)", ((i,) for i in chunk_ids))
            rows = self._conn.execute(sql.replace("ORDER BY", "WHERE c.chunk_id IN (SELECT id FROM wanted) ORDER BY"))
        for row in rows:
            yield row[0], row[1], records.embed_text(row[2], row[3], row[4])

    # --- registers -----------------------------------------------------------------------------------------
    def register_entry(self, reference: str, groups: Groups = None) -> RegisterEntry | None:
        """A document register row, or None when there is none or `groups` may not read it."""
        row = self._conn.execute("SELECT * FROM register_documents WHERE reference = ?", (reference,)).fetchone()
        entry = records.register_entry(row) if row is not None else None
        return entry if entry is not None and may_read(groups, entry.access_groups) else None

    def register_entries(self, groups: Groups = None) -> list[RegisterEntry]:
        """Every document register row `groups` may read, by reference."""
        where, args = sql_clause(groups, "r.access_groups")
        rows = self._conn.execute(f"SELECT * FROM register_documents r WHERE {where} ORDER BY reference", args)
        return [records.register_entry(r) for r in rows]

    def register_events(self) -> list[EventRecord]:
        """Every events register row, by start date and name."""
        rows = self._conn.execute("SELECT * FROM register_events ORDER BY start_date, name")
        return [records.event(r) for r in rows]

    def register_people(self) -> list[RegisterPersonRecord]:
        """Every skills register row, by folder and name."""
        rows = self._conn.execute("SELECT * FROM register_people ORDER BY source, name")
        return [records.register_person(r) for r in rows]

    # --- people and mentions -------------------------------------------------------------------------------
    def people(self, person_ids: list[str] | None = None) -> dict[str, PersonRecord]:
        """People by id (all of them when `person_ids` is None)."""
        if person_ids is None:
            rows = self._conn.execute("SELECT * FROM people")
        elif not person_ids:
            return {}
        else:
            rows = self._conn.execute(f"SELECT * FROM people WHERE person_id IN ({_marks(person_ids)})", person_ids)
        return {row["person_id"]: records.person(row) for row in rows}

    def _register_size(self) -> int:
        """How many register people there are (a generation never changes, so it is counted once)."""
        if self._register_people is None:
            self._register_people = self._conn.execute(
                "SELECT COUNT(*) FROM people WHERE in_register = 1").fetchone()[0] or 1
        return self._register_people

    def people_with_terms(self, stems: set[str], limit: int | None = None) -> list[str] | None:
        """Register people whose skills, trainings, qualifications, post or unit share a stem with `stems`, best
        first, at most `limit`; None for a generation written before that index existed (the caller then reads
        every register person).

        Each shared stem weighs log(1 + people / people with it). With 100,000 register rows a common word
        ("compliance", held by a third of them) would have every request read tens of thousands of rows, so
        the candidates are the people who share one of the rarer stems (held by at most COMMON_SHARE of the
        register), and a common stem only adds its weight to them, looked up person by person. Only when every
        stem is common are the people holding them read in full."""
        if not stems:
            return []
        ordered = sorted(stems)
        try:
            total = self._register_size()
            df = {stem: self._stem_people(stem) for stem in ordered}
        except sqlite3.OperationalError:
            return None
        weights = {stem: math.log(1 + total / n) for stem, n in df.items() if n}
        if not weights:
            return []
        by_rarity = sorted(weights, key=lambda s: (df[s], s))
        found: list[str] = []
        if limit and len(by_rarity) > 1:
            # First the people who hold every stem: read the rarest stem's holders until `limit` of them hold
            # the others too (each looked up by its key), which stops early when the topic is a common skill.
            others = " AND ".join("EXISTS (SELECT 1 FROM person_terms x WHERE x.stem = ? AND x.person_id = t.person_id)"
                                  for _ in by_rarity[1:])
            found = [r[0] for r in self._conn.execute(
                f"SELECT t.person_id FROM person_terms t WHERE t.stem = ? AND {others} ORDER BY t.person_id LIMIT ?",
                [*by_rarity, limit])]
            if len(found) >= limit:
                return found
        rare = [s for s in weights if df[s] <= COMMON_SHARE * total] or list(weights)
        common = [s for s in weights if s not in rare]
        values = ",".join("(?, ?)" for _ in rare)
        extra = "".join(" + (EXISTS (SELECT 1 FROM person_terms x WHERE x.stem = ? AND x.person_id = c.person_id)) * ?"
                        for _ in common)
        sql = (f"WITH w(stem, weight) AS (VALUES {values}), c AS (SELECT t.person_id, SUM(w.weight) AS score "
               f"FROM person_terms t JOIN w USING (stem) GROUP BY t.person_id) "
               f"SELECT person_id FROM c ORDER BY score{extra} DESC, person_id" + (" LIMIT ?" if limit else ""))
        args = [x for s in rare for x in (s, weights[s])] + [x for s in common for x in (s, weights[s])]
        ranked = [r[0] for r in self._conn.execute(sql, args + ([limit + len(found)] if limit else []))]
        return list(dict.fromkeys(found + ranked))[:limit] if limit else ranked

    def _stem_people(self, stem: str) -> int:
        """How many register people hold `stem` (counted once per generation and stem)."""
        cache = self._stem_df
        if stem not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[stem] = self._conn.execute("SELECT COUNT(*) FROM person_terms WHERE stem = ?", (stem,)).fetchone()[0]
        return cache[stem]

    def person_aliases(self) -> dict[str, str]:
        """alias -> person_id for every recorded form of a name (what keeps ids stable across generations)."""
        return {alias: pid for alias, pid in self._conn.execute("SELECT alias, person_id FROM person_aliases")}

    def aliases(self, person_id: str) -> set[str]:
        """Every form of one person's name seen, whatever document it was seen in (see `readable_aliases`)."""
        rows = self._conn.execute("SELECT alias FROM person_aliases WHERE person_id = ?", (person_id,))
        return {r[0] for r in rows}

    def readable_aliases(self, person_ids: list[str], groups: Groups) -> dict[str, list[str]]:
        """The forms of each person's name seen in documents `groups` may read, sorted (a restricted document's
        wording of a name is not shown to others)."""
        if not person_ids:
            return {}
        where, args = sql_clause(groups)
        rows = self._conn.execute(
            f"SELECT DISTINCT m.person_id, m.name FROM mentions m JOIN documents d USING (doc_id) "
            f"WHERE m.person_id IN ({_marks(person_ids)}) AND {where} ORDER BY m.name", [*person_ids, *args])
        out: dict[str, list[str]] = {}
        for person_id, name in rows:
            out.setdefault(person_id, []).append(name)
        return out

    def mentions(self, doc_ids: list[str] | None = None, person_id: str | None = None,
                 linked: bool = False) -> list[MentionRecord]:
        """Mentions of people, optionally only in these documents, of this person, or attached to someone."""
        clauses, args = [], []
        if doc_ids is not None:
            if not doc_ids:
                return []
            clauses.append(f"doc_id IN ({_marks(doc_ids)})")
            args.extend(doc_ids)
        if person_id is not None:
            clauses.append("person_id = ?")
            args.append(person_id)
        if linked:
            clauses.append("person_id IS NOT NULL")
        where = " AND ".join(clauses) or "1"
        return [records.mention(r) for r in self._conn.execute(f"SELECT * FROM mentions WHERE {where}", args)]

    def mention_names(self) -> list[tuple[str, bool]]:
        """Every name mentioned, by name, with whether any mention of it is certain."""
        rows = self._conn.execute("SELECT name, MAX(certain) FROM mentions GROUP BY name ORDER BY name")
        return [(r[0], bool(r[1])) for r in rows]

    def documents_needing_mentions(self, version: int) -> list[str]:
        """Documents whose mentions are missing or were found by an extractor older than `version`."""
        rows = self._conn.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN mention_docs m USING (doc_id) "
            "WHERE m.version IS NULL OR m.version < ?", (version,))
        return [r[0] for r in rows]

    def needs_mentions(self, version: int) -> bool:
        """True when some document's mentions are missing or older than `version`."""
        row = self._conn.execute(
            "SELECT 1 FROM documents d LEFT JOIN mention_docs m USING (doc_id) "
            "WHERE m.version IS NULL OR m.version < ? LIMIT 1", (version,)).fetchone()
        return row is not None

    # --- titles (catalog/titles.py) -----------------------------------------------------------------------
    def vocabulary(self) -> dict[str, int]:
        """Every word of the passages with its count; empty for a generation written before kmsearch kept them."""
        try:
            return {w: n for w, n in self._conn.execute("SELECT word, count FROM vocabulary")}
        except sqlite3.OperationalError:  # no such table
            return {}

    def vocabulary_version(self) -> int:
        """The version of the words and acronyms tables (kmsearch/index/catalog/vocabulary.py); 0: none yet."""
        try:
            row = self._conn.execute("SELECT MAX(version) FROM vocabulary_version").fetchone()
            return int(row[0] or 0)
        except sqlite3.OperationalError:
            return 0

    def acronyms(self) -> dict[str, list[tuple[str, int]]]:
        """Each acronym the passages define, with its expansions, the most given first."""
        out: dict[str, list[tuple[str, int]]] = {}
        try:
            rows = self._conn.execute("SELECT acronym, expansion, count FROM acronyms ORDER BY count DESC, expansion")
            for acronym, expansion, count in rows:
                out.setdefault(acronym, []).append((expansion, count))
        except sqlite3.OperationalError:
            pass
        return out

    def title_count(self) -> int | None:
        """How many keys the title index holds; None for a generation written before it existed."""
        try:
            return int(self._conn.execute("SELECT COUNT(*) FROM title_keys").fetchone()[0])
        except sqlite3.OperationalError:
            return None

    def title_stem_counts(self, stems: set[str]) -> dict[str, int]:
        """stem -> how many titles hold it, for the given stems."""
        if not stems:
            return {}
        args = sorted(stems)
        rows = self._conn.execute(f"SELECT stem, COUNT(*) FROM title_terms WHERE stem IN ({_marks(args)}) "
                                  f"GROUP BY stem", args)
        return dict(rows.fetchall())

    def title_matches(self, stems: set[str]) -> Iterator[tuple[str, str]]:
        """(stem, key) for every title holding one of the stems."""
        if not stems:
            return iter(())
        args = sorted(stems)
        return iter(self._conn.execute(f"SELECT stem, key FROM title_terms WHERE stem IN ({_marks(args)})", args))

    def title_keys_dated(self, day: str) -> list[str]:
        """Keys of the titles dated `day` (ISO date)."""
        return [r[0] for r in self._conn.execute("SELECT key FROM title_keys WHERE date = ?", (day,))]
