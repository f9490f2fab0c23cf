"""Who may read each ingested document: its register rows and `.kmsearch-groups`, applied so that no mistake in
them ever lowers a document's protection.

A document is restricted by its nearest `.kmsearch-groups` (in its folder or any folder above it) and by every
`documents.csv` row that names it (in the `registers/` of any folder above it). Blank means "no restriction of
its own": a blank `access_groups` cell leaves the folder's groups in force. When several give groups, a reader
must be in a group that every one of them names (their intersection); when they name no group in common, the
document is not published, and the report says which rows and files disagree. So an added restriction can only
narrow who reads a document; to open a document up, remove the restriction that closes it.

When what restricts a document cannot be read (a register in another encoding, with a renamed column, or a row
that does not parse; a `.kmsearch-groups` that is not a regular file), the document also keeps the groups it
had in the previous generation, and a document that was not indexed before is not published until the fix. An
unreadable register keeps its previous rows in the catalogue; an unreadable people or events register too.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kmsearch import registers
from kmsearch.index.store import IndexWriter
from kmsearch.files import Unreadable
from kmsearch.registers import Claim, DocumentRegister, RegisterDocument, RegisterProblem
from kmsearch.types import RegisterEntry

Groups = tuple[str, ...]


@dataclass(frozen=True)
class Before:
    """The previous generation's access data, read before this ingest changes anything."""

    docs: dict[str, tuple[str | None, Groups]]  # path -> (register reference, access groups)
    entries: dict[str, RegisterEntry]  # reference -> its register row (with the folder that gave it)
    sources: frozenset[str]  # folders whose documents or registers the index holds

    @classmethod
    def read(cls, writer: IndexWriter) -> Before:
        entries = {e.reference: e for e in writer.catalog.register_entries()}
        return cls(writer.catalog.document_access(), entries, frozenset(writer.catalog.register_sources()))


@dataclass
class Notice:
    """What became of one register or groups file: `reason` when it could not be used at all."""

    path: str
    reason: str | None = None
    errors: list[str] = field(default_factory=list)  # rows left out; protection kept from before
    warnings: list[str] = field(default_factory=list)


@dataclass
class Applied:
    notices: dict[str, Notice] = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)  # path -> why it is not published

    def problem(self, problem: RegisterProblem, consequence: str = "") -> None:
        notice = self.notices.setdefault(problem.path, Notice(problem.path))
        said = str(problem) if problem.line else problem.message  # the notice's path names the file already
        text = f"{said}{'; ' + consequence if consequence else ''}"
        if problem.warning:
            notice.warnings.append(text)
        elif problem.line:
            notice.errors.append(text)
        else:
            notice.reason = f"{notice.reason}; {text}" if notice.reason else text


@dataclass
class _Owner:
    """A folder with registers, as read in this ingest."""

    folder: str
    documents: DocumentRegister | None = None  # None: it has no documents.csv
    rows: list[tuple[int, str | None, RegisterDocument]] = field(default_factory=list)  # (line, path, row) to store

    @property
    def unreadable(self) -> bool:
        return self.documents is not None and not self.documents.readable


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def stricter(named: list[tuple[str, Groups]]) -> tuple[Groups | None, str]:
    """The groups a reader needs, given (what, groups) restrictions: those every non-empty one names. None, with
    the reason, when they name no group in common: then nobody but an admin could read, so nobody is shown it."""
    given = [(what, frozenset(g)) for what, g in named if g]
    if not given:
        return (), ""
    common = frozenset.intersection(*(g for _, g in given))
    if common:
        return tuple(sorted(common)), ""
    sides = "; ".join(f"{what} gives {', '.join(sorted(g))}" for what, g in given)
    return None, f"its restrictions name no group in common ({sides}); make them agree"


def apply_registers(writer: IndexWriter, roots: list[Path], found: list[str], before: Before) -> Applied:
    """Read the registers of every folder in `found` (folders with `registers/` at or below the ingested ones)
    and of the folders above the ingested paths that the index knows, and give every document under the ingested
    paths its reference and access groups; one that cannot be given them safely is removed (`withheld`)."""
    applied = Applied()
    tops = [str(r) for r in roots]
    loaded = {folder: _load_owner(writer, folder, applied, before) for folder in _owners(tops, found, before)}
    known = writer.known_files()
    claims = _claims(list(loaded.values()), known, applied)
    _accept_rows(list(loaded.values()), before, applied)
    folder_groups = _FolderGroups(applied)
    stored = {e.reference for o in loaded.values() for _, _, e in o.rows}
    stored |= {ref for ref, e in before.entries.items() if e.source not in loaded or loaded[e.source].unreadable}
    own = {p: e.reference for o in loaded.values() for _, p, e in o.rows if p}
    decided: dict[str, Groups] = {}
    for path, row in known.items():
        if not any(under(path, t) for t in tops):
            continue
        context = [loaded[f] for f in _ancestors(path) if f in loaded]
        mine = claims.get(path, [])
        groups, why = _decide(path, mine, context, folder_groups, before.docs.get(path),
                              source_groups(writer.settings, path))
        if groups is None:
            writer.remove(row.doc_id)
            applied.withheld[path] = f"not published: {why}"
            continue
        reference = own.get(path)
        previous = before.docs.get(path)
        if reference is None and previous and previous[0] in stored and (
                any(o.unreadable for o in context) or (mine and not any(c.valid for _, c in mine))):
            reference = previous[0]  # its register or row cannot be read: it keeps its place in the register
        writer.set_access(row.doc_id, reference, groups)
        decided[path] = groups
    _write_rows(writer, list(loaded.values()), decided, folder_groups, applied, before)
    return applied


def _ancestors(path: str) -> list[str]:
    """The folders above `path` (and `path` itself), nearest first."""
    out = [path]
    while (parent := os.path.dirname(out[-1])) != out[-1]:
        out.append(parent)
    return out


def _owners(tops: list[str], found: list[str], before: Before) -> list[str]:
    """Folders whose registers this ingest reads: those found at or below the ingested folders (in the order
    found: it decides which of two folders giving one new reference keeps it), those the index knew below them
    (to drop the rows of registers now gone), and the known ones above the ingested paths."""
    owners = dict.fromkeys(found)
    for source in sorted(before.sources):
        below = any(under(source, t) for t in tops if os.path.isdir(t))
        if (below or any(under(t, source) for t in tops)) and os.path.isdir(source):
            owners.setdefault(source)
    return list(owners)


def _load_owner(writer: IndexWriter, folder: str, applied: Applied, before: Before) -> _Owner:
    """Read a folder's registers and store its people and events; an unreadable one keeps its previous rows. A
    documents.csv that is gone is unreadable too (renamed while being edited, say): its rows and restrictions
    stay, and a register is dropped on purpose by leaving its header only."""
    owner = _Owner(folder)
    files, ambiguous, problems = registers.register_files(Path(folder))
    for problem in problems:
        applied.problem(problem, "" if problem.warning else "the previous generation's rows stay until it is fixed")
    expected = Path(folder) / registers.REGISTER_DIR / "documents.csv"
    if "documents" not in files and "documents" not in ambiguous and any(
            e.source == folder for e in before.entries.values()):
        applied.problem(RegisterProblem(str(expected), 0, "is gone, but the index holds its rows"), (
            "they and the access groups they gave stay; to drop the register, leave documents.csv with its "
            "header row only"))
        ambiguous.add("documents")
    if "documents" in ambiguous:
        owner.documents = DocumentRegister(expected, readable=False)
    elif "documents" in files:
        owner.documents = register = registers.read_document_register(files["documents"])
        applied.notices.setdefault(str(register.path), Notice(str(register.path)))
        for problem in register.problems:
            applied.problem(problem, _consequence(problem, register, folder))
    for name, load, replace in (("people", registers.load_people, writer.replace_register_people),
                                ("events", registers.load_events, writer.replace_register_events)):
        if name in ambiguous:
            continue
        if name not in files:
            replace(folder, [])
            continue
        rows, problems_here = load(files[name])
        applied.notices.setdefault(str(files[name]), Notice(str(files[name])))
        for problem in problems_here:
            applied.problem(problem, "" if problem.warning or problem.line == 1 else "the row is left out"
                            if problem.line else "the previous generation's rows are kept until it is fixed")
        if rows is not None:
            replace(folder, rows)
    return owner


def _consequence(problem: RegisterProblem, register: DocumentRegister, folder: str) -> str:
    """What a documents.csv problem means for the documents, as the report says it."""
    if problem.warning or problem.line == 1:  # line 1 is the header: a near name, taken as meant
        return ""
    if not problem.line:
        return (f"the register rows of {folder} and its documents' access groups stay as they were, and no "
                "document new under it is published until it is fixed")
    if problem.line in register.unattributed:
        return f"documents new under {folder} without a row of their own are not published until it is fixed"
    return "the row is left out, and its file keeps at least the protection it had"


def _claims(loaded: list[_Owner], known: dict[str, Any], applied: Applied) -> dict[str, list[tuple[_Owner, Claim]]]:
    """Every documents.csv row's claim on a document, by the document's path. A row whose file is not there is
    reported, with the indexed file whose name differs only by case or slash direction, which it then protects."""
    by_path: dict[str, list[tuple[_Owner, Claim]]] = {}
    folded: dict[str, list[str]] | None = None
    for owner in loaded:
        if owner.documents is None or owner.unreadable:
            continue
        for claim in owner.documents.claims:
            path = os.path.normpath(os.path.join(owner.folder, claim.file))
            by_path.setdefault(path, []).append((owner, claim))
            if os.path.lexists(path):
                continue
            if folded is None:
                folded = {}
                for known_path in known:
                    folded.setdefault(known_path.replace("\\", "/").casefold(), []).append(known_path)
            key = os.path.normpath(os.path.join(owner.folder, claim.file.replace("\\", "/")))
            near = folded.get(key.replace("\\", "/").casefold(), [])
            message = f"file {claim.file} not found"
            if len(near) != 1 and claim.valid:
                message += ("; the row stays in the register as a paper copy (where-is finds it by title and "
                            "reference, with its location)")
            if len(near) == 1:
                rel = os.path.relpath(near[0], owner.folder)
                message += f"; did you mean {rel}? (its access groups apply to {rel} until the row is fixed)"
                by_path.setdefault(near[0], []).append((owner, dataclasses.replace(claim, valid=False)))
            elif claim.groups is None:  # a misaligned row whose first cell names no file: it may mean any of them
                owner.documents.unattributed.append(claim.line)
            applied.problem(RegisterProblem(str(owner.documents.path), claim.line, message, warning=True))
    return by_path


def _accept_rows(loaded: list[_Owner], before: Before, applied: Applied) -> None:
    """Each owner's register rows to store: its good rows, except a reference another folder already gives (a
    warning; neither replaces the other), plus the previous row of each reference whose row is now bad."""
    folders = {o.folder for o in loaded}
    holder = {ref: e.source for ref, e in before.entries.items() if e.source not in folders}
    for owner in loaded:  # a reference stays with the folder that gave it before, while that folder still does
        if owner.unreadable:
            holder.update({ref: owner.folder for ref, e in before.entries.items() if e.source == owner.folder})
        elif owner.documents:
            holder.update({e.reference: owner.folder for _, e in owner.documents.entries
                           if getattr(before.entries.get(e.reference), "source", None) == owner.folder})
    for owner in loaded:
        register = owner.documents
        if register is None or owner.unreadable:
            continue
        for line, entry in register.entries:
            other = holder.setdefault(entry.reference, owner.folder)
            if other != owner.folder:
                applied.problem(RegisterProblem(str(register.path), line, (
                    f"reference {entry.reference} is also given by {other}/registers/documents.csv; this row is not "
                    "used and the other is kept (give one of them another reference)"), warning=True))
                continue
            path = os.path.normpath(os.path.join(owner.folder, entry.file)) if entry.file else None
            owner.rows.append((line, path, entry))
        good = {e.reference for _, e in register.entries}
        for claim in register.claims:
            previous = before.entries.get(claim.reference or "")
            if not claim.valid and previous and previous.source == owner.folder and claim.reference not in good:
                owner.rows.append((claim.line, previous.path, _previous_entry(previous)))
                good.add(previous.reference)


def _previous_entry(row: RegisterEntry) -> RegisterDocument:
    """A register row of the previous generation, to store again while its row is bad."""
    return RegisterDocument(reference=row.reference, title=row.title, type=row.type, date=row.date,
                            location=row.location.to_json(), custodian=row.custodian,
                            access_groups=tuple(row.access_groups), supersedes=row.supersedes)


class _FolderGroups:
    """The groups of the nearest `.kmsearch-groups` in or above a path's folder, each file read once:
    (the file, its groups or None when it cannot be read, why not)."""

    def __init__(self, applied: Applied):
        self.applied = applied
        self.cache: dict[str, tuple[str, Groups | None, str]] = {}

    def of(self, path: str) -> tuple[str, Groups | None, str]:
        chain = []
        for folder in _ancestors(os.path.dirname(path)):
            if folder in self.cache:
                found = self.cache[folder]
                break
            chain.append(folder)
            marker = os.path.join(folder, registers.GROUPS_FILE)
            if os.path.lexists(marker):
                found = self._read(marker)
                break
        else:
            found = ("", (), "")
        for folder in chain:
            self.cache[folder] = found
        return found

    def _read(self, marker: str) -> tuple[str, Groups | None, str]:
        try:
            groups, problems = registers.read_groups_file(Path(marker))
        except Unreadable as exc:
            self.applied.problem(RegisterProblem(marker, 0, str(exc)), "the documents below it keep the access "
                                 "groups they had, and new ones are not published until it is fixed")
            return marker, None, f"{marker} cannot be read ({exc})"
        for problem in problems:
            self.applied.problem(problem)
        return marker, groups, ""


def source_groups(settings: Any, path: str) -> list[tuple[str, Groups]]:
    """The groups of each named source (settings `sources`) that `path` lies in: a restriction like a
    `.kmsearch-groups` at the source's top."""
    return [(f"source {s.name}", s.groups) for s in settings.sources
            if s.groups and under(path, os.path.abspath(s.path))]


def _decide(path: str, claims: list[tuple[_Owner, Claim]], context: list[_Owner], folder_groups: _FolderGroups,
            previous: tuple[str | None, Groups] | None, sources: list[tuple[str, Groups]]
            ) -> tuple[Groups | None, str]:
    """A document's access groups, or None and why it may not be published. `doubts` (what restricts it cannot
    be read) keep its previous groups, or withhold it when it has none; a bad row that can be read adds its
    groups and, like a near-miss file name, the previous groups too."""
    marker, groups, unknown = folder_groups.of(path)
    named: list[tuple[str, Groups]] = ([(marker, groups)] if groups else []) + sources
    doubts = [unknown] if unknown else []
    with_previous = False
    for owner, claim in claims:
        what = f"{owner.documents.path if owner.documents else owner.folder} line {claim.line}"
        if claim.groups is None:
            doubts.append(f"its row ({what}) cannot be read")
        else:
            named.append((what, claim.groups))
            with_previous |= not claim.valid
    for owner in context:
        register = owner.documents
        if register is not None and not register.readable:
            doubts.append(f"{register.path} cannot be read")
        elif register is not None and register.unattributed and not any(c.valid for _, c in claims):
            lines = ", ".join(map(str, register.unattributed))
            plural = "s" if len(register.unattributed) > 1 else ""
            doubts.append(f"{register.path} has rows that name no file kmsearch can read (line{plural} {lines})")
    if doubts and previous is None:
        return None, f"{'; '.join(doubts)}, and it was not indexed before; fix that and ingest again"
    if (doubts or with_previous) and previous is not None:
        named.append(("the previous generation", previous[1]))
    return stricter(named)


def _write_rows(writer: IndexWriter, loaded: list[_Owner], decided: dict[str, Groups],
                folder_groups: _FolderGroups, applied: Applied, before: Before) -> None:
    """Store each readable register's rows, none more open than its document or folder: a row's groups are
    narrowed by its document's groups (when it has one here; else the groups it had when it was last indexed, so
    a paper copy whose file is gone is no more open than the file was, in this generation and the next ones) and
    its folder's `.kmsearch-groups`."""
    for owner in loaded:
        if owner.unreadable:
            continue  # its previous rows stay as they are
        rows = []
        for line, path, entry in owner.rows:
            where = path or os.path.join(owner.folder, registers.REGISTER_DIR, "documents.csv")
            marker, groups, unknown = folder_groups.of(where)
            named = [("the row", entry.access_groups), (marker, groups or ()), *source_groups(writer.settings, where)]
            if path in decided:
                named.append(("its document", decided[path]))
            elif path in before.docs:
                named.append(("its document when last indexed", before.docs[path][1]))
            elif path and (gone := before.entries.get(entry.reference)) and gone.path == path:
                named.append(("its paper copy before", gone.access_groups))  # the gone file's groups live on
            narrowed, why = stricter(named)
            if narrowed is None or (groups is None and path not in decided):
                problem = RegisterProblem(str(owner.documents.path) if owner.documents else owner.folder, line,
                                          f"reference {entry.reference} is not kept in the register: {why or unknown}")
                applied.problem(problem)
                continue
            rows.append((path, dataclasses.replace(entry, access_groups=narrowed)))
        writer.replace_register_documents(owner.folder, rows)
