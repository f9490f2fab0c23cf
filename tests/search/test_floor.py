"""The relevance floor (issue 16, point 2): a passage that shares no word with the query is an answer only when
its dense cosine reaches the floor, so nonsense finds nothing, and the floor never reorders what it keeps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Filters, Searcher
from kmsearch.search.experts import who_knows
from kmsearch.search.hybrid import FLOORS, relevance_floor
from kmsearch.search.where import where_is

NONSENSE = "xqzv blorft wibble"


def _index(corpus, settings, embedder, floor):
    ingest([corpus], settings, embedder)
    return Index.open(settings.replace(relevance_floor=floor), embedder)


def test_nonsense_finds_nothing_above_the_floor_and_real_queries_still_do(corpus, settings, embedder):
    index = _index(corpus, settings, embedder, 0.3)
    searcher = Searcher(index)
    assert searcher.search(NONSENSE) == [] and searcher.search(NONSENSE, mode="dense") == []
    assert who_knows(index, NONSENSE) == [] and where_is(index, NONSENSE) == []
    assert searcher.search("EDRMS file plan")[0].path.endswith("edrms-pilot.pdf")
    unfloored = Searcher(Index.open(settings.replace(relevance_floor=0), embedder))
    assert unfloored.search(NONSENSE, mode="dense")  # the same index without a floor answers nonsense


def test_the_floor_only_cuts_the_tail(corpus, settings, embedder):
    index = _index(corpus, settings, embedder, 0.3)
    floored = Searcher(index).score_chunks("records officers scanned files", 50, "hybrid", Filters(), "score")
    plain = Searcher(Index.open(settings.replace(relevance_floor=0), embedder)).score_chunks(
        "records officers scanned files", 50, "hybrid", Filters(), "score")
    assert floored and set(floored) < set(plain)  # something was cut, and nothing added
    assert all(floored[c] == plain[c] for c in floored)  # what is kept scores (so ranks) exactly as without


def test_the_floor_is_per_model_and_a_setting_overrides_it():
    assert relevance_floor(Settings(), DEFAULT_MODEL) == FLOORS[DEFAULT_MODEL]
    assert FLOORS[DEFAULT_MODEL].cosine == 0.50 and FLOORS[DEFAULT_MODEL].languages == {"en"}
    assert relevance_floor(Settings(), "some-other-model").cosine == 0.0  # not calibrated: no floor
    assert relevance_floor(Settings(relevance_floor=0.42), "some-other-model").cosine == 0.42


def test_the_api_answers_nonsense_with_nothing_and_logs_it_unanswered(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    app = create_app(settings.replace(relevance_floor=0.3), embedder=embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Desk", "reader")[1]})
    found = client.get("/api/v1/search", params={"q": NONSENSE}).json()
    assert found["total"] == 0 and found["hits"] == []
    assert client.get("/api/v1/search", params={"q": "EDRMS file plan"}).json()["total"] >= 1
    assert app.state.usage.queries.flush()
    from datetime import datetime, timedelta, timezone

    from kmsearch.analytics.reader import LogReader
    from kmsearch.analytics.settings import analytics_settings

    reader = LogReader(analytics_settings(app.state.settings).log_path)
    rows = {r.query: r for r in reader.queries(datetime.now(timezone.utc) - timedelta(days=1))}
    reader.close()
    assert rows[NONSENSE].unanswered and not rows["edrms file plan"].unanswered


def test_a_passage_in_a_language_the_model_does_not_read_counts_only_through_its_words(tmp_path, settings, embedder,
                                                                                       monkeypatch):
    from kmsearch.search import hybrid
    from kmsearch.testing import FAKE_MODEL

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "handleiding.txt").write_text(
        "Die Handleiding is gepubliseer in terme van die Wet op Bevordering van Toegang tot Inligting. Versoeke "
        "vir toegang tot rekords moet aan die Inligtingsbeampte gerig word.", encoding="utf-8")
    (folder / "policy.txt").write_text("The records policy of the department sets out how records are kept and "
                                       "when they are destroyed.", encoding="utf-8")
    ingest([folder], settings, embedder)
    index = Index.open(settings, embedder)
    query = "toegang tot rekords inligtingsbeampte"
    assert any(h.language == "af" for h in Searcher(index).search(query, mode="dense"))  # no floor for the fake
    monkeypatch.setitem(hybrid.FLOORS, FAKE_MODEL, hybrid.Floor(0.05, frozenset({"en"})))
    searcher = Searcher(index)
    language = {c.chunk_id: index.catalog.documents([c.doc_id])[c.doc_id].language for c in index.catalog.iter_chunks()}
    close = [(c, 0.99) for c in language]  # as close as can be, sharing no word with the query
    kept = searcher._above_floor(dict(close), close, [])
    assert {language[c] for c in kept} == {"en"}  # the Afrikaans passage counts only through its words
    assert set(searcher._above_floor(dict(close), close, [(c, 1.0) for c in language])) == set(language)
    assert searcher.search(query)[0].language == "af"  # and its words do find it
