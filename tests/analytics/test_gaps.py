"""Knowledge gaps: unanswered queries grouped by meaning, with count, trend, last seen and the person to ask.

Fast tests use the fake embedder (texts sharing words are close); the slow one checks the default distance
with the real model on the benchmark's scripted set (scripts/bench_gap_clustering.py)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from kmsearch.analytics.clustering import DEFAULT_DISTANCE, cluster_labels, group_queries
from kmsearch.analytics.gaps import knowledge_gaps, person_link
from kmsearch.analytics.querylog import stamp
from kmsearch.analytics.reader import QueryRow
from kmsearch.testing import FakeEmbedder
from tests.helpers import REPO

NOW = datetime(2024, 6, 30, 12, 0, tzinfo=timezone.utc)
SCRIPT = {  # unanswerable questions, each group asked several ways (the fake embedder groups by shared words)
    "fleet tracking contract": ["fleet tracking contract"] * 4 + ["fleet vehicle tracking contract",
                                                                    "the fleet tracking contract renewal"],
    "overtime claims policy": ["overtime claims policy"] * 3 + ["overtime claims policy form",
                                                                "policy overtime claims"],
    "canteen menu": ["canteen menu"],
}


_IDS = itertools.count(1)


def row(query: str, days_ago: float, below_floor: bool = True, results: int = 3, kind: str = "search",
        page: int = 1) -> QueryRow:
    return QueryRow(f"q{next(_IDS):05d}", stamp(NOW - timedelta(days=days_ago)), kind, query, "hybrid", {}, page,
                    results, 0.2 if below_floor else 0.9, below_floor, None, None)


@dataclass
class Person:
    name: str
    status: str | None = "active"
    unit: str | None = "Fleet"
    role: str | None = None
    score: float = 1.0
    register_score: float = 0.0


def _scripted_rows() -> list[QueryRow]:
    rows = []
    for i, q in enumerate(SCRIPT["fleet tracking contract"]):
        rows.append(row(q, days_ago=2 + i))  # all in the last 30 days
    for i, q in enumerate(SCRIPT["overtime claims policy"]):
        rows.append(row(q, days_ago=35 + i if i else 10))  # mostly in the 30 days before
    rows.append(row("canteen menu", days_ago=70))
    rows.append(row("mobile service units", days_ago=1, below_floor=False))  # answered: not a gap
    rows.append(row("nothing at all", days_ago=1, below_floor=False, results=0))  # no result at all: a gap
    rows.append(row("fleet tracking contract", days_ago=1, page=2))  # a second page is not a second question
    return rows


def test_groups_by_meaning_labelled_by_the_commonest_query():
    counts = Counter(q for qs in SCRIPT.values() for q in qs)
    groups = group_queries(counts, FakeEmbedder().embed, distance=0.5)
    assert [(g.label, g.count) for g in groups] == [("fleet tracking contract", 6), ("overtime claims policy", 5),
                                                   ("canteen menu", 1)]
    assert groups[0].variants[0] == ("fleet tracking contract", 4)
    exact = group_queries(counts, None, distance=0.5)  # no embedder: identical queries only
    assert len(exact) == len(counts) and exact[0].label == "fleet tracking contract"


@pytest.mark.parametrize("method", ["agglomerative", "leader"])
def test_both_methods_find_well_separated_groups(method):
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((3, 32))
    vectors = np.vstack([c + 0.05 * rng.standard_normal((5, 32)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster_labels(vectors, 0.3, method)
    assert [len(set(labels[i * 5:(i + 1) * 5])) for i in range(3)] == [1, 1, 1] and len(set(labels)) == 3
    with pytest.raises(ValueError, match="method must be one of agglomerative, leader"):
        cluster_labels(vectors, 0.3, "kmeans")


def test_gaps_have_count_trend_last_seen_and_the_person_to_ask():
    asked: list[str] = []

    def who_knows(label: str) -> list[Person]:
        asked.append(label)
        if label.startswith("fleet"):
            return [Person("Mr Sibusiso Zulu", register_score=0.0), Person("Ms Thandiwe Mokoena", register_score=1.2)]
        if label.startswith("overtime"):
            return [Person("Mr Pieter van der Merwe", status="left", register_score=0.8)]
        if label == "nothing at all":
            return [Person("Mr K. Molefe")]  # through documents only
        return []

    gaps = knowledge_gaps(_scripted_rows(), NOW, FakeEmbedder().embed, who_knows, distance=0.5)
    by_label = {g.label: g for g in gaps}
    assert list(by_label) == ["fleet tracking contract", "overtime claims policy", "canteen menu", "nothing at all"]
    fleet, overtime, canteen, nothing = gaps
    assert (fleet.count, fleet.recent, fleet.previous, fleet.trend) == (6, 6, 0, "new")
    assert fleet.last_seen == stamp(NOW - timedelta(days=2))
    assert fleet.finding == "No document, but Ms Thandiwe Mokoena knows"  # the register's match beats rank 1
    assert (overtime.count, overtime.recent, overtime.previous, overtime.trend) == (5, 1, 4, "falling")
    assert overtime.finding == "No document, and Mr Pieter van der Merwe, who knew, has left"
    assert canteen.trend == "quiet" and canteen.finding == "No document, and nobody is linked to the topic"
    assert nothing.finding == "No strong document; Mr K. Molefe is named in the nearest ones"
    assert sorted(asked) == sorted(by_label)  # once per gap, on its label
    assert fleet.to_json()["variants"][0] == {"query": "fleet tracking contract", "count": 4}


def test_a_gap_answered_since_is_marked():
    rows = [row("edrms for schools", 20), row("edrms for schools", 3, below_floor=False)]
    [gap] = knowledge_gaps(rows, NOW, FakeEmbedder().embed)
    assert gap.answered_since and gap.count == 1
    [still] = knowledge_gaps(rows[:1] + [row("edrms for schools", 25, below_floor=False)], NOW, FakeEmbedder().embed)
    assert not still.answered_since


def test_person_link_prefers_the_skills_register():
    assert person_link([]) is None
    link = person_link([Person("A"), Person("B", register_score=0.5)])
    assert (link.name, link.via) == ("B", "skills register")
    assert person_link([Person("A")]).via == "documents"


@pytest.mark.slow
def test_the_default_distance_recovers_the_scripted_groups_with_the_real_model():
    import importlib.util
    import sys

    from sklearn.metrics import adjusted_rand_score

    from kmsearch.config import DEFAULT_MODEL, Settings
    from kmsearch.index.embed import make_embedder

    path = REPO / "scripts" / "bench_gap_clustering.py"
    spec = importlib.util.spec_from_file_location("bench_gap_clustering", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_gap_clustering"] = bench
    spec.loader.exec_module(bench)
    queries, truth = bench.query_set()
    vectors = make_embedder(Settings(model=DEFAULT_MODEL)).embed(queries)
    labels = cluster_labels(np.asarray(vectors, dtype=np.float32), DEFAULT_DISTANCE, "agglomerative")
    assert adjusted_rand_score(truth, labels) >= 0.7
