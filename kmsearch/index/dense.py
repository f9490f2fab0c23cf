"""FAISS inner-product search over normalised vectors, keyed by chunk id, with filtering inside the search.

The index type follows the collection's size (`spec_for`): exact search (`IDMap2,Flat`) while it is fast
enough, then IVF with 8-bit scalar quantisation (`IVF<nlist>,SQ8`), trained on a sample of the collection's own
vectors. SQ8 keeps a vector in 384 bytes instead of 1,536, which is what lets a million passages live in well
under a gigabyte; `nprobe` (lists searched per query) trades speed for recall. docs/benchmarks.md has the recall
and latency behind the defaults.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from kmsearch.config import Settings

TRAIN_PER_LIST = 40  # k-means sample per list (faiss warns below 39)
KMEANS_ITERATIONS = 10
REBUILD_FACTOR = 2  # rebuild an IVF index when the right number of lists has moved this far (4x the vectors)
EXHAUSTIVE_BELOW = 0.05  # a filter allowing less than this share of vectors searches every list


def auto_nlist(n: int) -> int:
    """About 4 * sqrt(n) lists, as a power of two, between 64 and 65,536."""
    return int(min(65536, max(64, 2 ** round(math.log2(4 * math.sqrt(max(n, 1)))))))


def default_nprobe(nlist: int) -> int:
    """Lists searched per query: recall@10 against exact search was 0.970 at 1,024 lists (nprobe 64, 103k
    passages) and 0.979 at 4,096 (nprobe 128, 1M passages); docs/benchmarks.md has the sweep."""
    return max(64, nlist // 32)


def spec_for(n: int, settings: Settings) -> dict[str, Any]:
    """The index type for `n` vectors under `settings`: {"type": "flat"} or {"type": "ivf", "nlist", "nprobe"}."""
    kind = settings.dense_index  # one of config.DENSE_INDEXES, checked when the settings were made
    if kind == "auto":
        kind = "flat" if n <= settings.dense_exact_max else "ivf"
    if kind == "flat":
        return {"type": "flat"}
    nlist = settings.ivf_nlist or auto_nlist(n)
    nlist = max(1, min(nlist, n // TRAIN_PER_LIST or 1))
    return {"type": "ivf", "nlist": nlist, "nprobe": min(nlist, settings.ivf_nprobe or default_nprobe(nlist))}


def describe(index: faiss.Index) -> dict[str, Any]:
    """What the manifest records about an index (and what `fits` compares against)."""
    ivf = _ivf(index)
    if ivf is None:
        return {"type": "flat", "factory": "IDMap2,Flat"}
    return {"type": "ivf", "factory": f"IVF{ivf.nlist},SQ8", "nlist": int(ivf.nlist), "nprobe": int(ivf.nprobe)}


def fits(index: faiss.Index | None, spec: dict[str, Any]) -> bool:
    """Can `index` take more vectors and still be what `spec` asks for, or must it be rebuilt?"""
    if index is None:
        return False
    current = describe(index)
    if current["type"] != spec["type"]:
        return False
    if spec["type"] == "ivf":
        ratio = spec["nlist"] / current["nlist"]
        return 1 / REBUILD_FACTOR < ratio < REBUILD_FACTOR
    return True


def build(spec: dict[str, Any], dimension: int, vectors: np.ndarray, ids: np.ndarray) -> faiss.Index:
    """A new index of the given type holding `vectors` under `ids` (an IVF index is trained on them first)."""
    if spec["type"] == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    else:
        index = faiss.index_factory(dimension, f"IVF{spec['nlist']},SQ8", faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.extract_index_ivf(index)
        ivf.cp.niter = KMEANS_ITERATIONS
        ivf.cp.seed = 1234
        sample = min(len(vectors), spec["nlist"] * TRAIN_PER_LIST)
        rows = np.random.default_rng(0).choice(len(vectors), sample, replace=False) if sample < len(vectors) else None
        index.train(vectors if rows is None else vectors[np.sort(rows)])
        ivf.nprobe = spec["nprobe"]
    if len(vectors):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    return index


def load(path: Path, nprobe: int = 0) -> faiss.Index:
    index = faiss.read_index(str(path))
    ivf = _ivf(index)
    if ivf is not None and nprobe:
        ivf.nprobe = min(int(nprobe), ivf.nlist)
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def search(index: faiss.Index, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Top-k (chunk_id, cosine) for one query. `mask` (booleans indexed by chunk id) restricts the search to the
    chunks it marks, inside FAISS, so filtered results are as many as asked whenever that many exist."""
    if index.ntotal == 0 or k <= 0:
        return []
    ivf = _ivf(index)
    selector = bits = None
    if mask is not None:
        allowed = int(np.count_nonzero(mask))
        if allowed == 0:
            return []
        bits = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
    if ivf is None:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
    else:
        nprobe = ivf.nprobe
        if mask is not None:  # a narrow filter leaves few candidates per list: search more lists, or all
            share = allowed / index.ntotal
            nprobe = ivf.nlist if share < EXHAUSTIVE_BELOW else min(ivf.nlist, math.ceil(nprobe / share))
        params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)
    scores, ids = index.search(query.reshape(1, -1), min(k, index.ntotal), params=params)
    del bits  # the selector read it during the search
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _ivf(index: faiss.Index) -> Any:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None
