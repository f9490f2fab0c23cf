"""Usage from the query log: most asked, most opened, never found or opened, click-through, per unit, per week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kmsearch.analytics.querylog import QueryLog
from kmsearch.analytics.reader import LogReader
from kmsearch.analytics.usage import usage
from kmsearch.testing import FakeEmbedder

NOW = datetime(2024, 6, 30, 12, 0, tzinfo=timezone.utc)
DOCS = [("d1", "EDRMS pilot report", "reports/edrms.pdf"), ("d2", "KM strategy", "policies/km.pdf"),
        ("d3", "Canteen rules", "other/canteen.md")]


@dataclass(frozen=True)
class Key:
    name: str
    groups: frozenset[str]


class Clock:
    def __init__(self) -> None:
        self.when = NOW - timedelta(days=20)

    def __call__(self) -> datetime:
        return self.when


def _logged(tmp_path, mode: str = "key"):
    clock = Clock()
    qlog = QueryLog(tmp_path / "a.sqlite", caller_mode=mode, background=False, clock=clock)
    hr, km, nobody = Key("HR", frozenset({"hr"})), Key("KM", frozenset({"km", "exec"})), Key("Desk", frozenset())
    a = qlog.record("search", "EDRMS pilot", results=2, top_score=0.9, caller=hr, shown=["d1", "d2"])
    qlog.record_open("view", "d1", 1, a, caller=hr)
    qlog.record_open("download", "d1", 1, a, caller=hr)
    clock.when += timedelta(days=8)
    b = qlog.record("search", "edrms pilot?", results=2, top_score=0.8, caller=km, shown=["d1", "d2"])
    qlog.record_open("view", "d2", 2, b, caller=km)
    qlog.record("search", "edrms pilot", results=2, caller=km, shown=["d1", "d2"], page=2)  # not a new question
    qlog.record("where-is", "km strategy", results=1, caller=nobody, shown=["d2"])
    qlog.record("who-knows", "fleet tracking", results=0, below_floor=True, caller=km)
    qlog.record_open("view", "gone", None, None, caller=nobody)  # a document since removed, opened directly
    since = NOW - timedelta(days=90)
    reader = LogReader(qlog.path)
    return reader.queries(since), reader.opens(since), reader.shown_counts(since)


def test_usage_from_the_log(tmp_path):
    queries, opens, shown = _logged(tmp_path)
    u = usage(queries, opens, shown, DOCS, FakeEmbedder().embed)
    assert u.requests == {"search": 2, "where-is": 1, "who-knows": 1} and u.unanswered == 1
    assert u.topics[0] == {"label": "edrms pilot", "count": 2, "variants": ["edrms pilot"]}
    assert [(d.doc_id, d.opens, d.views, d.downloads, d.mean_rank, d.title) for d in u.most_opened] == [
        ("d1", 2, 1, 1, 1.0, "EDRMS pilot report"), ("d2", 1, 1, 0, 2.0, "KM strategy"),
        ("gone", 1, 1, 0, None, None)]
    assert [d["doc_id"] for d in u.never_found] == ["d3"] and u.documents == 3
    assert [d["doc_id"] for d in u.never_opened] == ["d3"]
    ct = u.click_through
    assert (ct["result_lists"], ct["opened"], ct["rate"], ct["mean_rank_opened"]) == (3, 2, 0.6667, 1.33)
    assert ct["queries_never_opened"] == [{"query": "km strategy", "count": 1}]
    units = {row["group"]: row for row in u.per_unit}
    assert units["hr"] == {"group": "hr", "requests": 1, "unanswered": 0, "opens": 2}
    assert units["km"] == {"group": "km", "requests": 2, "unanswered": 1, "opens": 1}
    assert units["exec"]["requests"] == 2  # a key in two groups counts in both
    assert units["(no group)"]["requests"] == 1 and units["(no group)"]["opens"] == 1
    assert [w["week"] for w in u.over_time] == ["2024-W24", "2024-W25"]
    assert sum(w["requests"] for w in u.over_time) == 4 and sum(w["opens"] for w in u.over_time) == 4
    assert u.notes == []
    assert u.to_json()["most_opened"][0]["doc_id"] == "d1"


def test_anonymous_log_has_no_units_and_a_missing_document_list_is_said(tmp_path):
    queries, opens, shown = _logged(tmp_path, mode="anonymous")
    u = usage(queries, opens, shown)
    assert u.per_unit == [] and u.never_found == [] and u.documents is None
    assert any("per unit" in n for n in u.notes) and any("document list" in n for n in u.notes)
    assert u.topics[0]["label"] == "edrms pilot"  # identical queries still count together without an embedder
