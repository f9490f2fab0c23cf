"""The staff page: server-rendered Jinja2, no build step. It calls the library directly, with the same
access rule as the API (the signed-in key's groups)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from kmsearch.errors import KmsearchError
from kmsearch.search import Searcher
from kmsearch.search.facets import facets
from kmsearch.types import DOC_TYPES

HERE = Path(__file__).parent
TABS = (("search", "Search", "/"), ("who", "Who knows", "/who-knows"), ("where", "Where is", "/where-is"))


def format_location(location: dict[str, str] | None) -> str:
    """"Tshwane Building · room B-07 · cabinet C4 · shelf 1" from a register location."""
    location = location or {}
    parts = [location["building"]] if location.get("building") else []
    parts += [f"{k} {location[k]}" for k in ("room", "cabinet", "shelf") if location.get(k)]
    return " · ".join(parts)


def add_pages(app: FastAPI, caller_from_request: Callable[[Request], Any], index: Callable[[], Any]) -> None:
    from kmsearch.api.app import KEY_COOKIE, ApiError, FilterParams

    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["marked"] = lambda s: Markup(s)  # snippets are escaped by kmsearch, <mark> only
    templates.env.filters["location"] = format_location
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("tabs", TABS)
        context.setdefault("signed_in", not app.state.open_mode and bool(request.cookies.get(KEY_COOKIE)))
        return templates.TemplateResponse(request, name, context, status_code=status)

    def who_or_redirect(request: Request) -> Any:
        try:
            return caller_from_request(request)
        except ApiError:
            return None

    def page(tab: str, template: str, run: Callable[[Any, Any, str, dict[str, Any]], dict[str, Any]]) -> Callable:
        def handler(request: Request) -> Response:
            who = who_or_redirect(request)
            if who is None:
                return RedirectResponse("/signin?" + urlencode({"next": str(request.url.path)}), status_code=303)
            params = dict(request.query_params)
            q = params.get("q", "").strip()
            context: dict[str, Any] = {"tab": tab, "q": q, "params": params, "doc_types": DOC_TYPES}
            try:
                context |= run(who, index(), q, params)
            except KmsearchError as exc:
                return render(request, template, status=422 if "must" in str(exc) else 503, error=str(exc), **context)
            return render(request, template, **context)

        return handler

    def run_search(who: Any, idx: Any, q: str, params: dict[str, Any]) -> dict[str, Any]:
        types = [t for t in params.get("type", "").split(",") if t] if params.get("type") else []
        fp = FilterParams(types or None, params.get("from") or None, params.get("to") or None,
                          params.get("author") or None, params.get("source") or None, None)
        filters = fp.filters(who)
        if not q:
            return {"hits": [], "total": 0, "facets": {}, "selected_types": types}
        # facets count the documents found without the type filter, so other types stay choosable
        unfiltered = dataclasses.replace(filters, doc_type=())
        hits, doc_ids = Searcher(idx).search_page(q, 1, 10, "hybrid", filters)
        all_ids = Searcher(idx).search_page(q, 1, 1, "hybrid", unfiltered, passages=1)[1] if types else doc_ids
        return {"hits": hits, "total": len(doc_ids), "facets": facets(idx, filters=unfiltered, doc_ids=all_ids),
                "selected_types": types}

    def run_who(who: Any, idx: Any, q: str, params: dict[str, Any]) -> dict[str, Any]:
        from kmsearch.search.experts import who_knows

        return {"people": [p.to_json() for p in who_knows(idx, q, k=10, groups=who.groups)] if q else []}

    def run_where(who: Any, idx: Any, q: str, params: dict[str, Any]) -> dict[str, Any]:
        from kmsearch.search.where import where_is

        return {"documents": [d.to_json() for d in where_is(idx, q, k=5, groups=who.groups)] if q else []}

    app.add_api_route("/", page("search", "search.html", run_search), methods=["GET"], include_in_schema=False)
    app.add_api_route("/who-knows", page("who", "people.html", run_who), methods=["GET"], include_in_schema=False)
    app.add_api_route("/where-is", page("where", "where.html", run_where), methods=["GET"], include_in_schema=False)

    @app.get("/documents/{doc_id}", include_in_schema=False)
    def document_page(request: Request, doc_id: str) -> Response:
        who = who_or_redirect(request)
        if who is None:
            return RedirectResponse("/signin?" + urlencode({"next": str(request.url.path)}), status_code=303)
        idx = index()
        doc = idx.catalog.document(doc_id, who.groups)
        if doc is None:
            return render(request, "error.html", status=404, tab="", message="No such document.")
        pages = [(p.number, p.text) for p in idx.catalog.pages(doc_id)]
        # the same rule as the API's document route: a restricted entry's shelf stays hidden
        register = idx.catalog.register_entry(doc.reference, who.groups) if doc.reference else None
        return render(request, "document.html", tab="", doc=doc, pages=pages,
                      register=register.to_json() if register else None, page=request.query_params.get("page"))

    @app.get("/signin", include_in_schema=False)
    def signin_form(request: Request, next: str = "/") -> Response:
        return render(request, "signin.html", tab="", next=next if next.startswith("/") else "/")

    @app.post("/signin", include_in_schema=False)
    def signin(request: Request, key: str = Form(..., max_length=200), next: str = Form("/")) -> Response:
        if app.state.keys.verify(key.strip()) is None:
            return render(request, "signin.html", status=401, tab="", next=next, error="That key is not valid.")
        response = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
        response.set_cookie(KEY_COOKIE, key.strip(), httponly=True, samesite="strict", max_age=8 * 3600)
        return response

    @app.post("/signout", include_in_schema=False)
    def signout() -> Response:
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(KEY_COOKIE)
        return response
