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
# Prose runs at about 4 characters a token. Text far denser than that (a base64 blob the tokenizer calls one
# unknown token) is measured by its length instead, so that no passage grows past max_tokens * 16 characters.
MAX_CHARS_PER_TOKEN = 16
MAX_HEADING_CHARS = 300  # a passage's heading, as stored and shown; a longer "heading" is mostly a parsing accident


class Tokenizer(Protocol):
    def __call__(self, texts: list[str], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class _Piece:
    text: str
    heading: str | None
    n_tokens: int
    starts_section: bool

    @property
    def cost(self) -> int:
        """Its room in a passage: its tokens, or its length where that says more."""
        return max(self.n_tokens, -(-len(self.text) // MAX_CHARS_PER_TOKEN))


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
                    heading = block.text[:MAX_HEADING_CHARS]
                    pieces.append((block.text, heading, True))
                else:
                    pieces.extend((s, heading, False) for s in _sentences(block.text))
            for text, head, n_tokens in self._pack(self._measure(pieces)):
                chunks.append(Chunk(document.doc_id, len(chunks), page.number, head, text, n_tokens))
        return chunks

    def _measure(self, pieces: list[tuple[str, str | None, bool]]) -> list[_Piece]:
        """Token counts for every sentence in one tokenizer call; over-long sentences split by token offsets, and
        text far denser than prose (see MAX_CHARS_PER_TOKEN) by length."""
        if not pieces:
            return []
        enc = self.tokenizer([p[0] for p in pieces], add_special_tokens=False, return_offsets_mapping=True)
        limit = self.max_tokens * MAX_CHARS_PER_TOKEN
        out: list[_Piece] = []
        for (text, head, starts), offsets in zip(pieces, enc["offset_mapping"]):
            windows = [(text, len(offsets))]
            if len(offsets) > self.max_tokens:
                windows, step = [], self.max_tokens - self.overlap
                for i in range(0, len(offsets), step):
                    window = offsets[i : i + self.max_tokens]
                    windows.append((text[window[0][0] : window[-1][1]], len(window)))
                    if i + self.max_tokens >= len(offsets):
                        break
            parts = [part for window_text, n in windows for part in _by_length(window_text, n, limit)]
            out.extend(_Piece(part, head, n, starts and j == 0) for j, (part, n) in enumerate(parts))
        return out

    def _pack(self, pieces: Sequence[_Piece]) -> list[tuple[str, str | None, int]]:
        packed: list[tuple[str, str | None, int]] = []
        current: list[_Piece] = []
        fresh = 0  # pieces in `current` not yet emitted in an earlier chunk (the rest is overlap)

        def size(items: Sequence[_Piece]) -> int:
            return sum(p.cost for p in items)

        def emit() -> None:
            nonlocal current, fresh
            if fresh:
                n_tokens = sum(p.n_tokens for p in current)
                packed.append((" ".join(p.text for p in current), current[0].heading, n_tokens))
            tail: list[_Piece] = []
            for p in reversed(current):
                if p.starts_section or size(tail) + p.cost > self.overlap:
                    break
                tail.insert(0, p)
            current, fresh = tail, 0

        for piece in pieces:
            if piece.starts_section and size(current[-fresh:] if fresh else []) >= self.min_tokens:
                emit()
                current = []  # no overlap across a heading
            if size(current) + piece.cost > self.max_tokens and fresh:
                emit()
            current.append(piece)
            fresh += 1
        emit()
        return packed


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _by_length(text: str, n_tokens: int, limit: int) -> list[tuple[str, int]]:
    """A text of `n_tokens` tokens cut to at most `limit` characters a part, its tokens shared out by length."""
    if len(text) <= limit:
        return [(text, n_tokens)]
    return [(part, max(1, round(n_tokens * len(part) / len(text)))) for part in _slices(text, limit)]


def _slices(text: str, limit: int) -> list[str]:
    """`text` cut into parts of at most `limit` characters, at a space where one is near the end of a part."""
    if len(text) <= limit:
        return [text]
    parts, start = [], 0
    while len(text) - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        end = cut if cut > 0 else start + limit
        parts.append(text[start:end].strip())
        start = end
    parts.append(text[start:].strip())
    return [p for p in parts if p]
