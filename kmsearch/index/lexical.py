"""BM25 with bm25s: English stop words and Snowball stemming; the index maps its rows back to chunk ids."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np
import Stemmer

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
K1, B = 1.2, 0.75
STOPWORDS = "en"


class Lexical:
    def __init__(self, retriever: bm25s.BM25 | None, tokenizer: bm25s.tokenization.Tokenizer, chunk_ids: np.ndarray):
        self.retriever = retriever
        self.tokenizer = tokenizer
        self.chunk_ids = chunk_ids
        self._row_of = {int(c): i for i, c in enumerate(chunk_ids)}

    @staticmethod
    def new_tokenizer() -> bm25s.tokenization.Tokenizer:
        return bm25s.tokenization.Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords=STOPWORDS, lower=True)

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str]]) -> Lexical:
        ids, texts = [], []
        for chunk_id, text in rows:
            ids.append(chunk_id)
            texts.append(text)
        tokenizer = cls.new_tokenizer()
        retriever = None
        if texts:
            tokens = tokenizer.tokenize(texts, return_as="tuple", show_progress=False)
            retriever = bm25s.BM25(k1=K1, b=B)
            retriever.index(tokens, show_progress=False)
        return cls(retriever, tokenizer, np.asarray(ids, dtype=np.int64))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "chunk_ids.npy", self.chunk_ids)
        self.tokenizer.save_vocab(str(folder), "vocab.tokenizer.json")
        if self.retriever is not None:
            self.retriever.save(str(folder))
        (folder / "params.json").write_text(json.dumps({"k1": K1, "b": B, "stopwords": STOPWORDS, "stemmer": "english"}))

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        chunk_ids = np.load(folder / "chunk_ids.npy")
        tokenizer = cls.new_tokenizer()
        tokenizer.load_vocab(str(folder), "vocab.tokenizer.json")
        retriever = bm25s.BM25.load(str(folder), mmap=True) if len(chunk_ids) else None
        return cls(retriever, tokenizer, chunk_ids)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk_id, BM25 score); chunks without a query term are left out."""
        if self.retriever is None or k <= 0:
            return []
        tokens = self.tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)
        if not tokens or not tokens[0]:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.chunk_ids), dtype=np.float32)
            rows = [self._row_of[int(c)] for c in allowed if int(c) in self._row_of]
            if not rows:
                return []
            mask[rows] = 1.0
        docs, scores = self.retriever.retrieve(
            tokens, k=min(k, len(self.chunk_ids)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(self.chunk_ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
