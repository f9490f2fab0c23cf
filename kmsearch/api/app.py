"""The HTTP service, assembled: a JSON API under /api/v1 (one router per area), the staff page, and the API's
documentation at /docs and /redoc.

Every read path filters by the caller's access groups before ranking and counting; a document the caller may not
read answers 404, exactly as one that does not exist. What each route does lives in `service`; the typed contract
in `schemas`; who is calling in `deps`; how errors answer in `errors`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse

# fastapi-offline over swagger-ui-bundle: it ships Swagger UI 5.32 *and* ReDoc 2.5 (2.8 MB, no source maps) and
# serves both pages itself, where swagger-ui-bundle 1.1.0 ships the older Swagger UI 4.15.5 with its source maps
# (8.6 MB) and no ReDoc, leaving the pages to write. Either way nothing is fetched from a CDN.
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from kmsearch import __version__
from kmsearch.api import admin_page, deps, pages, security
from kmsearch.api.errors import ERRORS, ErrorInfo, install_error_handlers, json_error
from kmsearch.api.keys import KeyStore, keys_path
from kmsearch.api.reports import ReportCache
from kmsearch.api.schedule import Schedule
from kmsearch.api.routes import admin, documents, export, health, insight, people, search, where
from kmsearch.api.sessions import Sessions
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.api.usage import Usage
from kmsearch.config import Settings
from kmsearch.index.embed import Embedder

UNCOMPRESSED = ("application/pdf", "image/png", "image/jpeg", "image/tiff", "application/octet-stream",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DESCRIPTION = (
    "Search a department's documents. Send an API key as `Authorization: Bearer <key>` or `X-API-Key` "
    "(in /docs: the Authorize button). Every error answers `{\"error\": {\"code\", \"message\", \"detail\"}}`."
)


def create_app(settings: Settings, open_mode: bool = False, embedder: Embedder | None = None) -> FastAPI:
    """The service over `settings.index_dir`. `open_mode` drops API keys (a single-user desktop)."""
    app = FastAPIOffline(title="kmsearch", version=__version__, description=DESCRIPTION, responses=ERRORS,
                         dependencies=[Depends(security.refuse_cross_origin)])
    holder = IndexHolder(settings, embedder)
    app.state.settings, app.state.holder, app.state.open_mode = settings, holder, open_mode
    app.state.jobs = Jobs(holder)
    app.state.keys = KeyStore(keys_path(settings.index_dir))
    app.state.sessions = Sessions(settings, app.state.keys)
    app.state.usage = Usage.for_settings(settings)
    app.state.reports = ReportCache()
    app.state.schedule = Schedule(app.state.jobs, settings.sources)
    app.router.add_event_handler("startup", app.state.schedule.start)
    app.router.add_event_handler("shutdown", app.state.schedule.shutdown)
    app.router.add_event_handler("shutdown", app.state.usage.close)

    install_error_handlers(app, render_page=pages.render_error)
    health.Metrics().install(app)
    for area in (health, search, people, where, documents, admin, export, insight):
        app.include_router(area.router)
    pages.add_pages(app)
    app.include_router(admin_page.router)
    # Pages and JSON compress to a fifth; the original files (PDF, images, the zipped Office formats) hardly do
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *UNCOMPRESSED))

    _docs_need_a_key(app)
    security.apply_defaults(app)
    return app


def _docs_need_a_key(app: FastAPI) -> None:
    """/docs, /redoc and /openapi.json need a valid key (a header, or the page's session) unless the
    `public_docs` setting opens them: the schema lists every operation and parameter. The pages send a browser
    to sign in first; the schema answers 401. Their script and style files (the libraries' own) stay open."""
    gated = {app.openapi_url, app.swagger_ui_oauth2_redirect_url, *security.DOCS_PAGES}

    @app.middleware("http")
    async def docs_gate(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if path in gated and not app.state.settings.public_docs:
            cookie_ok = request.method in security.SAFE_METHODS
            if deps.resolve_caller(request, deps.header_secret(request), cookie_ok) is None:
                if path == app.openapi_url:
                    return json_error(ErrorInfo(401, "unauthorized", "a valid API key is required for the "
                                                "API's schema (or the public_docs setting)"))
                return RedirectResponse("/signin?" + urlencode({"next": path}), status_code=303)
        return await call_next(request)
