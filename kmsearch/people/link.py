"""Resolve the names found in documents and registers to people, each with one id and all their aliases.

Run on every new index generation (`IndexWriter.commit`). The skills register's people come first: a name
found in a document joins the register person it is compatible with (same surname; given names equal or
initials of each other; "vd" = "van der"; "PvdM" = Pieter van der Merwe). Names that match nobody in the
register form people of their own, merged the same way ("Prof. Marianne Venter", "Prof. M. Venter",
"Prof. Venter"). A name compatible with two or more people (two Mr Bothas) is left unattached rather than
guessed. Uncertain names (untitled, outside a cue list) only ever join someone already known.

Ids: a person keeps the id they had in the previous generation as long as any of their aliases remains; a new
person's id is a slug of their name ("thandiwe-mokoena"), and an opaque author id (BEIR's "a17") is its own id.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from kmsearch.index.catalog import Catalog
from kmsearch.people.extract import EXTRACTOR_VERSION, find_mentions
from kmsearch.people.names import ParsedName, given_compatible, merge_given, parse_name, slug

log = logging.getLogger(__name__)
_ACRONYM = re.compile(r"^[A-Z][a-z]{1,3}[A-Z]$")  # "PvdM"


@dataclass
class _Person:
    """A person being assembled: their best name, given names merged from every alias, and register fields."""

    name: ParsedName
    given: tuple[str, ...]
    register: dict[str, Any] | None = None
    aliases: set[str] = field(default_factory=set)
    nickname: str = ""
    person_id: str = ""

    def accepts(self, name: ParsedName) -> bool:
        if name.identifier or self.name.identifier:
            return name.text == self.name.text
        return name.key == self.name.key and given_compatible(name.given, self.given, name.nickname, self.nickname)

    def absorb(self, name: ParsedName) -> None:
        self.aliases.add(name.text)
        if not name.identifier:
            self.given = merge_given(self.given, name.given)
            self.nickname = self.nickname or name.nickname
        if self.register is None and name.specificity > self.name.specificity:
            self.name = name

    @property
    def acronym(self) -> str | None:
        return ParsedName(self.name.text, "", self.given, self.name.surname).acronym


def needs_linking(catalog: Catalog) -> bool:
    """True when some document's mentions are missing or were found by an older extractor."""
    row = catalog.conn.execute(
        "SELECT 1 FROM documents d LEFT JOIN mention_docs m USING (doc_id) "
        "WHERE m.version IS NULL OR m.version < ? LIMIT 1", (EXTRACTOR_VERSION,)
    ).fetchone()
    return row is not None


def _backfill(catalog: Catalog) -> int:
    """Extract mentions from the stored pages of documents indexed before people were (or by an older extractor)."""
    stale = [r[0] for r in catalog.conn.execute(
        "SELECT d.doc_id FROM documents d LEFT JOIN mention_docs m USING (doc_id) "
        "WHERE m.version IS NULL OR m.version < ?", (EXTRACTOR_VERSION,))]
    for doc_id in stale:
        row = catalog.conn.execute("SELECT authors FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        authors = json.loads(row[0])
        pages = catalog.conn.execute("SELECT number, text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
        catalog.add_mentions(doc_id, find_mentions(pages.fetchall(), authors), EXTRACTOR_VERSION)
    return len(stale)


def _event_mentions(catalog: Catalog) -> None:
    """Participants of an event in the events register are delegates on the event's report, when it is indexed."""
    catalog.conn.execute("DELETE FROM mentions WHERE source = 'events'")
    rows = catalog.conn.execute(
        "SELECT e.participants, d.doc_id FROM register_events e "
        "JOIN register_documents r ON r.reference = e.report_reference "
        "JOIN documents d ON d.path = r.path"
    ).fetchall()
    catalog.conn.executemany(
        "INSERT INTO mentions (doc_id, name, role, page, certain, source) VALUES (?, ?, 'delegate', NULL, 1, 'events')",
        [(doc_id, name) for participants, doc_id in rows for name in json.loads(participants)],
    )


def resolve(register: list[dict[str, Any]], names: list[tuple[str, bool]]) -> tuple[list[_Person], dict[str, _Person]]:
    """People from register rows and (name, certain) pairs; returns the people and the person of each name."""
    people: list[_Person] = []
    by_key: dict[str, list[_Person]] = defaultdict(list)
    for row in register:
        parsed = parse_name(row["name"])
        if parsed is None or any(p.accepts(parsed) and p.given == parsed.given for p in by_key[parsed.key]):
            continue  # the same register person from a second folder's register
        person = _Person(parsed, parsed.given, register=row, aliases={row["name"]}, nickname=parsed.nickname)
        people.append(person)
        by_key[parsed.key].append(person)
    of_name: dict[str, _Person] = {}
    parsed_names = [(p, certain) for text, certain in dict.fromkeys(names) if (p := parse_name(text)) is not None]
    # most specific first, so "Marianne Venter" exists before "M. Venter" and "Venter" look for a match
    parsed_names.sort(key=lambda pc: (not pc[1], [-x for x in pc[0].specificity], pc[0].text))
    unresolved_acronyms = []
    for name, certain in parsed_names:
        candidates = [p for p in by_key.get(name.key, []) if p.accepts(name)]
        if len(candidates) == 1:
            candidates[0].absorb(name)
            of_name[name.text] = candidates[0]
        elif not candidates and certain:
            person = _Person(name, name.given, aliases={name.text}, nickname=name.nickname)
            people.append(person)
            by_key[name.key].append(person)
            of_name[name.text] = person
        elif not candidates and _ACRONYM.match(name.text):
            unresolved_acronyms.append(name)
        elif len(candidates) > 1:
            log.debug("%r could be any of %s; left unattached", name.text, [p.name.text for p in candidates])
    acronyms: dict[str, list[_Person]] = defaultdict(list)
    for person in people:
        if person.acronym:
            acronyms[person.acronym].append(person)
    for name in unresolved_acronyms:
        if len(acronyms.get(name.text, [])) == 1:
            acronyms[name.text][0].aliases.add(name.text)
            of_name[name.text] = acronyms[name.text][0]
    return people, of_name


def _assign_ids(people: list[_Person], previous: dict[str, str]) -> None:
    """Keep each person's previous id when one of their aliases had it; otherwise a new slug."""
    taken: set[str] = set()
    ordered = sorted(people, key=lambda p: (p.register is None, p.name.text))
    for person in ordered:
        votes = Counter(previous[a] for a in person.aliases if a in previous and previous[a] not in taken)
        if votes:
            person.person_id = min(votes, key=lambda pid: (-votes[pid], pid))
            taken.add(person.person_id)
    for person in ordered:
        if person.person_id:
            continue
        base = person.name.text if person.name.identifier else slug(person.name.plain)
        pid, n = base, 2
        while pid in taken:
            pid, n = f"{base}-{n}", n + 1
        person.person_id = pid
        taken.add(pid)


def link(catalog: Catalog) -> dict[str, int]:
    """Rebuild people and aliases from the registers and the mentions, and attach every mention to its person."""
    conn = catalog.conn
    with conn:
        backfilled = _backfill(catalog)
        _event_mentions(catalog)
        previous = {alias: pid for alias, pid in conn.execute("SELECT alias, person_id FROM person_aliases")}
        register = [dict(r) for r in conn.execute("SELECT * FROM register_people ORDER BY source, name")]
        names = [(r[0], bool(r[1])) for r in conn.execute(
            "SELECT name, MAX(certain) FROM mentions GROUP BY name ORDER BY name")]
        people, of_name = resolve(register, names)
        _assign_ids(people, previous)
        conn.execute("DELETE FROM person_aliases")
        conn.execute("DELETE FROM people")
        conn.executemany(
            "INSERT INTO people VALUES (?,?,?,?,?,?,?,?,?,?)",
            [_person_row(p) for p in people if p.register is not None or p.aliases & of_name.keys()],
        )
        kept = {r[0] for r in conn.execute("SELECT person_id FROM people")}
        conn.executemany(
            "INSERT OR IGNORE INTO person_aliases VALUES (?, ?)",
            [(alias, p.person_id) for p in people if p.person_id in kept for alias in sorted(p.aliases)],
        )
        conn.execute("UPDATE mentions SET person_id = NULL")
        conn.executemany(
            "UPDATE mentions SET person_id = ? WHERE name = ?", [(p.person_id, name) for name, p in of_name.items()]
        )
    stats = {"people": len(kept), "mentions": sum(1 for _ in of_name), "backfilled": backfilled}
    log.info("people linked: %s", stats)
    return stats


def _person_row(person: _Person) -> tuple[Any, ...]:
    reg = person.register or {}
    name = reg.get("name") or person.name.text
    return (
        person.person_id, name, reg.get("unit"), reg.get("role"), reg.get("email"), reg.get("status"),
        reg.get("skills", "[]"), reg.get("qualifications", "[]"), reg.get("trainings", "[]"), int(bool(reg)),
    )


