"""Faults in the index folder recover with a message that names the fix (issue 15, point 6): a torn or lost
manifest, a deleted or damaged live generation, a catalogue emptied behind the service's back, a read-only
copy, a full disk, and re-index jobs across a restart."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.cli import cli
from kmsearch.errors import DamagedIndexError, DiskFullError
from kmsearch.index.store import Index, IndexWriter
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher


@pytest.fixture
def two_generations(corpus, settings, embedder):
    """An index whose live generation g000002 holds one more document than g000001 before it."""
    ingest([corpus], settings, embedder)
    (corpus / "reports" / "archive-memo.md").write_text("# Archive memo\n\nThe archive moves to microfilm.\n")
    ingest([corpus], settings, embedder)
    assert Index.open(settings, embedder).generation == "g000002"
    return settings.index_dir


@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def tear_manifest(index: Path) -> None:
    (index / "manifest.json").write_text((index / "manifest.json").read_text()[:50])


def truncate_catalogue(index: Path) -> None:
    with open(index / "g000002" / "catalog.sqlite", "r+b") as fh:
        fh.truncate(8192)


MANIFEST_FAULTS = {
    "torn manifest": tear_manifest,
    "manifest not an object": lambda index: (index / "manifest.json").write_text("[]"),
    "manifest deleted": lambda index: (index / "manifest.json").unlink(),
}
GENERATION_FAULTS = {
    "live generation deleted": lambda index: shutil.rmtree(index / "g000002"),
    "catalogue truncated": truncate_catalogue,
    "dense.faiss deleted": lambda index: (index / "g000002" / "dense.faiss").unlink(),
    "bm25 deleted": lambda index: shutil.rmtree(index / "g000002" / "lexical"),
}
SAYS = {"live generation deleted": "its folder is missing", "catalogue truncated": "catalog.sqlite is truncated",
        "dense.faiss deleted": "dense.faiss is missing", "bm25 deleted": "lexical/meta.json is missing"}


@pytest.mark.parametrize("fault", list(MANIFEST_FAULTS))
def test_a_lost_manifest_serves_the_newest_whole_generation(two_generations, settings, embedder, fault, caplog):
    MANIFEST_FAULTS[fault](two_generations)
    with caplog.at_level(logging.WARNING):
        index = Index.open(settings, embedder)
    assert index.generation == "g000002"  # the one last published: its own manifest is a copy of the top one
    assert "serving g000002, the newest whole generation" in caplog.text and "kmsearch repair" in caplog.text
    assert Searcher(index).search("archive microfilm", mode="bm25")


@pytest.mark.parametrize("fault", list(GENERATION_FAULTS))
def test_a_damaged_live_generation_is_refused_with_the_fix(two_generations, settings, embedder, fault, run):
    GENERATION_FAULTS[fault](two_generations)
    with pytest.raises(DamagedIndexError) as refused:
        Index.open(settings, embedder)
    message = str(refused.value)
    assert SAYS[fault] in message and f"kmsearch repair --index {two_generations}" in message and "g000001" in message
    for command in (["status"], ["search", "archive"]):
        result = run(*command, "--index", str(two_generations))
        assert result.exit_code == 1 and "kmsearch repair" in result.output and "unexpected" not in result.output


@pytest.mark.parametrize("fault", list(MANIFEST_FAULTS) + list(GENERATION_FAULTS))
def test_repair_makes_the_newest_whole_generation_live_and_says_which(two_generations, settings, embedder, fault,
                                                                      run):
    damaged = fault in GENERATION_FAULTS
    (GENERATION_FAULTS | MANIFEST_FAULTS)[fault](two_generations)
    result = run("repair", "--index", str(two_generations))
    live = "g000001" if damaged else "g000002"
    assert result.exit_code == 0 and f"repaired; {live}, the newest whole generation, is live again" in result.output
    assert json.loads((two_generations / "manifest.json").read_text())["generation"] == live
    assert run("status", "--index", str(two_generations)).exit_code == 0
    again = run("repair", "--index", str(two_generations))
    assert again.exit_code == 0 and "nothing to repair" in again.output


@pytest.mark.parametrize("fault", list(MANIFEST_FAULTS) + list(GENERATION_FAULTS))
def test_ingest_recovers_on_its_own_and_every_later_run_works(two_generations, corpus, settings, embedder, fault,
                                                              caplog):
    (GENERATION_FAULTS | MANIFEST_FAULTS)[fault](two_generations)
    with caplog.at_level(logging.WARNING):
        report = ingest([corpus], settings, embedder)
    assert report.summary()["failed"] == 1  # broken.pdf only
    assert "the newest whole generation, is live again" in caplog.text
    index = Index.open(settings, embedder)
    assert index.problem() is None and index.catalog.counts()["documents"] == 5
    hits = Searcher(index).search("archive microfilm", mode="bm25")
    assert hits and hits[0].path.endswith("archive-memo.md")  # re-added where the older generation lacked it
    assert ingest([corpus], settings, embedder).summary()["unchanged"] == 5


def test_repair_says_so_when_nothing_is_whole(two_generations, run):
    for gen in ("g000001", "g000002"):
        (two_generations / gen / "dense.faiss").unlink()
    result = run("repair", "--index", str(two_generations))
    assert result.exit_code == 1 and "no generation in it is whole" in result.output


# --- the service --------------------------------------------------------------------------------------------
def empty_catalogue(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM documents")
    conn.close()


@pytest.mark.parametrize("how", ["rows deleted", "file emptied"])
def test_health_is_not_ok_while_the_catalogue_cannot_answer(two_generations, settings, embedder, how):
    app = create_app(settings, embedder=embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
    assert client.get("/api/v1/health").json()["status"] == "ok"
    catalogue = two_generations / "g000002" / "catalog.sqlite"
    if how == "rows deleted":
        empty_catalogue(catalogue)
    else:
        catalogue.write_bytes(b"")
    health = client.get("/api/v1/health")
    assert health.status_code == 503, health.text
    error = health.json()["error"]
    assert error["code"] == "index_unavailable" and "kmsearch repair" in error["message"]
    search = client.get("/api/v1/search", params={"q": "archive"})
    assert search.status_code == 503 and "kmsearch repair" in search.json()["error"]["message"]


# --- a read-only index --------------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's size and time, but the query log's (analytics.sqlite and its journal), which a service
    writes beside the generations by design; on a read-only copy it drops its rows instead."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if not p.name.startswith("analytics.sqlite")}


def test_serving_writes_nothing_into_the_index_folder(corpus, settings, embedder):
    """A read-only copy can be served only if reading never writes: tantivy's reader used to create a lock file
    in the generation (which fails on a read-only mount with a message about damaged files)."""
    (corpus / "reports" / "archive-memo.md").write_text("# Archive memo\n\nThe archive moves to microfilm.\n")
    ingest([corpus], settings, embedder)  # nothing has opened it to read yet
    before = snapshot(settings.index_dir)
    app = create_app(settings, embedder=embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
    assert client.get("/api/v1/search", params={"q": "archive microfilm", "mode": "bm25"}).json()["hits"]
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert Searcher(Index.open(settings, embedder)).search("archive", mode="bm25")
    assert snapshot(settings.index_dir) == before


@contextmanager
def tmpfs(path: Path, size: str):
    """A tmpfs at `path` (root only); skips the test where mounting is not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_read_only_index_is_served(corpus, settings, embedder):
    with tmpfs(settings.index_dir, "64m") as index_dir:
        ingest([corpus], settings, embedder)
        remount = subprocess.run(["mount", "-o", "remount,ro", str(index_dir)], capture_output=True, check=False)
        if remount.returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only")
        with pytest.raises(OSError):
            (index_dir / "probe").write_text("x")  # read-only, even for root
        app = create_app(settings, embedder=embedder)  # its keys and session secret live beside the index
        client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
        assert client.get("/api/v1/health").json()["status"] == "ok"
        found = client.get("/api/v1/search", params={"q": "EDRMS file plan records"})
        assert found.status_code == 200 and found.json()["hits"]


# --- a full disk --------------------------------------------------------------------------------------------
def test_a_full_disk_stops_the_ingest_with_one_clear_error(corpus, settings, embedder, monkeypatch, caplog):
    """Simulated where every file is written (the catalogue answers SQLITE_FULL from the second document on):
    one error naming the disk and the index, not a traceback per file; the live generation stays whole."""
    ingest([corpus], settings, embedder)
    for i in range(10):
        (corpus / "minutes" / f"memo-{i}.txt").write_text(f"Memo {i} on the disposal of registry files.")
    add, calls = IndexWriter.add, []

    def full(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise error
        return add(self, *args, **kwargs)

    monkeypatch.setattr(IndexWriter, "add", full)
    with caplog.at_level(logging.WARNING), pytest.raises(DiskFullError) as stopped:
        ingest([corpus], settings, embedder)
    message = str(stopped.value)
    assert message.startswith("the disk is full: no space left on /") and str(settings.index_dir) in message
    assert len(calls) == 2  # stopped at the first, not tried on every later file
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback logged
    assert Index.open(settings, embedder).generation == "g000001" and not list(settings.index_dir.glob(".tmp-*"))


def test_a_real_full_disk_says_so_once(corpus, settings, embedder, run):
    with tmpfs(settings.index_dir, "4m") as index_dir:
        ingest([corpus], settings, embedder)
        for i in range(40):
            (corpus / "minutes" / f"memo-{i}.txt").write_text(
                " ".join(f"Memo {i}, point {j}: registry file {i}/{j} is due for disposal." for j in range(200)))
        filler = index_dir / "filler"
        with open(filler, "wb") as fh:  # leave about 100 KB
            fh.write(b"\0" * (shutil.disk_usage(index_dir).free - 100_000))
        result = run("ingest", str(corpus), "--index", str(index_dir), "-q")
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert result.exit_code == 1 and len(errors) == 1, result.output
        assert f"no space left on {index_dir} (tmpfs" in errors[0] and str(index_dir) in errors[0]
        assert "Traceback" not in result.output
        assert Index.open(settings, embedder).generation == "g000001"
        filler.unlink()
        after = run("ingest", str(corpus), "--index", str(index_dir), "-q")
        assert after.exit_code == 2, after.output  # broken.pdf only
        assert Index.open(settings, embedder).catalog.counts()["documents"] == 44


# --- re-index jobs across a restart -------------------------------------------------------------------------
def test_job_history_survives_a_restart(corpus, settings, embedder):
    from tests.helpers import wait_for

    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    librarian = {"X-API-Key": app.state.keys.add("Registry", "librarian")[1]}
    client = TestClient(app, headers=librarian)
    job_id = client.post("/api/v1/admin/reindex").json()["job"]["id"]
    done = wait_for(lambda: (j := client.get(f"/api/v1/admin/jobs/{job_id}").json()["job"])["status"] in (
        "done", "failed") and j, 120, "the re-index job")
    restarted = TestClient(create_app(settings, embedder=embedder), headers=librarian)
    assert restarted.get(f"/api/v1/admin/jobs/{job_id}").json()["job"] == done


def test_a_job_cut_off_by_a_restart_reads_as_failed(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    (settings.index_dir / "jobs.json").write_text(json.dumps({"jobs": [
        {"id": "abc123", "status": "running", "paths": [str(corpus)], "started": 1.0, "finished": None,
         "error": None, "report": None}]}))
    app = create_app(settings, embedder=embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Registry", "librarian")[1]})
    job = client.get("/api/v1/admin/jobs/abc123").json()["job"]
    assert job["status"] == "failed" and "service stopped before this job finished" in job["error"]
    assert os.path.getsize(settings.index_dir / "jobs.json")  # left as it was until a job starts
