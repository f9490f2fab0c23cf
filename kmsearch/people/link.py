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

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kmsearch.index.catalog import Catalog, CatalogWriter
from kmsearch.people.extract import EXTRACTOR_VERSION, find_mentions
from kmsearch.people.names import ParsedName, given_compatible, merge_given, parse_name, slug
from kmsearch.types import PersonRecord, RegisterPersonRecord

log = logging.getLogger(__name__)
_ACRONYM = re.compile(r"^[A-Z][a-z]{1,3}[A-Z]$")  # "PvdM"


@dataclass
class _Person:
    """A person being assembled: their best name, given names merged from every alias, and register fields."""

    name: ParsedName
    given: tuple[str, ...]
    register: RegisterPersonRecord | None = None
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
    return catalog.needs_mentions(EXTRACTOR_VERSION)


def _backfill(catalog: CatalogWriter) -> int:
    """Extract mentions from the stored pages of documents indexed before people were (or by an older extractor)."""
    stale = catalog.documents_needing_mentions(EXTRACTOR_VERSION)
    for doc_id in stale:
        doc = catalog.document(doc_id)
        authors = list(doc.authors) if doc else []
        pages = [(p.number, p.text) for p in catalog.pages(doc_id)]
        catalog.add_mentions(doc_id, find_mentions(pages, authors), EXTRACTOR_VERSION)
    return len(stale)


def resolve(register: list[RegisterPersonRecord],
            names: list[tuple[str, bool]]) -> tuple[list[_Person], dict[str, _Person]]:
    """People from register rows and (name, certain) pairs; returns the people and the person of each name."""
    people: list[_Person] = []
    by_key: dict[str, list[_Person]] = defaultdict(list)
    for row in register:
        parsed = parse_name(row.name)
        if parsed is None or any(p.accepts(parsed) and p.given == parsed.given for p in by_key[parsed.key]):
            continue  # the same register person from a second folder's register
        person = _Person(parsed, parsed.given, register=row, aliases={row.name}, nickname=parsed.nickname)
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


def link(catalog: CatalogWriter) -> dict[str, int]:
    """Rebuild people and aliases from the registers and the mentions, and attach every mention to its person."""
    with catalog.transaction():
        backfilled = _backfill(catalog)
        catalog.replace_event_mentions()
        previous = catalog.person_aliases()
        people, of_name = resolve(catalog.register_people(), catalog.mention_names())
        _assign_ids(people, previous)
        kept = [p for p in people if p.register is not None or p.aliases & of_name.keys()]
        count = catalog.replace_people(
            [_record(p) for p in kept], {p.person_id: p.aliases for p in kept},
            {name: p.person_id for name, p in of_name.items()},
        )
    stats = {"people": count, "mentions": len(of_name), "backfilled": backfilled}
    log.info("people linked: %s", stats)
    return stats


def _record(person: _Person) -> PersonRecord:
    """The person as the catalogue keeps them: their register row's fields, or only their best name."""
    reg = person.register
    if reg is None:
        return PersonRecord(person.person_id, person.name.text)
    return PersonRecord(person.person_id, reg.name or person.name.text, reg.unit, reg.role, reg.email, reg.status,
                        reg.skills, reg.qualifications, reg.trainings, in_register=True)


