"""FastAPI dependencies: who is calling (from their API key), the open index, the re-index jobs.

The key is declared as two security schemes, `Authorization: Bearer <key>` and `X-API-Key: <key>`, so the
OpenAPI schema (and Swagger's Authorize button) knows how to send it. The staff page signs in with a cookie that
holds the same key; the cookie is read here too but kept out of the schema, as the page is not part of the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from kmsearch.access import caller_groups
from kmsearch.api.errors import ApiError
from kmsearch.api.service import Caller
from kmsearch.api.state import IndexHolder, Jobs
from kmsearch.index.store import Index

KEY_COOKIE = "kmsearch_key"
_KEY_HELP = "An API key from `kmsearch keys add`; it decides which documents the answers may show."
bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description=_KEY_HELP)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey", description=_KEY_HELP)


def caller_or_none(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    header_key: Annotated[str | None, Security(api_key_header)],
) -> Caller | None:
    """The caller, or None without a valid key (the page then asks to sign in). Open mode reads everything."""
    if request.app.state.open_mode:
        return Caller(None, None)
    secret = (credentials.credentials.strip() if credentials else None) or header_key or request.cookies.get(KEY_COOKIE)
    key = request.app.state.keys.verify(secret)
    return None if key is None else Caller(key, caller_groups(key.groups))


def get_caller(caller: Annotated[Caller | None, Depends(caller_or_none)]) -> Caller:
    """The caller; 401 without a valid key (missing, unknown or revoked)."""
    if caller is None:
        raise ApiError(401, "unauthorized", "a valid API key is required (missing, unknown or revoked)")
    return caller


def require_librarian(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    """The caller, if their key is a librarian's or an admin's; 403 otherwise."""
    if not caller.can("librarian"):
        raise ApiError(403, "forbidden", "this needs a librarian or admin key")
    return caller


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


def get_index(request: Request) -> Index:
    """The live generation; a request uses this one `Index` throughout, so its answer comes from one generation."""
    return get_holder(request).current()


def get_jobs(request: Request) -> Jobs:
    return request.app.state.jobs


CallerDep = Annotated[Caller, Depends(get_caller)]
PageCallerDep = Annotated[Caller | None, Depends(caller_or_none)]
LibrarianDep = Annotated[Caller, Depends(require_librarian)]
IndexDep = Annotated[Index, Depends(get_index)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
