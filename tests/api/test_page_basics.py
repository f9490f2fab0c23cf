"""What a browser and an auditor expect of every page (issue 16, points 10 and 13): the deep link kept through
sign-in, a revoked key explained, one <h1>, a description and an icon, compression, and cache lifetimes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.ingest.pipeline import ingest
from tests.helpers import sign_in


@pytest.fixture
def app(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    return create_app(settings, embedder=embedder)


def test_signing_in_comes_back_to_the_page_asked_for(app):
    client = TestClient(app)
    first = client.get("/", params={"q": "records disposal", "type": "report"}, follow_redirects=False)
    assert first.status_code == 303
    form = client.get(first.headers["location"]).text
    target = re.search(r'name="next" value="([^"]+)"', form).group(1).replace("&amp;", "&")
    assert target == "/?q=records+disposal&type=report"
    answer = client.post("/signin", data={"key": app.state.keys.add("Desk", "reader")[1], "next": target},
                         headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == target
    assert "records disposal" in client.get(target).text
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = client.post("/signin", data={"key": app.state.keys.add("Desk 2", "reader")[1], "next": outside},
                             headers={"Origin": "http://testserver"}, follow_redirects=False)
        assert answer.headers["location"] == "/", outside


def test_a_revoked_key_is_explained(app):
    client = TestClient(app)
    key, secret = app.state.keys.add("Desk", "reader")
    sign_in(client, secret)
    assert client.get("/", params={"q": "files"}).status_code == 200
    assert app.state.keys.revoke(key.key_id)
    bounced = client.get("/", params={"q": "files"})
    assert "/signin" in str(bounced.url) and "Your session has ended" in bounced.text
    assert "Your session has ended" not in TestClient(app).get("/signin").text  # a first visit is not told that


@pytest.mark.parametrize("path", ["/", "/?q=file+plan", "/who-knows?q=file+plan", "/where-is?q=the+pilot+report",
                                  "/signin"])
def test_every_page_has_one_h1_a_description_and_an_icon(app, path):
    client = TestClient(app)
    sign_in(client, app.state.keys.add("Desk", "reader")[1])
    html = client.get(path).text
    assert len(re.findall(r"<h1[ >]", html)) == 1, path
    assert '<meta name="description" content="' in html and 'rel="icon"' in html
    icon = re.search(r'rel="icon" href="([^"]+)"', html).group(1)
    assert client.get(icon).status_code == 200


def test_pages_are_compressed_and_static_files_cached(app):
    client = TestClient(app)
    sign_in(client, app.state.keys.add("Desk", "reader")[1])
    page = client.get("/", params={"q": "file plan records"}, headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip" and page.headers["cache-control"] == "no-store"
    css = client.get("/static/style.css")
    assert "max-age=86400" in css.headers["cache-control"]
