"""The staff page: server-rendered Jinja2, no build step.

It calls the same service functions as the JSON routes, with the parameters validated by the same models, and
answers errors through the same `errors.describe`: what the API refuses with 422, the page refuses with 422 and
the same message, shown under the search box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from kmsearch.analytics import charts, export
from kmsearch import __version__
from kmsearch.api import reports, service
from kmsearch.api.deps import PageCallerDep, get_index, get_usage
from kmsearch.api.usage import Usage
from kmsearch.api.errors import ApiError, ErrorInfo, describe, is_unexpected
from kmsearch.api.export_schemas import PAGE_SIZE, CatalogueParams, DocumentsExportParams
from kmsearch.api.routes.export import exported
from kmsearch.api.schemas import MAX_PAGE, FilterParams, Location, SearchParams, WhereIsParams, WhoKnowsParams
from kmsearch.api.service import Caller
from kmsearch.api.sessions import SESSION_COOKIE
from kmsearch.index.store import Index
from kmsearch.search.hybrid import MAX_QUERY_CHARS
from kmsearch.types import DOC_TYPES

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
TABS = (("search", "Search", "/"), ("who", "Who knows", "/who-knows"), ("where", "Where is", "/where-is"))
# The librarian's pages, in a navigation of their own (shown to librarian and admin keys)
LIBRARIAN_TABS = (("analytics", "Search analytics", "/analytics"), ("audit", "Knowledge audit", "/audit"),
                  ("catalogue", "Catalogue", "/catalogue"), ("admin", "Sources", "/admin"))
# Links made before the filter form used the API's parameter names still work.
_OLD_NAMES = {"date_from": "from", "date_to": "to"}

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["marked"] = lambda s: Markup(s)  # snippets are escaped by kmsearch, <mark> only
router = APIRouter(include_in_schema=False)


def format_location(location: Location | None) -> str:
    """"Tshwane Building · room B-07 · cabinet C4 · shelf 1" from a register location."""
    if location is None:
        return ""
    parts = [location.building] if location.building else []
    parts += [f"{k} {getattr(location, k)}" for k in ("room", "cabinet", "shelf") if getattr(location, k)]
    return " · ".join(parts)


templates.env.filters["location"] = format_location


def shown_path(path: str | None, mapping: dict[str, str]) -> str:
    """A file's path as staff know it: its longest matching server prefix replaced (`path_display` setting), with
    the separators of the replacement (a Windows share's backslashes)."""
    if not path:
        return ""
    prefix = max((p for p in mapping if path.startswith(p)), key=len, default=None)
    if prefix is None:
        return path
    target = mapping[prefix]
    rest = path[len(prefix):]
    return target + (rest.replace("/", "\\") if "\\" in target and "://" not in target else rest)


templates.env.filters["shown_path"] = shown_path


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("tabs", TABS)
    context.setdefault("version", __version__)
    context.setdefault("max_query", MAX_QUERY_CHARS)
    context.setdefault("path_map", request.app.state.settings.path_display)
    context.setdefault("librarian_tabs", LIBRARIAN_TABS if context.get("librarian") else ())
    context.setdefault("signed_in", not request.app.state.open_mode and bool(request.cookies.get(SESSION_COOKIE)))
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, info: ErrorInfo) -> HTMLResponse:
    """The page's rendering of any error (`errors.install_error_handlers` calls it for every non-API path)."""
    return render(request, "error.html", status=info.status, tab="", message=info.message)


def _sign_in_first(request: Request) -> Response:
    """To sign-in, and back to this very page (its query too) after it. A session cookie that no longer names an
    active key (revoked, or expired) is why, and the sign-in page says so."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = {"next": target} | ({"ended": "1"} if request.cookies.get(SESSION_COOKIE) else {})
    return RedirectResponse("/signin?" + urlencode(params), status_code=303)


Run = Callable[[Caller, Index, str, QueryParams, Usage], dict[str, Any]]


def _tab(request: Request, caller: Caller | None, tab: str, template: str, run: Run) -> Response:
    """One search tab: the form, and the answer to its query or the error, with the status the API would give."""
    if caller is None:
        return _sign_in_first(request)
    params = request.query_params
    q = params.get("q", "").strip()
    context: dict[str, Any] = {"tab": tab, "q": q, "params": dict(params), "doc_types": DOC_TYPES,
                               "librarian": caller.can("librarian")}
    try:
        context |= run(caller, get_index(request), q, params, get_usage(request))
    except Exception as exc:  # every error answers through the one mapping, as in the API
        if is_unexpected(exc):
            log.error("unhandled error on %s", request.url.path, exc_info=exc)
        info = describe(exc)
        return render(request, template, status=info.status, error=info.message, **context)
    return render(request, template, **context)


KEPT = ("date_from", "date_to", "author", "source", "language", "sort")  # carried into a new query, with the types


def search_params(q: str, params: QueryParams) -> SearchParams:
    """The page's query string as the API's search parameters (the form sends types comma-separated too)."""
    data: dict[str, Any] = {"q": q, "type": [t for v in params.getlist("type") for t in v.split(",") if t] or None}
    for name in (*FilterParams.model_fields.keys() - {"type"}, "page", "sort", "k", "spell"):
        data[name] = params.get(name) or params.get(_OLD_NAMES.get(name, name)) or None
    return SearchParams.model_validate({k: v for k, v in data.items() if v is not None})


def kept_filters(checked: SearchParams) -> list[tuple[str, str]]:
    """The filters and order of this search as (name, value) pairs: hidden fields of the search box, so that a new
    query keeps them, and the query string of the page links."""
    kept = [("type", t) for t in checked.type or ()]
    kept += [(name, str(getattr(checked, name))) for name in KEPT if getattr(checked, name) not in (None, "relevance")]
    return kept


def page_links(checked: SearchParams, total: int) -> list[tuple[int, str]]:
    """(page number, URL) of every page of results there is, up to the API's last page."""
    last = min(MAX_PAGE, -(-total // checked.k))
    base = [("q", checked.q), *kept_filters(checked), *([("k", str(checked.k))] if checked.k != 10 else [])]
    return [(n, "/?" + urlencode(base + ([("page", str(n))] if n > 1 else []))) for n in range(1, last + 1)] \
        if last > 1 else []


def _search(caller: Caller, index: Index, q: str, params: QueryParams, usage: Usage) -> dict[str, Any]:
    if not q:
        return {"hits": [], "total": 0, "facets": {}, "selected_types": [], "kept": []}
    checked = search_params(q, params)
    found, counts = service.run_search_with_facets(caller, index, checked, usage)
    dates_crossed = bool(checked.date_from and checked.date_to and checked.date_from[:10] > checked.date_to[:10])
    return {"hits": found.hits, "total": found.total, "facets": counts.model_dump(),
            "selected_types": checked.type or [], "query_id": found.query_id,
            "first_rank": (checked.page - 1) * checked.k + 1, "kept": kept_filters(checked),
            "pages": page_links(checked, found.total), "current_page": checked.page, "sort": checked.sort,
            "dates_crossed": dates_crossed, "suggestion": found.suggestion, "acronyms": found.acronyms, "corrected_from": found.corrected_from,
            "searched": found.query, "link_for": lambda query, **extra: "/?" + urlencode(
                [("q", query), *kept_filters(checked), *extra.items()])}


def _who(caller: Caller, index: Index, q: str, params: QueryParams, usage: Usage) -> dict[str, Any]:
    if not q:
        return {"people": []}
    found = service.run_who_knows(caller, index, WhoKnowsParams(q=q), usage)
    return {"people": found.people, "query_id": found.query_id}


def _where(caller: Caller, index: Index, q: str, params: QueryParams, usage: Usage) -> dict[str, Any]:
    if not q:
        return {"documents": []}
    found = service.run_where_is(caller, index, WhereIsParams(q=q), usage)
    return {"documents": found.documents, "query_id": found.query_id}


@router.get("/")
def search_page(request: Request, caller: PageCallerDep) -> Response:
    return _tab(request, caller, "search", "search.html", _search)


@router.get("/who-knows")
def who_knows_page(request: Request, caller: PageCallerDep) -> Response:
    return _tab(request, caller, "who", "people.html", _who)


@router.get("/where-is")
def where_is_page(request: Request, caller: PageCallerDep) -> Response:
    return _tab(request, caller, "where", "where.html", _where)


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: str, caller: PageCallerDep) -> Response:
    if caller is None:
        return _sign_in_first(request)
    params = request.query_params
    rank = params.get("rank", "")
    doc = service.get_document(caller, get_index(request), doc_id, get_usage(request),  # errors: render_error
                               (params.get("query_id") or "")[:64] or None, int(rank) if rank.isdigit() else None)
    return render(request, "document.html", tab="", doc=doc, page=request.query_params.get("page"))


Days = Query(90, ge=1, le=3660)


@router.get("/analytics")
def analytics_page(request: Request, caller: PageCallerDep, days: int = Days) -> Response:
    """The KM manager's dashboard: gaps, most asked and opened, click-through, per unit and week."""
    if caller is None:
        return _sign_in_first(request)
    state = request.app.state
    report = reports.run_analytics(caller, get_index(request), state.settings, state.reports, days)  # 403: error page
    return render(request, "analytics.html", tab="analytics", librarian=True, days=days, report=report,
                  charts={"over_time": charts.searches_over_time(report["usage"]["over_time"])})


@router.get("/audit")
def audit_page(request: Request, caller: PageCallerDep, days: int = Days) -> Response:
    """The knowledge audit: topics with their documents, people and flags; people; the registers' findings."""
    if caller is None:
        return _sign_in_first(request)
    state = request.app.state
    audit = reports.run_audit(caller, get_index(request), state.settings, state.reports, days)
    librarian = caller.can("librarian")
    return render(request, "audit.html", tab="audit", librarian=librarian, days=days, audit=audit,
                  year_table=charts.year_type_table(audit["documents_by_year"]),
                  groups_note="" if librarian else "Counted from the documents your key may read.",
                  charts={"topics": charts.topics_chart(audit["topics"]),
                          "topics_height": charts.topics_height(audit["topics"]),
                          "years": charts.documents_per_year(audit["documents_by_year"])})


CATALOGUE_COLUMNS = (("title", "Title"), ("reference", "Reference"), ("type", "Type"), ("date", "Date"),
                     ("location", "Location"), ("custodian", "Custodian"), ("groups", "Access groups"),
                     ("path", "File"))
Checked = TypeVar("Checked", bound=CatalogueParams)
HELD_LABELS = {"file": "Indexed file", "paper": "Paper only", "missing": "File not indexed"}


def _librarian(caller: Caller, what: str) -> None:
    if not caller.can("librarian"):
        raise ApiError(403, "forbidden", f"{what} needs a librarian or admin key")


def _checked(params: QueryParams, model: type[Checked]) -> Checked:
    """The query string's values that the model takes, without the form's empty fields ("any type"), validated:
    422 on the error page, with the API's message, for a value the API refuses."""
    try:
        return model.model_validate({k: v for k, v in params.items() if v and k in model.model_fields})
    except ValidationError as exc:
        info = describe(exc)
        raise ApiError(info.status, info.code, info.message, info.detail) from None


@router.get("/catalogue")
def catalogue_page(request: Request, caller: PageCallerDep, page: int = Query(1, ge=1, le=100_000)) -> Response:
    """Every record, indexed or only in a register, with type, date, location, custodian and groups: sorted by
    any column, filtered, paged, and downloadable as it is shown."""
    if caller is None:
        return _sign_in_first(request)
    _librarian(caller, "the catalogue")
    params = _checked(request.query_params, CatalogueParams)
    found = export.catalogue_page(get_index(request), params.query(), page, PAGE_SIZE)
    last = max(1, -(-found["total"] // PAGE_SIZE))
    if page > last:  # an old link after a re-index, or a typed number: the last page there is
        page = last
        found = export.catalogue_page(get_index(request), params.query(), page, PAGE_SIZE)
    kept = [(k, str(v)) for k, v in params.model_dump(exclude_defaults=True).items()]
    filters = [(k, v) for k, v in kept if k not in ("sort", "order")]

    def sorted_by(column: str) -> str:
        order = "desc" if column == params.sort and params.order == "asc" else "asc"
        return "/catalogue?" + urlencode(filters + [("sort", column), ("order", order)])

    pages = [(n, "/catalogue?" + urlencode(kept + ([("page", str(n))] if n > 1 else [])))
             for n in sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})]
    o = found["options"]
    choices = {name: [(v, v) for v in o[key]] for name, key in
               (("type", "types"), ("year", "years"), ("custodian", "custodians"), ("group", "groups"))}
    return render(request, "catalogue.html", tab="catalogue", librarian=True, params=params, found=found,
                  choices=choices | {"folder": o["folders"], "held": list(HELD_LABELS.items())},
                  columns=CATALOGUE_COLUMNS, labels=dict(CATALOGUE_COLUMNS), sorted_by=sorted_by, pages=pages,
                  current_page=page, last_page=last, first_row=(page - 1) * PAGE_SIZE + 1, query=urlencode(kept),
                  may_read=caller.may_read, held_labels=HELD_LABELS)


@router.get("/catalogue/export/{what}")
def catalogue_export(request: Request, caller: PageCallerDep, response: Response,
                     what: str = PathParam(pattern="^(documents|people|events|failures)$")) -> Response:
    """The page's downloads: the catalogue as filtered and sorted on the page, or people, events or failures."""
    if caller is None:
        return _sign_in_first(request)
    _librarian(caller, "exporting the catalogue")
    params = _checked(request.query_params, DocumentsExportParams)
    return exported(what, params.format, caller, get_index(request), get_usage(request), response,
                    params if what == "documents" else None)


@router.get("/signin")
def signin_form(request: Request, next: str = "/", ended: str = "") -> Response:
    note = "Your session has ended: the key was revoked or the session expired. Sign in again." if ended else ""
    return render(request, "signin.html", tab="", next=_local(next), note=note)


def _local(target: str) -> str:
    """`target` when it is a path on this site, else "/" (no redirect to another site through sign-in)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.post("/signin")
def signin(request: Request, key: str = Form(..., max_length=200), next: str = Form("/")) -> Response:
    """Sign in with a key: the cookie names the key (signed), never holds it. Posts from another origin never
    get here (`security.refuse_cross_origin`), so no other site can sign a browser in with its own key."""
    found = request.app.state.keys.verify(key.strip())
    if found is None:
        return render(request, "signin.html", status=401, tab="", next=next, error="That key is not valid.")
    response = RedirectResponse(_local(next), status_code=303)
    request.app.state.sessions.sign_in(request, response, found)
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    request.app.state.sessions.sign_out(response)
    return response


def add_pages(app: FastAPI) -> None:
    """Mount the page's routes and static files on `app`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
