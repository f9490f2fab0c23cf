"""The CLI through click's runner: commands, JSON output, one-line errors, and help with examples."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kmsearch import cli as cli_module
from kmsearch.cli import cli
from kmsearch.config import Settings
from kmsearch.index.store import Index


@pytest.fixture
def run(monkeypatch, embedder):
    """Invoke the CLI with the fake embedder standing in for the model."""
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def indexed(run, corpus, settings):
    result = run("ingest", str(corpus), "--index", str(settings.index_dir), "--model", "fake-hash-256", "-q")
    assert result.exit_code == 2, result.output  # broken.pdf failed; the rest was indexed
    return settings.index_dir


def test_ingest_reports_every_file(run, corpus, settings):
    result = run("ingest", str(corpus), "--index", str(settings.index_dir), "--model", "fake-hash-256", "--json")
    report = json.loads(result.output)
    assert report["summary"] == {"added": 4, "updated": 0, "unchanged": 0, "removed": 0, "failed": 1, "register": 0}
    assert {f["status"] for f in report["files"]} == {"added", "failed"}
    again = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q")
    assert "4 unchanged" in again.output and "no change" in again.output


def test_search_json(run, indexed):
    result = run("search", "EDRMS recommendations", "--index", str(indexed), "--json", "--k", "2")
    assert result.exit_code == 0
    hits = json.loads(result.output)["hits"]
    assert len(hits) == 2 and hits[0]["path"].endswith("edrms-pilot.pdf") and hits[0]["page"] == 3
    assert hits[0]["passages"][0]["snippet"] == hits[0]["snippet"]


def test_search_text_and_filters(run, indexed):
    result = run("search", "mobile units", "--index", str(indexed), "--type", "presentation")
    assert result.exit_code == 0 and "1. Mobile service units" in result.output and "p. 1" in result.output
    assert "No documents match." in run("search", "mobile", "--index", str(indexed), "--from", "2030").output


def test_status_and_remove(run, indexed):
    status = json.loads(run("status", "--index", str(indexed), "--json").output)
    assert status["counts"]["documents"] == 4 and status["generation"] == "g000001"
    result = run("remove", "decks/mobile-units.pptx", "--index", str(indexed))
    assert "removed" in result.output and "generation g000002" in result.output
    assert Index.open(Settings(index_dir=indexed)).catalog.counts()["documents"] == 3
    assert "still in its folder: the next ingest of that folder adds it back" in result.output
    nothing = run("remove", "nope.pdf", "--index", str(indexed))
    assert "not found" in nothing.output and nothing.exit_code == 1  # a typo does not pass for a removal


def test_remove_by_glob_removes_the_rest_and_fails_for_what_matched_nothing(run, indexed):
    result = run("remove", "reports/*", "nope-*.pdf", "--index", str(indexed))
    assert result.exit_code == 1 and "study-tour-canada.md" in result.output and "edrms-pilot.pdf" in result.output
    assert "not found  nope-*.pdf" in result.output
    assert Index.open(Settings(index_dir=indexed)).catalog.counts()["documents"] == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "x", "--index", "/nonexistent/index"], "Error: no index at /nonexistent/index"),
        (["search", "x", "--from", "June"], "Error: date_from must be YYYY"),
        (["search", "x", "--model", "other"], "Error: index"),
    ],
)
def test_errors_are_one_line(run, indexed, args, message):
    if "--index" not in args:
        args = [*args, "--index", str(indexed)]
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_every_command_has_help_with_an_example():
    cli_module.add_service_commands()  # serve and keys, as main() adds them

    def commands(group, prefix=()):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from commands(command, (*prefix, name))
            else:
                yield (*prefix, name), command

    found = list(commands(cli))
    assert {" ".join(p) for p, _ in found} >= {"ingest", "search", "status", "remove", "eval beir", "serve",
                                                "keys add", "keys list", "keys revoke"}
    for path, command in found:
        assert command.help and "Example:" in command.help, f"kmsearch {' '.join(path)} has no example"
    assert cli_module.main


def test_keys_add_list_revoke(tmp_path):
    cli_module.add_service_commands()  # as main() does
    from kmsearch.api.keys import KeyStore, keys_path

    runner = CliRunner()
    index = str(tmp_path / "index")
    added = runner.invoke(cli, ["keys", "add", "HR team", "--role", "reader", "--group", "hr", "--index", index])
    assert added.exit_code == 0, added.output
    secret = added.output.splitlines()[0]
    store = KeyStore(keys_path(tmp_path / "index"))
    key = store.verify(secret)
    assert key and key.role == "reader" and key.groups == {"hr"}
    assert secret not in (tmp_path / "index-keys.sqlite").read_bytes().decode("latin-1")  # stored hashed only
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--index", index, "--json"]).output)
    assert [k["name"] for k in listed] == ["HR team"] and "secret" not in json.dumps(listed)
    assert runner.invoke(cli, ["keys", "revoke", key.key_id, "--index", index]).exit_code == 0
    assert store.verify(secret) is None
    again = runner.invoke(cli, ["keys", "revoke", key.key_id, "--index", index])
    assert again.exit_code == 1 and "no active key" in again.output
    bad = runner.invoke(cli, ["keys", "add", "x", "--group", "a b", "--index", index])
    assert bad.exit_code == 1 and "group names cannot" in bad.output


def test_eval_experts_scores_an_ingested_index_against_a_judged_folder(run, indexed, tmp_path):
    judged = tmp_path / "judged"
    judged.mkdir()
    (judged / "who_knows_topics.tsv").write_text(
        "topic_id\tsplit\tquery\nt1\ttune\tmobile service units in rural wards\nt2\theldout\tEDRMS pilot\n")
    (judged / "who_knows.qrels.trec").write_text("t1 0 lerato-dlamini 2\nt2 0 pieter-van-der-merwe 2\n")
    (judged / "people.tsv").write_text(
        "person_id\tname\taliases\tevidence\trole\nlerato-dlamini\tLerato Dlamini\tMs Dlamini;L. Dlamini\t\tpresenter\n"
        "pieter-van-der-merwe\tPieter van der Merwe\t\t\tauthor\n")
    result = run("eval", "experts", "--index", str(indexed), "--judged", str(judged), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["tune"]["top3_topics"] == "1/1" and scores["topics"]["t1"]["top3"][0] == "lerato-dlamini"
    assert set(scores) >= {"all", "tune", "heldout"}
    assert "needs --judged" in run("eval", "experts", "--index", str(indexed)).output
