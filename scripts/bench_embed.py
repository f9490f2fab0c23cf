"""Embedding backends on SciFact: speed, agreement with torch, and dense-only nDCG@10 (run by hand).

Needs the SciFact scratch index that `kmsearch eval beir ../shared/eval/scifact` builds: its passages (the
catalogue) and their torch vectors (the FAISS file) are read from a copy, so torch never re-embeds the corpus.

    python scripts/bench_embed.py                        # everything, ~30 min on 2 busy cores
    python scripts/bench_embed.py --skip-ndcg            # speed and agreement only, a few minutes

1. Speed. The same passages (a random sample of --speed-passages) go through every backend batch by batch, the
   backends' order rotating from batch to batch, and the 300 test queries one by one the same way, so whatever
   else loads the machine during the run falls on all backends alike.
2. Agreement: cosine between each backend's vector and torch's (from the index) for every passage embedded.
3. Quality: every passage of the corpus embedded by each ONNX backend (vectors kept in --out, so a rerun
   resumes), then dense-only retrieval of the 300 test queries exactly as `Searcher(mode="dense")` does it
   (top max(candidates, 5k) passages, grouped by document, k=100), scored with ranx. Also "torch+int8 queries":
   the torch index searched with int8 query vectors, what an index built before the switch gets.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from kmsearch.config import Settings
from kmsearch.eval.beir import load_qrels, load_queries
from kmsearch.index.catalog import Catalog, copy_catalog
from kmsearch.index.embed import OnnxEmbedder, SentenceTransformerEmbedder

BACKENDS = ("torch", "onnx", "onnx-int8")
METRICS = ["ndcg@10", "recall@100", "mrr@10"]


def snapshot(workdir: Path, out: Path) -> Path:
    """Copy the live generation's catalogue and FAISS file, so an ingest into the scratch index meanwhile is harmless."""
    manifest = json.loads((workdir / "manifest.json").read_text())
    gen = workdir / manifest["generation"]
    dest = out / "snapshot"
    if not (dest / "dense.faiss").exists():
        dest.mkdir(parents=True, exist_ok=True)
        copy_catalog(gen / "catalog.sqlite", dest / "catalog.sqlite")
        shutil.copyfile(gen / "dense.faiss", dest / "dense.faiss.tmp")
        (dest / "dense.faiss.tmp").rename(dest / "dense.faiss")
        (dest / "model.json").write_text(json.dumps(manifest["model"]))
    return dest


def load_passages(snap: Path) -> tuple[np.ndarray, list[str], list[str], np.ndarray]:
    """chunk ids, doc ids, texts as the model sees them, and torch vectors, in chunk-id order."""
    import faiss

    catalog = Catalog.open(snap / "catalog.sqlite")
    try:
        rows = list(catalog.iter_index_rows())  # (chunk_id, doc_id, text as the model sees it)
    finally:
        catalog.close()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    index = faiss.read_index(str(snap / "dense.faiss"))
    vectors = np.vstack([index.reconstruct(int(i)) for i in ids]).astype(np.float32)
    return ids, [r[1] for r in rows], [r[2] for r in rows], vectors


def make(backend: str, settings: Settings) -> object:
    return SentenceTransformerEmbedder(settings) if backend == "torch" else OnnxEmbedder(settings, backend)


def speed(embedders: dict[str, object], texts: list[str], queries: list[str], batch: int) -> dict[str, dict]:
    """passages/s over `texts` in batches of `batch` and per-query latency, the backends interleaved."""
    names = list(embedders)
    for e in embedders.values():  # load models and sessions outside the clock
        e.embed(texts[:2])
        e.embed_query("warm up")
    spent = {n: 0.0 for n in names}
    vectors = {n: [] for n in names}
    for b, start in enumerate(range(0, len(texts), batch)):
        part = texts[start : start + batch]
        for n in names[b % len(names):] + names[: b % len(names)]:
            t = time.perf_counter()
            vectors[n].append(embedders[n].embed(part))
            spent[n] += time.perf_counter() - t
        print(f"  speed: {start + len(part)}/{len(texts)} passages", end="\r", file=sys.stderr, flush=True)
    latency = {n: [] for n in names}
    for q, query in enumerate(queries):
        for n in names[q % len(names):] + names[: q % len(names)]:
            t = time.perf_counter()
            embedders[n].embed_query(query)
            latency[n].append(time.perf_counter() - t)
    print(file=sys.stderr)
    return {
        n: {
            "passages_per_s": round(len(texts) / spent[n], 2),
            "query_ms_median": round(1000 * float(np.median(latency[n])), 2),
            "query_ms_p95": round(1000 * float(np.percentile(latency[n], 95)), 2),
            "queries_per_s": round(len(queries) / sum(latency[n]), 1),
            "vectors": np.vstack(vectors[n]),
        }
        for n in names
    }


def agreement(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    cosine = np.sum(vectors * reference, axis=1)
    return {"passages": int(len(cosine)), "min": round(float(cosine.min()), 5),
            "p1": round(float(np.percentile(cosine, 1)), 5), "mean": round(float(cosine.mean()), 5),
            "below_0.99": int(np.sum(cosine < 0.99))}


def embed_corpus(backend: str, embedder: object, texts: list[str], out: Path, tag: str) -> np.ndarray:
    """All passages, in chunks saved as they finish (a rerun resumes)."""
    path = out / f"vectors-{backend}-{tag}.npy"
    if path.exists():
        return np.load(path)
    part_dir = out / f"parts-{backend}-{tag}"
    part_dir.mkdir(parents=True, exist_ok=True)
    step, parts, started = 512, [], time.perf_counter()
    for start in range(0, len(texts), step):
        part = part_dir / f"{start:06d}.npy"
        if not part.exists():
            np.save(part.with_suffix(".tmp.npy"), embedder.embed(texts[start : start + step]))
            part.with_suffix(".tmp.npy").rename(part)
        parts.append(np.load(part))
        done = start + len(parts[-1])
        print(f"  {backend}: {done}/{len(texts)} passages, {time.perf_counter() - started:.0f}s", file=sys.stderr,
              flush=True)
    vectors = np.vstack(parts)
    np.save(path, vectors)
    shutil.rmtree(part_dir)
    return vectors


def dense_run(ids: np.ndarray, doc_ids: list[str], vectors: np.ndarray, query_vectors: dict[str, np.ndarray],
              candidates: int, k: int = 100) -> dict[str, dict[str, float]]:
    """As Searcher(mode="dense"): top max(candidates, 5k) passages by inner product, first k documents."""
    n = max(candidates, 5 * k)
    doc_of = dict(zip(ids.tolist(), doc_ids))
    run = {}
    for qid, q in query_vectors.items():
        scores = vectors @ q.reshape(-1)
        top = np.argpartition(-scores, n)[:n]
        ranked = sorted(((int(ids[i]), float(scores[i])) for i in top), key=lambda x: (-x[1], x[0]))
        docs: dict[str, float] = {}
        for chunk_id, score in ranked:
            doc = doc_of[chunk_id]
            if doc not in docs and len(docs) < k:
                docs[doc] = score
        run[qid] = docs
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--collection", type=Path, default=Path("../shared/eval/scifact"))
    parser.add_argument("--workdir", type=Path, default=Path("indexes/eval/scifact"), help="its scratch index")
    parser.add_argument("--out", type=Path, default=Path("indexes/bench-embed"), help="snapshot, vectors, results")
    parser.add_argument("--speed-passages", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=128, help="passages per interleaved turn")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--skip-ndcg", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from ranx import Qrels, Run, evaluate

    args.out.mkdir(parents=True, exist_ok=True)
    backends = [b.strip() for b in args.backends.split(",")]
    snap = snapshot(args.workdir, args.out)
    ids, doc_ids, texts, torch_vectors = load_passages(snap)
    settings = Settings(model=json.loads((snap / "model.json").read_text())["name"])
    queries = load_queries(args.collection)
    qrels = load_qrels(args.collection, "test")
    test_queries = [queries[q] for q in qrels]
    embedders = {b: make(b, settings) for b in backends}
    tag = {b: _file_tag(e) for b, e in embedders.items()}  # the model file's hash: a rerun reuses what it can
    sample = sorted(random.Random(args.seed).sample(range(len(texts)), min(args.speed_passages, len(texts))))
    tokens = embedders[backends[0]].tokenizer([texts[i] for i in sample], add_special_tokens=True)["input_ids"]
    print(f"{len(texts)} passages; speed sample {len(sample)}, "
          f"{np.mean([min(len(t), 256) for t in tokens]):.0f} tokens on average", file=sys.stderr)

    results: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu(), "cores": _cores(), "python": platform.python_version(),
                    "load_average_start": list(_load())},
        "versions": _versions(),
        "corpus": {"passages": len(texts), "speed_sample": len(sample), "queries": len(test_queries)},
        "backends": {},
    }
    timed = speed(embedders, [texts[i] for i in sample], test_queries, args.batch)
    results["machine"]["load_average_after_speed"] = list(_load())
    for b in backends:
        vectors = timed[b].pop("vectors")
        results["backends"][b] = timed[b] | {"agreement_with_index": agreement(vectors, torch_vectors[sample])}
    print(json.dumps(results, indent=2), file=sys.stderr)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    if args.skip_ndcg:
        return

    runs = {}
    candidates = Settings().candidates
    for b in backends:
        e = embedders[b]
        corpus = torch_vectors if b == "torch" else embed_corpus(b, e, texts, args.out, tag[b])
        if b != "torch":
            results["backends"][b]["agreement_full_corpus"] = agreement(corpus, torch_vectors)
        qv = {qid: e.embed_query(queries[qid]) for qid in qrels}
        runs[b] = dense_run(ids, doc_ids, corpus, qv, candidates)
        if b == "onnx-int8":
            runs["torch+int8 queries"] = dense_run(ids, doc_ids, torch_vectors, qv, candidates)
    for name, run in runs.items():
        scores = evaluate(Qrels(qrels), Run({q: d or {"__none__": 0.0} for q, d in run.items()}), METRICS)
        results.setdefault("ndcg", {})[name] = {m: round(float(scores[m]), 4) for m in METRICS}
    results["machine"]["load_average_end"] = list(_load())
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def _file_tag(embedder: object) -> str:
    if not isinstance(embedder, OnnxEmbedder):
        return "torch"
    import hashlib

    from kmsearch.index.onnx_export import FILES

    return hashlib.sha256((embedder.folder / FILES[embedder.backend]).read_bytes()).hexdigest()[:12]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _cores() -> int:
    from kmsearch.index.embed import _cores as cores

    return cores()


def _load() -> tuple[float, float, float]:
    import os

    return tuple(round(x, 2) for x in os.getloadavg())


def _versions() -> dict[str, str]:
    import onnxruntime
    import sentence_transformers
    import tokenizers
    import torch

    return {"torch": torch.__version__, "sentence-transformers": sentence_transformers.__version__,
            "onnxruntime": onnxruntime.__version__, "tokenizers": tokenizers.__version__}


if __name__ == "__main__":
    main()
