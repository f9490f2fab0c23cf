"""Acronyms (issue 16, point 4): learned at ingest from the documents' own definitions, used to expand the BM25
side of a query, and shown; an acronym no document defines is searched as written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.index.catalog.vocabulary import acronyms_in
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher
from kmsearch.search.acronyms import named


@pytest.mark.parametrize("text, found", [
    ("The Integrated Development Plan (IDP) of the ward", [("IDP", "Integrated Development Plan")]),
    ("IDP: Integrated Development Plan", [("IDP", "Integrated Development Plan")]),
    ("Costs of Implementing a Universal Transit Pass (UPass)", [("UPass", "Universal Transit Pass")]),
    ("PLWHIV People living with HIV\nTFR total fertility rate",
     [("PLWHIV", "People living with HIV"), ("TFR", "total fertility rate")]),
    ("the meeting (AGM) of the board", []),  # its letters are not the words before it
    ("IDP projects were delivered in the ward", []),
    ("Tel (012) 345 6789", []),
])
def test_definitions_are_found_as_documents_write_them(text, found):
    assert acronyms_in(text) == found


def test_an_acronym_finds_the_passages_that_spell_it_out(tmp_path, settings, embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "glossary.txt").write_text("Abbreviations\n\nIDP: Integrated Development Plan\nKM: knowledge "
                                         "management\n", encoding="utf-8")
    (folder / "ward-plan.txt").write_text("The ward committee reviewed the integrated development plan for 2014 "
                                          "and its projects for water and roads.", encoding="utf-8")
    (folder / "budget.txt").write_text("The budget committee approved the travel costs.", encoding="utf-8")
    ingest([folder], settings, embedder)
    index = Index.open(settings, embedder)
    assert named(index, "IDP projects") == {"IDP": "Integrated Development Plan"}
    assert named(index, "SDBIP projects") == {}  # no document defines it: searched as written
    found = [h.path.rsplit("/", 1)[-1] for h in Searcher(index).search("IDP projects", mode="bm25")]
    assert "ward-plan.txt" in found  # it never writes "IDP"
    app = create_app(settings, embedder=embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Desk", "reader")[1]})
    assert client.get("/api/v1/search", params={"q": "IDP projects"}).json()["acronyms"] == {
        "IDP": "Integrated Development Plan"}
