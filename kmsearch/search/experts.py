"""Who knows about X: people ranked by the documents that discuss X and the part they had in them.

A document-centred model (Balog, Azzopardi and de Rijke 2006, Model 2): retrieve the passages on the topic with
hybrid search, then credit every person linked to each passage's document,

    score(person) = sum over passages p of  rel(p) * assoc(person, p) * recency(p)  +  SKILL_WEIGHT * skills(person)

- rel(p) decays with the passage's rank (exp(-rank / RANK_DECAY)), whatever the fusion's score scale;
- assoc is the weight of the person's strongest role in the document (ROLE_WEIGHTS); a plain mention counts only
  for passages on the page where the person is named, and a person named in the passage itself earns
  IN_PASSAGE_BONUS more;
- recency halves every HALF_LIFE_YEARS before the newest dated document, down to RECENCY_FLOOR;
- a request that names a language ("who knows about land claims in isiZulu") weighs passages of documents in
  that language LANGUAGE_WEIGHT times, so the people behind that language's documents come first;
- skills is the best overlap (stemmed words) of the topic with the person's register entry: skills count
  fully, trainings, qualifications, post and unit half.

Only passages the caller may read are retrieved, so a person whose only evidence is in documents the caller may
not read gets no credit from them and is not shown; register skills alone may still show them. People who
left are shown, flagged `at_risk`: their topics are knowledge the department is losing.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kmsearch.access import Groups
from kmsearch.index.stems import stem_words
from kmsearch.index.store import Index
from kmsearch.language import in_language, languages_named
from kmsearch.people.names import parse_name, slug
from kmsearch.search.filters import Filters
from kmsearch.search.hybrid import Searcher, checked_query
from kmsearch.search.snippets import make_snippet, query_stems
from kmsearch.types import PersonRecord

_WORD = re.compile(r"\w+")

# The part a document gives a person (kmsearch.people.extract says how each is found), and why it weighs what it does:
ROLE_WEIGHTS = {
    "author": 1.0,        # wrote it
    "presenter": 0.8,     # gave the talk or slot: chose and knows its content
    "contact": 0.8,       # the one the document sends readers to about its subject
    "delegate": 0.7,      # went on the tour or visit the report is about
    "asker": 0.6,         # chose a written question's subject (this page only)
    "clerk": 0.5,         # wrote the minutes and keeps the council's business
    "chair": 0.5,         # led the meeting: more than attending it
    "councillor": 0.5,    # elected for the ward whose projects the document lists
    "mover": 0.45,        # proposed or seconded the resolution (this page only)
    "attendee": 0.4,      # was there
    "addressee": 0.35,    # the Minister a question is put to: answers for it, may know little of it (this page only)
    "file_author": 0.1,   # a file's author property the text never names: often the clerk who typed it
    "mentioned": 0.25,    # named, nothing more (this page only)
}
# Roles that hold for every page of the document; the others count only on the page that gives them.
DOCUMENT_ROLES = ("author", "presenter", "contact", "delegate", "clerk", "chair", "councillor", "attendee",
                  "file_author")
IN_PASSAGE_BONUS = 3.0  # tuned on the tune split of tests/data/judged/real (docs/benchmarks.md)
PROXIMITY_WORDS = 8.0  # the in-passage bonus falls by e for every this many words between the name and the topic
CLOSENESS_FLOOR = 0.2
PASSAGE_SHARE = 0.5  # how the bonus is split among the people a passage names: 1/n**PASSAGE_SHARE
PASSAGES = 60
RANK_DECAY = 10.0
HALF_LIFE_YEARS = 5.0
RECENCY_FLOOR = 0.5
LANGUAGE_WEIGHT = 2.0  # a passage in the language a request names, against one in another language
SKILL_WEIGHT = 2.0
REGISTER_CANDIDATES = 200  # register people scored a request, those sharing the topic's rarest words
_QUESTION = re.compile(
    r"^\s*(?:who(?:\s+(?:here|else))?\s+(?:knows|know|can\s+(?:tell|help)(?:\s+(?:me|us))?|has\s+(?:experience|"
    r"worked)|worked|is\s+(?:an?\s+)?(?:expert|specialist))|(?:find\s+)?(?:an?\s+)?(?:expert|people)s?)"
    r"(?:\s+(?:about|on|in|with|of|for))*\s+",
    re.IGNORECASE,
)
_EXTRA_STOP = {"know", "knowledg", "expert", "experi", "who", "anyon", "someon"}


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    path: str
    title: str
    page: int
    role: str
    snippet: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "path": self.path, "title": self.title, "page": self.page, "role": self.role,
                "snippet": self.snippet}


@dataclass(frozen=True)
class Expert:
    """A person ranked for a topic, with contact details and the passages that earned the score."""

    person_id: str
    name: str
    aliases: tuple[str, ...]
    unit: str | None
    role: str | None  # their post, from the register
    email: str | None
    status: str | None  # active, moved, left; None when not in the register
    score: float
    evidence: tuple[Evidence, ...] = ()
    skills: tuple[str, ...] = ()
    register_score: float = 0.0  # the part of `score` that the skills register gave
    phone: str | None = None  # written beside their name in a document the caller may read

    @property
    def at_risk(self) -> bool:
        return self.status == "left"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.person_id,
            "name": self.name,
            "aliases": list(self.aliases),
            "unit": self.unit,
            "role": self.role,
            "email": self.email,
            "phone": self.phone,
            "status": self.status,
            "score": round(self.score, 6),
            "at_risk": self.at_risk,
            "evidence": [e.to_json() for e in self.evidence],
            "skills": list(self.skills),
        }


def topic_of(query: str) -> str:
    """'Who knows about records disposal?' -> 'records disposal'."""
    topic = _QUESTION.sub("", " ".join(query.split())).strip(" ?.!")
    return topic or query.strip(" ?.!")


@lru_cache(maxsize=4096)
def _surname(name: str) -> str | None:
    parsed = parse_name(name)
    return None if parsed is None or parsed.identifier else parsed.surname


def _recency(date: str | None, newest: int | None) -> float:
    if not date or newest is None or not date[:4].isdigit():
        return RECENCY_FLOOR
    age = max(0, newest - int(date[:4]))
    return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * 0.5 ** (age / HALF_LIFE_YEARS)


def _overlap(topic: set[str], phrase: str) -> float:
    words = query_stems(phrase) - _EXTRA_STOP
    shared = len(topic & words)
    return shared / math.sqrt(len(topic) * len(words)) if shared else 0.0


def skill_match(topic: set[str], person: PersonRecord) -> float:
    """How well the register entry covers the topic: the best phrase, plus a little for each other match."""
    if not topic:
        return 0.0
    scored = [_overlap(topic, s) for s in person.skills]
    scored += [0.5 * _overlap(topic, s) for s in (*person.trainings, *person.qualifications,
                                                    person.role or "", person.unit or "") if s]
    scored = sorted((s for s in scored if s > 0), reverse=True)
    return scored[0] + 0.1 * sum(scored[1:]) if scored else 0.0


@dataclass
class _Credit:
    score: float = 0.0
    register: float = 0.0
    evidence: list[tuple[float, int, str]] = field(default_factory=list)  # (contribution, chunk_id, role)


def who_knows(index: Index, query: str, k: int = 10, groups: Groups = None, evidence: int = 3) -> list[Expert]:
    """The people who know most about `query`, best first, each with up to `evidence` passages."""
    query = checked_query(query, k)
    if not query:
        return []
    topic = topic_of(query)
    catalog = index.catalog
    scores = Searcher(index).score_chunks(topic, PASSAGES, "hybrid", Filters(groups=groups), index.settings.fusion)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:PASSAGES]
    chunks = catalog.chunks([c for c, _ in ranked])
    # the passages were retrieved under the caller's groups; reading their documents under them too costs nothing
    docs = catalog.documents(list({row.doc_id for row in chunks.values()}), groups)
    chunks = {c: row for c, row in chunks.items() if row.doc_id in docs}
    topic_stems = query_stems(topic) - _EXTRA_STOP
    weights = _passage_weights(ranked, chunks, docs, catalog.newest_year(), languages_named(query))
    credit = _credit_passages(ranked, chunks, weights, _Roles(catalog, list(docs)), topic_stems)

    # Only the register people who share a word with the topic, not the whole skills register
    skilled = catalog.people_with_terms(topic_stems, limit=REGISTER_CANDIDATES)
    people = catalog.people(None if skilled is None else sorted(set(credit) | set(skilled)))
    for person_id, person in people.items():
        match = skill_match(topic_stems, person)
        if match > 0:
            credit[person_id].register = SKILL_WEIGHT * match
            credit[person_id].score += SKILL_WEIGHT * match

    best = sorted(((pid, c) for pid, c in credit.items() if c.score > 0 and pid in people),
                  key=lambda kv: (-kv[1].score, people[kv[0]].name))
    aliases = catalog.readable_aliases([pid for pid, _ in best[: 4 * k]], groups)
    experts = []
    for person_id, c in best:
        if len(experts) >= k:
            break
        person = people[person_id]
        if c.register == 0 and not any(_on_topic(topic_stems, chunks[chunk_id].text) for _, chunk_id, _ in c.evidence):
            continue  # no passage crediting them shares a word with the topic: weak names are not an answer
        readable = aliases.get(person_id, [])
        if not person.in_register and not readable:
            continue  # only a document the caller may not read names them
        name = person.name if person.in_register else _best_form(readable)
        shown = _evidence(c, chunks, docs, query_stems(topic), evidence)
        post, email, phone = _details(catalog, person_id, groups)
        experts.append(Expert(
            _shown_id(person, name), name, tuple(a for a in readable if a != name),
            person.unit, person.role or post, person.email or email, person.status, c.score, tuple(shown),
            person.skills, c.register, phone,
        ))
    return experts


class _Roles:
    """The people that the documents `doc_ids` name, with their strongest role in each document and on each page."""

    def __init__(self, catalog: Any, doc_ids: list[str]):
        self.doc: dict[str, dict[str, str]] = defaultdict(dict)  # doc -> person -> strongest document-level role
        self.named: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # page -> names
        self.page: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)  # (doc, page) -> person -> strongest role
        for m in catalog.mentions(doc_ids, linked=True):
            person_id = m.person_id or ""
            weight = ROLE_WEIGHTS.get(m.role, ROLE_WEIGHTS["mentioned"])
            if m.role in DOCUMENT_ROLES:
                current = self.doc[m.doc_id].get(person_id)
                if current is None or weight > ROLE_WEIGHTS[current]:
                    self.doc[m.doc_id][person_id] = m.role
            if m.page is not None:
                self.named[(m.doc_id, m.page)][person_id].add(m.name)
                current = self.page[(m.doc_id, m.page)].get(person_id)
                if m.role in ROLE_WEIGHTS and (current is None or weight > ROLE_WEIGHTS[current]):
                    self.page[(m.doc_id, m.page)][person_id] = m.role


def _passage_weights(ranked: list[tuple[str, float]], chunks: dict[str, Any], docs: dict[str, Any],
                     newest: int | None, languages: set[str]) -> dict[str, float]:
    """rel(p) * recency(p) for each retrieved passage, times LANGUAGE_WEIGHT when its document is in a language
    the request names."""
    weights = {}
    for rank, (chunk_id, _) in enumerate(ranked):
        if chunk_id in chunks:
            doc = docs[chunks[chunk_id].doc_id]
            weight = math.exp(-rank / RANK_DECAY) * _recency(doc.date, newest)
            weights[chunk_id] = weight * (LANGUAGE_WEIGHT if in_language(languages, doc.language) else 1.0)
    return weights


def _credit_passages(ranked: list[tuple[str, float]], chunks: dict[str, Any], weights: dict[str, float],
                     roles: _Roles, topic_stems: set[str]) -> dict[str, _Credit]:
    """Each person's credit from the retrieved passages: the passage's weight (its rank, age and language) times
    the person's association with it (their role in the document, shared among its people, plus a bonus when it
    names them)."""
    # A document's association mass is shared among its people (Balog's p(ca|d)): one author of a report gets
    # all of it, each of twelve speakers in a programme a twelfth.
    mass = {d: max(1.0, sum(ROLE_WEIGHTS[r] for r in people.values())) for d, people in roles.doc.items()}
    credit: dict[str, _Credit] = defaultdict(_Credit)
    for chunk_id, _ in ranked:
        row = chunks.get(chunk_id)
        if row is None:
            continue
        doc_id, page, text, weight = row.doc_id, row.page, row.text, weights[chunk_id]
        on_page = roles.named.get((doc_id, page), {})
        roles_here = roles.page.get((doc_id, page), {})
        # The people the passage itself names share its bonus, as a document's people share its mass: the one
        # person an agenda item names earns it all, each of forty senators in a division list a fortieth.
        closeness = _closeness(text, {pid: {s for s in map(_surname, names) if s} for pid, names in on_page.items()},
                               topic_stems)
        in_passage = set(closeness)
        for person_id in roles.doc.get(doc_id, {}).keys() | on_page.keys():
            role = max((r for r in (roles.doc.get(doc_id, {}).get(person_id), roles_here.get(person_id)) if r),
                       key=ROLE_WEIGHTS.__getitem__, default="mentioned")
            assoc = ROLE_WEIGHTS[role] / mass.get(doc_id, 1.0)
            if person_id in in_passage:
                assoc += IN_PASSAGE_BONUS * closeness[person_id] / len(in_passage) ** PASSAGE_SHARE
            contribution = weight * assoc
            credit[person_id].score += contribution
            credit[person_id].evidence.append((contribution, chunk_id, role))
    return credit


def _evidence(credit: _Credit, chunks: dict[str, Any], docs: dict[str, Any], stems: set[str],
              most: int) -> list[Evidence]:
    """A person's best passages, at most one a page, each with a snippet around the query's words."""
    shown: list[Evidence] = []
    for contribution, chunk_id, role in sorted(credit.evidence, key=lambda e: (-e[0], e[1])):
        if len(shown) >= most:
            break
        row = chunks[chunk_id]
        doc = docs[row.doc_id]
        if any(e.doc_id == row.doc_id and e.page == row.page for e in shown):
            continue
        shown.append(Evidence(row.doc_id, doc.path, doc.title, row.page, role, make_snippet(row.text, stems),
                              contribution))
    return shown


def _closeness(text: str, surnames: dict[str, set[str]], topic: set[str]) -> dict[str, float]:
    """For each person the passage names (by surname), how near the name stands to the topic's words:
    exp(-distance / PROXIMITY_WORDS) at the nearest pair, CLOSENESS_FLOOR when the passage has none of them.
    In a table of questions or statements, the member named beside the subject is the one who raised it."""
    words = [m.group() for m in _WORD.finditer(text)]
    lowered = [w.lower() for w in words]
    hits = [i for i, s in enumerate(stem_words(lowered)) if s in topic]
    out: dict[str, float] = {}
    for person_id, names in surnames.items():
        firsts = {n.split()[0].lower() for n in names}
        at = [i for i, w in enumerate(lowered) if w in firsts]
        if not at:
            continue
        if not hits:
            out[person_id] = CLOSENESS_FLOOR
            continue
        distance = min(abs(i - j) for i in at for j in hits)
        out[person_id] = max(CLOSENESS_FLOOR, math.exp(-distance / PROXIMITY_WORDS))
    return out


def _on_topic(topic: set[str], text: str) -> bool:
    return bool(topic & query_stems(text))


def _best_form(forms: list[str]) -> str:
    """The most informative readable form of a name: full given names over initials, then a title."""
    parsed = [(p.specificity, -len(f), f) for f in forms if (p := parse_name(f)) is not None]
    return max(parsed)[2] if parsed else forms[0]


def _shown_id(person: PersonRecord, name: str) -> str:
    """A person's id, unless it was made from a form of the name the caller may not read: then an opaque one."""
    parsed = parse_name(name)
    if person.in_register or parsed is None or parsed.identifier or person.person_id.startswith(slug(parsed.plain)):
        return person.person_id
    return "p-" + hashlib.sha1(person.person_id.encode()).hexdigest()[:12]


def _details(catalog: Any, person_id: str, groups: Groups) -> tuple[str | None, str | None, str | None]:
    """Post, e-mail and phone written beside the person's name in documents the caller may read."""
    mentions = [m for m in catalog.mentions(person_id=person_id) if m.designation or m.email or m.phone]
    readable = catalog.documents(sorted({m.doc_id for m in mentions}), groups) if mentions else {}
    found = [m for m in mentions if m.doc_id in readable]

    def first(attr: str) -> str | None:
        return next((getattr(m, attr) for m in found if getattr(m, attr)), None)

    return first("designation"), first("email"), first("phone")
