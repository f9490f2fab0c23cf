"""The one mapping from an exception to an HTTP status, an error code and a message, for the API and the page.

Modelled on datasette's `handle_exception.py`: `describe(exc)` decides status, code and message once, from the
exception alone; then the JSON API renders `{"error": {"code", "message", "detail"}}` and the staff page renders
its template with the same status and message. So a bad filter or an over-long query answers 422 with the same
words on both, and no caller ever sees a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kmsearch.errors import IndexError_, IndexLockedError, InvalidParameterError, KmsearchError

log = logging.getLogger(__name__)
UNEXPECTED = "unexpected error; see the service log"
_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


class ApiError(Exception):
    """An error the service raises on purpose, with the status and code it answers."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


@dataclass(frozen=True)
class ErrorInfo:
    """What an exception answers: decided once by `describe`, rendered as JSON or as the page."""

    status: int
    code: str
    message: str
    detail: Any = None


def describe(exc: BaseException) -> ErrorInfo:
    """The status, code and message for `exc`. Library errors map by their class, never by their wording."""
    if isinstance(exc, ApiError):
        return ErrorInfo(exc.status, exc.code, exc.message, exc.detail)
    if isinstance(exc, RequestValidationError):  # FastAPI's: locations start with query/path/body
        return _invalid([{**e, "loc": tuple(e.get("loc", ()))[1:]} for e in exc.errors()])
    if isinstance(exc, ValidationError):  # the page validates its parameters with the same models
        return _invalid(list(exc.errors(include_url=False)))
    if isinstance(exc, StarletteHTTPException):
        return ErrorInfo(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))
    if isinstance(exc, InvalidParameterError):
        return ErrorInfo(422, "invalid_parameter", str(exc))
    if isinstance(exc, IndexLockedError):
        return ErrorInfo(409, "busy", str(exc))
    if isinstance(exc, IndexError_):
        return ErrorInfo(503, "index_unavailable", str(exc))
    if isinstance(exc, sqlite3.DatabaseError):  # a generation's catalogue never changes: it was damaged
        return ErrorInfo(503, "index_unavailable", f"the index's catalogue cannot be read ({exc}); see "
                         "/api/v1/health for what is damaged, and run `kmsearch repair` or ingest again")
    if isinstance(exc, KmsearchError):
        return ErrorInfo(500, "internal_error", str(exc))
    return ErrorInfo(500, "internal_error", UNEXPECTED)


def _invalid(errors: list[Any]) -> ErrorInfo:
    """422 naming the first invalid parameter ("k: Input should be less than or equal to 50"); all in detail."""
    detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]
    first = detail[0] if detail else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"]) or "request"
    return ErrorInfo(422, "invalid_parameter", f"{where}: {first['msg']}", detail)


def is_unexpected(exc: BaseException) -> bool:
    """True for a bug rather than a refusal: worth a traceback in the service log."""
    if isinstance(exc, sqlite3.DatabaseError):
        return True  # worth its traceback too: what broke, and where
    return describe(exc).status == 500 and not isinstance(exc, (ApiError, KmsearchError))


def json_error(info: ErrorInfo) -> JSONResponse:
    return JSONResponse({"error": {"code": info.code, "message": info.message, "detail": info.detail}},
                        status_code=info.status)


def wants_json(request: Request) -> bool:
    """The API and its schema answer JSON; everything else (the page, its static files) answers HTML."""
    path = request.url.path
    return path.startswith("/api/") or path == request.app.openapi_url


def install_error_handlers(app: FastAPI, render_page: Callable[[Request, ErrorInfo], Response]) -> None:
    """Route every exception through `describe`, then render it as JSON or with the page's `render_page`."""

    async def handle(request: Request, exc: Exception) -> Response:
        if is_unexpected(exc):
            log.error("unhandled error on %s", request.url.path, exc_info=exc)
        info = describe(exc)
        return json_error(info) if wants_json(request) else render_page(request, info)

    for kind in (ApiError, RequestValidationError, StarletteHTTPException, KmsearchError, Exception):
        app.add_exception_handler(kind, handle)


# --- the error shape in the OpenAPI schema ----------------------------------------------------------------------
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
