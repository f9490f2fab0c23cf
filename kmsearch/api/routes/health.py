"""The service's own routes: liveness (open: it reveals no documents or counts) and Prometheus metrics
(a key, unless the `public_metrics` setting opens them)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from kmsearch import __version__
from kmsearch.api import service
from kmsearch.api.deps import HolderDep, require_key_for_metrics
from kmsearch.api.schemas import Health
from kmsearch.errors import DamagedIndexError, KmsearchError
from kmsearch.index.recovery import repair_hint
from kmsearch.index.manifest import FORMAT_VERSION

router = APIRouter(prefix=service.API, tags=["service"])


class Metrics:
    """Request counts and latencies per route, in a registry of the app's own (two apps in a process do not mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("kmsearch_requests_total", "HTTP requests", ["route", "status"], registry=self.registry)
        self.latency = Histogram("kmsearch_request_seconds", "HTTP request latency", ["route"], registry=self.registry)

    def install(self, app: FastAPI) -> None:
        app.state.metrics = self

        @app.middleware("http")
        async def measure(request: Request, call_next: Any) -> Response:
            started = time.perf_counter()
            response = await call_next(request)
            route = getattr(request.scope.get("route"), "path", "unmatched")  # the template, not the raw path
            self.latency.labels(route).observe(time.perf_counter() - started)
            self.requests.labels(route, str(response.status_code)).inc()
            return response


@router.get("/health", operation_id="health", response_model=Health,
            summary="Liveness and the generation being served")
def health(holder: HolderDep) -> Health:
    """ok only when the index can answer: its files are there and its catalogue, read afresh, holds what its
    manifest counts (a catalogue emptied or truncated behind the service's back answers 503 with the fix, as
    every search then does, rather than ok while they fail)."""
    try:
        index = holder.current()
    except DamagedIndexError:
        raise  # 503, naming the fix
    except KmsearchError:
        return Health(status="no_index", generation=None, version=__version__)
    problem = index.problem()
    if problem is not None:
        holder.forget()  # the next request reopens, and is refused with the fix until the index is repaired
        hint = repair_hint(index.directory, (FORMAT_VERSION,), damaged=index.generation)
        raise DamagedIndexError(f"{index.directory / index.generation}: {problem}; {hint}")
    return Health(status="ok", generation=index.generation, version=__version__)


@router.get("/metrics", operation_id="metrics", response_class=Response, response_model=None,
            summary="Prometheus metrics", dependencies=[Depends(require_key_for_metrics)],
            responses={200: {"description": "Prometheus text format.",
                             "content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
