"""Registers a librarian keeps as CSV beside the documents, in `<folder>/registers/`:

- `documents.csv`: file, reference, title, type, date, building, room, cabinet, shelf, custodian,
  access_groups (`;`-separated; empty = open to everyone), supersedes (a reference)

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
