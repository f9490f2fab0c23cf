"""FastAPI dependencies: who is calling (from their API key), the open index, the re-index jobs.

The key is declared as two security schemes, `Authorization: Bearer <key>` and `X-API-Key: <key>`, so the
OpenAPI schema (and Swagger's Authorize button) knows how to send it. The staff page signs in with a session
cookie (`sessions`), which names the key without holding it; it is kept out of the schema, as the page is not
part of the API, and it is honoured only on reads (GET, HEAD): the admin routes and every write take header
keys only, which a page of another origin cannot make a browser send.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from kmsearch.access import caller_groups
from kmsearch.api.errors import ApiError
from kmsearch.api.keys import ApiKey
from kmsearch.api.security import SAFE_METHODS
from kmsearch.api.service import Caller
from kmsearch.api.sessions import SESSION_COOKIE
from kmsearch.api.usage import Usage
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.index.store import Index

_KEY_HELP = "An API key from `kmsearch keys add`; it decides which documents the answers may show."
bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description=_KEY_HELP)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey", description=_KEY_HELP)


def caller_for(key: ApiKey) -> Caller:
    """An admin key reads everything (groups None); any other key reads what its groups allow."""
    return Caller(key, None if key.can("admin") else caller_groups(key.groups))


def resolve_caller(request: Request, header_secret: str | None, cookie_ok: bool) -> Caller | None:
    """The caller from a header key, else (when `cookie_ok`) from the page's session; None without either. A
    header key that is not valid is not made good by a cookie. Open mode reads everything."""
    state = request.app.state
    if state.open_mode:
        return Caller(None, None)
    if header_secret:
        key = state.keys.verify(header_secret)
    elif cookie_ok:
        key = state.sessions.key(request.cookies.get(SESSION_COOKIE))
    else:
        key = None
    return None if key is None else caller_for(key)


def header_secret(request: Request) -> str | None:
    """The key a request sends in either scheme, for code outside FastAPI's dependencies (the docs gate)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() if scheme.lower() == "bearer" else None) or request.headers.get("x-api-key") or None


def _secret(credentials: HTTPAuthorizationCredentials | None, header_key: str | None) -> str | None:
    return (credentials.credentials.strip() if credentials else None) or header_key or None


def caller_or_none(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    header_key: Annotated[str | None, Security(api_key_header)],
) -> Caller | None:
    """The caller, or None without a valid key (the page then asks to sign in)."""
    return resolve_caller(request, _secret(credentials, header_key), cookie_ok=request.method in SAFE_METHODS)


def get_caller(caller: Annotated[Caller | None, Depends(caller_or_none)]) -> Caller:
    """The caller; 401 without a valid key (missing, unknown or revoked)."""
    if caller is None:
        raise ApiError(401, "unauthorized", "a valid API key is required (missing, unknown or revoked)")
    return caller


def require_librarian(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    header_key: Annotated[str | None, Security(api_key_header)],
) -> Caller:
    """The caller, if their header key is a librarian's or an admin's (the page's cookie never counts here);
    401 without a valid header key, 403 for a reader's."""
    caller = resolve_caller(request, _secret(credentials, header_key), cookie_ok=False)
    if caller is None:
        raise ApiError(401, "unauthorized", "a valid API key is required in the Authorization or X-API-Key "
                       "header (missing, unknown or revoked; the page's sign-in does not count here)")
    if not caller.can("librarian"):
        raise ApiError(403, "forbidden", "this needs a librarian or admin key")
    return caller


def require_key_for_metrics(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    header_key: Annotated[str | None, Security(api_key_header)],
) -> None:
    """/metrics needs a valid key (any role) unless the `public_metrics` setting opens it: its route names and
    counts say how the service is used."""
    if not request.app.state.settings.public_metrics:
        get_caller(resolve_caller(request, _secret(credentials, header_key), cookie_ok=True))


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


def get_index(request: Request) -> Index:
    """The live generation; a request uses this one `Index` throughout, so its answer comes from one generation."""
    return get_holder(request).current()


def get_jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def get_usage(request: Request) -> Usage:
    return request.app.state.usage


CallerDep = Annotated[Caller, Depends(get_caller)]
PageCallerDep = Annotated[Caller | None, Depends(caller_or_none)]
LibrarianDep = Annotated[Caller, Depends(require_librarian)]
IndexDep = Annotated[Index, Depends(get_index)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
UsageDep = Annotated[Usage, Depends(get_usage)]
