"""The API's typed contract: the query parameters each route takes and the JSON each returns (pydantic models).

The page validates its parameters with the same models, so both refuse the same input with the same message.
The response models are built from the library's `to_json()` dictionaries and keep their field names exactly
(README documents them); `extra="forbid"` makes a field added in the library and missing here fail loudly in the
tests instead of vanishing from the answer.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from kmsearch.search.hybrid import MAX_QUERY_CHARS
from kmsearch.types import DOC_TYPES

MAX_PAGE_SIZE = 50
MAX_PAGE = 20
# A year, a month or a day; the month and day must exist (01-12, 01-31), so "2012-13" is refused, not searched.
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


def _check_date(value: str) -> str:
    if not re.match(DATE_PATTERN, value):
        raise PydanticCustomError("date_format", "must be YYYY, YYYY-MM or YYYY-MM-DD (month 01-12, day 01-31), "
                                                 "got '{value}'", {"value": value[:40]})
    return value


# an enum, not a Literal, so that the schema names it and a generated client gets a `DocType`
DocType = StrEnum("DocType", [(re.sub(r"\W+", "_", t).upper(), t) for t in DOC_TYPES])  # type: ignore[misc]
DateText = Annotated[str, AfterValidator(_check_date), WithJsonSchema({"type": "string", "pattern": DATE_PATTERN})]
QueryText = Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, description="What to look for.",
                                 examples=["mobile service delivery"])]
Mode = Annotated[str, Field(pattern="^(hybrid|dense|bm25)$", description="hybrid, dense (meaning) or bm25 (words).")]


# --- query parameters -------------------------------------------------------------------------------------------
class FilterParams(BaseModel):
    """Document filters, shared by search, facets and the page's filter form."""

    model_config = ConfigDict(use_enum_values=True)  # the library takes the type names as plain strings

    type: list[DocType] | None = Field(None, description="Document type, repeatable.", max_length=len(DOC_TYPES))
    date_from: DateText | None = Field(None, description="Documents dated on or after.", examples=["2009"])
    date_to: DateText | None = Field(None, description="Documents dated on or before.", examples=["2014-12"])
    author: str | None = Field(None, max_length=200, description="Part of an author's name.")
    source: str | None = Field(None, max_length=500, description="A folder name or path.")
    language: str | None = Field(None, pattern=r"^[a-zA-Z]{2,3}$", description="ISO 639-1 code, or nso (Sepedi).")


class SearchParams(FilterParams):
    q: QueryText
    mode: Mode = "hybrid"
    fusion: str | None = Field(None, pattern="^(rrf|score)$", description="How hybrid mode fuses the two lists.")
    k: int = Field(10, ge=1, le=MAX_PAGE_SIZE, description="Documents per page.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    passages: int = Field(3, ge=1, le=10, description="Passages per document.")
    sort: Literal["relevance", "newest", "oldest"] = Field(
        "relevance", description="Order of the documents found: by relevance, or by date (undated ones last).")
    spell: bool = Field(True, description="Correct words the collection does not hold: a suggestion, or, when the "
                        "words as written find nothing, the corrected search itself. false: search as written.")


class FacetParams(FilterParams):
    q: str = Field("", max_length=MAX_QUERY_CHARS, description="Count what this finds; empty: every document.")
    mode: Mode = "hybrid"


class WhoKnowsParams(BaseModel):
    q: QueryText
    k: int = Field(10, ge=1, le=MAX_PAGE_SIZE, description="People to return.")


class WhereIsParams(BaseModel):
    q: QueryText
    k: int = Field(5, ge=1, le=MAX_PAGE_SIZE, description="Documents to return.")


class ReindexRequest(BaseModel):
    paths: list[str] | None = Field(
        default=None, description="Folders or files to re-index, under the service's source roots (the "
                                  "`source_roots` setting, else the folders already ingested; anything else "
                                  "answers 403 with the allowed roots); default: every folder ingested before.",
        examples=[["corpus/"]], max_length=100,
    )


# --- responses --------------------------------------------------------------------------------------------------
class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Passage(Out):
    page: int
    heading: str | None
    snippet: str = Field(description="HTML-escaped text; the query's words are wrapped in <mark>.")
    score: float


class SearchHit(Out):
    """A document found, with its best passages (best first); page, heading and snippet are the best one's."""

    doc_id: str
    path: str
    title: str
    type: str
    date: str | None
    language: str | None = Field(None, description="ISO 639-1 code of the document's language, or nso; null: unknown.")
    page: int | None
    heading: str | None
    snippet: str
    score: float
    passages: list[Passage]


class SearchResult(Out):
    query: str
    mode: str
    page: int
    k: int
    total: int = Field(description="Documents found that this key may read, over all pages.")
    generation: str
    hits: list[SearchHit]
    query_id: str | None = Field(None, description="This request's id in the query log; pass it back with the rank as `query_id` and `rank` when opening a result (None with the log off).")
    suggestion: str | None = Field(None, description="Did you mean: the query with the words the collection does "
                                   "not hold corrected (the results are for the query as written).")
    corrected_from: str | None = Field(None, description="The query as written, when it found nothing and these "
                                       "results are for its correction (`query`).")
    acronyms: dict[str, str] = Field(default_factory=dict, description="The acronyms the query names, with the "
                                     "expansion the documents give (BM25 looked for both).")


class FacetCounts(Out):
    """Documents per value, most first."""

    type: dict[str, int]
    year: dict[str, int]
    source: dict[str, int]
    language: dict[str, int]


class FacetsResult(Out):
    query: str
    facets: FacetCounts


class Evidence(Out):
    """A passage that links a person to the topic."""

    doc_id: str
    path: str
    title: str
    page: int
    role: str
    snippet: str


class Person(Out):
    id: str
    name: str
    aliases: list[str]
    unit: str | None
    role: str | None
    email: str | None
    phone: str | None = Field(default=None, description="Written beside their name in a document you may read.")
    status: str | None = Field(description="active, moved or left; null when not in the skills register.")
    score: float
    at_risk: bool = Field(description="They have left: what they knew may be lost.")
    evidence: list[Evidence]
    skills: list[str]


class WhoKnowsResult(Out):
    query: str
    people: list[Person]
    query_id: str | None = Field(None, description="This request's id in the query log; pass it back with the rank as `query_id` and `rank` when opening a result (None with the log off).")


def _none(value: Any) -> bool:
    return value is None


class Location(Out):
    """Where a paper copy is kept; only the parts the register records are present."""

    building: str | None = Field(None, exclude_if=_none)
    room: str | None = Field(None, exclude_if=_none)
    cabinet: str | None = Field(None, exclude_if=_none)
    shelf: str | None = Field(None, exclude_if=_none)


class Successor(Out):
    reference: str
    title: str
    doc_id: str | None
    path: str | None


class LocatedDocument(Out):
    """A document answering a where-is request; doc_id and path are null for a paper-only register entry."""

    doc_id: str | None
    path: str | None
    title: str
    type: str
    date: str | None
    pages: list[int] = Field(description="Best pages, best first.")
    location: Location | None
    custodian: str | None
    reference: str | None
    superseded_by: Successor | None
    score: float


class WhereIsResult(Out):
    query: str
    documents: list[LocatedDocument]
    query_id: str | None = Field(None, description="This request's id in the query log; pass it back with the rank as `query_id` and `rank` when opening a result (None with the log off).")


class PageText(Out):
    number: int
    text: str
    ocr: bool


class RegisterEntry(Out):
    """The document's row in the document register."""

    reference: str
    source: str
    path: str | None
    title: str
    type: str
    date: str | None
    location: Location
    custodian: str | None
    access_groups: list[str]
    supersedes: str | None


class DocumentDetail(Out):
    # "register" is also a method of every pydantic model (ABCMeta.register): the field is named apart
    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)

    doc_id: str
    path: str
    title: str
    format: str
    doc_type: str
    authors: list[str]
    created: str | None
    modified: str | None
    date: str | None
    language: str | None
    n_pages: int
    reference: str | None
    indexed_at: str
    file_url: str
    pages: list[PageText]
    register_entry: RegisterEntry | None = Field(alias="register",
                                                 description="Null when there is none or this key may not read it.")


class FileOutcome(BaseModel):
    """One file of a re-index: added, updated, unchanged, removed, failed (with the reason) or register."""

    model_config = ConfigDict(extra="allow")  # the ingest report may grow; a job never fails for it
    path: str
    status: str
    reason: str | None = None
    doc_id: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    warnings: list[str] = []


class IngestReport(BaseModel):
    model_config = ConfigDict(extra="allow")
    generation: str | None
    summary: dict[str, int]
    embedded: int
    cached: int
    seconds: float
    limits: dict[str, Any]
    files: list[FileOutcome]


class Job(Out):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    paths: list[str]
    who: str | None = Field(None, description='Who started it: "API key <name>", "schedule <source>".')
    started: float = Field(description="Unix time.")
    finished: float | None
    error: str | None
    report: IngestReport | None


class JobResult(Out):
    job: Job


class Health(Out):
    status: Literal["ok", "no_index"]
    generation: str | None
    version: str
