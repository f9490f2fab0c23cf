"""The librarian's admin view of the page: the named sources with their schedules, last and next runs and the
files that fail under them, the recent ingests, the re-index job in hand, and a "Re-index now" button.

The button posts a form with the session cookie. Unlike the API's header-only admin routes this accepts the
cookie on a POST: `security.refuse_cross_origin` refuses any post from another origin before it gets here, and
the same job runner (one ingest at a time, under the source roots) does the work.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from kmsearch.api import deps, service
from kmsearch.api.errors import ApiError
from kmsearch.api.pages import _sign_in_first, render
from kmsearch.ingest import history
from kmsearch.ingest.protect import under

router = APIRouter(include_in_schema=False)
RECENT = 10


def _caller(request: Request) -> Any:
    """The caller by header or session cookie (on the button's post too: see the module docstring); None to sign
    in; 403 for a reader's key."""
    caller = deps.resolve_caller(request, deps.header_secret(request), cookie_ok=True)
    if caller is not None and not caller.can("librarian"):
        raise ApiError(403, "forbidden", "the admin view needs a librarian or admin key")
    return caller


def _walked(run: history.Run, root: str) -> bool:
    return any(under(s, root) or under(root, s) for s in run.sources)


def sources_view(request: Request) -> list[dict[str, Any]]:
    """Each named source with its last run, next run, and the files failing under it now."""
    state = request.app.state
    index_dir = state.settings.index_dir
    runs = list(history.runs(index_dir))
    failing = history.failing_now(index_dir)
    next_runs = state.schedule.next_runs()
    rows = []
    for source in state.settings.sources:
        root = os.path.abspath(source.path)
        last = next((r for r in reversed(runs) if _walked(r, root)), None)
        rows.append({"name": source.name, "path": root, "groups": list(source.groups),
                     "schedule": source.schedule, "next": next_runs.get(source.name), "last": last,
                     "failing": [f for f in failing if under(f["path"], root)],
                     "skipped": state.schedule.skipped.get(source.name)})
    return rows


@router.get("/admin")
def admin_page(request: Request, started: str = "") -> Response:
    caller = _caller(request)
    if caller is None:
        return _sign_in_first(request)
    state = request.app.state
    runs = list(history.runs(state.settings.index_dir))[::-1][:RECENT]
    return render(request, "admin.html", tab="admin", librarian=True, sources=sources_view(request), runs=runs,
                  failing=history.failing_now(state.settings.index_dir), running=state.jobs.running(),
                  started=started[:64])


@router.post("/admin/reindex")
def reindex_now(request: Request, source: str = Form("", max_length=100)) -> Response:
    caller = _caller(request)
    if caller is None:
        return _sign_in_first(request)
    state = request.app.state
    if source:
        found = [s for s in state.settings.sources if s.name == source]
        if not found:
            raise ApiError(404, "not_found", f"no source named {source!r}")
        paths: list[str] | None = [os.path.abspath(found[0].path)]
    else:
        paths = None  # every folder ingested before
    job = service.start_reindex(state.jobs, paths, f"page, key {caller.key.name}" if caller.key else None)
    state.usage.reindex(caller.key, job.job.paths, job.job.id)
    return RedirectResponse(f"/admin?started={job.job.id}", status_code=303)
