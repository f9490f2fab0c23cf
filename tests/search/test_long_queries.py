"""Long queries (issue 16, point 12): a pasted paragraph is a valid query, BM25 takes its rarest terms, the size
cap answers 422 alike in the API and the page, and `kmsearch eval beir` runs on a collection's own long queries."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.eval.beir import evaluate
from kmsearch.index.lexical import MAX_QUERY_TERMS
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher
from kmsearch.search.hybrid import MAX_QUERY_CHARS
from tests.helpers import sign_in

# A pasted paragraph of everyday words, with the two that say what it is about
PARAGRAPH = ("Could someone please tell me where I can find whatever we have on the subject that came up at the "
             "meeting last week, because my manager asked me to look into it before the end of the month and I "
             "have not been able to find anything in the shared drive or on the intranet, and I was told that "
             "there might be a report somewhere about the ") * 6 + "EDRMS pilot and its retrieval times."


def test_a_pasted_paragraph_finds_what_its_rare_words_name(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    assert len(PARAGRAPH) > 2_000
    assert Searcher(index).search(PARAGRAPH, mode="bm25")[0].path.endswith("edrms-pilot.pdf")
    assert Searcher(index).search(PARAGRAPH)[0].path.endswith("edrms-pilot.pdf")


def test_bm25_scores_at_most_the_rarest_terms(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    words = " ".join(f"word{i}" for i in range(3 * MAX_QUERY_TERMS))  # none in the index
    assert index.lexical.search(words + " retrieval", 10)  # the one known word is kept, the unknown ones dropped


def test_the_cap_answers_422_in_the_api_and_the_page(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    secret = app.state.keys.add("Desk", "reader")[1]
    over = "records " * (MAX_QUERY_CHARS // 8 + 1)
    api = TestClient(app, headers={"X-API-Key": secret}).get("/api/v1/search", params={"q": over})
    page = sign_in(TestClient(app), secret).get("/", params={"q": over})
    assert api.status_code == page.status_code == 422
    message = api.json()["error"]["message"]
    assert "10000" in message and message in page.text.replace("&#34;", '"').replace("&#39;", "'")
    assert TestClient(app, headers={"X-API-Key": secret}).get(
        "/api/v1/search", params={"q": PARAGRAPH}).status_code == 200


def test_eval_beir_runs_on_a_collections_long_queries(tmp_path, settings, embedder):
    folder = tmp_path / "beir"
    (folder / "qrels").mkdir(parents=True)
    docs = [{"_id": "d1", "title": "EDRMS pilot", "text": "Retrieval times fell with the EDRMS pilot."},
            {"_id": "d2", "title": "Mobile units", "text": "Two mobile service units visited twelve wards."}]
    queries = [{"_id": "q1", "text": PARAGRAPH}, {"_id": "q2", "text": "mobile wards " * 1_200}]  # 3,000, 15,600
    (folder / "corpus.jsonl").write_text("\n".join(map(json.dumps, docs)), encoding="utf-8")
    (folder / "queries.jsonl").write_text("\n".join(map(json.dumps, queries)), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n", encoding="utf-8")
    results = evaluate(folder, settings, [("bm25", "rrf"), ("hybrid", "score")], embedder=embedder)
    assert results["bm25"]["queries"] == 2 and results["bm25"]["ndcg@10"] == 1.0
