"""The service through create_app and an in-process client: error shape, limits, keys and access control on
every endpoint, document files, facets, and a re-index under a steady stream of searches."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.ingest import history
from kmsearch.ingest.pipeline import ingest
from tests.helpers import KM_ONLY, sign_in, wait_for, write_register

RESTRICTED = KM_ONLY  # readable by group km only


@pytest.fixture
def service(corpus, settings, embedder):
    write_register(corpus, f"minutes/{RESTRICTED},KM/2009/7,KM committee minutes,minutes,2009-06-17,"
                           "Tshwane Building,3-02,KM1,1,Ms Sithole,km,\n")
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    keys = app.state.keys
    secrets = {
        "outsider": keys.add("Front desk", "reader")[1],
        "insider": keys.add("KM team", "reader", ("km",))[1],
        "librarian": keys.add("Registry", "librarian")[1],
    }
    revoked_key, revoked = keys.add("Old", "reader", ("km",))
    keys.revoke(revoked_key.key_id)
    secrets["revoked"] = revoked
    client = TestClient(app)

    def get(path: str, who: str | None = None, **params):
        headers = {"Authorization": f"Bearer {secrets[who]}"} if who else {}
        return client.get(path, params=params, headers=headers)

    return app, client, get, secrets, corpus


def assert_error(response, status: int, code: str, message: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code and message in body["error"]["message"]


def restricted_id(app) -> str:
    idx = app.state.holder.current()
    return next(d.doc_id for d in idx.catalog.iter_documents() if d.path.endswith(RESTRICTED))


PROTECTED = ["/api/v1/search?q=minutes", "/api/v1/facets?q=minutes", "/api/v1/documents/abc",
             "/api/v1/documents/abc/file", "/api/v1/who-knows?q=records", "/api/v1/where-is?q=minutes",
             "/api/v1/admin/jobs/abc"]


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize("who", [None, "revoked"])
def test_missing_or_revoked_key_is_401(service, path, who):
    _, client, get, secrets, _ = service
    headers = {"X-API-Key": secrets[who]} if who else {}
    assert_error(client.get(path, headers=headers), 401, "unauthorized", "valid API key")


def test_health_is_open_and_metrics_need_a_key_and_reveal_no_counts(service):
    _, client, get, _, _ = service
    health = get("/api/v1/health").json()
    assert health["status"] == "ok" and health["generation"] == "g000001" and "documents" not in health
    get("/api/v1/search", "outsider", q="records")
    assert_error(get("/api/v1/metrics"), 401, "unauthorized")  # issue 15: a key unless public_metrics
    metrics = get("/api/v1/metrics", "outsider")
    assert metrics.status_code == 200 and 'kmsearch_requests_total{route="/api/v1/search",status="200"}' in metrics.text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "x" * 10_001}, "q: String should have at most 10000 characters"),
        ({"q": "records", "k": 51}, "k: Input should be less than or equal to 50"),
        ({"q": "records", "page": 21}, "page: Input should be less than or equal to 20"),
        ({"q": "records", "mode": "magic"}, "mode: String should match pattern"),
        ({"q": "records", "date_from": "June"}, "date_from"),
        ({"q": "records", "type": "memo"}, "type.0: Input should be 'report', 'annual report'"),
        ({}, "q: Field required"),
    ],
)
def test_limits_answer_422_naming_the_limit(service, params, message):
    _, _, get, _, _ = service
    assert_error(get("/api/v1/search", "outsider", **params), 422, "invalid_parameter", message)


def test_unknown_route_and_document_use_the_error_shape(service):
    _, client, get, _, _ = service
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_error(get("/api/v1/documents/0000", "outsider"), 404, "not_found", "no document")
    assert_error(get("/api/v1/admin/jobs/0000", "librarian"), 404, "not_found")
    assert_error(client.post("/api/v1/health"), 405, "method_not_allowed")


def test_search_shape_and_paging(service):
    _, _, get, _, _ = service
    body = get("/api/v1/search", "outsider", q="EDRMS file plan records", k=2).json()
    assert body["page"] == 1 and body["k"] == 2 and body["total"] >= len(body["hits"]) == 2
    hit = body["hits"][0]
    assert {"doc_id", "path", "title", "page", "heading", "snippet", "score", "passages"} <= set(hit)
    second = get("/api/v1/search", "outsider", q="EDRMS file plan records", k=2, page=2).json()
    assert not {h["doc_id"] for h in second["hits"]} & {h["doc_id"] for h in body["hits"]}


def test_restricted_document_leaves_no_trace_for_an_outsider(service):
    app, _, get, _, _ = service
    doc_id = restricted_id(app)
    query = "committee approved the knowledge management strategy"
    inside = get("/api/v1/search", "insider", q=query, k=50).json()
    outside = get("/api/v1/search", "outsider", q=query, k=50).json()
    assert doc_id in {h["doc_id"] for h in inside["hits"]}
    assert doc_id not in {h["doc_id"] for h in outside["hits"]}
    assert outside["total"] == inside["total"] - 1  # totals count only what the caller may read
    assert RESTRICTED not in str(outside)

    facets_in = get("/api/v1/facets", "insider", q=query).json()["facets"]
    facets_out = get("/api/v1/facets", "outsider", q=query).json()["facets"]
    assert facets_in["type"].get("minutes") == 1 and "minutes" not in facets_out["type"]
    assert "minutes" not in get("/api/v1/facets", "outsider").json()["facets"]["source"]

    assert_error(get(f"/api/v1/documents/{doc_id}", "outsider"), 404, "not_found")
    assert_error(get(f"/api/v1/documents/{doc_id}/file", "outsider"), 404, "not_found")
    doc = get(f"/api/v1/documents/{doc_id}", "insider").json()
    assert doc["register"]["location"]["room"] == "3-02" and doc["pages"][0]["number"] == 1
    file = get(f"/api/v1/documents/{doc_id}/file", "insider")
    assert file.status_code == 200 and file.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")

    # the page obeys the same rule
    _, client, _, secrets, _ = service
    sign_in(client, secrets["outsider"])
    page = client.get("/", params={"q": query})
    assert page.status_code == 200 and "KM committee minutes" not in page.text and RESTRICTED not in page.text
    assert client.get(f"/documents/{doc_id}").status_code == 404


def test_file_endpoint_serves_pdf_inline(service):
    app, _, get, _, _ = service
    idx = app.state.holder.current()
    doc_id = next(d.doc_id for d in idx.catalog.iter_documents() if d.path.endswith(".pdf"))
    response = get(f"/api/v1/documents/{doc_id}/file", "outsider")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "inline" in response.headers["content-disposition"]


def test_reindex_needs_a_librarian(service):
    _, client, _, secrets, _ = service
    response = client.post("/api/v1/admin/reindex", headers={"X-API-Key": secrets["outsider"]})
    assert_error(response, 403, "forbidden", "librarian")


def test_reindex_under_a_stream_of_searches(service):
    """Searches keep succeeding while a re-index runs and the service switches generation without a restart."""
    app, client, get, secrets, corpus = service
    for i in range(15):
        (corpus / "minutes" / f"memo-{i}.txt").write_text(
            " ".join(f"Memo {i} point {j}: the archive of shelf {i}-{j} moves to the new registry." for j in range(60)))
    stop = threading.Event()
    results: list[tuple[int, str]] = []

    def searcher() -> None:
        local = TestClient(app)
        while not stop.is_set():
            r = local.get("/api/v1/search", params={"q": "registry archive shelf"},
                          headers={"X-API-Key": secrets["outsider"]})
            results.append((r.status_code, r.json().get("generation", "")))

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for t in threads:
        t.start()
    started = client.post("/api/v1/admin/reindex", headers={"X-API-Key": secrets["librarian"]})
    assert started.status_code == 202
    job_id = started.json()["job"]["id"]

    def finished() -> dict | None:
        job = get(f"/api/v1/admin/jobs/{job_id}", "librarian").json()["job"]
        return job if job["status"] in ("done", "failed") else None

    try:
        job = wait_for(finished, 120, "the re-index job to finish")
        if job["status"] == "done":  # a few searches answered after the switch
            wait_for(lambda: sum(g == "g000002" for _, g in results) >= 3, 60, "3 searches of the new generation")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert job["status"] == "done", job
    assert job["report"]["summary"]["added"] == 15
    recorded = history.last(app.state.holder.settings.index_dir)  # the ingest history names the key
    assert job["who"] == "API key Registry" == recorded.who and recorded.generation == "g000002"
    failed = [r for r in results if r[0] != 200]
    assert len(results) > 10 and failed == []
    generations = [g for _, g in results]
    assert generations[0] == "g000001" and generations[-1] == "g000002"
    assert set(generations) == {"g000001", "g000002"}  # each answer came from one whole generation
    assert any("memo-" in h["path"] for h in get("/api/v1/search", "outsider", q="archive shelf registry").json()["hits"])


def test_open_mode_needs_no_key(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    client = TestClient(create_app(settings, open_mode=True, embedder=embedder))
    assert client.get("/api/v1/search", params={"q": "EDRMS"}).status_code == 200


def test_page_asks_for_sign_in_and_signs_in(service):
    _, client, _, secrets, _ = service
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/signin")
    here = {"Origin": "http://testserver"}  # as a browser sends with a form post
    bad = client.post("/signin", data={"key": "kms_wrong", "next": "/"}, headers=here)
    assert bad.status_code == 401 and "not valid" in bad.text
    ok = client.post("/signin", data={"key": secrets["insider"], "next": "/"}, headers=here, follow_redirects=False)
    assert ok.status_code == 303 and "kmsearch_session" in ok.headers["set-cookie"]
    assert secrets["insider"] not in ok.headers["set-cookie"]  # the cookie names the key, never holds it
    page = client.get("/", params={"q": "mobile service units"})
    assert page.status_code == 200 and "<mark>" in page.text and "#page=" in page.text


def test_who_knows_and_where_is_respect_access(service):
    """The restricted minutes are the only document naming A. Patel: an outsider must see neither the minutes as
    evidence nor Patel; the insider sees both. Where-is never answers the minutes to an outsider."""
    app, _, get, _, _ = service
    doc_id = restricted_id(app)
    query = "knowledge management strategy committee"
    inside = get("/api/v1/who-knows", "insider", q=query, k=50).json()["people"]
    outside = get("/api/v1/who-knows", "outsider", q=query, k=50).json()["people"]
    evidence_in = {e["doc_id"] for p in inside for e in p["evidence"]}
    evidence_out = {e["doc_id"] for p in outside for e in p["evidence"]}
    assert doc_id in evidence_in and doc_id not in evidence_out
    assert any("Patel" in p["name"] for p in inside)
    assert not any("Patel" in p["name"] or any("Patel" in a for a in p["aliases"]) for p in outside)
    assert RESTRICTED not in str(outside)

    located_in = get("/api/v1/where-is", "insider", q="the KM committee minutes of June 2009").json()["documents"]
    located_out = get("/api/v1/where-is", "outsider", q="the KM committee minutes of June 2009").json()["documents"]
    assert located_in[0]["doc_id"] == doc_id and located_in[0]["location"]["room"] == "3-02"
    assert doc_id not in {d["doc_id"] for d in located_out} and "KM/2009/7" not in str(located_out)


ADVERSARIAL = [
    "a" * 10_000,  # at the limit
    "records " * 124,  # many repeated terms, within the limit
    "\x00\x01\x02 control\x7f characters\x1b[31m",
    "(.*)+$ [a-z]{1,1000} \\d+?",  # regular-expression syntax
    'title:"KM" AND (minutes OR policy) NOT draft~2 ^3 +must -not *',  # Lucene-like syntax
    "'; DROP TABLE documents; -- \" OR 1=1 /*",  # SQL fragments
    "%_%\\' LIKE '%' ESCAPE '\\'",
    "\u202eevil\u202c \u200b\u200d zero-width",  # bidi override, zero-width characters
    "e\u0301\u0301\u0301\u0301 z\u0351\u0352\u0353\u0354",  # stacked combining marks
    "📄🔍🏛️ emoji only",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 mathematical letters",
    "   ",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("endpoint", ["/api/v1/search", "/api/v1/facets", "/api/v1/where-is", "/api/v1/who-knows"])
def test_adversarial_queries_never_break_the_service(service, endpoint):
    _, _, get, _, _ = service
    for query in ADVERSARIAL:
        response = get(endpoint, "outsider", q=query)
        assert response.status_code in (200, 422), (query, response.text)
        body = response.json()
        if response.status_code == 422:
            assert body["error"]["code"] == "invalid_parameter"
            continue
        assert response.headers["content-type"] == "application/json"
        snippets = [p.get("snippet", "") for h in body.get("hits", []) for p in h["passages"]]
        snippets += [e["snippet"] for p in body.get("people", []) for e in p["evidence"]]
        assert not any("<script>" in s for s in snippets), query  # snippets are HTML-escaped


def test_invalid_utf8_in_the_query_string(service):
    _, client, _, secrets, _ = service
    for raw in ("%ED%A0%80", "%FF%FE", "%C0%AF", "%00"):
        response = client.get(f"/api/v1/search?q={raw}x", headers={"X-API-Key": secrets["outsider"]})
        assert response.status_code in (200, 422), (raw, response.text)


def test_adversarial_queries_on_the_page(service):
    _, client, _, secrets, _ = service
    sign_in(client, secrets["outsider"])
    for query in ADVERSARIAL:
        for path in ("/", "/who-knows", "/where-is"):
            response = client.get(path, params={"q": query})
            assert response.status_code in (200, 422), (path, query, response.status_code)
            assert "<script>alert(1)</script>" not in response.text
