"""The query and usage log: what it keeps per caller setting, survival across re-indexing, purging, and
that no failure of the log ever reaches the request (real SQLite throughout)."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kmsearch.analytics import QueryLog, analytics_settings
from kmsearch.analytics.querylog import connect, normalise
from kmsearch.analytics.reader import LogReader
from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.search.filters import Filters

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Key:
    name: str
    groups: frozenset[str]


class Clock:
    def __init__(self, when: datetime = T0):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


@pytest.fixture(params=[True, False], ids=["background", "direct"])
def background(request) -> bool:
    return request.param


def _read(path: Path, since: datetime = T0 - timedelta(days=3650)) -> LogReader:
    return LogReader(path)


def test_normalise():
    assert normalise("  What about\tRecords   Disposal? ") == "what about records disposal"
    assert normalise("x" * 5000) == "x" * 1000


def test_records_a_search_with_its_results_and_no_caller_by_default(tmp_path, background):
    qlog = QueryLog(tmp_path / "analytics.sqlite", background=background, clock=Clock())
    filters = Filters(doc_type=("report",), date_from="2009", groups=frozenset({"hr"}))
    qid = qlog.record("search", "  Mobile  Service Delivery?", "hybrid", filters, results=12, top_score=0.91,
                      below_floor=False, caller=Key("HR team", frozenset({"hr"})), shown=["d1", "d2", "d3"])
    qlog.record_open("view", "d2", rank=2, query_id=qid, caller=Key("HR team", frozenset({"hr"})))
    assert qlog.flush()
    reader = _read(qlog.path)
    [row] = reader.queries(T0 - timedelta(days=1))
    assert (row.query_id, row.kind, row.query, row.mode, row.results, row.top_score, row.below_floor) == (
        qid, "search", "mobile service delivery", "hybrid", 12, 0.91, False)
    assert row.time == "2024-05-01T09:00:00Z"
    # the caller's access groups ride on Filters, but anonymous mode keeps no trace of who asked
    assert row.filters == {"date_from": "2009", "doc_type": ["report"]}
    assert row.caller is None and row.groups is None
    assert reader.shown_counts(T0 - timedelta(days=1)) == {"d1": 1, "d2": 1, "d3": 1}
    [opened] = reader.opens(T0 - timedelta(days=1))
    assert (opened.kind, opened.doc_id, opened.rank, opened.query_id, opened.caller) == ("view", "d2", 2, qid, None)
    assert qlog.health()["written"] == 2 and qlog.dropped == 0
    qlog.close()


def test_key_mode_keeps_the_keys_name_and_groups(tmp_path, background):
    qlog = QueryLog(tmp_path / "a.sqlite", caller_mode="key", background=background, clock=Clock())
    qlog.record("who-knows", "records disposal", results=3, caller=Key("HR team", frozenset({"hr", "exec"})))
    qlog.record("where-is", "canada report", results=1, caller=None)  # open (single-user) mode: no key
    qlog.record_open("download", "d9", caller=Key("HR team", frozenset({"hr"})))
    qlog.flush()
    reader = _read(qlog.path)
    rows = reader.queries(T0 - timedelta(days=1))
    assert [(r.kind, r.caller, r.groups) for r in rows] == [("who-knows", "HR team", ("exec", "hr")),
                                                            ("where-is", None, None)]
    [opened] = reader.opens(T0 - timedelta(days=1))
    assert (opened.caller, opened.groups, opened.rank, opened.query_id) == ("HR team", ("hr",), None, None)
    qlog.close()


def test_settings_come_from_extra_and_off_means_no_log(tmp_path):
    assert analytics_settings(Settings(index_dir=tmp_path)).query_log == "anonymous"
    on = Settings(index_dir=tmp_path / "idx", extra={"query_log": "KEY", "query_log_retention_days": "30"})
    qlog = QueryLog.for_settings(on)
    assert qlog.enabled and qlog.caller_mode == "key" and qlog.retention_days == 30
    assert qlog.path == tmp_path / "idx" / "analytics.sqlite"
    off = QueryLog.for_settings(Settings(index_dir=tmp_path / "off", extra={"query_log": "off"}), background=False)
    assert not off.enabled and off.record("search", "x", results=1) is None
    off.record_open("view", "d1", 1)
    assert not off.path.exists() and off.health()["written"] == 0  # nothing kept, not even an empty file
    with pytest.raises(InvalidParameterError, match="query_log must be one of off, anonymous, key"):
        analytics_settings(Settings(extra={"query_log": "everything"}))
    with pytest.raises(InvalidParameterError, match="query_log_retention_days: expected int"):
        analytics_settings(Settings(extra={"query_log_retention_days": "a year"}))
    with pytest.raises(InvalidParameterError, match="at least 1 day"):
        analytics_settings(Settings(extra={"query_log_retention_days": 0}))


def test_a_bad_record_is_counted_never_raised(tmp_path, background):
    qlog = QueryLog(tmp_path / "a.sqlite", background=background)
    assert qlog.record("browse", "x") is None
    qlog.record_open("print", "d1")
    qlog.record("search", "ok", results="many")  # type: ignore[arg-type]
    qlog.flush()
    assert qlog.dropped == 3 and qlog.written == 0


def test_purge_keeps_what_is_within_retention(tmp_path):
    clock = Clock(T0 - timedelta(days=400))
    qlog = QueryLog(tmp_path / "a.sqlite", retention_days=365, background=False, clock=clock)
    old = qlog.record("search", "old question", results=1, shown=["d1"])
    qlog.record_open("view", "d1", 1, old)
    clock.when = T0
    qlog.record("search", "new question", results=1, shown=["d2"])
    deleted = qlog.purge()
    assert deleted == 2
    reader = _read(qlog.path)
    since = T0 - timedelta(days=3650)
    assert [r.query for r in reader.queries(since)] == ["new question"]
    assert reader.opens(since) == [] and reader.shown_counts(since) == {"d2": 1}  # its shown rows went with it
    assert qlog.purge(days=1) == 0  # a day's retention still keeps today's


def test_the_writer_purges_by_itself_at_most_once_a_day(tmp_path):
    clock = Clock(T0 - timedelta(days=40))
    qlog = QueryLog(tmp_path / "a.sqlite", retention_days=30, background=False, clock=clock)
    qlog.record("search", "first", results=1)  # the first write purges (nothing yet) and notes when
    clock.when = T0
    qlog.record("search", "second", results=1)  # within the process's day: no purge yet, "first" stays
    assert len(_read(qlog.path).queries(T0 - timedelta(days=3650))) == 2
    qlog._last_purge_check -= 25 * 3600  # a day later for this process; the file's last purge is 40 days old
    qlog.record("search", "third", results=1)
    assert [r.query for r in _read(qlog.path).queries(T0 - timedelta(days=3650))] == ["second", "third"]


def _full_disk(pages: int):
    """A real SQLite 'database or disk is full': the file may not grow past `pages` pages."""
    def connector(path: Path) -> sqlite3.Connection:
        conn = connect(path)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn
    return connector


def test_a_full_disk_drops_rows_counts_them_and_says_so_once_there_is_room(tmp_path, background):
    path = tmp_path / "a.sqlite"
    connect(path).close()
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    qlog = QueryLog(path, background=background, connector=_full_disk(pages))
    for i in range(200):
        assert qlog.record("search", f"question {i} " + "padding " * 50, results=1, shown=["d1"] * 10)
        qlog.record_open("view", "d1", 1)
    qlog.flush()
    assert qlog.dropped > 0 and qlog.health()["dropped"] == qlog.dropped
    dropped = qlog.dropped
    qlog._connector = connect  # room again (e.g. the disk was cleared)
    qlog.record("search", "after", results=1)
    qlog.flush()
    reader = _read(path)
    saved = reader.dropped(T0 - timedelta(days=3650), datetime.now(timezone.utc) + timedelta(days=1))
    assert sum(d["records"] for d in saved) == dropped
    assert all("full" in d["reason"] for d in saved)
    assert "after" in [r.query for r in reader.queries(T0 - timedelta(days=3650))]


def test_an_unopenable_log_never_fails_the_caller(tmp_path, background):
    def broken(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    qlog = QueryLog(tmp_path / "a.sqlite", background=background, connector=broken)
    assert qlog.record("search", "x", results=0) is not None
    qlog.record_open("download", "d1", 3, "abc")
    assert qlog.flush()
    assert qlog.dropped == 2 and qlog.written == 0
    qlog.close()


def test_a_file_that_is_not_a_database_never_fails_the_caller(tmp_path, background):
    path = tmp_path / "a.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    qlog = QueryLog(path, background=background)
    qlog.record("search", "x", results=0)
    qlog.flush()
    assert qlog.dropped == 1


def test_many_threads_lose_nothing(tmp_path):
    qlog = QueryLog(tmp_path / "a.sqlite")

    def work(n: int) -> None:
        for i in range(300):
            qlog.record("search", f"t{n} q{i}", results=i, shown=[f"d{i % 7}"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert qlog.flush()
    assert (qlog.written, qlog.dropped) == (2400, 0)
    assert len(_read(qlog.path).queries(datetime(2000, 1, 1, tzinfo=timezone.utc))) == 2400
    qlog.close()


def test_the_log_survives_reindexing(corpus, settings, embedder):
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest

    ingest([corpus], settings, embedder)
    qlog = QueryLog.for_settings(settings, background=False)
    qlog.record("search", "one-stop centres", results=2)
    (corpus / "reports" / "study-tour-canada.md").write_text("# Canada\n\nA changed report.\n", encoding="utf-8")
    (corpus / "notes.md").write_text("# Notes\n\nA new file.\n", encoding="utf-8")
    first = Index.open(settings, embedder).generation
    ingest([corpus], settings, embedder)
    (corpus / "notes.md").write_text("# Notes\n\nChanged again.\n", encoding="utf-8")
    ingest([corpus], settings, embedder)  # and once more, so the first generation is deleted
    assert Index.open(settings, embedder).generation != first
    assert not (Path(settings.index_dir) / first).exists()
    qlog.record("search", "after", results=1)
    assert [r.query for r in _read(qlog.path).queries(datetime(2000, 1, 1, tzinfo=timezone.utc))] == [
        "one-stop centres", "after"]


def test_a_search_is_answered_when_the_disk_is_full(corpus, settings, embedder, tmp_path):
    """The service's pattern: search, then log; the log's full disk changes nothing the caller sees."""
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest
    from kmsearch.search import Filters, Searcher

    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    path = Path(settings.index_dir) / "analytics.sqlite"
    connect(path).close()
    qlog = QueryLog(path, connector=_full_disk(sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]))

    def search(q: str) -> list:
        hits = Searcher(index).search(q, k=5, filters=Filters())
        qlog.record("search", q, "hybrid", Filters(), results=len(hits), top_score=hits[0].score if hits else None,
                    shown=[h.doc_id for h in hits])
        return hits

    answers = [search(f"mobile service units {'and more ' * i}") for i in range(30)]
    assert all(a and a[0].title == "Mobile service units: results" for a in answers)
    qlog.flush()
    assert qlog.dropped > 0 and qlog.written + qlog.dropped == 30
