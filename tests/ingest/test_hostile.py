"""Hostile files and the extraction limits: no file stops the batch, hangs it or exhausts memory, and every file
is either indexed or reported with a clear, specific reason."""

from __future__ import annotations

import base64
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.ingest import clean
from kmsearch.ingest.chunk import MAX_CHARS_PER_TOKEN, Chunker
from kmsearch.ingest.extract import extract
from kmsearch.ingest.pipeline import ingest
from kmsearch.ingest.workers import ExtractionPool
from kmsearch.search import Searcher
from kmsearch.types import Block, Document, Page
from tests import hostile
from tests.fixtures import make_pdf
from tests.helpers import REPO


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than `seconds`."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcomes(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


def gone(pid: int, within: float = 5.0) -> bool:
    """The process has exited (a zombie counts as gone: it runs nothing) within `within` seconds."""
    stop = time.monotonic() + within
    while time.monotonic() < stop:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                if any(line.startswith("State:") and "Z" in line.split()[1] for line in fh):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_hostile_corpus_is_indexed_or_reported(tmp_path: Path, settings: Settings, embedder) -> None:
    folder = tmp_path / "hostile"
    expects = hostile.build(folder)
    # OCR on, to show that thousands of blank pages are not OCRed; text caps small enough to keep the test quick
    settings = settings.replace(ocr=True, max_pages=1000, max_chars=2_000_000)
    with deadline(120):  # a hang guard; how long the corpus takes is measured by scripts/bench_hostile.py
        report = ingest([folder], settings, embedder)

    got = outcomes(report)
    assert sorted(got) == sorted(e.name for e in expects)  # every file reported, once
    for expect in expects:
        outcome = got[expect.name]
        assert outcome.status == expect.status, (expect.name, outcome.reason)
        if expect.reason:
            assert expect.reason in outcome.reason, (expect.name, outcome.reason)
        if expect.warning:
            assert any(expect.warning in w for w in outcome.warnings), (expect.name, outcome.warnings)
    searcher = Searcher(Index.open(settings, embedder))
    for expect in expects:
        if expect.search:
            hits = searcher.search(expect.search, k=3, mode="bm25")
            assert hits and hits[0].path == str(folder / expect.name), (expect.name, [h.path for h in hits])
    assert got["actually-a-docx.pdf"].pages == 1  # read as the DOCX it is
    assert got["blank-pages.pdf"].pages == 1000

    saved = json.loads((settings.index_dir / "ingest-report.json").read_text(encoding="utf-8"))
    assert saved["limits"] == {"extract_timeout_s": 120.0, "ocr_page_timeout_s": 60.0, "extract_memory_mb": 2048, "max_file_mb": 200.0,
                               "extract_workers": settings.extract_workers, "max_pages": 1000, "max_chars": 2_000_000}
    assert {f["path"] for f in saved["files"]} == {str(folder / e.name) for e in expects}
    assert not [f.path for f in report.files if "took longer than" in (f.reason or "")]  # none waited for a limit


def _small_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text("Memo on the disposal of registry files.", encoding="utf-8")
    (folder / "b.md").write_text("# Shelving\n\nThe records centre ordered new shelving.", encoding="utf-8")
    make_pdf(folder / "c.pdf", [["Minutes of the archive committee on microfilm."]])
    return folder


def test_each_page_sent_to_ocr_extends_the_time_limit(tmp_path, settings, embedder, monkeypatch):
    """A long scan is not a hung file: 4 pages of 0.7 s of OCR pass a 1 s limit with 1 s a page, and fail, with a
    reason that names both settings, when a page earns only 0.1 s."""
    folder = _small_corpus(tmp_path / "corpus")
    (folder / "scan.txt").write_text("The scanned registry report.", encoding="utf-8")
    monkeypatch.setattr("kmsearch.ingest.pipeline.extract", hostile.long_scan_extract)
    with deadline(60):
        report = ingest([folder], settings.replace(extract_timeout_s=1, ocr_page_timeout_s=1), embedder)
    assert outcomes(report)["scan.txt"].status == "added"
    (folder / "scan.txt").write_text("The scanned registry report, second edition.", encoding="utf-8")
    with deadline(60):
        report = ingest([folder], settings.replace(extract_timeout_s=1, ocr_page_timeout_s=0.1), embedder)
    got = outcomes(report)["scan.txt"]
    assert got.status == "failed"
    assert re.fullmatch(r"extraction took longer than [\d.]+ s \(extract_timeout_s, plus ocr_page_timeout_s for "
                        r"each of \d pages sent to OCR\); the previously indexed version is kept", got.reason), got.reason


def test_a_file_over_the_time_limit_is_killed_and_the_batch_goes_on(tmp_path, settings, embedder, monkeypatch):
    folder = _small_corpus(tmp_path / "corpus")
    (folder / "slow.txt").write_text("Never read to the end.", encoding="utf-8")
    monkeypatch.setattr("kmsearch.ingest.pipeline.extract", hostile.slow_extract)  # runs in the workers
    with deadline(60):  # slow.txt sleeps for an hour: the ingest ends only if its worker is killed
        report = ingest([folder], settings.replace(extract_timeout_s=1), embedder)
    got = outcomes(report)
    assert got["slow.txt"].status == "failed"
    assert got["slow.txt"].reason == "extraction took longer than 1 s (extract_timeout_s)"
    assert [got[n].status for n in ("a.txt", "b.md", "c.pdf")] == ["added"] * 3, [(n, got[n].reason) for n in got]
    (pid_file,) = folder.glob("worker-*.pid")
    assert gone(int(pid_file.read_text()))  # killed, not left running
    assert Searcher(Index.open(settings, embedder)).search("microfilm committee", mode="bm25")


def test_a_file_over_the_memory_limit_fails_and_the_batch_goes_on(tmp_path, settings, embedder):
    folder = _small_corpus(tmp_path / "corpus")
    hostile._long_line(folder / "huge.txt", 50)  # 50 MB read and decoded: more than 64 MB
    with deadline(60):
        report = ingest([folder], settings.replace(extract_memory_mb=64), embedder)
    got = outcomes(report)
    assert got["huge.txt"].status == "failed"
    assert got["huge.txt"].reason == "extraction needed more than 64 MB (extract_memory_mb)"
    assert [got[n].status for n in ("a.txt", "b.md", "c.pdf")] == ["added"] * 3, [(n, got[n].reason) for n in got]


def test_a_worker_crash_fails_only_its_file(tmp_path, settings, embedder, monkeypatch):
    folder = _small_corpus(tmp_path / "corpus")
    (folder / "crash.txt").write_text("A file that kills its reader.", encoding="utf-8")
    monkeypatch.setattr("kmsearch.ingest.pipeline.extract", hostile.crashing_extract)
    with deadline(60):
        report = ingest([folder], settings, embedder)
    got = outcomes(report)
    assert got["crash.txt"].status == "failed" and got["crash.txt"].reason == "extraction process crashed (SIGSEGV)"
    assert [got[n].status for n in ("a.txt", "b.md", "c.pdf")] == ["added"] * 3, [(n, got[n].reason) for n in got]


def test_workers_are_limited_and_never_load_the_model(tmp_path, settings):
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with ExtractionPool(settings) as pool:
        ((_, _, extracted),) = list(pool.map(hostile.worker_state, [(tmp_path / "x.txt", None)]))
    state = extracted.document
    assert state["modules"] == []
    assert 0 < state["memory_limit"] < 8 * 2**30  # the library's own size plus extract_memory_mb
    assert state["pgid"] == state["pid"]  # its own process group: a timeout kills whatever it started too


def test_unchanged_files_never_reach_a_worker(corpus, settings, embedder, monkeypatch):
    ingest([corpus], settings, embedder)
    (corpus / "reports" / "broken.pdf").unlink()  # it failed, so it would be tried again
    later = time.time() + 100
    os.utime(corpus / "reports" / "study-tour-canada.md", (later, later))  # touched, same content: hashed here

    def no_worker(*args: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr("kmsearch.ingest.workers._Worker", no_worker)
    assert ingest([corpus], settings, embedder).summary()["unchanged"] == 4


INTERRUPT_SCRIPT = """
import sys
from pathlib import Path
import kmsearch.ingest.pipeline as pipeline
from kmsearch.config import Settings
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests import hostile

pipeline.extract = hostile.slow_extract
pipeline.ingest([sys.argv[1]], Settings(index_dir=Path(sys.argv[2]), model=FAKE_MODEL, ocr=False), FakeEmbedder())
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_stopping_an_ingest_leaves_no_worker_behind(tmp_path, signum):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("slow-1.txt", "slow-2.txt", "slow-3.txt"):
        (folder / name).write_text("Never read to the end.", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPT_SCRIPT, str(folder), str(tmp_path / "index")], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stop = time.monotonic() + 60
        while len(list(folder.glob("worker-*.pid"))) < 2 and time.monotonic() < stop:  # both workers are busy
            time.sleep(0.05)
        pids = [int(p.read_text()) for p in folder.glob("worker-*.pid")]
        assert len(pids) == 2
        proc.send_signal(signum)
        proc.wait(30)
    finally:
        proc.kill()
        proc.wait()
    assert all(gone(pid) for pid in pids)


def test_blank_pages_are_not_sent_to_ocr(tmp_path, monkeypatch):
    pdf = tmp_path / "blank.pdf"
    hostile._blank_pages_pdf(pdf, 40)
    calls = []
    monkeypatch.setattr("kmsearch.ingest.extract.pdf.ocr_image", lambda *args: calls.append(args) or "")
    doc = extract(pdf, Settings(ocr=True))
    assert len(doc.pages) == 40 and calls == []
    assert "Blank appendix volume" in doc.text


def test_many_lines_are_joined_in_linear_time(monkeypatch) -> None:
    """Each line goes through the joining once. Joined pairwise, each join copying the paragraph so far, these
    50,000 lines took minutes; counted here in characters handed to the join functions, not timed (the time is
    in scripts/bench_hostile.py)."""
    lines = [f"line {i} of a registry export with a few words" for i in range(50_000)]  # 2.5 MB, no blank line
    handled: list[int] = []
    for name in ("join_lines", "join_hyphenated"):
        def counted(*args, _join=getattr(clean, name)):
            handled.append(sum(len(a) if isinstance(a, str) else sum(map(len, a)) for a in args))
            return _join(*args)

        monkeypatch.setattr(clean, name, counted)
    with deadline(120):
        (block,) = clean.text_to_blocks("\n".join(lines))
        (other,) = clean.lines_to_blocks(lines)
    assert block.text == other.text == " ".join(lines)
    assert 0 < sum(handled) <= 2 * sum(map(len, lines))  # each line once, in each of the two calls


def test_text_denser_than_prose_makes_bounded_passages(tokenizer) -> None:
    blob = base64.b64encode(random.Random(3).randbytes(150_000)).decode()  # the tokenizer sees few, long "words"
    for text in (blob, "x" * 200_000):
        doc = Document("blob.txt", "text", "", (Page(1, (Block(text),)),), doc_id="d")
        chunks = Chunker(tokenizer, 200, 32).chunk(doc)
        assert max(len(c.text) for c in chunks) <= 200 * MAX_CHARS_PER_TOKEN + 200
        assert sum(len(c.text) for c in chunks) >= len(text)  # nothing left out


@pytest.fixture(scope="module")
def tokenizer(fake_embedder):
    return fake_embedder.tokenizer


@pytest.mark.parametrize("field, value, says", [
    ("extract_timeout_s", 0, "setting extract_timeout_s: 0 is not a number above 0"),
    ("extract_memory_mb", 0, "setting extract_memory_mb: 0 is not a whole number above 0"),
    ("ocr_page_timeout_s", -1, "setting ocr_page_timeout_s: -1 is not a number of 0 or more"),
    ("extract_workers", 0, "setting extract_workers: 0 is not a whole number of 1 or more"),
    ("ocr_dpi", 0, "setting ocr_dpi: 0 is not a whole number from 50 to 600"),
])
def test_bad_limits_are_refused_before_any_file_is_read(settings, field, value, says):
    """Refused when the settings are made (kmsearch/config.py), so no pool starts and no file is read."""
    from kmsearch.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=re.escape(says)):
        ExtractionPool(settings.replace(ocr=True, **{field: value}))
