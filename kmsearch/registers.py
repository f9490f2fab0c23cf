"""Registers a librarian keeps as CSV beside the documents, in `<folder>/registers/`:

- `documents.csv`: file, reference, title, type, date, building, room, cabinet, shelf, custodian,
  access_groups (`;`-separated; empty = open to everyone), supersedes (a reference)
- `people.csv` (the skills bank): name (with or without a title: "Dr Thandiwe Mokoena"), unit, role, email,
  skills, qualifications, trainings (each `;`-separated; trainings include events attended), status
  (active, moved or left; empty = active). Required: name.
- `events.csv` (study tours, workshops, conferences): name, start, end (dates), place, participants
  (`;`-separated names), report_reference (the report's reference in `documents.csv`; empty = no report filed).
  Required: name, start.

Each row is validated on load; a bad row is reported with its line and reason and left out, the rest load.
Registers are catalogue data, not searchable text: the document register names restricted documents.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from kmsearch.types import DOC_TYPES

REGISTER_DIR = "registers"
GROUPS_FILE = ".kmsearch-groups"  # in any folder: default access groups for the documents below it
DOCUMENT_COLUMNS = ("file", "reference", "title", "type", "date", "building", "room", "cabinet", "shelf",
                    "custodian", "access_groups", "supersedes")
PEOPLE_COLUMNS = ("name", "unit", "role", "email", "skills", "qualifications", "trainings", "status")
EVENT_COLUMNS = ("name", "start", "end", "place", "participants", "report_reference")
STATUSES = ("active", "moved", "left")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class RegisterProblem:
    path: str
    line: int  # 0: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{Path(self.path).name} line {self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class RegisterDocument:
    reference: str
    title: str
    type: str
    file: str | None = None  # path relative to the ingested folder; None for paper-only documents
    date: str | None = None
    location: dict[str, str] = field(default_factory=dict)  # building, room, cabinet, shelf
    custodian: str | None = None
    access_groups: tuple[str, ...] = ()
    supersedes: str | None = None


@dataclass(frozen=True)
class RegisterPerson:
    """A row of the skills register."""

    name: str
    unit: str | None = None
    role: str | None = None
    email: str | None = None
    skills: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    trainings: tuple[str, ...] = ()
    status: str = "active"


@dataclass(frozen=True)
class RegisterEvent:
    """A study tour, workshop or conference, with who went and the reference of its report."""

    name: str
    start: str
    end: str | None = None
    place: str | None = None
    participants: tuple[str, ...] = ()
    report_reference: str | None = None


def split_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def check_date(value: str, column: str = "date") -> str | None:
    """'' -> None; YYYY, YYYY-MM or YYYY-MM-DD that is a real date -> itself; else ValueError naming the column."""
    value = value.strip()
    if not value:
        return None
    m = _DATE.match(value)
    try:
        if not m:
            raise ValueError
        date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


def read_rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...],
              parse: Callable[[dict[str, str]], Any]) -> tuple[list[Any], list[RegisterProblem]]:
    """Rows parsed by `parse`; a row whose parse raises ValueError becomes a problem naming its line."""
    problems: list[RegisterProblem] = []
    items: list[Any] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in columns if c not in header]
            if missing:
                return [], [RegisterProblem(str(path), 0, f"missing column(s) {', '.join(missing)}")]
            seen = 0
            for row in reader:
                seen += 1
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
                empty = [c for c in required if not row.get(c)]
                try:
                    if empty:
                        raise ValueError(f"{', '.join(empty)} is empty")
                    items.append(parse(row))
                except ValueError as exc:
                    problems.append(RegisterProblem(str(path), reader.line_num, str(exc)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [], [RegisterProblem(str(path), 0, f"unreadable register ({exc})")]
    return items, problems


def _document(row: dict[str, str]) -> RegisterDocument:
    if row["type"] not in DOC_TYPES:
        raise ValueError(f"type {row['type']!r} is not one of {', '.join(DOC_TYPES)}")
    location = {k: row[k] for k in ("building", "room", "cabinet", "shelf") if row.get(k)}
    return RegisterDocument(
        reference=row["reference"], title=row["title"], type=row["type"], file=row["file"] or None,
        date=check_date(row["date"]), location=location, custodian=row.get("custodian") or None,
        access_groups=split_list(row.get("access_groups", "")), supersedes=row.get("supersedes") or None,
    )


def load_documents(path: Path) -> tuple[list[RegisterDocument], list[RegisterProblem]]:
    docs, problems = read_rows(path, DOCUMENT_COLUMNS, ("reference", "title", "type"), _document)
    seen: set[str] = set()
    unique = []
    for doc in docs:
        if doc.reference in seen:
            problems.append(RegisterProblem(str(path), 0, f"reference {doc.reference} appears twice; the first is kept"))
            continue
        seen.add(doc.reference)
        unique.append(doc)
    return unique, problems


def _person(row: dict[str, str]) -> RegisterPerson:
    status = (row.get("status") or "active").lower()
    if status not in STATUSES:
        raise ValueError(f"status {row['status']!r} is not one of {', '.join(STATUSES)}")
    email = row.get("email") or None
    if email and not _EMAIL.match(email):
        raise ValueError(f"email {email!r} is not an e-mail address")
    if not re.search(r"[^\W\d_]{2}", row["name"]):
        raise ValueError(f"name {row['name']!r} is not a name")
    return RegisterPerson(
        name=" ".join(row["name"].split()), unit=row.get("unit") or None, role=row.get("role") or None, email=email,
        skills=split_list(row.get("skills", "")), qualifications=split_list(row.get("qualifications", "")),
        trainings=split_list(row.get("trainings", "")), status=status,
    )


def load_people(path: Path) -> tuple[list[RegisterPerson], list[RegisterProblem]]:
    """The skills register; a name that appears twice keeps its first row."""
    people, problems = read_rows(path, PEOPLE_COLUMNS, ("name",), _person)
    seen: set[str] = set()
    unique = []
    for person in people:
        key = person.name.lower()
        if key in seen:
            problems.append(RegisterProblem(str(path), 0, f"person {person.name} appears twice; the first is kept"))
            continue
        seen.add(key)
        unique.append(person)
    return unique, problems


def _event(row: dict[str, str]) -> RegisterEvent:
    start = check_date(row["start"], "start")
    end = check_date(row.get("end", ""), "end")
    if start and end and end < start:
        raise ValueError(f"end {end} is before start {start}")
    return RegisterEvent(
        name=row["name"], start=start or "", end=end, place=row.get("place") or None,
        participants=split_list(row.get("participants", "")), report_reference=row.get("report_reference") or None,
    )


def load_events(path: Path) -> tuple[list[RegisterEvent], list[RegisterProblem]]:
    return read_rows(path, EVENT_COLUMNS, ("name", "start"), _event)


def register_files(root: Path) -> dict[str, Path]:
    """The register CSVs kept under `root/registers/`, by name (documents, people, events)."""
    folder = root / REGISTER_DIR
    return {p.stem: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}


def folder_groups(path: Path, root: Path) -> tuple[str, ...]:
    """Access groups from the nearest `.kmsearch-groups` between the file's folder and `root`."""
    for folder in [path.parent, *path.parent.parents]:
        marker = folder / GROUPS_FILE
        if marker.is_file():
            lines = (line.strip() for line in marker.read_text(encoding="utf-8").splitlines())
            return tuple(line for line in lines if line and not line.startswith("#"))
        if folder == root:
            break
    return ()


def iter_entries(entries: list[RegisterDocument], root: Path) -> Iterator[tuple[str | None, RegisterDocument]]:
    """(absolute file path or None, entry) for each register row."""
    for entry in entries:
        yield (str(root / entry.file) if entry.file else None), entry
