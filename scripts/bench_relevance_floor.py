"""Choose the relevance floor by measurement: recall@10 and nDCG@10 of hybrid search at each floor, on BEIR SciFact
(test split) and on the judged real queries (tests/data/judged/real/search_queries.tsv over an ingested
../shared/corpus-real), against how many nonsense queries still get an answer.

    python scripts/bench_relevance_floor.py --scifact-index /work/idx/scifact --real-index /work/idx/real

The SciFact index is built on first use (the default model; KMSEARCH_EMBEDDING_CACHE spares re-embedding); the
real index is one `kmsearch ingest ../shared/corpus-real --index DIR` made. The floor is applied after fusion
(kmsearch/search/hybrid.py), so a floor only removes results and never reorders those it keeps; recall@10 can
still rise, when weak results above a relevant one are removed and it moves into the top 10.
Writes a table for docs/benchmarks.md to stdout.
"""

from __future__ import annotations

import argparse
import platform
import random
import string
import sys
import time
from datetime import date
from pathlib import Path

from ranx import Qrels, Run, evaluate

from kmsearch.config import Settings
from kmsearch.eval.beir import load_documents, load_qrels, load_queries
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest_documents
from kmsearch.search import Searcher

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FLOORS = (0.0, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
NONSENSE = 60


def nonsense_queries(n: int, seed: int = 7) -> list[str]:
    """Strings of 2-3 made-up words, as a person mashing keys or a test types: "xqzv blorft wibble"."""
    rng = random.Random(seed)
    consonants, vowels = "bcdfghjklmnpqrstvwxz", "aeiou"

    def word() -> str:
        if rng.random() < 0.5:  # unpronounceable
            return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 7)))
        return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 3))) + rng.choice(
            consonants)

    return [" ".join(word() for _ in range(rng.randint(2, 3))) for _ in range(n)]


def scifact_index(folder: Path) -> Index:
    settings = Settings(index_dir=folder)
    if not (folder / "manifest.json").exists():
        report = ingest_documents(load_documents(SHARED / "eval" / "scifact"), settings, show_progress=False)
        print(f"built {folder}: {report.summary()}", file=sys.stderr)
    return Index.open(settings)


def real_judged(index: Index) -> tuple[dict[str, str], dict[str, dict[str, int]], dict[str, str]]:
    """queries, qrels (doc_id -> 1) and split per query, from search_queries.tsv; paths relative to corpus-real."""
    table = ROOT / "tests" / "data" / "judged" / "real" / "search_queries.tsv"
    by_path = {Path(d.path).resolve().relative_to((SHARED / "corpus-real").resolve()).as_posix(): d.doc_id
               for d in index.catalog.iter_documents()
               if Path(d.path).resolve().is_relative_to((SHARED / "corpus-real").resolve())}
    queries, qrels, splits = {}, {}, {}
    for line in table.read_text(encoding="utf-8").splitlines()[1:]:
        qid, split, query, relevant = line.split("\t")[:4]
        docs = {by_path[item.split("#")[0]] for item in relevant.split(";") if item.split("#")[0] in by_path}
        if docs:
            queries[qid], qrels[qid], splits[qid] = query, {d: 1 for d in docs}, split
    return queries, qrels, splits


def scores_at(index: Index, floor: float, queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict:
    searcher = Searcher(index)
    searcher.settings = index.settings.replace(relevance_floor=floor)
    run = {}
    for qid in qrels:
        hits = searcher.search(queries[qid], k=10, passages=1)
        run[qid] = {h.doc_id: h.score for h in hits} or {"__none__": 0.0}
    return evaluate(Qrels(qrels), Run(run), ["recall@10", "ndcg@10"])


def answered(index: Index, floor: float, queries: list[str]) -> int:
    searcher = Searcher(index)
    searcher.settings = index.settings.replace(relevance_floor=floor)
    return sum(bool(searcher.search(q, k=10, passages=1)) for q in queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact-index", type=Path, required=True)
    parser.add_argument("--real-index", type=Path, default=None)
    args = parser.parse_args()
    started = time.time()
    sci = scifact_index(args.scifact_index)
    folder = SHARED / "eval" / "scifact"
    sq, sqrels = load_queries(folder), load_qrels(folder, "test")
    real = Index.open(Settings(index_dir=args.real_index)) if args.real_index else None
    rq, rqrels, splits = real_judged(real) if real else ({}, {}, {})
    junk = nonsense_queries(NONSENSE)
    print(f"{platform.machine()} {platform.python_version()}, {date.today()}, model {sci.embedder.model_id} "
          f"({sci.embedder.backend}); SciFact {len(sqrels)} test queries; real {len(rqrels)} judged queries "
          f"({sum(s == 'tune' for s in splits.values())} tune); {len(junk)} nonsense queries")
    print("| floor | SciFact recall@10 | SciFact nDCG@10 | real recall@10 (tune / heldout) | real nDCG@10 (tune / "
          "heldout) | nonsense answered, SciFact / real |")
    print("|---|---|---|---|---|---|")
    for floor in FLOORS:
        s = scores_at(sci, floor, sq, sqrels)
        cells = [f"{floor:.2f}", f"{s['recall@10']:.4f}", f"{s['ndcg@10']:.4f}"]
        if real:
            parts = {}
            for split in ("tune", "heldout"):
                ids = [q for q in rqrels if splits[q] == split]
                parts[split] = scores_at(real, floor, rq, {q: rqrels[q] for q in ids})
            cells += [f"{parts['tune']['recall@10']:.3f} / {parts['heldout']['recall@10']:.3f}",
                      f"{parts['tune']['ndcg@10']:.3f} / {parts['heldout']['ndcg@10']:.3f}"]
            cells.append(f"{answered(sci, floor, junk)} / {answered(real, floor, junk)}")
        else:
            cells += ["–", "–", f"{answered(sci, floor, junk)} / –"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"({time.time() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
