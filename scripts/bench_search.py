"""Hybrid query latency through the library and through HTTP, dense recall against exact search, and memory.

Run by hand on indexes built by scripts/make_big_index.py (and the SciFact scratch index for ~10k):
    python scripts/bench_search.py indexes/eval/scifact indexes/big-100k indexes/big-1m [--nprobe-sweep]

For each index, with the SciFact test queries (300, run twice: the first pass warms caches and is not counted):
- library: `Searcher.search_page(query, 1, 10, "hybrid")` (what the API's search runs), in this process, as an admin (no access filter) and
  as a reader (access groups filtered: the builder restricted about 5% of the documents);
- HTTP: `kmsearch serve` in a subprocess, GET /api/v1/search?q=...&k=10 with a reader key, one request at a time;
- dense recall@10 of the FAISS index against the exact top-10 the builder computed (bench-queries.npz), with
  the stored real query vectors, and with --nprobe-sweep the recall and time of other nprobe values;
- the serving process's peak RSS (VmHWM) after its run, and the index's size on disk.
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from kmsearch.config import Settings
from kmsearch.eval.beir import load_qrels, load_queries
from kmsearch.index import dense
from kmsearch.index.store import Index
from kmsearch.search import Searcher
from kmsearch.search.filters import Filters
from served import serving

BEIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact"


def pctl(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def timed(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - started)
    return out


def status_kb(pid: int | str, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def library(index_dir: Path, queries: list[str]) -> dict[str, float]:
    index = Index.open(Settings.load(index_dir=index_dir))
    searcher = Searcher(index)
    reader = Filters(groups=frozenset())
    def page(q: str, filters: Filters | None = None) -> None:  # what GET /api/v1/search runs
        searcher.search_page(q, 1, 10, "hybrid", filters)

    for q in queries:  # warm-up pass: model, caches, the per-generation filter selection
        page(q)
        page(q, reader)
    admin = timed(page, queries)
    filtered = timed(lambda q: page(q, reader), queries)
    vector = index.embedder.embed_query("warm")
    embed = timed(index.embedder.embed_query, queries)
    dense_only = timed(lambda q: dense.search(index.faiss_index, vector, 200), queries)
    bm25_only = timed(lambda q: index.lexical.search(q, 200), queries)
    return {"admin_p50": pctl(admin, 50), "admin_p95": pctl(admin, 95), "reader_p50": pctl(filtered, 50),
            "reader_p95": pctl(filtered, 95), "embed_p50": pctl(embed, 50), "dense_p50": pctl(dense_only, 50),
            "bm25_p50": pctl(bm25_only, 50), "bm25_p95": pctl(bm25_only, 95),
            "chunks": index.manifest["counts"]["chunks"], "dense": index.manifest["dense"].get("factory", "?"),
            "backend": index.manifest["model"].get("backend", "torch"), "query_backend": getattr(index.embedder, "backend", "torch")}


def recall(index_dir: Path, nprobes: list[int]) -> list[tuple[int, float, float]]:
    truth = np.load(index_dir / "bench-queries.npz")
    index = Index.open(Settings.load(index_dir=index_dir))
    ivf = dense._ivf(index.faiss_index)
    out = []
    for nprobe in nprobes or [0]:
        if ivf is not None and nprobe:
            ivf.nprobe = nprobe
        found, times = [], []
        for vector, exact in zip(truth["vectors"], truth["exact_ids"]):
            started = time.perf_counter()
            hits = dense.search(index.faiss_index, vector, 10)
            times.append(time.perf_counter() - started)
            found.append(len({c for c, _ in hits} & set(exact.tolist())) / 10)
        out.append((int(ivf.nprobe) if ivf is not None else 0, float(np.mean(found)), pctl(times, 50)))
    return out


def http(index_dir: Path, queries: list[str]) -> dict[str, float]:
    with serving(index_dir, "latency benchmark") as (base, key, pid):
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
            def get(q: str) -> None:
                response = client.get("/api/v1/search", params={"q": q, "k": 10})
                response.raise_for_status()
            timed(get, queries)  # warm-up pass
            latencies = timed(get, queries)
        return {"p50": pctl(latencies, 50), "p95": pctl(latencies, 95), "mean": statistics.mean(latencies) * 1000,
                "rss_mb": status_kb(pid, "VmRSS") / 1024, "peak_mb": status_kb(pid, "VmHWM") / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+", type=Path)
    parser.add_argument("--nprobe-sweep", default="", help="comma-separated nprobe values to measure recall for")
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    queries_by_id = load_queries(BEIR)
    queries = [queries_by_id[q] for q in sorted(load_qrels(BEIR, "test")) if q in queries_by_id]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; {len(queries)} SciFact test queries; "
          f"{time.strftime('%Y-%m-%d')}\n")
    rows = []
    for index_dir in args.indexes:
        lib = library(index_dir, queries)
        web = {} if args.no_http else http(index_dir, queries)
        rec = recall(index_dir, []) if (index_dir / "bench-queries.npz").exists() else []
        rows.append((index_dir, lib, web, rec))
        print(f"{index_dir}: {lib} {web} recall {rec}", file=sys.stderr, flush=True)
        if args.nprobe_sweep and rec:
            for nprobe, r, ms in recall(index_dir, [int(n) for n in args.nprobe_sweep.split(",")]):
                print(f"  nprobe {nprobe}: recall@10 {r:.3f}, dense search p50 {ms:.2f} ms", flush=True)
    print("| index | passages | FAISS | library p50 / p95 ms (admin) | library p50 / p95 ms (reader) | HTTP p50 / p95 ms "
          "| dense recall@10 | query embed p50 ms | FAISS p50 ms | BM25 p50 / p95 ms | server RSS / peak MB | disk MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for index_dir, lib, web, rec in rows:
        http_cell = f"{web['p50']:.1f} / {web['p95']:.1f}" if web else "-"
        mem_cell = f"{web['rss_mb']:.0f} / {web['peak_mb']:.0f}" if web else "-"
        rec_cell = f"{rec[0][1]:.3f}" if rec else "exact"
        print(f"| {index_dir.name} | {lib['chunks']:,} | {lib['dense']} | {lib['admin_p50']:.1f} / {lib['admin_p95']:.1f} | "
              f"{lib['reader_p50']:.1f} / {lib['reader_p95']:.1f} | {http_cell} | {rec_cell} | {lib['embed_p50']:.1f} | "
              f"{lib['dense_p50']:.2f} | {lib['bm25_p50']:.1f} / {lib['bm25_p95']:.1f} | {mem_cell} | {disk_mb(index_dir):,.0f} |")
    print(f"\nquery embedding backend: {rows[0][1]['query_backend']}")


if __name__ == "__main__":
    main()
