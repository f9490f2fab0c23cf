"""Power-cut simulation for the two SQLite files kmsearch writes, in the journal modes they use.

- A generation's catalogue is written in rollback-journal mode (journal_mode=DELETE, synchronous=FULL): SQLite
  syncs the journal (the original pages) before it changes the database and deletes the journal to commit. We
  freeze a writer (SIGSTOP) at random moments while it commits and copy the database with its journal, the disk
  as a crash at that instant leaves it; each copy must open, pass integrity_check, and hold whole transactions.
- The embedding cache is in WAL mode: a power cut can lose or tear the end of the WAL. We cut and garble the WAL
  at many offsets; SQLite's frame checksums must drop the torn frames and keep a committed prefix.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from kmsearch.index.cache import EmbeddingCache
from kmsearch.index.catalog import connect_writable
from tests.helpers import REPO

BATCH = 25  # rows per transaction

WRITER = """
import sys, time
from pathlib import Path
from kmsearch.index.catalog import connect_writable
conn = connect_writable(Path(sys.argv[1]))
for t in range(10_000):
    with conn:
        conn.execute("INSERT INTO documents (doc_id, path, format, title, content_hash, n_pages, indexed_at) "
                     "VALUES (?, ?, 'text', 't', 'h', 1, 'now')", (f"d{t}", f"/p/{t}"))
        conn.executemany("INSERT INTO chunks (doc_id, ordinal, page, text) VALUES (?, ?, 1, ?)",
                         [(f"d{t}", i, "x" * 2000) for i in range(%d)])
"""


def check(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return docs, chunks
    finally:
        conn.close()


def wait_for(condition: Callable[[], bool], within: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` if it has not within `within` seconds."""
    stop = time.monotonic() + within
    while not condition():
        assert time.monotonic() < stop, f"{what} (waited {within:g} s)"
        time.sleep(0.01)


def stopped(pid: int) -> bool:
    """Whether the process is stopped (state T in /proc/PID/stat): a SIGSTOP takes effect a moment after
    kill() returns, and on a loaded machine the writer went on long enough to delete its journal meanwhile."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] == "T"


def test_catalogue_snapshots_during_commits_are_consistent(tmp_path):
    db = tmp_path / "catalog.sqlite"
    connect_writable(db).close()
    empty = db.stat().st_size
    journal = db.with_name(db.name + "-journal")
    writer = subprocess.Popen([sys.executable, "-c", WRITER % BATCH, str(db)], cwd=REPO)
    snapshots: list[Path] = []
    hot = 0
    try:
        wait_for(lambda: db.stat().st_size > empty, 60, "the writer never started writing")
        stop = time.monotonic() + 120
        i = 0
        # 30 snapshots at random moments, and as many more as it takes to catch the writer mid-transaction once
        while i < 30 or (not hot and time.monotonic() < stop):
            snap = tmp_path / f"snap{i}"
            snap.mkdir()
            writer.send_signal(signal.SIGSTOP)  # freeze the writer: both files as at one instant
            wait_for(lambda: stopped(writer.pid), 10, "the writer to stop")  # the signal lands a moment later
            try:
                if journal.exists():
                    shutil.copyfile(journal, snap / journal.name)
                    hot += 1
                shutil.copyfile(db, snap / db.name)
            finally:
                writer.send_signal(signal.SIGCONT)
            snapshots.append(snap / db.name)
            i += 1
            time.sleep(0.02 + random.random() * 0.03)  # the next moment, at random
    finally:
        writer.kill()
        writer.wait()
    counts = [check(s) for s in snapshots]  # opening a snapshot with a hot journal rolls it back
    assert all(chunks == docs * BATCH for docs, chunks in counts), counts  # whole transactions only
    assert counts[-1][0] > 0 and hot >= 1, (counts, hot)  # the writer was mid-transaction at least once


def test_embedding_cache_survives_a_torn_wal(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    cache = EmbeddingCache(path, "m")
    cache.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the empty table is in the database file
    cache.conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every commit in the WAL, as before a checkpoint
    rng = np.random.default_rng(0)
    for t in range(8):
        texts = [f"text {t}-{i}" for i in range(BATCH)]
        cache.get_or_embed(texts, lambda xs: rng.random((len(xs), 8), dtype=np.float32))
    wal = path.with_name(path.name + "-wal")
    original = wal.read_bytes()
    assert len(original) > 0
    saved = tmp_path / "saved"
    saved.mkdir()
    shutil.copyfile(path, saved / path.name)  # the database file as on disk (nothing checkpointed yet)
    cache.conn.close()
    random.seed(1)
    cuts = sorted(random.sample(range(32, len(original)), 20)) + [len(original)]
    seen = set()
    for n, cut in enumerate(cuts):
        case = tmp_path / f"cut{n}"
        case.mkdir()
        shutil.copyfile(saved / path.name, case / path.name)
        torn = bytearray(original[:cut])
        if n % 2 and cut > 64:
            torn[-16:] = b"\xff" * 16  # a garbled last sector, not just a short file
        (case / wal.name).write_bytes(bytes(torn))
        conn = sqlite3.connect(case / path.name)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        conn.close()
        assert rows % BATCH == 0 and rows <= 8 * BATCH  # a committed prefix, never half a batch
        seen.add(rows)
    assert 8 * BATCH in seen and len(seen) > 2  # the intact WAL keeps everything; cuts lose only the tail
