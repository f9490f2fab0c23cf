"""Durable file writes: what makes a write survive a power cut (data flushed, then the folder's entry).

Used by the index writer (kmsearch/index/store.py), the ONNX export and the ingest report. Kept apart from those
so that each can use it without importing the others.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from kmsearch.errors import IndexLockedError


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (what makes a rename into it durable), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON and flush it to disk, in place: for a file in a folder nobody reads yet (a generation
    being built), whose own rename makes it visible."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON so that a reader, or a crash at any moment, sees the old file or the
    new one whole: write a temporary file beside it, flush it, rename it over `path`, flush the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_json(tmp, data)
    os.replace(tmp, path)
    fsync_path(path.parent)


def lock_index(index_dir: Path) -> Any:
    """Take the index's write lock (one ingest or repair at a time); the open file holds it."""
    fh = open(Path(index_dir) / ".lock", "a+")  # noqa: SIM115 - the open file is the lock, held past this call
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise IndexLockedError(f"index {index_dir} is being written by {holder}; wait for that ingest to finish") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    return fh
