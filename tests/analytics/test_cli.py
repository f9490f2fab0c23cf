"""`kmsearch analytics report` and `purge` through click's runner, on a real index built with the fake embedder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from kmsearch.cli import add_analytics_commands

add_analytics_commands()  # registers the commands, as main() does
from kmsearch.analytics.querylog import QueryLog
from kmsearch.cli import cli
from kmsearch.ingest.pipeline import ingest


@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def logged(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    qlog = QueryLog.for_settings(settings, background=False)
    for q in ("fleet tracking contract", "fleet tracking contract", "Fleet vehicle tracking contract?"):
        qlog.record("search", q, results=2, top_score=0.1, below_floor=True)
    qid = qlog.record("search", "edrms pilot", results=3, top_score=0.9, shown=["x", "y"])
    qlog.record_open("view", "x", 1, qid)
    old = QueryLog(qlog.path, background=False, clock=lambda: datetime.now(timezone.utc) - timedelta(days=400))
    old.record("search", "a question from last year", results=0)  # after the day's automatic purge
    return settings


def test_report_json_and_text(run, logged):
    index = str(logged.index_dir)
    out = run("analytics", "report", "--index", index, "--json")
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    [gap] = report["gaps"]
    assert gap["label"] == "fleet tracking contract" and gap["count"] == 3 and gap["trend"] == "new"
    assert gap["person"] is None or gap["finding"].startswith("No")
    assert report["usage"]["documents"] == 4 and report["usage"]["requests"] == {"search": 4}
    assert report["usage"]["click_through"]["opened"] == 1
    text = run("analytics", "report", "--index", index, "--no-people")
    assert text.exit_code == 0
    assert "Knowledge gaps" in text.output and "fleet tracking contract" in text.output
    assert "Documents in no result list: 4 of 4" in text.output  # the shown ids were not the index's


def test_report_without_an_index_still_reads_the_log(run, tmp_path):
    qlog = QueryLog(tmp_path / "nothing" / "analytics.sqlite", background=False)
    qlog.record("where-is", "the canada report", results=0)
    out = run("analytics", "report", "--index", str(tmp_path / "nothing"), "--json")
    report = json.loads(out.output)
    assert report["gaps"][0]["label"] == "the canada report"
    assert any(n.startswith("index not opened") for n in report["notes"])


def test_purge(run, logged):
    index = str(logged.index_dir)
    out = run("analytics", "purge", "--index", index)
    assert out.exit_code == 0 and out.output.startswith("deleted 1 records older than 365 days")
    assert run("analytics", "purge", "--index", index, "--days", "1").output.startswith("deleted 0 records")
    assert "no query log" in run("analytics", "purge", "--index", str(logged.index_dir) + "-none").output


def test_bad_days_is_a_clear_error(run, tmp_path):
    out = CliRunner().invoke(cli, ["analytics", "report", "--days", "0", "--index", str(tmp_path)])
    assert out.exit_code == 2 and "--days" in out.output


def test_every_analytics_command_has_help_with_an_example():
    group = cli.commands["analytics"]
    names = set(group.commands)
    assert {"report", "purge"} <= names
    for name, command in group.commands.items():
        for sub in getattr(command, "commands", {name: command}).values():
            assert sub.help and "Example:" in sub.help, f"kmsearch analytics {name} has no example"


def test_audit_command(run, logged, tmp_path):
    index = str(logged.index_dir)
    out = run("audit", "--index", index, "--format", "json")
    assert out.exit_code == 0, out.output
    audit = json.loads(out.output)
    assert sum(t["documents"] for t in audit["topics"]) == 4
    assert set(audit["registers"]) == {"events_without_report", "study_tours", "without_location_or_custodian",
                                       "exit_interviews"}
    rows = run("audit", "--index", index, "--format", "csv").output.splitlines()
    assert rows[0] == "topic,terms,documents,first_year,newest,people,flags" and len(rows) == len(audit["topics"]) + 1
    overrides = tmp_path / "o.json"
    overrides.write_text(json.dumps({"rename": {audit["topics"][0]["id"]: "Our first topic", "nothing": "x"}}))
    text = run("audit", "--index", index, "--overrides", str(overrides)).output
    assert "Our first topic" in text and "match no topic now: nothing" in text
    overrides.write_text("{not json")
    bad = CliRunner().invoke(cli, ["audit", "--index", index, "--overrides", str(overrides)])
    assert bad.exit_code == 1 and "o.json" in bad.output


def test_audit_has_help_with_an_example():
    assert "Example:" in cli.commands["audit"].help
