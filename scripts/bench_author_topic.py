"""Who-knows where authorship is certain: a collection generated from a known author-topic model, scored against a
plain BM25 Model 2 baseline (issue 14, point 7).

    python scripts/bench_author_topic.py [--scifact ../shared/eval/scifact] [--work indexes/author-topic]

The collection (reproducible, seed 13):
- Topics of the model are clusters of SciFact abstracts (TF-IDF, k-means, K=40): real scientific text.
- 500 authors ("person-001" ...), each with a home topic (weight 0.5-0.9) and one or two side topics; how many
  papers an author writes follows a Zipf law (1 to ~50), so a few experts are prolific, most write one or two.
- 1,500 documents: every abstract judged relevant to a chosen SciFact claim, plus others drawn at random. Each
  document gets 1-3 authors drawn by (weight of the author on the document's topic) x (productivity).
- Topics to answer: SciFact claims (train split: tune; test split: report) whose relevant abstracts are in the
  collection. Judgements come from the model, never from a system: 2 for an author of a relevant abstract, 1 for
  an author (with at least one paper here) whose weight on the relevant abstract's topic is >= 0.3, 0 for every other author (all 500 judged).

Both runs are scored by ranx on the same qrels. The baseline is Balog's Model 2 over ALL documents with BM25:
score(a, q) = sum over documents d of bm25(q, d) * 1/|authors(d)|, authors read from the collection itself.
who-knows runs through the ingested index (people extracted from `metadata.authors`).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 13
K_TOPICS = 40
AUTHORS = 500
DOCUMENTS = 1500
METRICS = ["map", "mrr", "precision@3", "ndcg@10"]


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _qrels(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            qid, doc, score = line.split()
            if int(score) > 0:
                out[qid].add(doc)
    return out


def build_collection(scifact: Path, out: Path) -> dict[str, str]:
    """Write corpus.jsonl, topics.tsv (with split), qrels.trec and authors.json into `out`; returns qid -> split."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    rng = random.Random(SEED)
    corpus = _jsonl(scifact / "corpus.jsonl")
    by_id = {str(d["_id"]): d for d in corpus}
    tfidf = TfidfVectorizer(max_features=20000, stop_words="english", sublinear_tf=True)
    matrix = tfidf.fit_transform([f"{d['title']} {d['text']}" for d in corpus])
    labels = KMeans(n_clusters=K_TOPICS, random_state=SEED, n_init=3).fit_predict(matrix)
    topic_of = {str(d["_id"]): int(t) for d, t in zip(corpus, labels)}

    queries = {str(q["_id"]): q["text"] for q in _jsonl(scifact / "queries.jsonl")}
    chosen: dict[str, tuple[str, set[str]]] = {}
    for split, want in (("train", 60), ("test", 60)):
        judged = [(q, docs) for q, docs in sorted(_qrels(scifact / "qrels" / f"{split}.tsv").items())
                  if all(d in by_id for d in docs)]
        for qid, docs in rng.sample(judged, min(want, len(judged))):
            chosen[qid] = ("tune" if split == "train" else "heldout", docs)
    needed = sorted({d for _, docs in chosen.values() for d in docs})
    others = sorted(set(by_id) - set(needed))
    doc_ids = needed + rng.sample(others, DOCUMENTS - len(needed))

    weights = np.zeros((AUTHORS, K_TOPICS))
    for a in range(AUTHORS):
        home = rng.randrange(K_TOPICS)
        weights[a, home] = rng.uniform(0.5, 0.9)
        sides = rng.sample([t for t in range(K_TOPICS) if t != home], rng.choice((1, 2)))
        for t in sides:
            weights[a, t] = (1 - weights[a, home]) / len(sides)
    ranks = list(range(AUTHORS))
    rng.shuffle(ranks)  # who is prolific is independent of their topics
    productivity = np.array([1.0 / (rank + 1) ** 1.1 for rank in ranks])
    names = [f"person-{a + 1:03d}" for a in range(AUTHORS)]

    np_rng = np.random.default_rng(SEED)
    authors_of: dict[str, list[str]] = {}
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for doc_id in doc_ids:
            p = weights[:, topic_of[doc_id]] * productivity
            n = min(int(np_rng.integers(1, 4)), int((p > 0).sum()))
            picked = np_rng.choice(AUTHORS, size=n, replace=False, p=p / p.sum())
            authors_of[doc_id] = [names[a] for a in picked]
            doc = by_id[doc_id]
            fh.write(json.dumps({"_id": doc_id, "title": doc["title"], "text": doc["text"],
                                 "metadata": {"authors": authors_of[doc_id]}}) + "\n")

    published = {name for names_ in authors_of.values() for name in names_}  # an author with no paper is invisible
    splits = {}
    with open(out / "topics.tsv", "w", encoding="utf-8") as topics, open(out / "qrels.trec", "w") as qrels:
        topics.write("qid\ttext\n")
        for qid, (split, docs) in sorted(chosen.items(), key=lambda kv: int(kv[0])):
            grades = dict.fromkeys(names, 0)
            for d in docs:
                for a in range(AUTHORS):
                    if weights[a, topic_of[d]] >= 0.3 and names[a] in published:
                        grades[names[a]] = max(grades[names[a]], 1)
                for name in authors_of[d]:
                    grades[name] = 2
            topics.write(f"{qid}\t{queries[qid]}\n")
            qrels.writelines(f"{qid} 0 {name} {g}\n" for name, g in grades.items())
            splits[qid] = split
    (out / "authors.json").write_text(json.dumps({"authors_of": authors_of, "splits": splits}))
    return splits


def baseline_run(index, topics: dict[str, str], authors_of: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Balog's Model 2 with BM25 over every document (no cap on candidates), authors from the collection."""
    from kmsearch.search.filters import Filters
    from kmsearch.search.hybrid import Searcher

    searcher = Searcher(index)
    n_chunks = int(index.manifest["counts"]["chunks"])
    chunk_doc = index.catalog.chunk_documents(list(range(n_chunks + 1)))
    key_of = {r.doc_id: Path(r.path).name for r in index.catalog.iter_documents()}
    run = {}
    for qid, text in topics.items():
        scores = searcher.score_chunks(text, n_chunks, "bm25", Filters(), "score")
        best: dict[str, float] = {}
        for chunk, score in scores.items():
            doc = chunk_doc.get(chunk)
            if doc is not None:
                best[doc] = max(best.get(doc, 0.0), score)
        people: dict[str, float] = defaultdict(float)
        for doc, score in best.items():
            authors = authors_of.get(key_of.get(doc, ""), [])
            for name in authors:
                people[name] += score / len(authors)
        run[qid] = dict(people) or {"__none__": 0.0}
    return run


def who_knows_run(index, topics: dict[str, str]) -> dict[str, dict[str, float]]:
    from kmsearch.search.experts import who_knows

    run = {}
    for qid, text in topics.items():
        ranking = {}
        for expert in who_knows(index, text, k=100, evidence=0):
            ranking.setdefault(expert.person_id, expert.score)
        run[qid] = ranking or {"__none__": 0.0}
    return run


def score(run: dict[str, dict[str, float]], qrels: dict[str, dict[str, int]], qids: list[str]) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    relevant = {q: {p: g for p, g in qrels[q].items() if g > 0} for q in qids}
    result = evaluate(Qrels(relevant), Run({q: run[q] for q in qids}), METRICS)
    return {m: round(float(result[m]), 4) for m in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "eval" / "scifact")
    parser.add_argument("--work", type=Path, default=ROOT / "indexes" / "author-topic")
    parser.add_argument("--backend", default=None)
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()

    from kmsearch.config import Settings
    from kmsearch.eval.experts import load_corpus, load_qrels, load_topics
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest_documents

    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    splits = build_collection(args.scifact, args.work)
    settings = Settings.load(index_dir=args.work / "index", backend=args.backend)
    ingest_documents(load_corpus(args.work / "corpus.jsonl"), settings)
    index = Index.open(settings)
    topics, qrels = load_topics(args.work / "topics.tsv"), load_qrels(args.work / "qrels.trec")
    authors_of = json.loads((args.work / "authors.json").read_text())["authors_of"]
    runs = {"who-knows": who_knows_run(index, topics), "BM25 Model 2 (all documents)": baseline_run(
        index, topics, authors_of)}
    result = {name: {split: score(run, qrels, sorted(q for q, s in splits.items() if s == split))
                     for split in ("tune", "heldout")} for name, run in runs.items()}
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))
    if args.write:
        _write(result, settings, len(splits))


def _write(result: dict, settings, n_topics: int) -> None:
    import kmsearch

    lines = [
        "", f"### Author-topic check ({date.today().isoformat()})", "",
        f"`python scripts/bench_author_topic.py --write` on {platform.machine()} ({platform.processor() or 'cpu'}), "
        f"Python {platform.python_version()}, kmsearch {kmsearch.__version__}, backend {settings.backend}. "
        f"{DOCUMENTS} SciFact abstracts, {AUTHORS} authors, {n_topics} topics, every author judged for every topic.",
        "", "| run | split | MAP | MRR | P@3 | nDCG@10 |", "|---|---|---|---|---|---|",
    ]
    for name in ("who-knows", "BM25 Model 2 (all documents)"):
        for split in ("tune", "heldout"):
            r = result[name][split]
            lines.append(f"| {name} | {split} | {r['map']} | {r['mrr']} | {r['precision@3']} | {r['ndcg@10']} |")
    with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
