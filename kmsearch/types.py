"""Plain data shared by every stage: what extraction produces, what chunking cuts, what search returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph"]
# The genres of real government files (kmsearch/ingest/extract/genres.py guesses them; a register may set any).
DOC_TYPES = ("report", "annual report", "research report", "study-tour report", "minutes", "agenda", "hansard",
             "questions and replies", "presentation", "policy", "guideline", "gazette", "notice", "brochure", "budget",
             "judgment", "letter", "register", "other")


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
    # True when `authors` are stated by a collection's metadata ("person-001", an ORCID): kept verbatim as authors.
    # False for a file's author property, which is filtered and is an author only when the text names it too.
    authors_explicit: bool = False
    # The title as printed: the largest text on a PDF's first page, a deck's first slide title, a DOCX's Title
    # paragraph. One of the candidates kmsearch.ingest.extract.titles chooses from; "" when there is none.
    cover_title: str = ""
    slides: bool = False  # a PDF laid out as slides: landscape pages with little text on each (a deck's export)

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


# --- catalogue records: what kmsearch.index.catalog reads back, one frozen dataclass per kind of row -----------


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the catalogue holds it: its metadata, file facts, register reference and access groups."""

    doc_id: str
    path: str
    source: str  # the folder it was ingested from
    format: str
    title: str
    authors: tuple[str, ...]
    created: str | None
    modified: str | None
    date: str | None
    language: str | None
    doc_type: str
    content_hash: str
    size: int | None
    mtime: float | None
    n_pages: int
    warnings: tuple[str, ...]
    indexed_at: str
    reference: str | None  # its row in the document register, if any
    access_groups: tuple[str, ...]  # canonical group names; empty: open to every reader


@dataclass(frozen=True)
class KnownFile:
    """What an ingest needs to know of an indexed file to tell whether it changed."""

    doc_id: str
    path: str
    source: str
    content_hash: str
    size: int | None
    mtime: float | None


@dataclass(frozen=True)
class PageText:
    """One stored page of a document."""

    number: int
    text: str
    ocr: bool = False


@dataclass(frozen=True)
class ChunkRecord:
    """A stored passage: the chunk the retrievers return by id."""

    chunk_id: int
    doc_id: str
    page: int
    heading: str | None
    text: str
    ordinal: int = 0  # its place in the document
    n_tokens: int = 0


LOCATION_FIELDS = ("building", "room", "cabinet", "shelf")


@dataclass(frozen=True)
class Location:
    """Where a paper copy is kept. Every part is optional."""

    building: str | None = None
    room: str | None = None
    cabinet: str | None = None
    shelf: str | None = None

    @classmethod
    def from_mapping(cls, parts: dict[str, str]) -> Location:
        return cls(**{k: parts[k] for k in LOCATION_FIELDS if parts.get(k)})

    @property
    def empty(self) -> bool:
        return not any(getattr(self, k) for k in LOCATION_FIELDS)

    def to_json(self) -> dict[str, str]:
        """The parts that are recorded, in building, room, cabinet, shelf order."""
        return {k: v for k in LOCATION_FIELDS if (v := getattr(self, k))}


@dataclass(frozen=True)
class RegisterEntry:
    """A row of a folder's document register (registers/documents.csv) as the catalogue keeps it."""

    reference: str
    source: str  # the ingested folder whose register holds the row
    path: str | None  # absolute path of the file; None for a paper-only document
    title: str
    type: str
    date: str | None
    location: Location
    custodian: str | None
    access_groups: tuple[str, ...]
    supersedes: str | None

    def to_json(self) -> dict[str, Any]:
        """The row as the API shows it (location keys sorted, as they are stored)."""
        return {
            "reference": self.reference, "source": self.source, "path": self.path, "title": self.title,
            "type": self.type, "date": self.date, "location": dict(sorted(self.location.to_json().items())),
            "custodian": self.custodian, "access_groups": list(self.access_groups), "supersedes": self.supersedes,
        }


HELD = ("file", "paper", "missing")  # an indexed file; a register row with no file; one whose file is not indexed


@dataclass(frozen=True)
class CatalogueEntry:
    """One record of the catalogue a librarian audits: an indexed file with its register row (if any), or a
    register row with no indexed file. Title, type and date are the register's when it has them, as where-is
    shows them."""

    document: DocumentRecord | None
    entry: RegisterEntry | None

    @property
    def held(self) -> str:
        """One of HELD: "file", "paper" (the register names no file) or "missing" (its file is not indexed)."""
        if self.document is not None:
            return "file"
        return "paper" if self.entry is None or self.entry.path is None else "missing"

    @property
    def title(self) -> str:
        return (self.entry.title if self.entry else "") or (self.document.title if self.document else "")

    @property
    def doc_type(self) -> str:
        return (self.entry.type if self.entry else "") or (self.document.doc_type if self.document else "") or "other"

    @property
    def date(self) -> str | None:
        return (self.entry.date if self.entry else None) or (self.document.date if self.document else None)

    @property
    def path(self) -> str | None:
        return self.document.path if self.document else self.entry.path if self.entry else None

    @property
    def access_groups(self) -> tuple[str, ...]:
        """The groups that decide who reads it: the document's (a register row's are already part of them)."""
        return self.document.access_groups if self.document else self.entry.access_groups if self.entry else ()


@dataclass(frozen=True)
class RegisterPersonRecord:
    """A row of a folder's skills register (registers/people.csv) as the catalogue keeps it."""

    source: str
    name: str
    unit: str | None
    role: str | None
    email: str | None
    skills: tuple[str, ...]
    qualifications: tuple[str, ...]
    trainings: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class PersonRecord:
    """A person linked from the registers and the documents (kmsearch.people.link), with one stable id."""

    person_id: str
    name: str
    unit: str | None = None
    role: str | None = None  # their post, from the register
    email: str | None = None
    status: str | None = None  # active, moved, left; None for people not in the register
    skills: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    trainings: tuple[str, ...] = ()
    in_register: bool = False


@dataclass(frozen=True)
class EventRecord:
    """A row of a folder's events register (registers/events.csv) as the catalogue keeps it."""

    source: str
    name: str
    start_date: str
    end_date: str | None
    place: str | None
    participants: tuple[str, ...]
    report_reference: str | None


@dataclass(frozen=True)
class MentionRecord:
    """A person named in a document: the name as written, their part in it, and the page (None: whole document)."""

    doc_id: str
    name: str
    role: str
    page: int | None
    certain: bool
    source: str  # text, properties, metadata, events
    person_id: str | None  # None when the name is ambiguous or unknown
    designation: str = ""  # the post written beside the name, "" when none
    email: str = ""
    phone: str = ""
