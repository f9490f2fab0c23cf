"""Did you mean (issue 16, point 3): words the collection does not hold are corrected to words it does; a query
that finds nothing as written is searched corrected, and says so; one that finds something gets a suggestion."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search.spelling import Speller, speller
from tests.helpers import sign_in


def test_unknown_words_are_corrected_to_the_collections_own():
    spell = Speller({"records": 40, "management": 30, "council": 12, "counsel": 2, "meeting": 9, "winnipeg": 3,
                     "idp": 5})
    assert spell.suggest("recrods managment").text == "records management"
    assert spell.suggest("Winipeg city councl meting").text == "Winnipeg city council meeting"
    assert spell.suggest("records management") is None  # nothing to correct
    assert spell.suggest("IDP plans") is None  # too short to correct, and "plans" has no neighbour
    assert spell.suggest("xqzv blorft wibble") is None  # two slips in a short word make another word: left alone


def test_the_ingest_keeps_the_passages_words(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    words = index.catalog.vocabulary()
    assert words["retrieval"] >= 1 and words["edrms"] >= 2 and "2011" not in words
    assert speller(index).suggest("retreival tmes").text == "retrieval times"


def test_the_page_searches_the_correction_when_the_words_find_nothing(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    app = create_app(settings.replace(relevance_floor=0.3), embedder=embedder)
    secret = app.state.keys.add("Desk", "reader")[1]
    api = TestClient(app, headers={"X-API-Key": secret})
    corrected = api.get("/api/v1/search", params={"q": "retreival tmes"}).json()
    assert corrected["corrected_from"] == "retreival tmes" and corrected["query"] == "retrieval times"
    assert corrected["hits"][0]["path"].endswith("edrms-pilot.pdf")
    assert api.get("/api/v1/search", params={"q": "retreival tmes", "spell": "false"}).json()["total"] == 0
    suggested = api.get("/api/v1/search", params={"q": "EDRMS retreival"}).json()  # EDRMS alone finds the pilot
    assert suggested["total"] and suggested["suggestion"] == "EDRMS retrieval" and not suggested["corrected_from"]
    page = unescape(sign_in(TestClient(app), secret).get("/", params={"q": "retreival tmes"}).text)
    assert "these are the results for <strong>retrieval times</strong>" in page
    assert re.search(r'href="/\?q=retreival\+tmes&spell=false"', page)
