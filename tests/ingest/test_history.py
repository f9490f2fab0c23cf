"""The ingest history: every ingest recorded outside the generations, `status` naming the files that fail now,
and `kmsearch history`; through the CLI with the fake embedder and the small corpus of real files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kmsearch.cli import cli
from kmsearch.ingest import history
from kmsearch.ingest.pipeline import ingest


@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_every_ingest_is_recorded_with_its_failures(run, corpus, settings):
    index = str(settings.index_dir)
    first = run("ingest", str(corpus), "--index", index, "--model", "fake-hash-256", "-q")
    assert first.exit_code == 2  # broken.pdf
    (corpus / "reports" / "broken.pdf").unlink()
    (corpus / "minutes" / "note.txt").write_text("The registry moves to the second floor in March.")
    assert run("ingest", str(corpus), "--index", index, "-q").exit_code == 0

    runs = list(history.runs(index))
    assert [r.outcome for r in runs] == ["done", "done"]
    assert runs[0].summary["failed"] == 1 and runs[1].summary == {
        "added": 1, "updated": 0, "unchanged": 4, "removed": 0, "failed": 0, "register": 0}
    assert runs[0].who and runs[0].sources == [str(corpus)] and runs[0].generation == "g000001"
    failed = runs[0].failures()
    assert len(failed) == 1 and failed[0]["path"].endswith("broken.pdf") and failed[0]["reason"]
    assert runs[1].started >= runs[0].ended >= runs[0].started

    listed = json.loads(run("history", "--index", index, "--json").output)
    assert [r["generation"] for r in listed] == ["g000002", "g000001"]  # newest first
    text = run("history", "--index", index, "-n", "1").output
    assert "g000002" in text and "g000001" not in text and str(corpus) in text


def test_status_names_the_files_that_fail_now(run, corpus, settings):
    index = str(settings.index_dir)
    run("ingest", str(corpus), "--index", index, "--model", "fake-hash-256", "-q")
    status = run("status", "--index", index)
    assert "failing     1" in status.output and "broken.pdf" in status.output
    info = json.loads(run("status", "--index", index, "--json").output)
    (failing,) = info["failing"]
    assert failing["path"] == str(corpus / "reports" / "broken.pdf") and failing["reason"] and failing["since"]
    assert info["last_ingest"]["summary"]["failed"] == 1

    # another folder's ingest says nothing about broken.pdf: it still fails
    other = corpus.parent / "other"
    other.mkdir()
    (other / "memo.txt").write_text("A memo about the file plan and its review in 2012.")
    run("ingest", str(other), "--index", index, "-q")
    assert [f["path"] for f in history.failing_now(index)] == [failing["path"]]
    assert json.loads(run("status", "--index", index, "--json").output)["last_ingest"]["sources"] == [str(other)]

    # walked again and fixed (here: gone), it no longer fails
    (corpus / "reports" / "broken.pdf").unlink()
    run("ingest", str(corpus), "--index", index, "-q")
    assert history.failing_now(index) == []
    assert "failing     none" in run("status", "--index", index).output


def test_an_interrupted_ingest_is_recorded_and_decides_nothing(monkeypatch, corpus, settings, embedder):
    ingest([corpus], settings, embedder)

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kmsearch.ingest.pipeline._ingest", stop)
    (corpus / "reports" / "broken.pdf").unlink()
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], settings, embedder, who="clerk")
    runs = list(history.runs(settings.index_dir))
    assert [(r.outcome, r.who) for r in runs][-1] == ("interrupted", "clerk")
    assert [f["path"] for f in history.failing_now(settings.index_dir)] == [str(corpus / "reports" / "broken.pdf")]


def test_a_torn_line_is_skipped_and_the_history_keeps_its_newer_half(monkeypatch, tmp_path):
    for i in range(3):
        history.append(tmp_path, history.Run(f"2026-01-0{i + 1}T00:00:00+00:00", "clerk", [str(tmp_path)]))
    with open(tmp_path / history.HISTORY_FILE, "a") as fh:
        fh.write('{"started": "2026-01-04T00:0')  # a crash in mid-line
    history.append(tmp_path, history.Run("2026-01-05T00:00:00+00:00", "clerk", [str(tmp_path)]))
    started = [r.started[:10] for r in history.runs(tmp_path)]
    assert started == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05"]  # the torn line alone is lost

    monkeypatch.setattr(history, "MAX_BYTES", 2000)
    for i in range(40):
        history.append(tmp_path, history.Run(f"2026-02-{i % 28 + 1:02d}T00:00:00+00:00", "clerk", ["/x"]))
    size = (tmp_path / history.HISTORY_FILE).stat().st_size
    kept = list(history.runs(tmp_path))
    assert size <= 2000 and 3 <= len(kept) < 40 and kept[-1].started.startswith("2026-02-12")
