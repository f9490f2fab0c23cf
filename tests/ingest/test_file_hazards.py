"""Ingest-side file hazards (issue 15, point 5): symlinks out of the folder, and files that are not regular
(FIFO, socket, device) are refused with a reason, and nothing read in the ingesting process can hang it or make
it read past the size and time limits. The hazards are made here, never committed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Filters, Searcher
from tests.helpers import HEADER, REPO

SCRIPT = """
import json, sys
from pathlib import Path
from kmsearch.config import Settings
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder

report = ingest(sys.argv[2:], Settings(index_dir=Path(sys.argv[1]), model=FAKE_MODEL, ocr=False), FakeEmbedder())
print(json.dumps(report.to_json()))
"""


def ingest_bounded(index: Path, *paths: Path, timeout: int = 180) -> dict:
    """Ingest in a child process, so that a regression that hangs fails this test instead of the suite."""
    try:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(index), *map(str, paths)], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"ingest still running after {timeout} s: a file blocked it")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def make_socket(path: Path) -> socket.socket:
    """A listening Unix socket at `path` (bound from its folder: socket paths are limited to ~100 bytes)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        sock.bind(path.name)
    finally:
        os.chdir(cwd)
    return sock


def hazards(folder: Path, outside: Path) -> socket.socket:
    """A folder of good and hostile files; returns the socket (the caller closes it)."""
    (folder / "reports").mkdir(parents=True)
    (folder / "good.txt").write_text("Minutes on the fumigation of the basement vault.", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.pdf")
    outside.write_text("Salary scales of the directors, not for the archive.", encoding="utf-8")
    os.symlink(outside, folder / "salaries.txt")
    os.mkfifo(folder / "reports" / ".kmsearch-groups")
    (folder / "reports" / "memo.txt").write_text("A memo on shredding.", encoding="utf-8")
    (folder / "registers").mkdir()
    os.mkfifo(folder / "registers" / "people.csv")
    return make_socket(folder / "socket.txt")


def test_special_files_and_outside_symlinks_are_refused_without_hanging(tmp_path):
    folder = tmp_path / "share"
    sock = hazards(folder, tmp_path / "salaries-outside.txt")
    ignored = tmp_path / "other"
    ignored.mkdir()
    os.mkfifo(ignored / ".kmsearchignore")
    (ignored / "draft.txt").write_text("A draft the ignore file may have listed.", encoding="utf-8")
    try:
        report = ingest_bounded(tmp_path / "index", folder, ignored)
    finally:
        sock.close()
    got = {Path(f["path"]).name: f for f in report["files"]}
    assert got["good.txt"]["status"] == "added"
    assert got["pipe.txt"]["reason"] == "not a regular file (FIFO); only regular files are read"
    assert got["socket.txt"]["reason"] == "not a regular file (socket); only regular files are read"
    assert got["zero.pdf"]["reason"] == "not a regular file (character device); only regular files are read"
    assert got["salaries.txt"]["status"] == "failed"
    assert "symbolic link to a file outside" in got["salaries.txt"]["reason"]
    # the groups file and the register are not read; what they may restrict is not published
    assert "not a regular file (FIFO)" in got[".kmsearch-groups"]["reason"]
    assert got["memo.txt"]["status"] == "failed" and "not published" in got["memo.txt"]["reason"]
    assert "not a regular file (FIFO)" in got["people.csv"]["reason"]
    assert got[".kmsearchignore"]["status"] == "failed" and "draft.txt" not in got


def test_a_symlink_out_of_the_folder_is_not_indexed(tmp_path, settings, embedder):
    folder = tmp_path / "share"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "good.txt").write_text("Minutes on the fumigation of the basement vault.", encoding="utf-8")
    os.symlink(folder / "inner" / "good.txt", folder / "inside-link.txt")  # inside the folder: fine
    secret = tmp_path / "salaries.txt"
    secret.write_text("Salary scales of the directors, not for the archive.", encoding="utf-8")
    os.symlink(secret, folder / "inner" / "link.txt")
    report = ingest([folder], settings, embedder)
    got = {Path(f.path).name: f for f in report.files}
    assert got["inside-link.txt"].status == "added"
    assert got["link.txt"].status == "failed" and got["link.txt"].reason.startswith(
        f"symbolic link to a file outside {folder}")
    index = Index.open(settings, embedder)
    assert not any("Salary scales" in p.text for d in index.catalog.iter_documents() for p in index.catalog.pages(d.doc_id))


def test_a_symlink_indexed_before_the_rule_is_removed(tmp_path, settings, embedder, monkeypatch):
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "good.txt").write_text("Minutes on the fumigation of the basement vault.", encoding="utf-8")
    secret = tmp_path / "salaries.txt"
    secret.write_text("Salary scales of the directors, not for the archive.", encoding="utf-8")
    os.symlink(secret, folder / "link.txt")
    with monkeypatch.context() as m:  # as ingest did before the rule
        m.setattr("kmsearch.files.outside_reason", lambda path, root: None)
        ingest([folder], settings, embedder)
    searcher = Searcher(Index.open(settings, embedder))
    assert "link.txt" in {Path(h.path).name for h in searcher.search("salary scales directors", k=5)}
    report = ingest([folder], settings, embedder)
    outcome = {Path(f.path).name: f for f in report.files}["link.txt"]
    assert outcome.status == "failed" and "outside" in outcome.reason
    hits = Searcher(Index.open(settings, embedder)).search("salary scales directors", k=5, filters=Filters())
    assert "link.txt" not in {Path(h.path).name for h in hits}


def test_a_register_that_is_a_fifo_does_not_hang_and_keeps_restrictions(tmp_path):
    folder = tmp_path / "share"
    (folder / "registers").mkdir(parents=True)
    (folder / "report.txt").write_text("The report on kiosk terminals for the HR unit.", encoding="utf-8")
    (folder / "registers" / "documents.csv").write_text(HEADER + "report.txt,R1,Kiosks,report,2010,,,,,,hr,\n",
                                                        encoding="utf-8")
    ingest_bounded(tmp_path / "index", folder)
    (folder / "registers" / "documents.csv").unlink()
    os.mkfifo(folder / "registers" / "documents.csv")
    report = ingest_bounded(tmp_path / "index", folder)
    got = {Path(f["path"]).name: f for f in report["files"]}
    assert "not a regular file (FIFO)" in got["documents.csv"]["reason"]
    from kmsearch.config import Settings
    from kmsearch.testing import FAKE_MODEL

    index = Index.open(Settings(index_dir=tmp_path / "index", model=FAKE_MODEL))
    (doc,) = index.catalog.iter_documents()
    assert list(doc.access_groups) == ["hr"] and doc.reference == "R1"


def test_files_over_max_file_mb_are_refused_before_they_are_read(tmp_path, settings, embedder, monkeypatch):
    folder = tmp_path / "share"
    folder.mkdir()
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(50 * 2**20)  # sparse: 50 MB that take no disk

    def no_worker(*args: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr("kmsearch.ingest.workers._Worker", no_worker)
    report = ingest([folder], settings.replace(max_file_mb=1), embedder)
    (outcome,) = report.files
    assert outcome.status == "failed" and outcome.reason == "file is 50.0 MB, over max_file_mb=1"


def test_hashing_stops_at_the_size_and_time_limits(tmp_path):
    from kmsearch import files as safe

    path = tmp_path / "two-mb.bin"
    path.write_bytes(b"x" * (2 * 2**20 + 1))
    with pytest.raises(safe.Unreadable, match="over max_file_mb=1"):
        safe.hash_file(path, 2**20, 60)
    with pytest.raises(safe.Unreadable, match=r"reading it took longer than 0 s \(extract_timeout_s\)"):
        safe.hash_file(path, 10 * 2**20, 0)
    with pytest.raises(safe.Unreadable, match="character device"):
        safe.hash_file(Path("/dev/zero"), 10 * 2**20, 60)
    assert safe.hash_file(path, 10 * 2**20, 60)[1] == 2 * 2**20 + 1
