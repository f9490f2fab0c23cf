"""The index folder: generations, incremental re-index, the embedding cache, failures, locking, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kmsearch.errors import IndexError_, IndexLockedError, ModelMismatchError
from kmsearch.index.store import Index, IndexWriter
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher
from tests.helpers import REPO


def consistent(settings, embedder) -> Index:
    """Open the live generation and check FAISS, BM25 and the catalogue agree."""
    index = Index.open(settings, embedder)
    counts = index.catalog.counts()
    assert index.faiss_index.ntotal == len(index.lexical) == counts["chunks"] == index.manifest["counts"]["chunks"]
    return index


def test_first_ingest_builds_a_generation(corpus, settings, embedder):
    report = ingest([corpus], settings, embedder)
    summary = report.summary()
    assert summary["added"] == 4 and summary["failed"] == 1
    failed = next(f for f in report.files if f.status == "failed")
    assert failed.path.endswith("broken.pdf") and "PDF" in failed.reason
    index = consistent(settings, embedder)
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["generation"] == "g000001" == index.generation
    assert manifest["model"] == {"name": "fake-hash-256", "dimension": 256, "max_tokens": 256, "backend": "fake",
                                 "query_prefix": "", "passage_prefix": ""}
    assert manifest["chunking"]["max_tokens"] == settings.chunk_tokens
    assert manifest["counts"]["documents"] == 4
    assert (settings.index_dir / "ingest-report.json").exists()


def test_reingest_unchanged_touches_nothing(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    calls = embedder.calls
    report = ingest([corpus], settings, embedder)
    assert report.summary()["unchanged"] == 4
    assert report.generation is None  # no new generation was written
    assert embedder.calls == calls
    assert json.loads((settings.index_dir / "manifest.json").read_text())["generation"] == "g000001"


def test_changed_added_and_deleted_files(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    before = Index.open(settings, embedder)
    old_ids = {span.doc_id: span.lo for span in before.catalog.chunk_spans()}
    calls = embedder.calls
    md = corpus / "reports" / "study-tour-canada.md"
    md.write_text(md.read_text() + "\nThe delegation also visited Toronto city hall.\n", encoding="utf-8")
    (corpus / "decks" / "mobile-units.pptx").unlink()
    (corpus / "minutes" / "notes.txt").write_text("Knowledge audit planned for 2015.", encoding="utf-8")
    report = ingest([corpus], settings, embedder)
    status = {Path(f.path).name: f.status for f in report.files}
    assert status["study-tour-canada.md"] == "updated"
    assert status["mobile-units.pptx"] == "removed"
    assert status["notes.txt"] == "added"
    assert status["edrms-pilot.pdf"] == status["km-committee-2009-06.docx"] == "unchanged"
    index = consistent(settings, embedder)
    assert index.generation == "g000002"
    paths = {Path(d.path).name for d in index.catalog.iter_documents()}
    assert paths == {"edrms-pilot.pdf", "km-committee-2009-06.docx", "study-tour-canada.md", "notes.txt"}
    # unchanged documents keep their chunk ids; only new text was embedded (the md's unchanged chunks hit the cache)
    after = {span.doc_id: span.lo for span in index.catalog.chunk_spans()}
    for doc_id, chunk_id in old_ids.items():
        if doc_id in after and Path(index.catalog.document(doc_id).path).suffix in (".pdf", ".docx"):
            assert after[doc_id] == chunk_id
    new_chunks = report.embedded + report.cached
    assert report.embedded == embedder.calls - calls <= new_chunks
    assert report.embedded >= 1
    hits = Searcher(index).search("Toronto city hall", k=3, mode="bm25")
    assert hits and hits[0].path.endswith("study-tour-canada.md")
    assert Searcher(index).search("Identity documents social grants", mode="bm25") == [] or all(
        not h.path.endswith(".pptx") for h in Searcher(index).search("Identity documents social grants", mode="bm25")
    )


def test_touched_file_with_same_content_is_not_reextracted(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    md = corpus / "reports" / "study-tour-canada.md"
    os.utime(md, (time.time() + 100, time.time() + 100))
    report = ingest([corpus], settings, embedder)
    assert {f.status for f in report.files if f.path == str(md)} == {"unchanged"}


def test_moved_file_reuses_cached_vectors(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    calls = embedder.calls
    (corpus / "reports" / "edrms-pilot.pdf").rename(corpus / "minutes" / "edrms-pilot.pdf")
    report = ingest([corpus], settings, embedder)
    assert report.summary()["added"] == 1 and report.summary()["removed"] == 1
    assert embedder.calls == calls and report.embedded == 0 and report.cached > 0


def test_changed_file_that_now_fails_keeps_its_old_version(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    pdf = corpus / "reports" / "edrms-pilot.pdf"
    pdf.write_bytes(pdf.read_bytes()[:400])  # truncated by a bad copy
    report = ingest([corpus], settings, embedder)
    outcome = next(f for f in report.files if f.path == str(pdf))
    assert outcome.status == "failed" and "previously indexed version is kept" in outcome.reason
    hits = Searcher(consistent(settings, embedder)).search("retrieval times file plan", mode="bm25")
    assert any(h.path == str(pdf) for h in hits)


def test_missing_root_is_reported_and_removes_nothing(corpus, settings, embedder, tmp_path):
    ingest([corpus], settings, embedder)
    report = ingest([tmp_path / "unmounted-share"], settings, embedder)
    assert report.files[0].status == "failed" and "does not exist" in report.files[0].reason
    assert consistent(settings, embedder).catalog.counts()["documents"] == 4


def test_other_model_is_a_clear_error(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    with pytest.raises(ModelMismatchError, match="built with model 'fake-hash-256'"):
        Index.open(settings.replace(model="all-MiniLM-L6-v2"))
    with pytest.raises(ModelMismatchError):
        ingest([corpus], settings.replace(model="all-MiniLM-L6-v2"))


def test_no_index_is_a_clear_error(settings):
    with pytest.raises(IndexError_, match="no index at .*kmsearch ingest"):
        Index.open(settings)


def test_second_writer_is_refused(corpus, settings, embedder):
    with IndexWriter(settings, embedder):
        with pytest.raises(IndexLockedError, match="being written by pid"):
            IndexWriter(settings, embedder)
    IndexWriter(settings, embedder).abort()  # the lock is free again


def test_failure_before_switch_leaves_previous_generation(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    (corpus / "minutes" / "new.txt").write_text("A new memo about records disposal schedules. " * 50)
    embedder.fail_after = embedder.calls  # the next embedding call fails
    with pytest.raises(RuntimeError, match="simulated"):
        ingest([corpus], settings, embedder)
    index = consistent(settings, embedder)
    assert index.generation == "g000001"
    assert not list(settings.index_dir.glob(".tmp-*"))  # the aborted generation was cleaned up
    embedder.fail_after = None
    report = ingest([corpus], settings, embedder)
    assert report.summary()["added"] == 1 and consistent(settings, embedder).generation == "g000002"


KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
import kmsearch.index.store as store
import kmsearch.ingest.pipeline as pipeline
from kmsearch.config import Settings
from kmsearch.testing import FakeEmbedder, FAKE_MODEL

import kmsearch.people.link as people_link

owner, name, when, nth = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
target = {"store": store, "pipeline": pipeline, "os": os, "writer": store.IndexWriter, "fake": FakeEmbedder,
          "lexical": store.LexicalWriter, "dense": store.dense, "chunker": pipeline.Chunker, "cache": store.EmbeddingCache,
          "people": people_link}[owner]
original = getattr(target, name)
calls = 0

def wrapped(*args, **kwargs):
    global calls
    calls += 1
    if calls == nth and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if calls == nth and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(target, name, wrapped)
pipeline.ingest([sys.argv[1]], Settings(index_dir=Path(sys.argv[2]), model=FAKE_MODEL, ocr=False), FakeEmbedder())
print("not killed")
"""

# (object, attribute, before/after, nth call): moments across extraction, embedding, writing and the switch
KILL_POINTS = {
    "lock-taken": ("writer", "_lock", "after", 1),
    "stale-cleanup": ("writer", "_cleanup_stale", "after", 1),
    "catalogue-copied": ("store", "connect_writable", "after", 1),
    "first-document-stored": ("pipeline", "_store", "after", 1),
    "mid-extraction": ("pipeline", "_store_extracted", "before", 8),  # workers are extracting further files
    "mid-chunking": ("chunker", "chunk", "before", 6),
    "old-version-removed": ("writer", "remove", "after", 1),
    "after-extraction": ("pipeline", "_store", "after", 13),
    "registers-applied": ("pipeline", "_apply_registers", "after", 1),
    "cache-opened": ("cache", "get_or_embed", "before", 1),
    "mid-embedding": ("fake", "embed", "after", 2),
    "people-linked": ("people", "link", "after", 1),
    "faiss-write": ("dense", "save", "after", 1),
    "bm25-old-version-deleted": ("lexical", "delete_document", "after", 1),
    "bm25-added": ("lexical", "add", "after", 1),
    "bm25-write": ("lexical", "commit", "before", 1),
    "bm25-written": ("lexical", "commit", "after", 1),
    "fsync": ("store", "_fsync_tree", "before", 1),
    "generation-renamed": ("os", "rename", "after", 1),
    "generation-dir-synced": ("store", "_fsync_dir", "after", 2),
    "manifest-write": ("store", "atomic_write_json", "before", 1),
    "manifest-temp-written": ("os", "replace", "before", 1),
    "manifest-switched": ("os", "replace", "after", 1),
    "pruning": ("writer", "_prune", "before", 1),
    "report-write": ("pipeline", "atomic_write_json", "before", 1),
}
AFTER_SWITCH = {"manifest-switched", "pruning", "report-write"}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_during_ingest_leaves_a_whole_index(corpus, settings, embedder, point):
    """SIGKILL an ingest at a given moment; the live generation must open, agree with itself, keep every
    document it had, and the next ingest must complete."""
    ingest([corpus], settings, embedder)
    for i in range(12):
        text = " ".join(f"Memo {i}, point {j}: registry file {i}/{j} is due for disposal." for j in range(120))
        (corpus / "minutes" / f"memo-{i}.txt").write_text(text)
    md = corpus / "reports" / "study-tour-canada.md"  # an update, so that an old version is removed
    md.write_text(md.read_text() + "\nThe delegation also visited Toronto city hall.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(corpus), str(settings.index_dir), *map(str, KILL_POINTS[point])],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    index = consistent(settings, embedder)
    switched = point in AFTER_SWITCH
    assert index.catalog.counts()["documents"] == (16 if switched else 4)
    hits = Searcher(index).search("retrieval times file plan", mode="bm25")
    assert any(h.path.endswith("edrms-pilot.pdf") for h in hits)
    toronto = Searcher(index).search("Toronto city hall", mode="bm25")
    assert bool(toronto and toronto[0].path.endswith("study-tour-canada.md")) == switched  # one version, whole
    report = ingest([corpus], settings, embedder)
    assert report.summary()["failed"] == 1  # only broken.pdf
    assert consistent(settings, embedder).catalog.counts()["documents"] == 16
    assert not list(settings.index_dir.glob(".tmp-*"))


def test_kmsearchignore_skips_matching_files(corpus, settings, embedder):
    (corpus / ".kmsearchignore").write_text("# not department documents\nREADME.md\ndecks\n")
    (corpus / "README.md").write_text("About this folder.")
    report = ingest([corpus], settings, embedder)
    names = {Path(f.path).name for f in report.files}
    assert "README.md" not in names and "mobile-units.pptx" not in names
    assert "edrms-pilot.pdf" in names
