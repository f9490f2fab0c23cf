"""Hybrid search: modes, fusion, filters, grouping by document, snippets, parameter errors."""

from __future__ import annotations

import pytest

from kmsearch.errors import InvalidParameterError
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Filters, Searcher
from kmsearch.search.hybrid import rrf, score_fusion
from kmsearch.search.snippets import make_snippet, query_stems


@pytest.fixture
def searcher(corpus, settings, embedder) -> Searcher:
    ingest([corpus], settings, embedder)
    return Searcher(Index.open(settings, embedder))


def names(hits):
    return [h.path.rsplit("/", 1)[-1] for h in hits]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_document_and_page(searcher, mode):
    hits = searcher.search("EDRMS rollout recommendations records champions", k=3, mode=mode)
    assert names(hits)[0] == "edrms-pilot.pdf"
    best = hits[0].passages[0]
    assert best.page == 3 and best.heading == "3. Recommendations"


def test_results_are_grouped_by_document(searcher):
    hits = searcher.search("file plan EDRMS files", k=10, passages=2)
    assert len({h.doc_id for h in hits}) == len(hits)
    pdf = next(h for h in hits if h.path.endswith("edrms-pilot.pdf"))
    assert 1 <= len(pdf.passages) <= 2
    assert pdf.score == pdf.passages[0].score >= pdf.passages[-1].score
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hit_json_shape(searcher):
    hit = searcher.search("mobile service units wards", k=1)[0].to_json()
    assert set(hit) >= {"doc_id", "path", "title", "page", "heading", "snippet", "score", "passages"}
    assert hit["page"] == hit["passages"][0]["page"] and hit["snippet"] == hit["passages"][0]["snippet"]
    assert set(hit["passages"][0]) == {"page", "heading", "snippet", "score"}


def test_snippet_highlights_query_terms(searcher):
    hit = searcher.search("one-stop service centres", k=1, mode="bm25")[0]
    assert hit.path.endswith("study-tour-canada.md")
    assert "<mark>centres</mark>" in hit.passages[0].snippet


def test_filters_narrow_before_ranking(searcher):
    q = "mobile service units wards"
    assert names(searcher.search(q, filters=Filters(doc_type=("presentation",)))) == ["mobile-units.pptx"]
    assert "mobile-units.pptx" not in names(searcher.search(q, filters=Filters(doc_type=("minutes",))))
    assert names(searcher.search(q, filters=Filters(author="dlamini"))) == ["mobile-units.pptx"]
    in_2009 = searcher.search(q, filters=Filters(date_from="2009", date_to="2009"))
    assert names(in_2009) == ["km-committee-2009-06.docx"]
    assert "edrms-pilot.pdf" not in names(searcher.search("EDRMS", filters=Filters(date_to="2010-12")))
    assert set(names(searcher.search(q, filters=Filters(source="minutes")))) == {"km-committee-2009-06.docx"}
    assert searcher.search(q, filters=Filters(language="fr")) == []


def test_author_and_source_filters_take_like_wildcards_literally(corpus, settings, embedder):
    """'%' and '_' in a filter are characters to find, not SQL LIKE wildcards (before, author="%" or "_" matched
    every document, source="%" every document in a folder, and source="q_1" the folder "qx1" too)."""
    for folder in ("q_1", "qx1"):  # "_" in a LIKE pattern would match the "x"
        (corpus / folder).mkdir()
        (corpus / folder / "memo.txt").write_text(f"Registry memo {folder} about the file plan.", encoding="utf-8")
    ingest([corpus], settings, embedder)
    catalog = Index.open(settings, embedder).catalog
    assert len(catalog.document_ids()) == 6
    for wildcard in ("%", "_", "\\", "%%", "_%_"):
        assert catalog.matching_document_ids(Filters(author=wildcard)) == set(), wildcard
        assert catalog.matching_document_ids(Filters(source=wildcard)) == set(), wildcard
    assert catalog.matching_document_ids(Filters(source="q%1")) == set()
    memo = {d.doc_id for d in catalog.iter_documents() if d.path.endswith("q_1/memo.txt")}
    assert catalog.matching_document_ids(Filters(source="q_1")) == memo  # "_" is no "any one character"
    searcher = Searcher(Index.open(settings, embedder))
    assert searcher.search("registry memo file plan", filters=Filters(author="%")) == []
    assert searcher.search("registry memo file plan", filters=Filters(source="%")) == []
    assert len(catalog.matching_document_ids(Filters(author="dlamini"))) == 1  # plain text still matches
    assert len(catalog.matching_document_ids(Filters(author="van der"))) == 1


def test_document_types_were_guessed(searcher):
    types = {d.path: d.doc_type for d in searcher.index.catalog.iter_documents()}
    by_name = {p.rsplit("/", 1)[-1]: t for p, t in types.items()}
    assert by_name == {
        "edrms-pilot.pdf": "report",
        "km-committee-2009-06.docx": "minutes",
        "mobile-units.pptx": "presentation",
        "study-tour-canada.md": "study-tour report",
    }


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 0}, "k must be between 1 and 1000"),
        ({"mode": "magic"}, "mode must be one of"),
        ({"fusion": "max"}, "fusion must be one of"),
        ({"query": "x" * 10_001}, "limit is 10000"),
    ],
)
def test_bad_parameters_name_the_parameter(searcher, kwargs, message):
    query = kwargs.pop("query", "records")
    with pytest.raises(InvalidParameterError, match=message):
        searcher.search(query, **kwargs)


def test_bad_filters_name_the_filter():
    with pytest.raises(InvalidParameterError, match="date_from must be YYYY"):
        Filters(date_from="June 2009")
    with pytest.raises(InvalidParameterError, match="doc_type"):
        Filters(doc_type=("memo",))


def test_empty_and_stopword_queries(searcher):
    assert searcher.search("   ") == []
    assert searcher.search("the of and", mode="bm25") == []


def test_rrf_rewards_agreement():
    fused = rrf([[(1, 0.9), (2, 0.8)], [(2, 12.0), (3, 5.0)]], k=60)
    assert max(fused, key=fused.get) == 2
    assert fused[1] == pytest.approx(1 / 61)


def test_score_fusion_normalises_each_side():
    fused = score_fusion([(1, 0.9), (2, 0.5)], [(2, 30.0), (3, 10.0)], alpha=0.5)
    assert fused == {1: pytest.approx(0.5), 2: pytest.approx(0.5), 3: pytest.approx(0.0)}


def test_make_snippet_escapes_and_windows():
    text = "Intro words. " * 30 + "The <b>records</b> disposal schedule was approved. " + "Tail words. " * 30
    snippet = make_snippet(text, query_stems("record disposal"))
    assert "&lt;b&gt;<mark>records</mark>&lt;/b&gt;" in snippet and "<mark>disposal</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
