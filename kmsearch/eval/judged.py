"""Who-knows on an ingested folder, scored against a judged set written from reading the documents.

The set (tests/data/judged/real/, see its README) has:
- `who_knows_topics.tsv`: topic id, split (tune | heldout), query;
- `who_knows.qrels.trec`: `topic 0 person-id grade` (2 knows the subject, 1 took part); anyone else is not relevant;
- `people.tsv`: each judged person's id, fullest name and the other forms written in the documents.

Unlike `kmsearch.eval.experts` (a collection where every candidate is judged), the ranking is NOT condensed: a
person the system returns who is not judged relevant counts as wrong, so "Des Moines" at rank 1 costs what it
should. A returned person is the judged one when their id is the judged id, or when their name or an alias is
compatible (same surname, given names equal or initials of each other) with the judged person's name or aliases
and with no other judged person's.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kmsearch.errors import InvalidParameterError
from kmsearch.eval.experts import load_qrels
from kmsearch.people.names import ParsedName, compatible, parse_name

METRICS = ("map", "mrr", "precision@3")
DEPTH = 10  # what a person looks at: the first page of people


@dataclass(frozen=True)
class JudgedSet:
    topics: dict[str, str]
    splits: dict[str, str]
    qrels: dict[str, dict[str, int]]
    names: dict[str, list[ParsedName]]  # judged person id -> every form of the name

    @classmethod
    def load(cls, folder: Path) -> JudgedSet:
        folder = Path(folder)
        topics, splits = {}, {}
        with open(folder / "who_knows_topics.tsv", encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
                if n == 1 or not row:
                    continue
                if len(row) < 3:
                    raise InvalidParameterError(f"{folder / 'who_knows_topics.tsv'}:{n}: expected id, split, query")
                topics[row[0]], splits[row[0]] = row[2], row[1]
        names: dict[str, list[ParsedName]] = {}
        with open(folder / "people.tsv", encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
                if n == 1 or not row:
                    continue
                forms = [row[1], *(a for a in row[2].split(";") if a.strip())]
                names[row[0]] = [p for p in map(parse_name, forms) if p is not None]
        return cls(topics, splits, load_qrels(folder / "who_knows.qrels.trec"), names)

    def match(self, forms: Iterable[str]) -> str | None:
        """The judged person these forms of a name belong to, if exactly one."""
        parsed = [p for p in map(parse_name, forms) if p is not None]
        found = {pid for pid, judged in self.names.items()
                 if any(compatible(a, b) for a in parsed for b in judged)}
        return found.pop() if len(found) == 1 else None


def run_who_knows(index: Any, judged: JudgedSet, depth: int = DEPTH) -> dict[str, list[str]]:
    """Each topic's returned people, best first, as judged ids where they match one (else the system's id)."""
    from kmsearch.search.experts import who_knows

    run: dict[str, list[str]] = {}
    for qid, query in judged.topics.items():
        ranked: list[str] = []
        for expert in who_knows(index, query, k=depth, evidence=0):
            pid = expert.person_id if expert.person_id in judged.names else judged.match(
                [expert.name, *expert.aliases])
            ranked.append(pid or f"unjudged:{expert.person_id}")
        run[qid] = list(dict.fromkeys(ranked))
    return run


def score(run: dict[str, list[str]], judged: JudgedSet, split: str | None = None) -> dict[str, Any]:
    """MAP, MRR, P@3 (ranx, unjudged = not relevant) and the share of topics with a right person in the top 3."""
    from ranx import Qrels, Run, evaluate

    qids = [q for q in judged.topics if (split is None or judged.splits[q] == split)
            and any(g > 0 for g in judged.qrels.get(q, {}).values())]
    if not qids:
        raise InvalidParameterError(f"no judged topic in split {split!r}")
    relevant = {q: {p: g for p, g in judged.qrels[q].items() if g > 0} for q in qids}
    ranx_run = {q: {p: float(len(run[q]) - i) for i, p in enumerate(run[q])} or {"__none__": 0.0} for q in qids}
    scores = evaluate(Qrels(relevant), Run(ranx_run), list(METRICS))
    top3 = sum(1 for q in qids if any(p in relevant[q] for p in run[q][:3]))
    out = {m: round(float(scores[m]), 4) for m in METRICS}
    return out | {"top3": round(top3 / len(qids), 4), "top3_topics": f"{top3}/{len(qids)}", "topics": len(qids)}


def evaluate_judged(index: Any, folder: Path, depth: int = DEPTH) -> dict[str, Any]:
    """Scores by split (tune, heldout) and overall, plus each topic's top three for reading."""
    judged = JudgedSet.load(folder)
    run = run_who_knows(index, judged, depth)
    splits = sorted(set(judged.splits.values()))
    by_topic = defaultdict(dict)
    for qid in judged.topics:
        by_topic[qid] = {"split": judged.splits[qid], "top3": run[qid][:3],
                         "hit": any(judged.qrels.get(qid, {}).get(p, 0) > 0 for p in run[qid][:3])}
    return {"all": score(run, judged)} | {s: score(run, judged, s) for s in splits} | {"topics": dict(by_topic)}
