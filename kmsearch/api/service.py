"""What the service does, once, for the JSON routes and the staff page alike.

Each function takes the caller (whose access groups filter everything before ranking and counting), the open
index and the validated parameters, and returns the typed answer from `schemas`. Nothing here knows HTTP: the
routes and the page only choose how to render it, and `errors.describe` how to answer when it raises.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from kmsearch.access import Groups, may_read
from kmsearch.api.errors import ApiError
from kmsearch.api.keys import ApiKey
from kmsearch.api.schemas import (
    DocumentDetail,
    FacetCounts,
    FacetParams,
    FacetsResult,
    FilterParams,
    Job,
    JobResult,
    LocatedDocument,
    PageText,
    Person,
    RegisterEntry,
    SearchHit,
    SearchParams,
    SearchResult,
    WhereIsParams,
    WhereIsResult,
    WhoKnowsParams,
    WhoKnowsResult,
)
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.api.usage import Usage
from kmsearch.errors import InvalidParameterError, KmsearchError
from kmsearch.index.store import Index
from kmsearch.search import Filters, Searcher
from kmsearch.search import acronyms
from kmsearch.search.hybrid import MAX_K
from kmsearch.search.spelling import speller
from kmsearch.search.facets import facets as count_facets
from kmsearch.types import DocumentRecord

API = "/api/v1"
MEDIA_TYPES = {  # by the format sniffed from the file's bytes at ingest (the catalogue's `format`)
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
# The images OCR reads, told apart by their first bytes (the sniffer calls them all "image")
IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"II*\x00": "image/tiff",
               b"MM\x00*": "image/tiff"}
# Every media type the file route answers (declared in the OpenAPI schema): the formats' own, the images, and
# octet-stream for anything else.
FILE_MEDIA_TYPES = ("application/octet-stream", *sorted({m.split(";")[0] for m in MEDIA_TYPES.values()}),
                    *sorted(set(IMAGE_TYPES.values())))
_DOCUMENT_FIELDS = ("doc_id", "path", "title", "format", "doc_type", "authors", "created", "modified", "date",
                    "language", "n_pages", "reference", "indexed_at")


@dataclass(frozen=True)
class Caller:
    """Who is asking: their key (None in open, single-user mode) and access groups: None reads everything (an
    admin key, or open mode; see `deps.caller_for`), a set reads what `access.may_read` allows."""

    key: ApiKey | None
    groups: Groups

    def can(self, role: str) -> bool:
        return self.key is None or self.key.can(role)

    def may_read(self, access_groups: list[str]) -> bool:
        return may_read(self.groups, access_groups)


def _filters(params: FilterParams, caller: Caller) -> Filters:
    return Filters(tuple(params.type or ()), params.date_from, params.date_to, params.author, params.source,
                   params.language, groups=caller.groups)


def _search(index: Index, params: SearchParams, filters: Filters) -> tuple[SearchResult, set[str]]:
    searcher = Searcher(index)
    if params.sort == "relevance":
        hits, doc_ids = searcher.search_page(params.q, params.page, params.k, params.mode, filters, params.fusion,
                                             params.passages)
    else:  # by date: every document found (the candidates are bounded), then the page
        found, doc_ids = searcher.search_page(params.q, 1, MAX_K, params.mode, filters, params.fusion, params.passages)
        dated = sorted((h for h in found if h.date), key=lambda h: h.date or "", reverse=params.sort == "newest")
        ordered = dated + [h for h in found if not h.date]  # a stable sort: relevance orders a date's documents
        hits = ordered[(params.page - 1) * params.k : params.page * params.k]
    result = SearchResult(query=params.q, mode=params.mode, page=params.page, k=params.k, total=len(doc_ids),
                          generation=index.generation, hits=[SearchHit.model_validate(h.to_json()) for h in hits],
                          acronyms=acronyms.named(index, params.q))
    return result, set(doc_ids)


def _logged_search(usage: Usage | None, caller: Caller, params: SearchParams, result: SearchResult) -> SearchResult:
    if usage is None:
        return result
    filters = params.model_dump(exclude={"q", "mode", "page", "k", "passages", "fusion", "sort", "spell"},
                                exclude_none=True)
    query_id = usage.asked("search", caller.key, params.q, mode=params.mode, filters=filters, results=result.total,
        top_score=result.hits[0].score if result.hits else None, shown=[h.doc_id for h in result.hits],
        page=params.page)
    return result.model_copy(update={"query_id": query_id})


def _spelled(index: Index, params: SearchParams, filters: Filters) -> tuple[SearchResult, set[str]]:
    """`_search`, with did-you-mean: a query whose words as written find nothing is searched corrected at once
    (the answer says so); one that finds something comes back with the correction as a suggestion."""
    result, doc_ids = _search(index, params, filters)
    suggestion = speller(index).suggest(params.q) if params.spell else None
    if suggestion is None:
        return result, doc_ids
    if result.total:
        return result.model_copy(update={"suggestion": suggestion.text}), doc_ids
    corrected, corrected_ids = _search(index, params.model_copy(update={"q": suggestion.text}), filters)
    if not corrected.total:
        return result, doc_ids
    return corrected.model_copy(update={"corrected_from": params.q}), corrected_ids


def run_search(caller: Caller, index: Index, params: SearchParams, usage: Usage | None = None) -> SearchResult:
    """Topic search: one page of documents with their best passages; `total` counts what the caller may read."""
    return _logged_search(usage, caller, params, _spelled(index, params, _filters(params, caller))[0])


def run_search_with_facets(caller: Caller, index: Index, params: SearchParams,
                           usage: Usage | None = None) -> tuple[SearchResult, FacetCounts]:
    """The page's search: `run_search`, plus facet counts over every document found without the type filter, so
    the other types stay choosable."""
    filters = _filters(params, caller)
    result, doc_ids = _spelled(index, params, filters)
    unfiltered = dataclasses.replace(filters, doc_type=())
    if params.type:
        doc_ids = set(Searcher(index).search_page(result.query, 1, 1, params.mode, unfiltered, params.fusion,
                                                  passages=1)[1])
    facet_counts = FacetCounts(**count_facets(index, filters=unfiltered, doc_ids=doc_ids))
    return _logged_search(usage, caller, params, result), facet_counts


def run_facets(caller: Caller, index: Index, params: FacetParams) -> FacetsResult:
    """Counts per type, year, source folder and language over what `q` finds (every document when empty)."""
    counts = count_facets(index, params.q, _filters(params, caller), params.mode)
    return FacetsResult(query=params.q, facets=FacetCounts(**counts))


def run_who_knows(caller: Caller, index: Index, params: WhoKnowsParams, usage: Usage | None = None) -> WhoKnowsResult:
    """People ranked for a topic, each with the passages that earned the rank (only ones the caller may read)."""
    from kmsearch.search.experts import who_knows

    people = who_knows(index, params.q, k=params.k, groups=caller.groups)
    query_id = usage.asked("who-knows", caller.key, params.q, results=len(people),
                           top_score=people[0].score if people else None,
                           shown=list(dict.fromkeys(e.doc_id for p in people for e in p.evidence))) if usage else None
    return WhoKnowsResult(query=params.q, people=[Person.model_validate(p.to_json()) for p in people],
                          query_id=query_id)


def run_where_is(caller: Caller, index: Index, params: WhereIsParams, usage: Usage | None = None) -> WhereIsResult:
    """The documents a description means, with their best pages and where the paper copy is kept."""
    from kmsearch.search.where import where_is

    found = where_is(index, params.q, k=params.k, groups=caller.groups)
    documents = [LocatedDocument.model_validate(d.to_json()) for d in found]
    query_id = usage.asked("where-is", caller.key, params.q, results=len(documents),
                           shown=[d.doc_id for d in documents if d.doc_id]) if usage else None
    return WhereIsResult(query=params.q, documents=documents, query_id=query_id)


def readable_document(caller: Caller, index: Index, doc_id: str) -> DocumentRecord:
    """The catalogue's record of `doc_id`; 404 alike when it does not exist and when the caller may not read it."""
    doc = index.catalog.document(doc_id, caller.groups)
    if doc is None:
        raise ApiError(404, "not_found", f"no document {doc_id!r}")
    return doc


def get_document(caller: Caller, index: Index, doc_id: str, usage: Usage | None = None,
                 query_id: str | None = None, rank: int | None = None) -> DocumentDetail:
    """A document's metadata, page texts and register entry (hidden when the entry is restricted from the caller).
    With `usage`, the view is logged (with the result rank it was opened from) and, if restricted, audited."""
    doc = readable_document(caller, index, doc_id)
    if usage is not None:
        usage.opened("view", caller.key, doc, query_id, rank)
    pages = [PageText(number=p.number, text=p.text, ocr=p.ocr) for p in index.catalog.pages(doc_id)]
    register = index.catalog.register_entry(doc.reference, caller.groups) if doc.reference else None
    fields = {k: getattr(doc, k) for k in _DOCUMENT_FIELDS} | {"authors": list(doc.authors)}
    return DocumentDetail(**fields, file_url=f"{API}/documents/{doc_id}/file", pages=pages,
                          register_entry=RegisterEntry.model_validate(register.to_json()) if register else None)


@dataclass(frozen=True)
class DocumentFile:
    path: str
    media_type: str
    filename: str
    inline: bool  # shown in the browser (PDFs and images); anything else is saved, never rendered here


def get_document_file(caller: Caller, index: Index, doc_id: str, usage: Usage | None = None,
                      query_id: str | None = None, rank: int | None = None) -> DocumentFile:
    """The original file of a readable document: only the catalogue's path, never one a user names, and never
    through a symbolic link that leads outside the folder it was ingested from.

    The media type comes from the format sniffed at ingest, never from the file's name; only a PDF or an image
    is shown inline, and an image only while its first bytes still say which image it is. An HTML page (or a
    text file that contains HTML) is saved as an attachment, so no script of it runs at this origin."""
    doc = readable_document(caller, index, doc_id)
    path = Path(doc.path)
    real, root = os.path.realpath(path), os.path.realpath(doc.source or path.parent)
    if not (real == root or real.startswith(root + os.sep)) or not os.path.isfile(real):
        raise ApiError(404, "not_found", f"the file of document {doc_id!r} is no longer available")
    fmt = doc.format
    if fmt == "image":
        with open(real, "rb") as fh:
            head = fh.read(4)
        media = next((m for magic, m in IMAGE_TYPES.items() if head.startswith(magic)), "application/octet-stream")
    else:
        media = MEDIA_TYPES.get(fmt, "application/octet-stream")
    inline = fmt == "pdf" or media.startswith("image/")
    if usage is not None:
        usage.opened("download", caller.key, doc, query_id, rank)
    return DocumentFile(real, media, path.name, inline)


def ingested_sources(holder: IndexHolder) -> list[str]:
    """The folders ingested before (the default of a re-index); none when there is no index yet."""
    try:
        index = holder.current()
    except KmsearchError:
        return []
    return index.catalog.sources()


def source_roots(holder: IndexHolder) -> list[str]:
    """The folders a re-index may take, symbolic links and `..` resolved: the `source_roots` setting, else the
    folders already ingested into the index."""
    configured = [str(p) for p in holder.settings.source_roots]
    return sorted({os.path.realpath(root) for root in configured or ingested_sources(holder)})


def _under(path: str, roots: list[str]) -> bool:
    try:
        real = os.path.realpath(path)  # a link or `..` that leads out of a root is outside it
    except (OSError, ValueError):  # a NUL byte, a loop
        return False
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def start_reindex(jobs: Jobs, paths: list[str] | None, who: str | None = None) -> JobResult:
    """Start an incremental re-index of `paths` (default: every folder ingested before) in the background.
    Only paths under the source roots: a librarian's key, or a script that got hold of one, cannot index
    another part of the server (say /etc) and publish it to every reader; anything else answers 403."""
    roots = source_roots(jobs.holder)
    paths = paths or ingested_sources(jobs.holder)
    if not paths:
        raise InvalidParameterError("paths: nothing to re-index; give the folders to ingest")
    refused = [p for p in paths if not _under(p, roots)]
    if refused:
        allowed = ", ".join(roots) or "none yet (ingest a folder with `kmsearch ingest`, or set source_roots)"
        raise ApiError(403, "forbidden", f"re-index may only take paths under the source roots; refused "
                       f"{', '.join(map(repr, refused))}; allowed: {allowed}",
                       detail={"refused": refused, "allowed_roots": roots})
    return JobResult(job=Job.model_validate(jobs.start(paths, who).to_json()))


def get_job(jobs: Jobs, job_id: str) -> JobResult:
    found = jobs.jobs.get(job_id)
    if found is None:
        raise ApiError(404, "not_found", f"no job {job_id!r}")
    return JobResult(job=Job.model_validate(found.to_json()))
