"""The HTTP service: a JSON API under /api/v1 and the staff search page, built by `create_app(settings)`.

Every read path filters by the caller's access groups before ranking and counting; a document the caller
may not read answers 404, exactly as one that does not exist.
"""


import logging
import mimetypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kmsearch import __version__
from kmsearch.access import caller_groups, may_read
from kmsearch.api.keys import ApiKey, KeyStore, keys_path
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.config import Settings
from kmsearch.errors import IndexError_, IndexLockedError, InvalidParameterError, KmsearchError
from kmsearch.index.embed import Embedder
from kmsearch.index.store import Index
from kmsearch.search import Filters, Searcher
from kmsearch.search.facets import facets as compute_facets
from kmsearch.search.hybrid import MAX_QUERY_CHARS
from kmsearch.types import DOC_TYPES

log = logging.getLogger(__name__)
KEY_COOKIE = "kmsearch_key"
MAX_PAGE_SIZE = 50
MAX_PAGE = 20
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, detail: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


def error_response(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "detail": detail}}, status_code=status)


@dataclass(frozen=True)
class Caller:
    key: ApiKey | None  # None in open (single-user) mode
    groups: frozenset[str] | None  # None reads everything

    def can(self, role: str) -> bool:
        return self.key is None or self.key.can(role)

    def may_read(self, access_groups: list[str]) -> bool:
        return may_read(self.groups, access_groups)


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_parameter"])
    message: str = Field(examples=["k: Input should be less than or equal to 50"])
    detail: Any = None


class ErrorResponse(BaseModel):
    """Every error, from every endpoint, has this shape."""

    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in ((401, "No valid API key"), (403, "The key's role may not do this"),
                         (404, "Not found, or not readable with this key"), (409, "A re-index is already running"),
                         (422, "A parameter is invalid or over its limit"), (500, "Unexpected error"),
                         (503, "No index yet, or it cannot be opened"))
}


class ReindexRequest(BaseModel):
    paths: list[str] | None = Field(
        default=None, description="Folders or files to re-index; default: every folder ingested before.",
        examples=[["corpus/"]], max_length=100,
    )


# --- query parameters shared by the API and the page ---------------------------------------------------------
DocType = Literal[DOC_TYPES]  # type: ignore[valid-type]
QueryText = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="What to look for.",
                                 examples=["mobile service delivery"])]


@dataclass
class FilterParams:
    type: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    author: str | None = None
    source: str | None = None
    language: str | None = None

    def filters(self, caller: Caller) -> Filters:
        return Filters(tuple(self.type or ()), self.date_from, self.date_to, self.author, self.source,
                       self.language, groups=caller.groups)


def filter_params(
    type: Annotated[list[DocType] | None, Query(description="Document type, repeatable.",
                                                max_length=len(DOC_TYPES))] = None,
    date_from: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", examples=["2009"])] = None,
    date_to: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", examples=["2014-12"])] = None,
    author: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=500, description="A folder name or path.")] = None,
    language: Annotated[str | None, Query(pattern=r"^[a-zA-Z]{2,3}$", description="ISO 639-1 code, or nso.")] = None,
) -> FilterParams:
    return FilterParams(type, date_from, date_to, author, source, language)


def create_app(settings: Settings, open_mode: bool = False, embedder: Embedder | None = None) -> FastAPI:
    """The service over `settings.index_dir`. `open_mode` drops API keys (a single-user desktop)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, CONTENT_TYPE_LATEST

    holder = IndexHolder(settings, embedder)
    jobs = Jobs(holder)
    keys = KeyStore(keys_path(settings.index_dir))
    registry = CollectorRegistry()
    requests_total = Counter("kmsearch_requests_total", "HTTP requests", ["route", "status"], registry=registry)
    latency = Histogram("kmsearch_request_seconds", "HTTP request latency", ["route"], registry=registry)

    app = FastAPI(
        title="kmsearch",
        version=__version__,
        description="Search a department's documents. Send an API key as `Authorization: Bearer <key>` or "
        "`X-API-Key`. Every error answers `{\"error\": {\"code\", \"message\", \"detail\"}}`.",
        responses=ERRORS,
    )
    app.state.settings, app.state.holder, app.state.jobs, app.state.keys = settings, holder, jobs, keys
    app.state.open_mode = open_mode

    # --- errors: one shape everywhere ------------------------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"][1:]) or "request"
        return error_response(422, "invalid_parameter", f"{where}: {first['msg']}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(KmsearchError)
    async def _library(request: Request, exc: KmsearchError) -> JSONResponse:
        if isinstance(exc, InvalidParameterError):
            return error_response(422, "invalid_parameter", str(exc))
        if isinstance(exc, IndexLockedError):
            return error_response(409, "busy", str(exc))
        if isinstance(exc, IndexError_):
            return error_response(503, "index_unavailable", str(exc))
        return error_response(500, "internal_error", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal_error", "unexpected error; see the service log")

    @app.middleware("http")
    async def _measure(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        latency.labels(name).observe(time.perf_counter() - started)
        requests_total.labels(name, str(response.status_code)).inc()
        return response

    # --- who is asking ---------------------------------------------------------------------------------------
    def caller(request: Request) -> Caller:
        if open_mode:
            return Caller(None, None)
        auth = request.headers.get("authorization", "")
        secret = (auth[7:].strip() if auth.lower().startswith("bearer ") else None) or request.headers.get(
            "x-api-key") or request.cookies.get(KEY_COOKIE)
        key = keys.verify(secret)
        if key is None:
            raise ApiError(401, "unauthorized", "a valid API key is required (missing, unknown or revoked)")
        return Caller(key, caller_groups(key.groups))

    def librarian(who: Annotated[Caller, Depends(caller)]) -> Caller:
        if not who.can("librarian"):
            raise ApiError(403, "forbidden", "this needs a librarian or admin key")
        return who

    def index() -> Index:
        return holder.current()

    Who = Annotated[Caller, Depends(caller)]
    Idx = Annotated[Index, Depends(index)]
    Filt = Annotated[FilterParams, Depends(filter_params)]

    def readable_document(idx: Index, doc_id: str, who: Caller) -> dict[str, Any]:
        doc = idx.catalog.document(doc_id)
        if doc is None or not who.may_read(doc["access_groups"]):
            raise ApiError(404, "not_found", f"no document {doc_id!r}")
        return doc

    # --- routes ----------------------------------------------------------------------------------------------
    v1 = "/api/v1"

    @app.get(f"{v1}/health", tags=["service"], summary="Liveness and the generation being served")
    def health() -> dict[str, Any]:
        try:
            generation = holder.current().generation
        except KmsearchError:
            generation = None
        return {"status": "ok" if generation else "no_index", "generation": generation, "version": __version__}

    @app.get(f"{v1}/metrics", tags=["service"], summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get(f"{v1}/search", tags=["search"], summary="Topic search: documents with their best passages")
    def search(
        q: QueryText, who: Who, idx: Idx, f: Filt,
        mode: Annotated[str, Query(pattern="^(hybrid|dense|bm25)$")] = "hybrid",
        fusion: Annotated[str | None, Query(pattern="^(rrf|score)$")] = None,
        k: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Documents per page.")] = 10,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        passages: Annotated[int, Query(ge=1, le=10)] = 3,
    ) -> dict[str, Any]:
        hits, doc_ids = Searcher(idx).search_page(q, page, k, mode, f.filters(who), fusion, passages)
        return {"query": q, "mode": mode, "page": page, "k": k, "total": len(doc_ids), "generation": idx.generation,
                "hits": [h.to_json() for h in hits]}

    @app.get(f"{v1}/facets", tags=["search"], summary="Counts per type, year, source folder and language")
    def facets(who: Who, idx: Idx, f: Filt,
               q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
               mode: Annotated[str, Query(pattern="^(hybrid|dense|bm25)$")] = "hybrid") -> dict[str, Any]:
        return {"query": q, "facets": compute_facets(idx, q, f.filters(who), mode)}

    @app.get(f"{v1}/who-knows", tags=["people"], summary="People ranked for a topic, each with the evidence")
    def who_knows(q: QueryText, who: Who, idx: Idx,
                  k: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10) -> dict[str, Any]:
        from kmsearch.search.experts import who_knows as rank_people

        return {"query": q, "people": [p.to_json() for p in rank_people(idx, q, k=k, groups=who.groups)]}

    @app.get(f"{v1}/where-is", tags=["search"], summary="Where a document is: file, pages, shelf, custodian")
    def where_is(q: QueryText, who: Who, idx: Idx,
                 k: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 5) -> dict[str, Any]:
        from kmsearch.search.where import where_is as locate

        return {"query": q, "documents": [d.to_json() for d in locate(idx, q, k=k, groups=who.groups)]}

    @app.get(f"{v1}/documents/{{doc_id}}", tags=["documents"], summary="A document: metadata, pages, register entry")
    def document(doc_id: Annotated[str, Field(max_length=64)], who: Who, idx: Idx) -> dict[str, Any]:
        doc = readable_document(idx, doc_id, who)
        pages = [{"number": r[0], "text": r[1], "ocr": bool(r[2])} for r in idx.catalog.conn.execute(
            "SELECT number, text, ocr FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))]
        register = idx.catalog.register_entry(doc["reference"]) if doc.get("reference") else None
        if register and not who.may_read(register["access_groups"]):
            register = None
        keep = ("doc_id", "path", "title", "format", "doc_type", "authors", "created", "modified", "date",
                "language", "n_pages", "reference", "indexed_at")
        return {**{k: doc[k] for k in keep}, "file_url": f"{v1}/documents/{doc_id}/file", "pages": pages,
                "register": register}

    @app.get(f"{v1}/documents/{{doc_id}}/file", tags=["documents"], summary="The original file",
             response_class=FileResponse)
    def document_file(doc_id: Annotated[str, Field(max_length=64)], who: Who, idx: Idx) -> FileResponse:
        doc = readable_document(idx, doc_id, who)
        path = Path(doc["path"])
        real, root = os.path.realpath(path), os.path.realpath(doc["source"] or path.parent)
        # the catalogue's path only, never a user's; and a symlink may not lead outside the ingested folder
        if not (real == root or real.startswith(root + os.sep)) or not os.path.isfile(real):
            raise ApiError(404, "not_found", f"the file of document {doc_id!r} is no longer available")
        media = MEDIA_TYPES.get(doc["format"]) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(real, media_type=media, filename=path.name, content_disposition_type="inline")

    @app.post(f"{v1}/admin/reindex", tags=["admin"], status_code=202, summary="Start an incremental re-index")
    def reindex(who: Annotated[Caller, Depends(librarian)], body: ReindexRequest | None = None) -> dict[str, Any]:
        paths = (body.paths if body else None) or _ingested_sources(holder)
        if not paths:
            raise InvalidParameterError("paths: nothing to re-index; give the folders to ingest")
        return {"job": jobs.start(paths).to_json()}

    @app.get(f"{v1}/admin/jobs/{{job_id}}", tags=["admin"], summary="A re-index job's progress and report")
    def job(job_id: Annotated[str, Field(max_length=64)], who: Annotated[Caller, Depends(librarian)]) -> dict[str, Any]:
        found = jobs.jobs.get(job_id)
        if found is None:
            raise ApiError(404, "not_found", f"no job {job_id!r}")
        return {"job": found.to_json()}

    from kmsearch.api.pages import add_pages

    add_pages(app, caller_from_request=caller, index=index)
    return app


def _ingested_sources(holder: IndexHolder) -> list[str]:
    try:
        idx = holder.current()
    except KmsearchError:
        return []
    return [r[0] for r in idx.catalog.conn.execute("SELECT DISTINCT source FROM documents WHERE source != '' ORDER BY 1")]
