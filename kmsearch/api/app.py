"""The HTTP service, assembled: a JSON API under /api/v1 (one router per area), the staff page, and the API's
documentation at /docs and /redoc.

Every read path filters by the caller's access groups before ranking and counting; a document the caller may not
read answers 404, exactly as one that does not exist. What each route does lives in `service`; the typed contract
in `schemas`; who is calling in `deps`; how errors answer in `errors`.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

# fastapi-offline over swagger-ui-bundle: it ships Swagger UI 5.32 *and* ReDoc 2.5 (2.8 MB, no source maps) and
# serves both pages itself, where swagger-ui-bundle 1.1.0 ships the older Swagger UI 4.15.5 with its source maps
# (8.6 MB) and no ReDoc, leaving the pages to write. Either way nothing is fetched from a CDN.
from fastapi_offline import FastAPIOffline

from kmsearch import __version__
from kmsearch.api import pages, security
from kmsearch.api.errors import ERRORS, install_error_handlers
from kmsearch.api.keys import KeyStore, keys_path
from kmsearch.api.routes import admin, documents, health, people, search, where
from kmsearch.api.sessions import Sessions
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.config import Settings
from kmsearch.index.embed import Embedder

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

    install_error_handlers(app, render_page=pages.render_error)
    health.Metrics().install(app)
    for area in (health, search, people, where, documents, admin):
        app.include_router(area.router)
    pages.add_pages(app)

    security.apply_defaults(app)
    return app
