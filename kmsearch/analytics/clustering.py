"""Grouping queries by meaning: cluster their (normalised) embeddings, label each group by its commonest query.

Two methods, compared on a generated set of unanswerable queries with known groups
(scripts/bench_gap_clustering.py, docs/benchmarks.md "Knowledge gaps"):
- agglomerative: scikit-learn's AgglomerativeClustering, average linkage on cosine distance, cut at a
  distance threshold (so the number of groups is not fixed in advance). Needs the n x n distances: fine for
  the few thousand distinct unanswered queries a department logs in a quarter, capped at MAX_QUERIES.
- leader: one pass over the queries, commonest first; each joins the first leader within the threshold or
  becomes a leader. Linear in the queries, and a group's label is its leader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

METHODS = ("agglomerative", "leader")
# Agglomerative at 0.6 scored best on the benchmark short of merging unrelated one-off questions into groups
# (docs/benchmarks.md, "Knowledge gaps"): a topic split in two is a smaller fault than two asks hidden as one.
DEFAULT_DISTANCE = 0.6
MAX_QUERIES = 3000  # distinct queries clustered (the commonest); the rest are counted only if they match exactly


@dataclass(frozen=True)
class Group:
    """Queries that ask the same thing: `label` is the commonest, `variants` all of them with their counts."""

    label: str
    count: int
    variants: tuple[tuple[str, int], ...]  # commonest first

    @property
    def queries(self) -> tuple[str, ...]:
        return tuple(q for q, _ in self.variants)


def leader_labels(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Cluster ids: rows in order, each joins the first earlier leader within `distance` (cosine)."""
    labels = np.empty(len(vectors), dtype=np.int64)
    leaders: list[int] = []
    for i, vector in enumerate(vectors):
        if leaders:
            sims = vectors[leaders] @ vector
            best = int(np.argmax(sims))
            if 1.0 - float(sims[best]) <= distance:
                labels[i] = labels[leaders[best]]
                continue
        labels[i] = len(leaders)
        leaders.append(i)
    return labels


def agglomerative_labels(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Cluster ids from average-linkage agglomerative clustering cut at cosine `distance`."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine",
                                    linkage="average")
    return model.fit_predict(vectors).astype(np.int64)


def cluster_labels(vectors: np.ndarray, distance: float, method: str = "agglomerative") -> np.ndarray:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return (agglomerative_labels if method == "agglomerative" else leader_labels)(vectors, distance)


def group_queries(counts: Counter[str], embed: Callable[[list[str]], np.ndarray] | None, distance: float,
                  method: str = "agglomerative") -> list[Group]:
    """Group the distinct queries in `counts` by meaning, biggest group first. Without `embed`, each distinct
    query is its own group (what a report can do with no index at hand)."""
    ordered = sorted(counts, key=lambda q: (-counts[q], len(q), q))
    clustered, rest = ordered[:MAX_QUERIES], ordered[MAX_QUERIES:]
    if embed is None or len(clustered) < 2:
        labels = np.arange(len(clustered))
    else:
        vectors = np.asarray(embed(clustered), dtype=np.float32)
        labels = cluster_labels(vectors, distance, method)
    members: dict[int, list[str]] = {}
    for query, label in zip(clustered, labels):
        members.setdefault(int(label), []).append(query)
    groups = [_group(queries, counts) for queries in members.values()]
    groups += [_group([q], counts) for q in rest]
    return sorted(groups, key=lambda g: (-g.count, g.label))


def _group(queries: Sequence[str], counts: Counter[str]) -> Group:
    variants = tuple(sorted(((q, counts[q]) for q in queries), key=lambda v: (-v[1], len(v[0]), v[0])))
    return Group(variants[0][0], sum(n for _, n in variants), variants)
