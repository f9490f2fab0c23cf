"""Plain data shared by every stage: what extraction produces, what chunking cuts, what search returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph"]
DOC_TYPES = ("report", "minutes", "study-tour report", "presentation", "policy", "register", "other")


@dataclass(frozen=True)
class Block:
    """A paragraph, table row or heading, in reading order."""

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0  # heading depth, 1 = top level; 0 for paragraphs


@dataclass(frozen=True)
class Page:
    """One page of a PDF, one slide of a deck, or one page-break-delimited part of any other format."""

    number: int  # 1-based
    blocks: tuple[Block, ...]
    ocr: bool = False

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Document:
    """An extracted document with its metadata. `doc_id` and `content_hash` are set by the pipeline."""

    path: str
    format: str  # pdf, docx, pptx, html, text, markdown, csv, image
    title: str
    pages: tuple[Page, ...]
    authors: tuple[str, ...] = ()
    created: str | None = None  # ISO 8601 date
    modified: str | None = None
    language: str | None = None
    doc_type: str = "other"
    doc_id: str = ""
    content_hash: str = ""
    source: str = ""  # the folder it was ingested from
    warnings: tuple[str, ...] = ()

    @property
    def date(self) -> str | None:
        return self.created or self.modified

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


@dataclass(frozen=True)
class Chunk:
    """A passage cut to fit the embedding model; never spans documents or pages."""

    doc_id: str
    ordinal: int
    page: int
    heading: str | None
    text: str
    n_tokens: int = 0


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    page: int
    heading: str | None
    snippet: str  # HTML-escaped, query terms wrapped in <mark>
    score: float


@dataclass(frozen=True)
class Hit:
    """One document in a result list, with its best passages (best first)."""

    doc_id: str
    path: str
    title: str
    doc_type: str
    date: str | None
    score: float
    passages: tuple[Passage, ...] = field(default_factory=tuple)
    language: str | None = None  # the document's ISO 639-1 code ('nso' for Sepedi), None when unknown

    def to_json(self) -> dict:
        best = self.passages[0] if self.passages else None
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "type": self.doc_type,
            "date": self.date,
            "language": self.language,
            "page": best.page if best else None,
            "heading": best.heading if best else None,
            "snippet": best.snippet if best else "",
            "score": round(self.score, 6),
            "passages": [
                {"page": p.page, "heading": p.heading, "snippet": p.snippet, "score": round(p.score, 6)}
                for p in self.passages
            ],
        }
