"""The catalogue's exports through the API (GET /api/v1/admin/export/...), in-process against a real index of the
small corpus with registers."""

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
