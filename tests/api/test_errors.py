"""One exception-to-status mapping for the JSON API and the staff page: the same refusal gets the same status and
the same message on both, and each side keeps its own shape (the JSON error body, the page's template)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException

from kmsearch.api import create_app
from kmsearch.api.errors import ApiError, describe
from kmsearch.config import Settings
from kmsearch.errors import IndexError_, IndexLockedError, InvalidParameterError, KmsearchError, ModelMismatchError
from kmsearch.ingest.pipeline import ingest
from kmsearch.search.hybrid import MAX_QUERY_CHARS
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import sign_in, write_corpus

TOO_LONG = "records " * (MAX_QUERY_CHARS // 8) + "x"  # one character over the limit


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("errors")
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([write_corpus(root / "corpus")], settings, embedder)
    app = create_app(settings, embedder=embedder)
    secret = app.state.keys.add("Front desk", "reader")[1]
    api = TestClient(app, headers={"X-API-Key": secret})
    page = sign_in(TestClient(app), secret)
    return api, page


def api_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    return body["error"]["message"]


def page_error(response, status: int) -> str:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.DOTALL)
    assert alert, response.text[:500]
    return html.unescape(alert.group(1))


@pytest.mark.parametrize("api_path, api_params, page_path, page_params, says", [
    # a month 13 matches YYYY-MM but is no date: refused, not searched as a string
    ("/api/v1/search", {"q": "records", "date_from": "2012-13"}, "/", {"q": "records", "from": "2012-13"},
     "date_from: must be YYYY, YYYY-MM or YYYY-MM-DD"),
    ("/api/v1/search", {"q": "records", "date_to": "2012-13"}, "/", {"q": "records", "date_to": "2012-13"},
     "date_to: must be YYYY"),
    ("/api/v1/search", {"q": "records", "type": "memo"}, "/", {"q": "records", "type": "memo"},
     "type.0: Input should be 'report', 'annual report'"),
    ("/api/v1/search", {"q": TOO_LONG}, "/", {"q": TOO_LONG}, "q: String should have at most 10000 characters"),
    ("/api/v1/who-knows", {"q": TOO_LONG}, "/who-knows", {"q": TOO_LONG}, "q: String should have at most 10000"),
    ("/api/v1/where-is", {"q": TOO_LONG}, "/where-is", {"q": TOO_LONG}, "q: String should have at most 10000"),
])
def test_the_page_refuses_what_the_api_refuses_with_the_same_message(service, api_path, api_params, page_path,
                                                                     page_params, says):
    api, page = service
    from_api = api_error(api.get(api_path, params=api_params), 422)
    from_page = page_error(page.get(page_path, params=page_params), 422)
    assert from_api.startswith(says) and from_page == from_api
    assert api.get(api_path, params=api_params).json()["error"]["code"] == "invalid_parameter"


def test_valid_filters_still_search_on_the_page(service):
    _, page = service
    response = page.get("/", params={"q": "EDRMS pilot records", "from": "2011", "date_to": "2011-12-31",
                                     "type": "report"})
    assert response.status_code == 200 and "EDRMS Pilot Close-out Report" in response.text
    assert 'name="date_from"' in response.text and 'value="2011"' in response.text  # the old name fills the form
    later = page.get("/", params={"q": "EDRMS pilot records", "date_from": "2012-01"})
    assert later.status_code == 200 and "EDRMS Pilot Close-out Report" not in later.text


def test_no_index_is_503_on_both_with_the_same_message(tmp_path):
    app = create_app(Settings(index_dir=tmp_path / "none", model=FAKE_MODEL, ocr=False), embedder=FakeEmbedder())
    secret = app.state.keys.add("Front desk", "reader")[1]
    from_api = api_error(TestClient(app).get("/api/v1/search", params={"q": "x"}, headers={"X-API-Key": secret}), 503)
    from_page = page_error(sign_in(TestClient(app), secret).get("/", params={"q": "x"}), 503)
    assert from_page == from_api and from_api


def test_unknown_paths_answer_in_the_shape_of_their_side(service):
    api, page = service
    assert api_error(api.get("/api/v1/nope"), 404) == "Not Found"
    assert "Not Found" in page.get("/nope").text and page.get("/nope").status_code == 404
    assert page.get("/nope").headers["content-type"].startswith("text/html")
    missing = page.get("/documents/0000")
    assert missing.status_code == 404 and "no document &#39;0000&#39;" in missing.text
    assert api_error(api.get("/api/v1/documents/0000"), 404) == "no document '0000'"


@pytest.mark.parametrize("exc, status, code", [
    (ApiError(403, "forbidden", "no"), 403, "forbidden"),
    (RequestValidationError([{"loc": ("query", "k"), "msg": "too big", "type": "x"}]), 422, "invalid_parameter"),
    (HTTPException(405), 405, "method_not_allowed"),
    (InvalidParameterError("k must be between 1 and 50"), 422, "invalid_parameter"),
    (IndexLockedError("another ingest is running"), 409, "busy"),
    (ModelMismatchError("built with another model"), 503, "index_unavailable"),
    (IndexError_("no index yet"), 503, "index_unavailable"),
    (KmsearchError("odd"), 500, "internal_error"),
    (ZeroDivisionError("secret detail"), 500, "internal_error"),
])
def test_describe_maps_by_class_not_by_wording(exc, status, code):
    info = describe(exc)
    assert (info.status, info.code) == (status, code)
    assert "secret detail" not in info.message  # an unexpected error shows no internals
    if isinstance(exc, RequestValidationError):
        assert info.message == "k: too big"  # the parameter's name, without FastAPI's "query" prefix
