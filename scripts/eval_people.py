"""Who-knows and where-is on the sample corpus with the real model: the figures in docs/benchmarks.md.

    python scripts/eval_people.py [--index indexes/sample-eval]

Ingests corpus/ into the index (reused by later runs), then scores tests/data/judged/: who-knows MAP, MRR and
P@5 (ranx; every person judged for every topic) and where-is accuracy@1 and page@3.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.eval.experts import evaluate_index, load_qrels, load_topics
from kmsearch.eval.where import evaluate_where, load_judgements
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "tests" / "data" / "judged"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "indexes" / "sample-eval")
    args = parser.parse_args()
    settings = Settings.load(index_dir=args.index)  # KMSEARCH_* environment (e.g. KMSEARCH_FUSION) applies
    started = time.perf_counter()
    ingest([ROOT / "corpus"], settings)
    index = Index.open(settings)
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    experts = evaluate_index(index, load_topics(JUDGED / "who_knows_topics.tsv"),
                             load_qrels(JUDGED / "who_knows.qrels.trec"))
    where = evaluate_where(index, load_judgements(JUDGED / "where_is.tsv"))
    print(json.dumps({"model": index.manifest["model"]["name"], "who_knows": experts, "where_is": where,
                      "ingest_seconds": round(ingested, 1), "eval_seconds": round(time.perf_counter() - started, 1)},
                     indent=2))


if __name__ == "__main__":
    main()
