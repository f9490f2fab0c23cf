"""Registers a librarian keeps as CSV in a folder's `registers/` subfolder, describing the files below that folder:

- `documents.csv`: file, reference, title, type, date, building, room, cabinet, shelf, custodian,
  access_groups (`;`-separated; empty = no restriction of its own), supersedes (a reference)
- `people.csv` (the skills bank): name (with or without a title: "Dr Thandiwe Mokoena"), unit, role, email,
  skills, qualifications, trainings (each `;`-separated; trainings include events attended), status
  (active, moved or left; empty = active). Required: name.
- `events.csv` (study tours, workshops, conferences): name, start, end (dates), place, participants
  (`;`-separated names), report_reference (the report's reference in `documents.csv`; empty = no report filed).
  Required: name, start.

A register is read as UTF-8 (with or without a byte-order mark); any other encoding makes it unreadable, with a
message naming the likely one. Header names match whatever their case, spaces, dashes or underscores
("Access Groups" is access_groups); an unknown column is reported and ignored, a missing one makes the register
unreadable. Each row is validated: a bad row is reported by line and left out of the catalogue, the rest load.
What a bad row or an unreadable register means for access is decided in `kmsearch.ingest.protect`: never less
protection. Registers are catalogue data, not searchable text: the document register names restricted documents.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from kmsearch.access import group_name
from kmsearch.files import Unreadable, decode_lenient, decode_register, read_small
from kmsearch.types import DOC_TYPES

REGISTER_DIR = "registers"
REGISTER_NAMES = ("documents", "people", "events")
GROUPS_FILE = ".kmsearch-groups"  # in any folder: access groups for the documents below it
MAX_REGISTER_BYTES = 64 * 2**20  # a register of a million rows is ~200 MB; nothing real comes near this
MAX_GROUPS_BYTES = 2**20
DOCUMENT_COLUMNS = ("file", "reference", "title", "type", "date", "building", "room", "cabinet", "shelf",
                    "custodian", "access_groups", "supersedes")
PEOPLE_COLUMNS = ("name", "unit", "role", "email", "skills", "qualifications", "trainings", "status")
EVENT_COLUMNS = ("name", "start", "end", "place", "participants", "report_reference")
STATUSES = ("active", "moved", "left")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class RegisterProblem:
    """A problem with a register or groups file: line 0 is the file as a whole. A warning left nothing out."""

    path: str
    line: int
    message: str
    warning: bool = False

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


@dataclass(frozen=True)
class Claim:
    """What one `documents.csv` row says about the access to the file it names, even when the row is bad."""

    line: int
    file: str  # as written in the row
    groups: tuple[str, ...] | None  # canonical group names; None: the row's cells cannot be trusted
    valid: bool  # the row parsed
    reference: str | None = None  # its reference cell, when that can be read


@dataclass
class DocumentRegister:
    """A `documents.csv` as read: its good rows, and what every row (good or bad) says about access."""

    path: Path
    readable: bool = True  # False: the file as a whole could not be read (problems say why); nothing below
    entries: list[tuple[int, RegisterDocument]] = field(default_factory=list)  # (line, row), one per reference
    claims: list[Claim] = field(default_factory=list)
    unattributed: list[int] = field(default_factory=list)  # lines of bad rows that name no file we can read
    problems: list[RegisterProblem] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[tuple[int, dict[str, str], bool]] = field(default_factory=list)  # (line, cells, cells in place)
    problems: list[RegisterProblem] = field(default_factory=list)
    readable: bool = True
    first_column: str = ""


def split_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def split_groups(value: str) -> tuple[str, ...]:
    """A `;`-separated cell of access groups, in canonical form (`kmsearch.access.group_name`)."""
    return tuple(dict.fromkeys(g for g in map(group_name, value.split(";")) if g))


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


def column_key(name: str) -> str:
    """What a header is compared by: its letters and digits, case-folded ("Access Groups" ~ access_groups)."""
    return re.sub(r"[\W_]+", "", name.casefold())


def _header(path: Path, header: list[str], columns: tuple[str, ...], table: _Table) -> list[str | None] | None:
    """Each header cell's column (None: unknown), or None when the header makes the register unreadable."""
    known = {column_key(c): c for c in columns}
    names: list[str | None] = [known.get(column_key(h)) for h in header]
    unknown = [h for h, n in zip(header, names) if n is None and h.strip()]
    dup = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c for c in columns if c not in names]
    if dup:
        table.problems.append(RegisterProblem(str(path), 0, f"column(s) {', '.join(dup)} given twice"))
    if missing:
        names_given = ", ".join(repr(h) for h in unknown)
        hint = f" (the header has {names_given}, which kmsearch does not know)" if unknown else ""
        table.problems.append(RegisterProblem(str(path), 0, f"missing column(s) {', '.join(missing)}{hint}"))
    if dup or missing:
        return None
    if unknown:
        table.problems.append(RegisterProblem(str(path), 1, f"unknown column(s) {', '.join(map(repr, unknown))} "
                                                            "ignored", warning=True))
    variants = [f"{h.strip()!r} as {n}" for h, n in zip(header, names) if n and h.strip() != n]
    if variants:  # read as meant, but reported: other tools, and the next librarian, read the exact names
        table.problems.append(RegisterProblem(str(path), 1, f"column(s) taken by a near name: {', '.join(variants)}; "
                                                            "rename them to the exact names"))
    return names


def _read_table(path: Path, columns: tuple[str, ...]) -> _Table:
    """The rows of a register by column, each with its line and whether its cells are in their columns (as many
    cells as the header; else a comma outside quotes has shifted them); unreadable when its header is."""
    table = _Table()

    def unreadable(message: str) -> _Table:
        table.readable, table.rows = False, []
        table.problems.append(RegisterProblem(str(path), 0, message))
        return table

    try:
        reader = csv.reader(io.StringIO(decode_register(read_small(path, MAX_REGISTER_BYTES)), newline=""))
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            return unreadable("has no header row")
        names = _header(path, header, columns, table)
        if names is None:
            table.readable = False
            return table
        table.first_column = names[0] or ""
        for cells in reader:
            if not any(c.strip() for c in cells):  # a blank line, or Excel's trailing ",,,,"
                continue
            row = {n: c.strip() for n, c in zip(names, cells) if n}
            table.rows.append((reader.line_num, row, len(cells) == len(header)))
    except Unreadable as exc:
        return unreadable(str(exc))
    except csv.Error as exc:
        return unreadable(f"line {reader.line_num}: {exc}")
    return table


MISPLACED = "the row has more or fewer cells than the header (a comma in a cell that is not in quotes?)"


def _load(path: Path, columns: tuple[str, ...], required: tuple[str, ...],
          parse: Callable[[dict[str, str]], Any]) -> tuple[_Table, list[tuple[int, dict[str, str], bool, Any]]]:
    """The table and each row with its parsed item, or the ValueError message saying why it has none."""
    table = _read_table(path, columns)
    out = []
    for line, row, in_place in table.rows:
        try:
            if not in_place:
                raise ValueError(MISPLACED)
            empty = [c for c in required if not row.get(c)]
            if empty:
                raise ValueError(f"{', '.join(empty)} is empty")
            out.append((line, row, in_place, parse(row)))
        except ValueError as exc:
            table.problems.append(RegisterProblem(str(path), line, str(exc)))
            out.append((line, row, in_place, None))
    return table, out


def _document(row: dict[str, str]) -> RegisterDocument:
    if row["type"] not in DOC_TYPES:
        raise ValueError(f"type {row['type']!r} is not one of {', '.join(DOC_TYPES)}")
    location = {k: row[k] for k in ("building", "room", "cabinet", "shelf") if row.get(k)}
    return RegisterDocument(
        reference=row["reference"], title=row["title"], type=row["type"], file=row["file"] or None,
        date=check_date(row["date"]), location=location, custodian=row.get("custodian") or None,
        access_groups=split_groups(row.get("access_groups", "")), supersedes=row.get("supersedes") or None,
    )


def read_document_register(path: Path) -> DocumentRegister:
    """`documents.csv` with every row's claim on its file's access: a good row's groups; a bad row's groups
    when its cells are in their columns (else None: unknown); a bad row naming no readable file is unattributed."""
    table, rows = _load(path, DOCUMENT_COLUMNS, ("reference", "title", "type"), _document)
    register = DocumentRegister(path, table.readable, problems=table.problems)
    seen: dict[str, int] = {}
    for line, row, in_place, doc in rows:
        file = row.get("file", "") if in_place or table.first_column == "file" else ""
        if doc is not None:
            if doc.reference in seen:
                message = f"reference {doc.reference} appears twice (first on line {seen[doc.reference]}); the first " \
                          "row is kept"
                register.problems.append(RegisterProblem(str(path), line, message))
            else:
                seen[doc.reference] = line
                register.entries.append((line, doc))
        if file:
            groups = split_groups(row.get("access_groups", "")) if in_place else None
            register.claims.append(Claim(line, file, groups, doc is not None, row.get("reference") or None))
        elif doc is None and not (in_place and not row.get("file")):  # a bad row for a file we cannot name
            register.unattributed.append(line)
        for group in (doc.access_groups if doc else ()):
            if re.search(r"[\s,]", group):
                register.problems.append(RegisterProblem(str(path), line, f"access group {group!r} has a space or "
                                                         "comma, which no key can hold; separate groups with ';'",
                                                         warning=True))
    return register


def load_documents(path: Path) -> tuple[list[RegisterDocument], list[RegisterProblem]]:
    """The good rows of a `documents.csv` (the first of each reference) and its problems."""
    register = read_document_register(path)
    return [doc for _, doc in register.entries], register.problems


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




def load_people(path: Path) -> tuple[list[RegisterPerson] | None, list[RegisterProblem]]:
    """The skills register (None when the file cannot be read); a name that appears twice keeps its first row."""
    table, rows = _load(path, PEOPLE_COLUMNS, ("name",), _person)
    seen: set[str] = set()
    unique = []
    for line, _, _, person in rows:
        if person is None:
            continue
        key = person.name.lower()
        if key in seen:
            table.problems.append(RegisterProblem(str(path), line, f"person {person.name} appears twice; the first "
                                                  "is kept"))
            continue
        seen.add(key)
        unique.append(person)
    return (unique if table.readable else None), table.problems


def _event(row: dict[str, str]) -> RegisterEvent:
    start = check_date(row["start"], "start")
    end = check_date(row.get("end", ""), "end")
    if start and end and end < start:
        raise ValueError(f"end {end} is before start {start}")
    return RegisterEvent(
        name=row["name"], start=start or "", end=end, place=row.get("place") or None,
        participants=split_list(row.get("participants", "")), report_reference=row.get("report_reference") or None,
    )




def load_events(path: Path) -> tuple[list[RegisterEvent] | None, list[RegisterProblem]]:
    """The events register (None when the file cannot be read)."""
    table, rows = _load(path, EVENT_COLUMNS, ("name", "start"), _event)
    return ([e for _, _, _, e in rows if e is not None] if table.readable else None), table.problems


def register_files(owner: Path) -> tuple[dict[str, Path], set[str], list[RegisterProblem]]:
    """The registers kept in `owner/registers/`, by name (documents, people, events), whatever the case of their
    file names; the names that are there but must be treated as unreadable (two files for one register, or a
    folder that cannot be listed); and the problems, other CSV files there among them."""
    folder = owner / REGISTER_DIR
    found: dict[str, list[Path]] = {}
    problems = []
    try:
        if not folder.is_dir():  # "Registers/" on a file system that tells case apart
            folder = next((owner / n for n in sorted(os.listdir(owner)) if n.casefold() == REGISTER_DIR
                           and (owner / n).is_dir()), folder)
        names = sorted(os.listdir(folder)) if folder.is_dir() else []
    except OSError as exc:
        problems.append(RegisterProblem(str(folder), 0, f"cannot be listed ({exc.strerror or exc})"))
        return {}, set(REGISTER_NAMES), problems
    for path in (folder / name for name in names):
        if path.suffix.lower() != ".csv":
            continue
        name = path.stem.casefold()
        if name in REGISTER_NAMES:
            found.setdefault(name, []).append(path)
        else:
            known = ", ".join(n + ".csv" for n in REGISTER_NAMES)
            problems.append(RegisterProblem(str(path), 0, f"is not a register kmsearch reads ({known}); not read, "
                                            "and not indexed", warning=True))
    files, unreadable = {}, set()
    for name, paths in found.items():
        if len(paths) == 1:
            files[name] = paths[0]
        else:
            unreadable.add(name)
            problems.append(RegisterProblem(str(paths[0]), 0, f"{' and '.join(p.name for p in paths)} are both the "
                                            f"{name} register; neither is read (keep one)"))
    return files, unreadable, problems


def is_register_file(path: Path) -> bool:
    """A CSV in a `registers/` folder: catalogue data, never indexed as text."""
    return path.parent.name.casefold() == REGISTER_DIR and path.suffix.lower() == ".csv"


def read_groups_file(path: Path) -> tuple[tuple[str, ...], list[RegisterProblem]]:
    """The groups of a `.kmsearch-groups` (one a line, `#` comments), canonical; Unreadable when it cannot be read
    (not a regular file, too large, no permission): then the documents below it must not be published as open."""
    text, note = decode_lenient(read_small(path, MAX_GROUPS_BYTES))
    problems = [RegisterProblem(str(path), 0, note, warning=True)] if note else []
    groups = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.replace("\ufeff", "").strip()
        if not line or line.startswith("#"):
            continue
        groups.append(group_name(line))
        if re.search(r"[\s,;]", line):
            problems.append(RegisterProblem(str(path), number, f"group {line!r} has a space, comma or ';', which no "
                                            "key can hold; write one group a line", warning=True))
    return tuple(dict.fromkeys(g for g in groups if g)), problems
