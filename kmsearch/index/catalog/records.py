"""Rows to records: each catalogue row decoded into its frozen dataclass from kmsearch.types (JSON lists to
tuples, flags to bools), and the text the models see for a passage."""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from kmsearch.access import group_name
from kmsearch.types import (
    ChunkRecord,
    DocumentRecord,
    EventRecord,
    KnownFile,
    Location,
    MentionRecord,
    PageText,
    PersonRecord,
    RegisterEntry,
    RegisterPersonRecord,
)


def embed_text(title: str, heading: str | None, text: str) -> str:
    """What the models see for a chunk: its document title and heading give a passage its context."""
    context = title if not heading or heading == title else f"{title} — {heading}"
    return f"{context[:200]}\n{text}"


def groups_json(groups: Iterable[str]) -> str:
    """Access groups as stored: canonical names (kmsearch.access.group_name), sorted, as a JSON list."""
    return json.dumps(sorted({group_name(g) for g in groups} - {""}))


def _strings(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


def document(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"], path=row["path"], source=row["source"], format=row["format"], title=row["title"],
        authors=_strings(row["authors"]), created=row["created"], modified=row["modified"], date=row["date"],
        language=row["language"], doc_type=row["doc_type"], content_hash=row["content_hash"], size=row["size"],
        mtime=row["mtime"], n_pages=row["n_pages"], warnings=_strings(row["warnings"]), indexed_at=row["indexed_at"],
        reference=row["reference"], access_groups=_strings(row["access_groups"]),
    )


def known_file(row: sqlite3.Row) -> KnownFile:
    return KnownFile(row["doc_id"], row["path"], row["source"], row["content_hash"], row["size"], row["mtime"])


def page(row: sqlite3.Row) -> PageText:
    return PageText(row["number"], row["text"], bool(row["ocr"]))


def chunk(row: sqlite3.Row) -> ChunkRecord:
    return ChunkRecord(row["chunk_id"], row["doc_id"], row["page"], row["heading"], row["text"], row["ordinal"],
                       row["n_tokens"])


def register_entry(row: sqlite3.Row) -> RegisterEntry:
    return RegisterEntry(
        reference=row["reference"], source=row["source"], path=row["path"], title=row["title"], type=row["type"],
        date=row["date"], location=Location.from_mapping(json.loads(row["location"])), custodian=row["custodian"],
        access_groups=_strings(row["access_groups"]), supersedes=row["supersedes"],
    )


def register_person(row: sqlite3.Row) -> RegisterPersonRecord:
    return RegisterPersonRecord(
        source=row["source"], name=row["name"], unit=row["unit"], role=row["role"], email=row["email"],
        skills=_strings(row["skills"]), qualifications=_strings(row["qualifications"]),
        trainings=_strings(row["trainings"]), status=row["status"],
    )


def person(row: sqlite3.Row) -> PersonRecord:
    return PersonRecord(
        person_id=row["person_id"], name=row["name"], unit=row["unit"], role=row["role"], email=row["email"],
        status=row["status"], skills=_strings(row["skills"]), qualifications=_strings(row["qualifications"]),
        trainings=_strings(row["trainings"]), in_register=bool(row["in_register"]),
    )


def person_row(p: PersonRecord) -> tuple[object, ...]:
    """A person as the `people` table's columns, in order."""
    return (p.person_id, p.name, p.unit, p.role, p.email, p.status, json.dumps(list(p.skills)),
            json.dumps(list(p.qualifications)), json.dumps(list(p.trainings)), int(p.in_register))


def event(row: sqlite3.Row) -> EventRecord:
    return EventRecord(
        source=row["source"], name=row["name"], start_date=row["start_date"], end_date=row["end_date"],
        place=row["place"], participants=_strings(row["participants"]), report_reference=row["report_reference"],
    )


def mention(row: sqlite3.Row) -> MentionRecord:
    keys = row.keys()
    extra = {k: row[k] or "" for k in ("designation", "email", "phone") if k in keys}  # older generations lack them
    return MentionRecord(row["doc_id"], row["name"], row["role"], row["page"], bool(row["certain"]), row["source"],
                         row["person_id"], **extra)
