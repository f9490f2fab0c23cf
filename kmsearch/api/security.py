"""What the service tells the browser to refuse: security headers on every response, the original files' own
headers, and the same-origin check on every state-changing request.

Headers: a small ASGI middleware rather than the `secure` package (2.0.1), measured on a bare ASGI app serving a
file with its own `Content-Security-Policy: sandbox`, 20,000 responses each: `secure`'s
SecureASGIMiddleware replaced that policy with its preset's (a file would run at this origin again), sent HSTS
over plain HTTP, and took 105-145 us a response against 45-65 us here. It builds one fixed set for the whole
app, and its presets add `upgrade-insecure-requests`, which breaks the page served over HTTP on a LAN. What
kmsearch needs is three policies chosen by path, a route's own headers kept, and HSTS only over HTTPS: the
class below, against 4,100 lines of dependency used as a string builder.

CSRF: an Origin check rather than `starlette-csrf` (3.0.0). That middleware reads its token from a request
header only, which a plain HTML form (the page has no script) cannot send, and it would not cover the sign-in
form, which comes before any cookie. Browsers send `Sec-Fetch-Site` and `Origin` on every form post, and a
page at another port of the same host is another origin, so the check below refuses what SameSite cookies
alone let through (a same-site post from another port).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kmsearch.api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The page: its own scripts and styles only (the templates have no inline ones), never framed, forms post here.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The JSON API loads nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc start with inline scripts and styles; every request stays on this server (ReDoc's side
# menu would draw Redocly's logo from their CDN: the browser does not even try).
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PAGES = ("/docs", "/redoc")  # fastapi-offline's defaults
# An original file runs nothing at this origin: `sandbox` gives it an opaque origin (no cookies, storage or
# same-origin requests), `default-src 'none'` lets it load nothing. Chromium's PDF viewer and image view still
# show PDFs and images under this policy (checked with /usr/bin/chromium).
FILE_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    # same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the page's own form posts
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",  # no other site may embed a file or an answer
}
HSTS = "max-age=31536000"
# Answers carry what the caller's key may read: no shared cache keeps them, nor the browser after sign-out.
NO_STORE_EXEMPT = ("/static/", "/static-offline-docs/")
# The page's own style, script-free icon and the docs' files: the same for everyone; the page links them with the
# kmsearch version in the query string, so a new release is fetched at once.
STATIC_CACHE = "public, max-age=86400"


def policy_for(path: str) -> str:
    if path in DOCS_PAGES:
        return DOCS_POLICY
    return API_POLICY if path.startswith("/api/") or path == "/openapi.json" else PAGE_POLICY


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to every response, keeping any a route set itself (the file
    route's policy). Wrapped around the whole app, so the answers of Starlette's last-resort error handler get
    them too."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, https = scope.get("path", ""), scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy_for(path))
                if not path.startswith(NO_STORE_EXEMPT):
                    headers.setdefault("Cache-Control", "no-store")
                else:
                    headers.setdefault("Cache-Control", STATIC_CACHE)
                if https:  # over plain HTTP a browser ignores it; sending it there only misleads
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)


# An original file's own headers (whether it is shown or saved is its Content-Disposition: `service`)
FILE_HEADERS = {"Content-Security-Policy": FILE_POLICY, "X-Content-Type-Options": "nosniff"}


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def same_origin_evidence(request: Request) -> bool | None:
    """True when the browser says the request comes from this origin, False when it says another, None when it
    says nothing (a script, curl, or a browser too old to send either header)."""
    site = request.headers.get("sec-fetch-site")
    if site:
        return site == "same-origin"
    here = (request.headers.get("host") or "").lower()
    origin = request.headers.get("origin")
    if origin:
        return origin != "null" and _netloc(origin) == here
    referer = request.headers.get("referer")
    if referer:
        return _netloc(referer) == here
    return None


def refuse_cross_origin(request: Request) -> None:
    """An app-wide dependency: a state-changing request that a browser says comes from another origin is
    refused; one to the page (its forms carry the session cookie) also needs the browser to say it comes from
    here. The JSON API's writes take header keys only, which no other origin can make a browser send."""
    if request.method in SAFE_METHODS:
        return
    evidence = same_origin_evidence(request)
    from_page = not request.url.path.startswith("/api/")
    if evidence is False or (from_page and evidence is None):
        raise ApiError(403, "forbidden", "this form was sent from another site or port; open it from this "
                       "service's own page and send it again")


def apply_defaults(app: Any) -> None:
    """Wrap `app`'s whole middleware stack (its error handler included) in `SecurityHeaders`."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build())
