"""Cut a document into passages that fit the embedding model, counted in the model's own tokens.

Passages never cross a page (so every hit has an exact page) and start afresh at a heading once the current
passage holds enough text; sentences are packed whole, with a small overlap of trailing sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from kmsearch.types import Chunk, Document

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9])")


class Tokenizer(Protocol):
    def __call__(self, texts: list[str], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class _Piece:
    text: str
    heading: str | None
    n_tokens: int
    starts_section: bool


class Chunker:
    """`Chunker(tokenizer, max_tokens=200, overlap=32).chunk(document) -> list[Chunk]`."""

    def __init__(self, tokenizer: Tokenizer, max_tokens: int = 200, overlap: int = 32, min_tokens: int = 64):
        if max_tokens < 16:
            raise ValueError(f"max_tokens must be at least 16, got {max_tokens}")
        if not 0 <= overlap < max_tokens // 2:
            raise ValueError(f"overlap must be between 0 and max_tokens/2 ({max_tokens // 2}), got {overlap}")
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.min_tokens = min(min_tokens, max_tokens // 2)

    def chunk(self, document: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        heading: str | None = None
        for page in document.pages:
            pieces: list[tuple[str, str | None, bool]] = []
            for block in page.blocks:
                if block.kind == "heading":
                    heading = block.text
                    pieces.append((block.text, heading, True))
                else:
                    pieces.extend((s, heading, False) for s in _sentences(block.text))
            for text, head, n_tokens in self._pack(self._measure(pieces)):
                chunks.append(Chunk(document.doc_id, len(chunks), page.number, head, text, n_tokens))
        return chunks

    def _measure(self, pieces: list[tuple[str, str | None, bool]]) -> list[_Piece]:
        """Token counts for every sentence in one tokenizer call; over-long sentences split by token offsets."""
        if not pieces:
            return []
        enc = self.tokenizer([p[0] for p in pieces], add_special_tokens=False, return_offsets_mapping=True)
        out: list[_Piece] = []
        for (text, head, starts), offsets in zip(pieces, enc["offset_mapping"]):
            if len(offsets) <= self.max_tokens:
                out.append(_Piece(text, head, len(offsets), starts))
                continue
            step = self.max_tokens - self.overlap
            for i in range(0, len(offsets), step):
                window = offsets[i : i + self.max_tokens]
                out.append(_Piece(text[window[0][0] : window[-1][1]], head, len(window), starts and i == 0))
                if i + self.max_tokens >= len(offsets):
                    break
        return out

    def _pack(self, pieces: Sequence[_Piece]) -> list[tuple[str, str | None, int]]:
        packed: list[tuple[str, str | None, int]] = []
        current: list[_Piece] = []
        fresh = 0  # pieces in `current` not yet emitted in an earlier chunk (the rest is overlap)

        def size(items: Sequence[_Piece]) -> int:
            return sum(p.n_tokens for p in items)

        def emit() -> None:
            nonlocal current, fresh
            if fresh:
                packed.append((" ".join(p.text for p in current), current[0].heading, size(current)))
            tail: list[_Piece] = []
            for p in reversed(current):
                if p.starts_section or size(tail) + p.n_tokens > self.overlap:
                    break
                tail.insert(0, p)
            current, fresh = tail, 0

        for piece in pieces:
            if piece.starts_section and size(current[-fresh:] if fresh else []) >= self.min_tokens:
                emit()
                current = []  # no overlap across a heading
            if size(current) + piece.n_tokens > self.max_tokens and fresh:
                emit()
            current.append(piece)
            fresh += 1
        emit()
        return packed


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]
