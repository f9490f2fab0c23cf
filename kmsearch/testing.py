"""A deterministic stand-in for the embedding model, for fast tests (the real model runs in integration tests).

Vectors are hashed bags of lower-cased words, so texts that share words are close, as a real model would
place them; the tokenizer is the real model's, so chunking behaves exactly as in production.
"""

from __future__ import annotations

import re
import zlib
from functools import cached_property
from typing import Any, Sequence

import numpy as np

FAKE_MODEL = "fake-hash-256"


class FakeEmbedder:
    model_id = FAKE_MODEL
    cache_id = FAKE_MODEL
    backend = "fake"
    dimension = 256
    max_tokens = 256

    def __init__(self) -> None:
        self.calls = 0  # texts embedded, to check that the cache spares work
        self.fail_after: int | None = None  # raise after this many texts, to simulate a crash mid-embedding

    @cached_property
    def tokenizer(self) -> Any:
        from kmsearch.config import Settings
        from kmsearch.index.embed import make_embedder

        return make_embedder(Settings()).tokenizer

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if self.fail_after is not None and self.calls + len(texts) > self.fail_after:
            raise RuntimeError("simulated failure while embedding")
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])
