"""The catalogue's exports through the API (GET /api/v1/admin/export/...) and the librarian's catalogue page
(/catalogue), in-process against a real index of the small corpus with registers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from kmsearch.analytics import export
from kmsearch.api import create_app
from kmsearch.config import Settings
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import HOSTILE_TITLE, sign_in, write_audit_registers, write_corpus

COLUMNS = {"documents": export.DOCUMENT_COLUMNS, "people": export.PEOPLE_COLUMNS, "events": export.EVENT_COLUMNS,
           "failures": export.FAILURE_COLUMNS}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-export")
    corpus = write_audit_registers(write_corpus(root / "corpus"))
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    keys = {role: app.state.keys.add(role.title(), role, ("km",) if role == "reader" else ())[1]
            for role in ("reader", "librarian", "admin")}
    return app, keys, corpus


def client(app, secret: str | None = None) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {secret}"} if secret else {})


@pytest.mark.parametrize("what", export.EXPORTS)
def test_librarians_get_each_export_as_typed_json(service, what):
    app, keys, _ = service
    response = client(app, keys["librarian"]).get(f"/api/v1/admin/export/{what}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert re.fullmatch(rf'attachment; filename="kmsearch-{what}-\d{{4}}-\d\d-\d\d\.json"',
                        response.headers["content-disposition"])
    body = response.json()
    assert set(body) == {"generation", "exported", what} and body[what]
    assert all(set(row) == set(COLUMNS[what]) for row in body[what])  # the README's and the CSV's names


def test_csv_and_xlsx_downloads(service):
    app, keys, _ = service
    api = client(app, keys["admin"])
    response = api.get("/api/v1/admin/export/documents", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith('.csv"') and response.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert "'" + HOSTILE_TITLE in [r["title"] for r in rows] and len(rows) == 6
    response = api.get("/api/v1/admin/export/people", params={"format": "xlsx"})
    assert response.headers["content-type"] == XLSX and response.headers["content-disposition"].endswith('.xlsx"')
    assert "content-encoding" not in response.headers  # a zip already
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert tuple(c.value for c in sheet[1]) == export.PEOPLE_COLUMNS and sheet.max_row >= 2


def test_the_documents_export_takes_the_catalogue_filters_and_order(service):
    app, keys, corpus = service
    api = client(app, keys["librarian"])
    found = api.get("/api/v1/admin/export/documents", params={"sort": "date", "order": "desc", "held": "file"}).json()
    assert [d["date"] for d in found["documents"]] == ["2011-11-30", "2009-06-17", None, None]
    found = api.get("/api/v1/admin/export/documents", params={"folder": str(corpus / "minutes")}).json()
    assert [d["title"] for d in found["documents"]] == ["KM committee minutes"]
    refused = api.get("/api/v1/admin/export/documents", params={"sort": "colour"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_parameter"
    assert refused.json()["error"]["message"].startswith("sort:")


@pytest.mark.parametrize("what", export.EXPORTS)
def test_readers_and_strangers_get_nothing(service, what):
    app, keys, _ = service
    path = f"/api/v1/admin/export/{what}"
    for fmt in ("json", "csv"):
        refused = client(app, keys["reader"]).get(path, params={"format": fmt})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert "KM committee" not in refused.text
    assert client(app).get(path).status_code == 401
    page = sign_in(TestClient(app), keys["librarian"])  # the page's session never counts on the admin routes
    assert page.get(path).status_code == 401


def test_each_export_is_in_the_audit_trail(service):
    app, keys, _ = service
    client(app, keys["librarian"]).get("/api/v1/admin/export/events", params={"format": "csv"})
    client(app, keys["librarian"]).get("/api/v1/admin/export/documents", params={"type": "minutes"})
    entries = [e for e in app.state.usage.trail.entries() if e.action == "catalogue.export"]
    assert [(e.actor.split(" (")[0], e.target, e.detail) for e in entries[-2:]] == [
        ("Librarian", "events", {"format": "csv", "filters": {}}),
        ("Librarian", "documents", {"format": "json", "filters": {"type": "minutes"}})]


# --- the catalogue page -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def librarian(service):
    app, keys, _ = service
    return sign_in(TestClient(app), keys["librarian"])


def titles(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in
            re.findall(r'<th scope="row">(.*?)(?: <span class="badge">.*?</span>)?</th>', html)]


def test_the_page_needs_a_librarian(service):
    app, keys, _ = service
    stranger = TestClient(app).get("/catalogue", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/signin?next=%2Fcatalogue")
    reader = sign_in(TestClient(app), keys["reader"])
    for path in ("/catalogue", "/catalogue/export/documents?format=csv", "/catalogue/export/failures"):
        refused = reader.get(path)
        assert refused.status_code == 403 and "KM committee" not in refused.text and "librarian" in refused.text
    assert 'href="/catalogue"' not in reader.get("/").text  # nor in a reader's navigation


def test_the_page_lists_sorts_and_filters(librarian):
    page = librarian.get("/catalogue")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert 'href="/catalogue" aria-current="page"' in page.text  # in the librarian's navigation
    assert titles(page.text) == sorted(titles(page.text), key=str.casefold) and len(titles(page.text)) == 6
    assert '<th scope="col" aria-sort="ascending"><a href="/catalogue?sort=title&amp;order=desc">' in page.text
    assert 'Paper only' in page.text and 'File not indexed' in page.text
    assert '<label for="ctype">Type</label>' in page.text and '<label for="cfolder">Folder</label>' in page.text
    newest = librarian.get("/catalogue", params={"sort": "date", "order": "desc"}).text
    assert titles(newest)[:4] == ["EDRMS Pilot Close-out Report", "Gone report", "KM committee minutes",
                                  HOSTILE_TITLE.replace('"', "&#34;")]
    assert newest.count("aria-sort=") == 1 and 'aria-sort="descending"' in newest
    # the form's empty fields ("any year") are no filter; the order is kept
    minutes = librarian.get("/catalogue", params={"type": "minutes", "year": "", "sort": "date", "order": "desc"}).text
    assert titles(minutes) == ["KM committee minutes"] and "Records 1–1 of 1" in minutes
    assert '<option value="minutes" selected>' in minutes
    assert 'href="/catalogue?type=minutes&amp;sort=title&amp;order=asc"' in minutes  # sorting keeps the filter
    assert titles(librarian.get("/catalogue", params={"q": "hyperlink"}).text) == [HOSTILE_TITLE.replace('"', "&#34;")]
    assert "No record matches" in librarian.get("/catalogue", params={"q": "nothing like this"}).text
    bad = librarian.get("/catalogue", params={"year": "20o9"})
    assert bad.status_code == 422 and "year:" in bad.text


def test_the_page_escapes_what_the_registers_hold(librarian):
    page = librarian.get("/catalogue", params={"held": "paper"}).text
    assert "=HYPERLINK(&#34;http://evil.example/x&#34;,&#34;open&#34;)" in page and "<a href=\"http://evil" not in page


def test_the_page_links_only_what_the_librarian_may_open(librarian):
    page = librarian.get("/catalogue").text  # this librarian's key has no group: km's minutes are listed, unlinked
    assert re.search(r'<th scope="row">KM committee minutes</th>', page)
    assert re.search(r'<th scope="row"><a href="/documents/\w+">EDRMS Pilot Close-out Report</a></th>', page)


def test_the_page_pages(librarian, monkeypatch):
    monkeypatch.setattr("kmsearch.api.pages.PAGE_SIZE", 4)
    first = librarian.get("/catalogue", params={"sort": "date"}).text
    second = librarian.get("/catalogue", params={"sort": "date", "page": 2}).text
    assert len(titles(first)) == 4 and len(titles(second)) == 2 and not set(titles(first)) & set(titles(second))
    assert "Records 5–6 of 6" in second and 'aria-current="page" aria-label="Page 2"' in second
    assert 'href="/catalogue?sort=date&amp;page=2" rel="next"' in first
    assert 'href="/catalogue?sort=date&amp;page=1" rel="prev"' in second
    assert titles(librarian.get("/catalogue", params={"sort": "date", "page": 9}).text) == titles(second)  # the last


def test_the_download_link_gives_the_rows_on_the_page(librarian):
    page = librarian.get("/catalogue", params={"type": "report", "sort": "date", "order": "desc"}).text
    link = re.search(r'<a href="([^"]+)">Download CSV</a>', page).group(1).replace("&amp;", "&")
    assert link == "/catalogue/export/documents?type=report&sort=date&order=desc&format=csv"
    response = librarian.get(link)
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="kmsearch-documents-')
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [r["title"] for r in rows] == ["EDRMS Pilot Close-out Report", "Gone report", "'" + HOSTILE_TITLE]
    xlsx = librarian.get(link.replace("format=csv", "format=xlsx"))
    assert xlsx.headers["content-type"] == XLSX
    assert librarian.get("/catalogue/export/events?format=csv").text.startswith("\ufeffname,start,")
    assert librarian.get("/catalogue/export/elsewhere").status_code == 422
