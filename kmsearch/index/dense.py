"""FAISS inner-product search over normalised vectors, keyed by chunk id, with filtering inside the search."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


def new_index(dimension: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def load(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Top-k (chunk_id, cosine) for one query; `allowed` restricts the search to those chunk ids."""
    if index.ntotal == 0 or k <= 0:
        return []
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
    scores, ids = index.search(query.reshape(1, -1), min(k, index.ntotal), params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
