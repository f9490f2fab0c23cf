"""The knowledge audit: the collection's topics with who holds them and what is at risk, each person's topics
against the skills register, and the registers' loose ends.

Everything comes through an `AuditSource` (narrow reads of the index, already limited to what the caller may
read), so every count and name respects access: kmsearch/analytics/sources.py implements it on today's
catalogue; a test fake implements it in a few lines.

Flags per topic:
- "one person holds this": exactly one linked person who has not left;
- "everyone who knows has left": people are linked, and all of them have left (knowledge lost);
- "no document since YEAR": its newest document is more than `stale_years` old;
- "asked for but thin": unanswered queries (knowledge gaps) share words with the topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from kmsearch.analytics.gaps import ExpertLike, KnowledgeGap
from kmsearch.analytics.topics import AuditDocument, Topic, topic_words

ONE_PERSON, ALL_LEFT = "one person holds this", "everyone who knows has left"
STALE, ASKED_THIN = "stale", "asked for but thin"
PEOPLE_PER_TOPIC = 5
# who-knows always ranks someone: a person holds a topic only with at least half the top person's score (on
# the sample corpus this keeps Mr van der Merwe alone on records disposal, 9.3 against 4.6 for the next)
HOLDER_SHARE = 0.5
STALE_YEARS = 5
RECUR_SCORE = 0.55  # dense cosine above which a later passage takes up a recommendation (all-MiniLM-L6-v2)


class Person(ExpertLike, Protocol):
    """A who-knows result with the person's id (kmsearch.search.experts.Expert)."""

    person_id: str


@dataclass(frozen=True)
class RegisterPerson:
    person_id: str
    name: str
    status: str | None
    unit: str | None
    role: str | None
    skills: tuple[str, ...]


@dataclass(frozen=True)
class LaterMatch:
    doc_id: str
    title: str
    date: str | None
    score: float


class AuditSource(Protocol):
    """What the audit reads, each limited to what the caller may read."""

    def documents(self) -> Sequence[AuditDocument]: ...
    def who_knows(self, topic: str, k: int) -> Sequence[Person]: ...
    def people(self) -> Sequence[RegisterPerson]: ...
    def register_entries(self) -> Sequence[Mapping[str, Any]]: ...  # reference, title, path, location, custodian
    def events_without_report(self) -> Sequence[Mapping[str, Any]]: ...
    def tour_reports(self) -> Sequence[TourReport]: ...
    def later_matches(self, text: str, after: str, exclude: str) -> Sequence[LaterMatch]: ...
    def exit_interviews(self, person_id: str) -> Sequence[tuple[str, str]]: ...  # (doc_id, title)


def _document_credit(p: Person) -> float:
    return p.score - p.register_score


def _linked(person: Person, topic: Topic) -> bool:
    """Whether the person is linked to the topic itself: by the skills register, or by a passage of one of the
    topic's own documents. Without this, a topic whose documents name nobody (a statistical release) is held by
    whoever who-knows finds nearest in other documents."""
    evidence = getattr(person, "evidence", None)
    if evidence is None or person.register_score > 0:  # (a result that carries no evidence: kept as it is)
        return True
    own = {d.doc_id for d in topic.documents}
    return any(e.doc_id in own for e in evidence)


def holders(people: Sequence[Person]) -> list[Person]:
    """The people who hold a topic: those within HOLDER_SHARE of the best score."""
    top = max((p.score for p in people), default=0.0)
    return [p for p in people if top > 0 and p.score >= HOLDER_SHARE * top]


def topic_flags(topic: Topic, people: Sequence[Person], asked: Sequence[KnowledgeGap], this_year: int,
                stale_years: int = STALE_YEARS) -> list[dict[str, Any]]:
    """The topic's flags, each {"flag", "text"}; `people` are its holders (see `holders`)."""
    flags = []
    holders = [p for p in people if p.status != "left"]
    if len(holders) == 1:
        flags.append({"flag": ONE_PERSON, "text": f"only {holders[0].name} holds this"})
    if people and not holders:
        flags.append({"flag": ALL_LEFT, "text": "everyone who knows has left: " + ", ".join(p.name for p in people)})
    if topic.newest is not None and topic.newest < this_year - stale_years:
        flags.append({"flag": STALE, "text": f"no document since {topic.newest}"})
    if asked:
        flags.append({"flag": ASKED_THIN, "text": f"asked for but thin: {sum(g.count for g in asked)} unanswered "
                      "queries, e.g. " + "; ".join(repr(g.label) for g in asked[:3])})
    return flags


def gaps_for(topic: Topic, gaps: Sequence[KnowledgeGap]) -> list[KnowledgeGap]:
    """The gaps whose label shares a (stemmed) word with the topic's name and terms."""
    from kmsearch.search.snippets import query_stems

    words = topic_words(topic)
    return [g for g in gaps if query_stems(g.label) & words]


def audit_topics(topics: Sequence[Topic], source: AuditSource, gaps: Sequence[KnowledgeGap], this_year: int,
                 stale_years: int = STALE_YEARS) -> tuple[list[dict[str, Any]], dict[str, list[Person]]]:
    """Each topic with its documents, people (who-knows on its name and terms) and flags; and the people per
    topic, for the per-person part."""
    out, people_of = [], {}
    for topic in topics:
        people = [p for p in holders(source.who_knows(" ".join((topic.name, *topic.terms[:5])), PEOPLE_PER_TOPIC))
                  if _linked(p, topic)]
        people_of[topic.name] = people
        asked = gaps_for(topic, gaps)
        out.append(topic.to_json() | {
            "people": [{"id": p.person_id, "name": p.name, "role": p.role, "unit": p.unit, "status": p.status,
                        "via": "documents" if _document_credit(p) > 1e-9 else "skills register"} for p in people],
            "flags": topic_flags(topic, people, asked, this_year, stale_years),
            "asked": [{"label": g.label, "count": g.count} for g in asked]})
    return out, people_of


def audit_people(register: Sequence[RegisterPerson], people_of: Mapping[str, Sequence[Person]],
                 source: AuditSource) -> list[dict[str, Any]]:
    """Per register person: their topics and the evidence, the register skills no document backs, and the
    document-backed topics the register does not list."""
    out = []
    for person in register:
        topics, unlisted = [], []
        for name, people in people_of.items():
            for p in people:
                if p.person_id != person.person_id:
                    continue
                via = "documents" if _document_credit(p) > 1e-9 else "skills register"
                topics.append({"topic": name, "via": via})
                if via == "documents" and p.register_score <= 0:
                    unlisted.append(name)
        unbacked = []
        for skill in person.skills:
            # backed when documents alone would rank the person among those who hold the skill
            ranked = source.who_knows(skill, PEOPLE_PER_TOPIC)
            best = max((_document_credit(p) for p in ranked), default=0.0)
            mine = [_document_credit(p) for p in ranked if p.person_id == person.person_id]
            if not mine or best <= 0 or mine[0] < HOLDER_SHARE * best:
                unbacked.append(skill)
        findings = [f"skill '{s}' has no document" for s in unbacked]
        findings += [f"documents show '{t}', which the register does not list" for t in unlisted]
        out.append({"id": person.person_id, "name": person.name, "status": person.status, "unit": person.unit,
                    "role": person.role, "topics": topics, "skills_without_documents": unbacked,
                    "topics_not_in_register": unlisted, "findings": findings})
    return out


_FURNITURE = re.compile(r"\bPage \d+ of \d+\b", re.IGNORECASE)
_ITEM_START = re.compile(r"(?:^|\s)(?:[\u2022\u25aa*-]|\d{1,2}[.)]|R\d{1,2}[:.]|\([a-z]\))\s+")


def recommendations(section: str, limit: int = 20) -> list[str]:
    """The recommendations in the text of a report's "Recommendations" section: its bulleted or numbered items
    ("• R1: ...", "1. ...", "(a) ..."), or its sentences when it is prose; a lead-in ending in ':' is dropped."""
    text = " ".join(section.split())
    text = re.sub(r"^(?:\d+(?:\.\d+)*\.?\s+)?recommendations?\b\s*", "", text, flags=re.IGNORECASE)
    items = [i.strip(" ;") for i in _ITEM_START.split(text)]
    if len([i for i in items if i]) <= 1:
        items = re.split(r"(?<=[.;])\s+", text)
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()[:80]
        if len(item.split()) < 4 or item.rstrip().endswith(":") or key in seen or _FURNITURE.search(item):
            continue  # too short, a lead-in, the same item again (chunks overlap), or a page's running header
        seen.add(key)
        out.append(item)
    return out[:limit]


@dataclass(frozen=True)
class TourReport:
    doc: AuditDocument
    section: str  # the text under its "Recommendations" heading; "" when it has none


def brought_back(source: AuditSource, min_score: float = RECUR_SCORE) -> list[dict[str, Any]]:
    """Per study-tour report, each recommendation and the first later document that takes it up, if any."""
    out = []
    for tour in source.tour_reports():
        report = tour.doc
        after = f"{report.year + 1}" if report.year else "0000"  # later: from the next year on
        recs = []
        for rec in recommendations(tour.section):
            match = next((m for m in source.later_matches(rec, after, report.doc_id) if m.score >= min_score), None)
            recs.append({"recommendation": rec, "taken_up_in": None if match is None else
                         {"doc_id": match.doc_id, "title": match.title, "date": match.date,
                          "score": round(match.score, 3)}})
        taken = sum(r["taken_up_in"] is not None for r in recs)
        finding = ("no recommendations section found in the report" if not recs else
                   "nothing brought back: no recommendation recurs in later documents" if not taken else
                   f"{taken} of {len(recs)} recommendations recur in later documents")
        out.append({"doc_id": report.doc_id, "title": report.title, "year": report.year, "finding": finding,
                    "recommendations": recs})
    return out


def location_gaps(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Register entries with no physical location or no custodian."""
    out = []
    for e in entries:
        missing = [what for what, empty in (("location", not any(str(v).strip() for v in (e.get("location") or {})
                                                                  .values())),
                                            ("custodian", not (e.get("custodian") or "").strip())) if empty]
        if missing:
            out.append({"reference": e.get("reference"), "title": e.get("title"), "path": e.get("path"),
                        "missing": missing})
    return out


def exit_coverage(register: Sequence[RegisterPerson], source: AuditSource) -> dict[str, Any]:
    """Of the people who left, who has an exit interview on file."""
    leavers = [p for p in register if p.status == "left"]
    rows = [{"id": p.person_id, "name": p.name,
             "interviews": [{"doc_id": d, "title": t} for d, t in source.exit_interviews(p.person_id)]}
            for p in leavers]
    covered = sum(bool(r["interviews"]) for r in rows)
    return {"left": len(rows), "with_exit_interview": covered, "people": rows,
            "without": [r["name"] for r in rows if not r["interviews"]]}


def knowledge_audit(source: AuditSource, embed: Any, gaps: Sequence[KnowledgeGap], this_year: int,
                    overrides: Any = None, topic_distance: float | None = None,
                    stale_years: int = STALE_YEARS) -> dict[str, Any]:
    """The whole audit as JSON-ready data: topics with people and flags, people, and the registers' findings.
    `gaps` come from the query log (kmsearch.analytics.gaps.knowledge_gaps); `overrides` are a librarian's
    renames and merges (kmsearch.analytics.topics.Overrides)."""
    from kmsearch.analytics.topics import TOPIC_DISTANCE, apply_overrides, discover_topics

    register = list(source.people())
    topics = discover_topics(source.documents(), embed, topic_distance or TOPIC_DISTANCE,
                             names=[p.name for p in register])
    unmatched: list[str] = []
    if overrides is not None:
        topics, unmatched = apply_overrides(topics, overrides)
    topic_rows, people_of = audit_topics(topics, source, gaps, this_year, stale_years)
    return {
        "topics": topic_rows,
        "overrides_unmatched": unmatched,
        "people": audit_people(register, people_of, source),
        "registers": {
            "events_without_report": list(source.events_without_report()),
            "study_tours": brought_back(source),
            "without_location_or_custodian": location_gaps(source.register_entries()),
            "exit_interviews": exit_coverage(register, source),
        },
    }
