"""Choosing how knowledge gaps are grouped: agglomerative (average linkage) or leader clustering, at which
cosine distance, on a generated set of unanswerable queries whose groups are known.

Run by hand: python scripts/bench_gap_clustering.py [--fake]. Prints Markdown for docs/benchmarks.md.

The set: 12 topics the sample corpus does not cover, each asked several ways (hand-written paraphrases, then
the forms staff type into the three boxes: "who knows about ...", "where is the ... document", "... policy
2023", and one with a typo), plus 24 one-off queries that belong to no group. Scored over the distinct queries
with the adjusted Rand index and V-measure against the known groups (one-offs are groups of one), and the
number of groups found. Embeddings from the index's model (all-MiniLM-L6-v2 by default), or the tests'
fake embedder with --fake.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from datetime import datetime

import numpy as np
from sklearn.metrics import adjusted_rand_score, v_measure_score

from kmsearch.analytics.clustering import cluster_labels

TOPICS = {
    "fleet tracking": ["fleet vehicle tracking contract", "vehicle tracking system for government cars",
                       "gps tracking of the departmental fleet", "who manages the car tracking tender"],
    "overtime": ["overtime claims policy", "how to claim overtime", "overtime payment rules for staff",
                 "compensation for extra hours worked"],
    "cellphone allowance": ["cellphone allowance", "mobile phone allowance for managers",
                            "data and airtime allowance policy", "cell phone subsidy rules"],
    "staff bursaries": ["bursary applications for staff", "study bursary for employees",
                        "departmental bursary scheme", "funding for staff to study part time"],
    "generators": ["backup generators for load shedding", "load shedding plan for the offices",
                   "diesel generator maintenance contract", "power outage contingency"],
    "tender committee": ["tender evaluation committee procedures", "bid adjudication committee terms of reference",
                         "how bids are evaluated", "supply chain bid committee rules"],
    "remote work": ["working from home policy", "remote work guidelines", "telework arrangements for staff",
                    "can i work from home"],
    "wellness": ["employee wellness programme", "employee assistance programme counselling",
                 "staff wellbeing and mental health support", "wellness day"],
    "parking": ["parking allocation", "staff parking bays", "parking at head office", "who gets a parking space"],
    "laptops": ["procurement of laptops", "buying computers for staff", "it equipment replacement cycle",
                "request a new laptop"],
    "travel allowance": ["subsistence and travel allowance rates", "s&t claim rates", "per diem for official travel",
                         "kilometre rate for using my own car"],
    "performance assessment": ["pmds performance assessment", "performance management and development system",
                               "annual performance appraisal form", "how performance bonuses are decided"],
}
ONE_OFFS = [
    "organogram of the finance branch", "christmas party venue", "canteen menu", "flag protocol",
    "heritage day dress code", "how to book the boardroom", "printer on the third floor", "fire drill schedule",
    "library opening hours", "dress code for interviews", "uniform for drivers", "golf day sponsorship",
    "visitor access cards", "swimming pool at the residence", "translation into isizulu of the logo",
    "photographs of the 1998 launch", "recipe book", "water tanks at the depot", "snake in the garden",
    "pension fund statement", "medical aid options", "staff choir", "bicycle storage", "microwave in the kitchen",
]
FORMS = ("who knows about {}", "where is the {} document", "{} policy 2023")


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    i = max(range(len(words)), key=lambda j: len(words[j]))
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join(words)


def query_set(seed: int = 7) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    queries, truth = [], []
    for g, phrases in enumerate(TOPICS.values()):
        forms = list(phrases) + [f.format(phrases[0]) for f in FORMS] + [_typo(phrases[1], rng)]
        for q in forms:
            queries.append(q)
            truth.append(g)
    for i, q in enumerate(ONE_OFFS):
        queries.append(q)
        truth.append(len(TOPICS) + i)
    return queries, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="The tests' fake embedder instead of the model.")
    args = parser.parse_args()
    if args.fake:
        from kmsearch.testing import FakeEmbedder

        embedder, name = FakeEmbedder(), "fake-hash-256"
    else:
        from kmsearch.config import DEFAULT_MODEL, Settings
        from kmsearch.index.embed import make_embedder

        embedder, name = make_embedder(Settings(model=DEFAULT_MODEL)), DEFAULT_MODEL
    queries, truth = query_set()
    vectors = np.asarray(embedder.embed(queries), dtype=np.float32)
    print(f"`python scripts/bench_gap_clustering.py{' --fake' if args.fake else ''}` ({datetime.now().date()}, "
          f"{platform.machine()}, embeddings: {name}): {len(queries)} distinct queries, {len(TOPICS)} topics "
          f"asked {len(queries) - len(ONE_OFFS)} ways, {len(ONE_OFFS)} one-offs, {len(set(truth))} true groups.\n")
    print("| method | cosine distance | ARI | V-measure | groups found | topics split | one-offs merged |")
    print("|---|---|---|---|---|---|---|")
    for method in ("agglomerative", "leader"):
        for distance in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
            labels = cluster_labels(vectors, distance, method)
            split = sum(len({labels[i] for i, t in enumerate(truth) if t == g}) > 1 for g in range(len(TOPICS)))
            sizes = np.bincount(labels)
            merged = sum(sizes[labels[i]] > 1 for i, t in enumerate(truth) if t >= len(TOPICS))
            print(f"| {method} | {distance:.2f} | {adjusted_rand_score(truth, labels):.3f} | "
                  f"{v_measure_score(truth, labels):.3f} | {len(set(labels))} | {split} | {merged} |")
    rng = np.random.default_rng(0)
    big = rng.standard_normal((3000, vectors.shape[1])).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    for method in ("agglomerative", "leader"):
        started = time.perf_counter()
        cluster_labels(big, 0.5, method)
        print(f"\n{method}: {time.perf_counter() - started:.2f} s for 3,000 distinct queries", end="")
    print()


if __name__ == "__main__":
    main()
