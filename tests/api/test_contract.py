"""The API's typed contract: operation ids, security schemes, the JSON field names the README documents, the
offline documentation pages, and a client generated from /openapi.json that works with no hand edits."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.config import Settings
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import write_corpus

OPERATIONS = {"search", "facets", "whoKnows", "whereIs", "getDocument", "getDocumentFile", "health", "metrics",
              "reindex", "getJob", "getAnalytics", "getAudit", "exportDocuments", "exportPeople", "exportEvents",
              "exportFailures"}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([write_corpus(root / "corpus")], settings, embedder)
    app = create_app(settings, embedder=embedder)
    secret = app.state.keys.add("Contract", "librarian")[1]
    return app, secret, TestClient(app, headers={"Authorization": f"Bearer {secret}"})


def test_operations_read_well_and_declare_the_key(service):
    app, _, _ = service
    schema = app.openapi()
    operations = {op["operationId"]: op for path in schema["paths"].values() for op in path.values()}
    assert set(operations) == OPERATIONS
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert schemes["apiKey"]["type"] == "apiKey" and schemes["apiKey"]["in"] == "header"
    assert schemes["apiKey"]["name"] == "X-API-Key"
    for name, op in operations.items():
        if name == "health":
            assert "security" not in op  # open: it reveals no documents or counts (metrics need a key: issue 15)
        else:
            assert op["security"] == [{"bearer": []}, {"apiKey": []}], name
        if name not in ("getDocumentFile", "metrics"):  # those two answer a file and text
            success = op["responses"]["202" if name == "reindex" else "200"]["content"]["application/json"]
            assert success["schema"]["$ref"].startswith("#/components/schemas/"), name


def test_json_field_names_are_as_documented(service):
    """Typed responses keep exactly the field names the service answered before they were typed."""
    _, _, client = service
    found = client.get("/api/v1/search", params={"q": "EDRMS file plan records"}).json()
    assert set(found) == {"query", "mode", "page", "k", "total", "generation", "hits", "query_id", "suggestion",
                          "corrected_from", "acronyms"}
    assert set(found["hits"][0]) == {"doc_id", "path", "title", "type", "date", "language", "page", "heading",
                                     "snippet", "score", "passages"}
    assert set(found["hits"][0]["passages"][0]) == {"page", "heading", "snippet", "score"}
    people = client.get("/api/v1/who-knows", params={"q": "knowledge management strategy committee"}).json()
    assert set(people) == {"query", "people", "query_id"}
    assert set(people["people"][0]) == {"id", "name", "aliases", "unit", "role", "email", "phone", "status",
                                        "score", "at_risk", "evidence", "skills"}
    assert set(people["people"][0]["evidence"][0]) == {"doc_id", "path", "title", "page", "role", "snippet"}
    located = client.get("/api/v1/where-is", params={"q": "report of the study tour to Canada"}).json()
    assert set(located["documents"][0]) == {"doc_id", "path", "title", "type", "date", "pages", "location",
                                            "custodian", "reference", "superseded_by", "score"}
    doc = client.get(f"/api/v1/documents/{found['hits'][0]['doc_id']}").json()
    assert set(doc) == {"doc_id", "path", "title", "format", "doc_type", "authors", "created", "modified", "date",
                        "language", "n_pages", "reference", "indexed_at", "file_url", "pages", "register"}
    assert set(doc["pages"][0]) == {"number", "text", "ocr"}
    facets = client.get("/api/v1/facets").json()
    assert set(facets) == {"query", "facets"} and set(facets["facets"]) == {"type", "year", "source", "language"}
    assert set(client.get("/api/v1/health").json()) == {"status", "generation", "version"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_need_no_internet(service, page):
    _, _, client = service
    response = client.get(page)
    assert response.status_code == 200
    assert not re.search(r"https?://|//[a-z]", response.text, re.IGNORECASE), "the page references an outside address"
    assets = re.findall(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"', response.text)
    assert any(a.endswith(".js") for a in assets) and (page == "/redoc" or any(a.endswith(".css") for a in assets))
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
    assert "img-src 'self' data:" in response.headers["content-security-policy"]  # nothing from elsewhere
    assert "url: '/openapi.json'" in response.text or 'spec-url="/openapi.json"' in response.text


@pytest.fixture(scope="module")
def generated_client(service, tmp_path_factory):
    """A client package generated by openapi-python-client from the app's schema, imported as it was written."""
    app, _, _ = service
    folder = tmp_path_factory.mktemp("generated")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(app.openapi()), encoding="utf-8")
    config = folder / "config.yml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no ruff pass: the code is used as generated
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec), "--config", str(config),
         "--output-path", str(folder / "kmsearch_client"), "--meta", "none", "--fail-on-warning"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("kmsearch_client")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == "kmsearch_client" or m.startswith("kmsearch_client.")]:
            del sys.modules[name]


def test_a_generated_client_searches_with_no_hand_edits(service, generated_client):
    app, secret, _ = service
    from kmsearch_client import AuthenticatedClient
    from kmsearch_client.api.people import who_knows
    from kmsearch_client.api.search import search, where_is
    from kmsearch_client.models import DocType, LocatedDocument, Person, SearchHit, SearchResult

    client = AuthenticatedClient(base_url="http://kmsearch.test", token=secret)
    # Starlette's TestClient is an httpx.Client whose transport calls the ASGI app in-process (httpx's own
    # ASGITransport is async only, and the generated `sync` functions need a sync client)
    client.set_httpx_client(TestClient(app, base_url="http://kmsearch.test",
                                       headers={"Authorization": f"Bearer {secret}"}))

    found = search.sync(client=client, q="EDRMS file plan records", k=3, type_=[DocType.REPORT])
    assert isinstance(found, SearchResult) and found.hits and found.total >= len(found.hits)
    hit = found.hits[0]
    assert isinstance(hit, SearchHit) and isinstance(hit.title, str) and hit.title == "EDRMS Pilot Close-out Report"
    assert hit.type_ == "report" and isinstance(hit.passages[0].page, int) and "<mark>" in hit.passages[0].snippet

    people = who_knows.sync(client=client, q="knowledge management strategy committee")
    assert people.people and all(isinstance(p, Person) for p in people.people)
    assert any(p.evidence for p in people.people) and isinstance(people.people[0].evidence[0].page, int)

    located = where_is.sync(client=client, q="report of the study tour to Canada")
    assert located.documents and isinstance(located.documents[0], LocatedDocument)
    assert located.documents[0].title == "Report of the study tour to Canada"
    assert isinstance(located.documents[0].pages, list)

    refused = search.sync_detailed(client=client, q="x" * 10_001)
    assert refused.status_code == 422 and refused.parsed.error.code == "invalid_parameter"
