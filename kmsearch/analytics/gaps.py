"""Knowledge gaps: what staff ask that the documents cannot answer.

A gap is a group of logged requests (search, who-knows, where-is; first pages only) that found nothing, or
nothing above the relevance floor, grouped by meaning (kmsearch/analytics/clustering.py) and labelled by
its commonest query. Each shows its count, its trend (the last `window_days` against the same span before),
when it was last asked, whether it has been answered since (new documents), and the person most linked to
the topic, from the skills register or the documents: "No document, but Thandiwe Mokoena knows" is the
finding a KM manager acts on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Protocol, Sequence

import numpy as np

from kmsearch.analytics.clustering import DEFAULT_DISTANCE, group_queries
from kmsearch.analytics.querylog import stamp
from kmsearch.analytics.reader import QueryRow


class ExpertLike(Protocol):
    """What a gap needs of a who-knows result (kmsearch.search.experts.Expert has it)."""

    name: str
    status: str | None
    unit: str | None
    role: str | None
    score: float
    register_score: float


@dataclass(frozen=True)
class PersonLink:
    name: str
    status: str | None  # active, moved, left; None when not in the skills register
    unit: str | None
    role: str | None
    via: str  # "skills register" or "documents"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "unit": self.unit, "role": self.role, "via": self.via}


@dataclass(frozen=True)
class KnowledgeGap:
    label: str
    count: int
    variants: tuple[tuple[str, int], ...]
    recent: int  # asked in the last window
    previous: int  # asked in the window before it
    last_seen: str
    kinds: dict[str, int]  # search / who-knows / where-is
    answered_since: bool  # one of its queries found a strong match after it was last unanswered
    person: PersonLink | None = None

    @property
    def trend(self) -> str:
        if self.previous == 0:
            return "new" if self.recent else "quiet"
        ratio = self.recent / self.previous
        return "rising" if ratio >= 1.5 else "falling" if ratio <= 2 / 3 else "steady"

    @property
    def finding(self) -> str:
        """The sentence a KM manager acts on. Only the skills register's word is taken for "knows": a link
        through documents that are weak on the topic is named as no more than that."""
        p = self.person
        if p is None:
            return "No document, and nobody is linked to the topic"
        if p.via == "documents":
            return f"No strong document; {p.name} is named in the nearest ones"
        if p.status == "left":
            return f"No document, and {p.name}, who knew, has left"
        return f"No document, but {p.name} knows"

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "count": self.count, "variants": [{"query": q, "count": n}
                                                                         for q, n in self.variants],
                "recent": self.recent, "previous": self.previous, "trend": self.trend, "last_seen": self.last_seen,
                "kinds": self.kinds, "answered_since": self.answered_since, "finding": self.finding,
                "person": self.person.to_json() if self.person else None}


def person_link(experts: Sequence[ExpertLike]) -> PersonLink | None:
    """The person to ask about a gap: the best-ranked one whose skills register entry matches the topic, else
    the top one (linked by documents only). The register comes first because a gap's documents are by
    definition weak on the topic, and so is a link through them."""
    if not experts:
        return None
    registered = [e for e in experts if getattr(e, "register_score", 0.0) > 0]
    top = registered[0] if registered else experts[0]
    return PersonLink(top.name, top.status, top.unit, top.role, "skills register" if registered else "documents")


def knowledge_gaps(queries: Iterable[QueryRow], now: datetime,
                   embed: Callable[[list[str]], np.ndarray] | None = None,
                   who_knows: Callable[[str], Sequence[ExpertLike]] | None = None,
                   window_days: int = 30, distance: float = DEFAULT_DISTANCE, method: str = "agglomerative",
                   limit: int = 50) -> list[KnowledgeGap]:
    """The `limit` biggest gaps among `queries` (rows from the log), biggest first.

    `embed` is the index's embedder (normalised vectors); without it, only identical queries are grouped.
    `who_knows(label)` ranks people for a gap (e.g. `lambda q: who_knows(index, q, k=3)`); it is called once per
    gap shown, with the caller's own access, so a person only restricted documents link is not shown.
    """
    rows = [r for r in queries if r.page == 1]
    unanswered = [r for r in rows if r.unanswered]
    counts = Counter(r.query for r in unanswered)
    groups = group_queries(counts, embed, distance, method)[:limit]
    recent_from, previous_from = stamp(now - timedelta(days=window_days)), stamp(now - timedelta(days=2 * window_days))
    by_query: dict[str, list[QueryRow]] = defaultdict(list)
    for r in unanswered:
        by_query[r.query].append(r)
    answered_last: dict[str, str] = {}
    for r in rows:
        if not r.unanswered:
            answered_last[r.query] = max(answered_last.get(r.query, ""), r.time)
    gaps = []
    for group in groups:
        members = [r for q in group.queries for r in by_query[q]]
        last_seen = max(r.time for r in members)
        gaps.append(KnowledgeGap(
            label=group.label, count=group.count, variants=group.variants,
            recent=sum(r.time >= recent_from for r in members),
            previous=sum(previous_from <= r.time < recent_from for r in members),
            last_seen=last_seen, kinds=dict(Counter(r.kind for r in members)),
            answered_since=any(answered_last.get(q, "") > last_seen for q in group.queries),
            person=person_link(who_knows(group.label)) if who_knows else None,
        ))
    return gaps
