"""Vectors cached by a hash of (model, text): re-indexing never embeds the same passage twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from kmsearch.index.embed import cache_key


class EmbeddingCache:
    def __init__(self, path: Path, model_id: str, dimension: int | None = None):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30)
        self.conn.execute("PRAGMA journal_mode = WAL")  # survives a crash mid-write; readers never block
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self.model_id = model_id
        self.hits = 0
        self.misses = 0

    def get_or_embed(
        self,
        texts: Sequence[str],
        embed: Callable[[list[str]], np.ndarray],
        batch_size: int = 256,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for `texts`, embedding only those not cached, in batches that are saved as they finish."""
        keys = [cache_key(self.model_id, t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self.conn.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            )
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if progress and len(keys) > len(missing):
            progress(len(keys) - len(missing))
        text_of = dict(zip(keys, texts))
        for i in range(0, len(missing), batch_size):
            batch = missing[i : i + batch_size]
            vectors = embed([text_of[k] for k in batch])
            with self.conn:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in zip(batch, vectors)],
                )
            found.update(zip(batch, vectors))
            if progress:
                progress(sum(1 for k in keys if k in set(batch)))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def close(self) -> None:
        self.conn.close()
