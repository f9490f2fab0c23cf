"""Who-knows and where-is with the real model on the sample corpus, scored on the judged set in
tests/data/judged/ (the figures in docs/benchmarks.md come from scripts/eval_people.py, which runs the same)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.eval.experts import evaluate_index, load_qrels, load_topics, rank_people
from kmsearch.eval.where import evaluate_where, load_judgements
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search.experts import who_knows
from kmsearch.search.where import where_is
from tests.helpers import REPO

pytestmark = pytest.mark.slow
ROOT = REPO
JUDGED = ROOT / "tests" / "data" / "judged"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    settings = Settings(index_dir=tmp_path_factory.mktemp("people") / "index")
    report = ingest([ROOT / "corpus"], settings)
    assert report.count("failed") == 0
    return Index.open(settings)


def test_every_judged_topic_ranks_a_right_person_first(index):
    topics, qrels = load_topics(JUDGED / "who_knows_topics.tsv"), load_qrels(JUDGED / "who_knows.qrels.trec")
    run = rank_people(index, topics, qrels)
    firsts = {q: max(people, key=people.get) for q, people in run.items()}
    assert {q: p for q, p in firsts.items() if qrels[q].get(p, 0) == 0} == {}
    scores = evaluate_index(index, topics, qrels)
    assert scores["mrr"] == 1.0 and scores["map"] >= 0.85 and scores["topics"] == 14


def test_evidence_points_at_the_right_pages(index):
    top = who_knows(index, "who knows about records disposal and disposal authorities?", k=1)[0]
    assert top.name == "Mr Pieter van der Merwe" and top.at_risk and top.status == "left"
    assert {"P. vd Merwe", "PvdM", "Mr P.J. van der Merwe"} <= set(top.aliases)
    assert top.evidence and all(1 <= e.page <= 7 and e.snippet for e in top.evidence)
    pages = {(Path(e.path).name, e.page) for e in who_knows(index, "records disposal", k=1, evidence=5)[0].evidence}
    assert ("records-management-policy-2005.docx", 1) in pages  # he compiled it; section 9 is on disposal
    tour = who_knows(index, "one-stop service centres", k=3)
    assert tour[0].name == "Ms Lerato Dlamini"
    assert any(Path(e.path).name == "study-tour-canada-2008.pdf" and e.page in (3, 5, 6) for x in tour for e in x.evidence)


def test_access_rule_on_the_sample_corpus(index):
    # The exit interview (hr only) is the only document that names Mr van der Merwe's full name with "Johannes".
    everyone = who_knows(index, "records disposal", k=3)
    outsider = who_knows(index, "records disposal", k=3, groups=frozenset())
    assert "Mr Pieter Johannes van der Merwe" in everyone[0].aliases
    assert "Mr Pieter Johannes van der Merwe" not in outsider[0].aliases
    assert all(not e.path.endswith(("exit-interview-summary-van-der-merwe-2019.docx", "knowledge-audit-report-2015.docx"))
               for x in outsider for e in x.evidence)


def test_where_is_judged_requests(index):
    result = evaluate_where(index, load_judgements(JUDGED / "where_is.tsv"))
    # The one page miss: the EDRMS report's recommendations (page 2) share a passage headed "4. Issues encountered",
    # and page 2 used to rank only through its running footer ("DGPSI — EDRMS Pilot Project Close-out Report"),
    # which extraction now removes; the right document still comes first.
    assert [(m["query"], m["got"], m["pages"]) for m in result["misses"]] == [
        ("EDRMS pilot close-out report recommendations", "DGPSI/RM/2011/006", [1])]
    assert result["accuracy@1"] == 1.0 and result["page@3"] >= 12 / 13
    old = where_is(index, "the 2005 records management policy", k=1)[0]
    assert old.superseded_by["reference"] == "DGPSI/RM/2010/002" and old.location["room"] == "B-07 Registry (basement)"
