"""The service against a browser's tricks (issue 15, points 2, 3 and 7): original files that would run a script
at the app's origin, security headers on every response, the page's session cookie, cross-origin form posts,
and which of the service's own pages need a key."""

from __future__ import annotations

import os
import re
import stat

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.api.sessions import SESSION_COOKIE, secret_path
from kmsearch.ingest.pipeline import ingest
from tests.helpers import doc_id_of, sign_in, write_hostile_files


@pytest.fixture
def service(corpus, settings, embedder):
    files = write_hostile_files(corpus / "bulletins")
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    keys = app.state.keys
    secrets = {"reader": keys.add("Front desk", "reader")[1], "librarian": keys.add("Registry", "librarian")[1]}
    return app, secrets, files


# --- point 2: original files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["html", "text"])
def test_a_file_that_holds_html_is_saved_not_shown(service, kind):
    app, secrets, files = service
    doc_id = doc_id_of(app, files[kind])
    response = TestClient(app).get(f"/api/v1/documents/{doc_id}/file", headers={"X-API-Key": secrets["reader"]})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"
    # the type of the format sniffed at ingest (both read as HTML), never a guess from the name
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert app.state.holder.current().catalog.document(doc_id).format == "html"


def test_pdfs_show_inline_under_the_sandbox_and_office_files_are_saved(service):
    app, secrets, _ = service
    client = TestClient(app, headers={"X-API-Key": secrets["reader"]})
    rows = [(d.doc_id, d.format) for d in app.state.holder.current().catalog.iter_documents()]
    by_format = {fmt: doc_id for doc_id, fmt in rows}
    pdf = client.get(f"/api/v1/documents/{by_format['pdf']}/file")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["content-disposition"].startswith("inline")
    assert pdf.headers["content-security-policy"].startswith("sandbox")
    for fmt in ("docx", "pptx", "markdown"):
        saved = client.get(f"/api/v1/documents/{by_format[fmt]}/file")
        assert saved.headers["content-disposition"].startswith("attachment"), fmt
        assert saved.headers["content-security-policy"].startswith("sandbox"), fmt


# --- point 2: headers on every response ---------------------------------------------------------------------
COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin",
          "cross-origin-opener-policy": "same-origin", "cross-origin-resource-policy": "same-origin"}


def assert_security_headers(response, https: bool = False) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "camera=()" in response.headers["permissions-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], response.request.url
    assert ("strict-transport-security" in response.headers) == https, response.request.url


def test_every_response_carries_the_security_headers(service):
    app, secrets, _ = service
    client = TestClient(app)
    signed_in = sign_in(TestClient(app), secrets["reader"])
    answers = [client.get("/signin"), client.get("/", follow_redirects=False), client.get("/api/v1/health"),
               client.get("/api/v1/nope"), client.get("/static/style.css"), client.get("/nope"),
               client.get("/api/v1/search", params={"q": "x"}), signed_in.get("/", params={"q": "registry"}),
               signed_in.get("/docs"), client.post("/signin", data={"key": "x"})]
    for response in answers:
        assert_security_headers(response)
    page = signed_in.get("/", params={"q": "registry"})
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe-inline" not in policy
    assert page.headers["cache-control"] == "no-store"  # an answer for one key is kept by no cache
    over_https = TestClient(app, base_url="https://testserver")
    assert_security_headers(over_https.get("/signin"), https=True)


def test_an_unexpected_error_carries_them_too(service, monkeypatch):
    app, secrets, _ = service

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("kmsearch.api.service.run_search", broken)
    response = TestClient(app, raise_server_exceptions=False).get(
        "/api/v1/search", params={"q": "x"}, headers={"X-API-Key": secrets["reader"]})
    assert response.status_code == 500
    assert_security_headers(response)


def test_the_page_has_no_inline_script_or_style(service):
    """The page's policy allows only this server's files: an inline script or style would silently break."""
    app, secrets, files = service
    client = sign_in(TestClient(app), secrets["reader"])
    pages = [client.get(path, params={"q": "registry"}) for path in ("/", "/who-knows", "/where-is")]
    pages += [client.get(f"/documents/{doc_id_of(app, files['html'])}"), TestClient(app).get("/signin")]
    for page in pages:
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), page.request.url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page.text), page.request.url


# --- point 3: sessions and CSRF -----------------------------------------------------------------------------
def test_the_session_cookie_is_signed_and_holds_no_key(service):
    app, secrets, _ = service
    client = sign_in(TestClient(app), secrets["reader"])
    token = client.cookies[SESSION_COOKIE]
    assert secrets["reader"] not in token and secrets["reader"].split("_")[2] not in token
    assert client.get("/", params={"q": "registry"}).status_code == 200
    forged = TestClient(app, cookies={SESSION_COOKIE: token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]})
    assert forged.get("/", follow_redirects=False).status_code == 303  # back to sign-in
    raw_key = TestClient(app, cookies={SESSION_COOKIE: secrets["reader"], "kmsearch_key": secrets["reader"]})
    assert raw_key.get("/", follow_redirects=False).status_code == 303  # a key in a cookie is no session
    secret_file = secret_path(app.state.settings.index_dir)
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600


def test_an_expired_session_signs_out(service, monkeypatch):
    app, secrets, _ = service
    key = app.state.keys.verify(secrets["reader"])
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_000_000_000)
    old = app.state.sessions.signer.dumps({"k": key.key_id})  # signed in 2001
    monkeypatch.undo()
    assert TestClient(app, cookies={SESSION_COOKIE: old}).get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("setting, base, secure", [
    ("auto", "http://testserver", False), ("auto", "https://testserver", True),
    ("true", "http://testserver", True), ("false", "https://testserver", False),
])
def test_the_cookie_is_secure_over_https(corpus, settings, embedder, setting, base, secure):
    ingest([corpus], settings, embedder)
    app = create_app(settings.replace(cookie_secure=setting), embedder=embedder)
    secret = app.state.keys.add("Front desk", "reader")[1]
    response = TestClient(app, base_url=base).post("/signin", data={"key": secret}, follow_redirects=False,
                                                   headers={"Origin": base})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE) and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert ("Secure" in cookie) == secure, cookie


def test_a_revoked_keys_session_stops_at_the_next_request(service):
    app, secrets, _ = service
    client = sign_in(TestClient(app), secrets["reader"])
    assert client.get("/", params={"q": "registry"}).status_code == 200
    app.state.keys.revoke(app.state.keys.verify(secrets["reader"]).key_id)
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/search", params={"q": "registry"}).status_code == 401


def test_the_admin_routes_take_header_keys_only(service):
    """A librarian signed in on the page: a form post from another port of the same host (same site, so the
    SameSite cookie goes with it) must not start a re-index, and neither may the cookie alone."""
    app, secrets, _ = service
    client = sign_in(TestClient(app), secrets["librarian"])
    for headers in ({}, {"Origin": "http://testserver"}, {"Origin": "http://testserver:8081"}):
        response = client.post("/api/v1/admin/reindex", headers=headers)
        assert response.status_code in (401, 403), (headers, response.text)
    assert client.get("/api/v1/admin/jobs/abc").status_code == 401
    assert app.state.jobs.jobs == {}  # nothing started
    by_header = TestClient(app).get("/api/v1/admin/jobs/abc", headers={"X-API-Key": secrets["librarian"]})
    assert by_header.status_code == 404  # the key in a header works


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver:8081"},  # another port of the same host
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},  # a browser's own word wins
    {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "http://evil.example/page"},
    {},  # a form post that says nothing of where it comes from
])
def test_a_cross_origin_form_post_is_refused(service, headers):
    app, secrets, _ = service
    client = TestClient(app)
    signin = client.post("/signin", data={"key": secrets["reader"], "next": "/"}, headers=headers,
                         follow_redirects=False)
    assert signin.status_code == 403 and "set-cookie" not in signin.headers  # not signed in with that key
    assert "another site or port" in signin.text
    signed_in = sign_in(TestClient(app), secrets["reader"])
    assert signed_in.post("/signout", headers=headers, follow_redirects=False).status_code == 403
    assert signed_in.get("/", params={"q": "registry"}).status_code == 200  # still signed in


@pytest.mark.parametrize("headers", [{"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"},
                                     {"Referer": "http://testserver/signin?next=/"}])
def test_a_same_origin_form_post_signs_in_and_out(service, headers):
    app, secrets, _ = service
    client = TestClient(app)
    assert client.post("/signin", data={"key": secrets["reader"]}, headers=headers,
                       follow_redirects=False).status_code == 303
    assert client.get("/", params={"q": "registry"}).status_code == 200
    out = client.post("/signout", headers=headers, follow_redirects=False)
    assert out.status_code == 303 and client.get("/", follow_redirects=False).status_code == 303


# --- point 7: the service's own pages, and what an admin key reads ------------------------------------------
@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/api/v1/metrics"])
def test_docs_and_metrics_need_a_key_unless_a_setting_opens_them(service, path):
    app, secrets, _ = service
    anonymous = TestClient(app).get(path, follow_redirects=False)
    if path in ("/docs", "/redoc"):
        assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/signin?next={path.replace('/', '%2F')}"
    else:
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    assert TestClient(app).get(path, headers={"X-API-Key": "kms_bad_key"}, follow_redirects=False).status_code in (
        303, 401)
    assert TestClient(app).get(path, headers={"X-API-Key": secrets["reader"]}).status_code == 200
    assert sign_in(TestClient(app), secrets["reader"]).get(path).status_code == 200  # the page's session too
    opened = create_app(app.state.settings.replace(public_docs=True, public_metrics=True),
                        embedder=app.state.holder.embedder)
    assert TestClient(opened).get(path).status_code == 200


def test_an_admin_key_reads_everything(corpus, settings, embedder):
    """What access.py and the docs say: an admin key reads every document, with or without groups; a reader or
    librarian without the group does not."""
    from tests.helpers import KM_ONLY as RESTRICTED
    from tests.helpers import write_register

    write_register(corpus, f"minutes/{RESTRICTED},KM/2009/7,KM committee minutes,minutes,2009-06-17,"
                           "Tshwane Building,3-02,KM1,1,Ms Sithole,km,\n")
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    restricted = doc_id_of(app, corpus / "minutes" / RESTRICTED)
    for role, reads in (("admin", True), ("librarian", False), ("reader", False)):
        client = TestClient(app, headers={"X-API-Key": app.state.keys.add(role, role)[1]})
        hits = client.get("/api/v1/search", params={"q": "committee approved the knowledge management strategy",
                                                    "k": 50}).json()["hits"]
        assert (restricted in {h["doc_id"] for h in hits}) == reads, role
        assert client.get(f"/api/v1/documents/{restricted}").status_code == (200 if reads else 404), role
        assert client.get(f"/api/v1/documents/{restricted}/file").status_code == (200 if reads else 404), role


# --- point 4: re-index confinement ---------------------------------------------------------------------------
def reindex(app, secret: str, paths: list[str]):
    return TestClient(app).post("/api/v1/admin/reindex", json={"paths": paths}, headers={"X-API-Key": secret})


def test_reindex_takes_only_paths_under_the_source_roots(service, corpus, tmp_path):
    app, secrets, _ = service
    (corpus / "reports" / "etc").symlink_to("/etc")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for path in ["/etc", str(corpus / ".." / "elsewhere"), str(corpus / "reports" / "etc"), str(outside),
                 str(corpus) + "-evil", "/", "relative/path", "\x00"]:
        response = reindex(app, secrets["librarian"], [str(corpus / "reports"), path])
        assert response.status_code == 403, (path, response.text)
        error = response.json()["error"]
        assert error["detail"] == {"refused": [path], "allowed_roots": [os.path.realpath(corpus)]}
        assert "allowed: " + os.path.realpath(corpus) in error["message"]
    assert app.state.jobs.jobs == {}  # nothing started


def test_reindex_under_a_root_runs(service, corpus):
    from tests.helpers import wait_for

    app, secrets, _ = service
    started = reindex(app, secrets["librarian"], [str(corpus / "reports" / ".." / "reports")])
    assert started.status_code == 202, started.text
    job_id = started.json()["job"]["id"]
    job = wait_for(lambda: app.state.jobs.jobs[job_id].status in ("done", "failed") and app.state.jobs.jobs[job_id],
                   120, "the re-index job")
    assert job.status == "done", job.error


def test_the_source_roots_setting_replaces_the_ingested_folders(service, corpus, tmp_path):
    app, secrets, _ = service
    shares = tmp_path / "shares"
    (shares / "hr").mkdir(parents=True)
    confined = create_app(app.state.settings.replace(source_roots=(shares,)), embedder=app.state.holder.embedder)
    response = reindex(confined, secrets["librarian"], [str(corpus)])
    assert response.status_code == 403
    assert response.json()["error"]["detail"]["allowed_roots"] == [os.path.realpath(shares)]
