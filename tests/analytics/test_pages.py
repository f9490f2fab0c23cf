"""The analytics report and the knowledge audit through the API and the staff page (issue 18, points 3-5): who
may see them, what a reader's audit counts, the CSV export, and the charts with their tables."""

from __future__ import annotations

import base64
import csv
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.ingest.pipeline import ingest
from tests.helpers import KM_ONLY, sign_in, write_register

RESTRICTED_TITLE = "KM committee minutes"


@pytest.fixture
def service(corpus, settings, embedder):
    """The small corpus with the KM minutes restricted to group km, a librarian and a reader (no groups), and
    a few searches in the query log, one of them unanswerable."""
    write_register(corpus, f"minutes/{KM_ONLY},KM/2009/7,{RESTRICTED_TITLE},minutes,2009-06-17,Tshwane Building,"
                           "3-02,KM1,1,Ms Sithole,km,\n")
    ingest([corpus], settings, embedder)

    def app_with(**extra):
        app = create_app(settings.replace(extra=extra) if extra else settings, embedder=embedder)
        keys = app.state.keys
        secrets = {"librarian": keys.add("Registry", "librarian")[1], "reader": keys.add("Front desk", "reader")[1]}
        return app, secrets

    app, secrets = app_with()
    client = TestClient(app, headers={"X-API-Key": secrets["reader"]})
    for q in ("EDRMS file plan records", "mobile service units"):
        client.get("/api/v1/search", params={"q": q})
    client.get("/api/v1/who-knows", params={"q": "xqzv blorft wibble"})  # nobody: unanswered
    assert app.state.usage.queries.flush()
    return app, secrets, app_with


def _json(app, secret, path, **params):
    return TestClient(app, headers={"X-API-Key": secret}).get(path, params=params)


def test_analytics_are_for_librarians(service):
    app, secrets, _ = service
    report = _json(app, secrets["librarian"], "/api/v1/admin/analytics", days=30)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["usage"]["requests"] == {"search": 2, "who-knows": 1} and body["usage"]["unanswered"] == 1
    assert [g["label"] for g in body["gaps"]] == ["xqzv blorft wibble"]
    assert _json(app, secrets["reader"], "/api/v1/admin/analytics").status_code == 403
    assert TestClient(app).get("/api/v1/admin/analytics").status_code == 401
    assert _json(app, secrets["librarian"], "/api/v1/admin/analytics", days=0).status_code == 422


def test_the_audit_is_for_librarians_unless_readers_are_let_in_and_then_counts_only_what_they_read(service):
    app, secrets, app_with = service
    full = _json(app, secrets["librarian"], "/api/v1/audit")
    assert full.status_code == 200, full.text
    everything = full.json()
    assert sum(r["count"] for r in everything["documents_by_year"]) == 4  # the four readable files, broken.pdf fails
    assert _json(app, secrets["reader"], "/api/v1/audit").status_code == 403  # the default: readers see none

    open_app, open_secrets = app_with(audit_for_readers=True)
    theirs = _json(open_app, open_secrets["reader"], "/api/v1/audit")
    assert theirs.status_code == 200, theirs.text
    mine = theirs.json()
    assert sum(r["count"] for r in mine["documents_by_year"]) == 3  # not the KM minutes
    assert RESTRICTED_TITLE not in theirs.text and "2009" not in {str(r["year"]) for r in mine["documents_by_year"]}
    assert sum(t["documents"] for t in mine["topics"]) <= 3
    assert _json(open_app, open_secrets["librarian"], "/api/v1/audit").json()["documents_by_year"] == \
        everything["documents_by_year"]


def test_the_audits_topics_download_as_csv(service):
    app, secrets, _ = service
    answer = _json(app, secrets["librarian"], "/api/v1/audit", format="csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["topic", "terms", "documents", "first_year", "newest", "people", "flags"]
    audit = _json(app, secrets["librarian"], "/api/v1/audit").json()
    assert [r[0] for r in rows[1:]] == [t["name"] for t in audit["topics"]] and len(rows) > 1


def _svg(page: str, alt_start: str) -> str:
    """The SVG behind the page's <img> whose alt text starts with `alt_start`."""
    found = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="' + re.escape(alt_start), page)
    assert found, f"no chart {alt_start!r}"
    return base64.b64decode(found.group(1)).decode()


def test_the_pages_draw_charts_with_their_figures_beside_them(service):
    app, secrets, _ = service
    client = TestClient(app)
    sign_in(client, secrets["librarian"])
    dashboard = client.get("/analytics")
    assert dashboard.status_code == 200, dashboard.text
    page = unescape(dashboard.text)
    assert "<h1>Search analytics</h1>" in page and "xqzv blorft wibble" in page
    svg = _svg(dashboard.text, "Bar chart of requests")
    assert svg.lstrip().startswith("<?xml") and "<script" not in svg and "requests" in svg
    assert re.search(r"<caption>Requests per week</caption>", page)
    assert 'aria-label="Librarian"' in page and 'href="/audit"' in page

    audit = client.get("/audit")
    assert audit.status_code == 200, audit.text
    assert "<h1>Knowledge audit</h1>" in audit.text and "Documents per year and type" in audit.text
    years = _svg(audit.text, "Stacked bar chart of documents per year")
    assert "2011" in years and "<script" not in years
    assert "<script" not in _svg(audit.text, "Horizontal bar chart of documents and people per topic")
    assert "Content-Security-Policy" in audit.headers and "style-src 'self'" in audit.headers["Content-Security-Policy"]


def test_a_reader_gets_no_dashboard_and_no_librarian_links(service):
    app, secrets, app_with = service
    client = TestClient(app)
    sign_in(client, secrets["reader"])
    assert client.get("/analytics").status_code == 403
    assert client.get("/audit").status_code == 403
    assert 'aria-label="Librarian"' not in client.get("/", params={"q": "records"}).text
    assert client.get("/analytics", params={"days": "soon"}).status_code == 422

    open_app, open_secrets = app_with(audit_for_readers=True)
    reader = TestClient(open_app)
    sign_in(reader, open_secrets["reader"])
    page = reader.get("/audit")
    assert page.status_code == 200 and RESTRICTED_TITLE not in page.text
    assert "Counted from the documents your key may read." in page.text
