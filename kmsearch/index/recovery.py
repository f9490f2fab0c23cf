"""Faults in the index folder, found cheaply and answered with the fix: which generations are whole, going back
to the newest whole one (`repair`), and one clear stop when the disk is full.

Every generation folder holds its own copy of the manifest that made it live, so when the top `manifest.json`
is lost or torn, the newest generation that is whole is exactly what was last published (or one written in
full just before a crash, about to be). Whole means: its manifest parses and names it, its three stores are
there, and its catalogue is not truncated and holds the number of documents its manifest counts. These checks
read a few bytes and count one table; they run whenever a reader opens a generation and on every /health.

Readers fall back on their own only when the top manifest is unreadable or missing. When the live generation
itself is damaged they refuse, naming `kmsearch repair`: going back to an older generation may serve documents
whose access a later register tightened, so a person decides. `repair`, and every ingest, make the newest
whole generation live and say which; the ingest then brings it up to date.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kmsearch.errors import DamagedIndexError, DiskFullError, IndexError_
from kmsearch.index.catalog import count_documents
from kmsearch.index.files import atomic_write_json, lock_index
from kmsearch.index.manifest import FORMAT_VERSION, MANIFEST, UPGRADABLE, read_manifest

log = logging.getLogger(__name__)
STORES = ("catalog.sqlite", "dense.faiss", "lexical/meta.json")
SQLITE_MAGIC = b"SQLite format 3\x00"


def generation_folders(index_dir: Path) -> list[Path]:
    """The generation folders, newest first."""
    return sorted((p for p in Path(index_dir).glob("g[0-9]*") if p.is_dir()), reverse=True)


def own_manifest(folder: Path, versions: tuple[int, ...]) -> dict[str, Any]:
    """The manifest a generation folder keeps; ValueError (with the reason) when it is not usable."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("its manifest.json is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"its manifest.json is unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("generation") != folder.name:
        raise ValueError("its manifest.json names another generation")
    if manifest.get("format_version") not in versions:
        raise ValueError(f"its index format {manifest.get('format_version')} is not {versions[0]}")
    return manifest


def catalogue_problem(path: Path, documents: int | None) -> str | None:
    """Why a catalogue cannot answer, or None: not SQLite, shorter than its header says (truncated), unreadable,
    or holding another number of documents than its manifest counts (emptied or swapped)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return f"catalog.sqlite cannot be read ({exc.strerror or exc})"
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return f"catalog.sqlite is not an SQLite database ({size} bytes: truncated or overwritten)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages and size < pages * page_size:  # the header's size is valid
        return f"catalog.sqlite is truncated ({size} of {pages * page_size} bytes)"
    try:
        found = count_documents(path)
    except sqlite3.Error as exc:
        return f"catalog.sqlite cannot be read ({exc})"
    if documents is not None and found != documents:
        return f"catalog.sqlite holds {found} documents where its manifest counts {documents}"
    return None


def generation_problem(folder: Path, manifest: dict[str, Any]) -> str | None:
    """What keeps a generation from answering, or None when it is whole."""
    if not folder.is_dir():
        return "its folder is missing"
    stores = STORES if manifest.get("format_version", 3) >= 3 else STORES[:2]  # format 2 had no BM25 files
    missing = [name for name in stores if not (folder / name).is_file()]
    if missing:
        return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
    return catalogue_problem(folder / "catalog.sqlite", manifest.get("counts", {}).get("documents"))


def whole_generations(index_dir: Path, versions: tuple[int, ...]) -> Iterator[dict[str, Any]]:
    """The manifests of the whole generations, newest first."""
    for folder in generation_folders(index_dir):
        try:
            manifest = own_manifest(folder, versions)
        except ValueError:
            continue
        if generation_problem(folder, manifest) is None:
            yield manifest


def newest_whole(index_dir: Path, versions: tuple[int, ...], other_than: str = "") -> dict[str, Any] | None:
    return next((m for m in whole_generations(index_dir, versions) if m["generation"] != other_than), None)


def repair_hint(index_dir: Path, versions: tuple[int, ...], damaged: str = "") -> str:
    """The fix to name when the live generation is damaged."""
    found = newest_whole(index_dir, versions, other_than=damaged)
    if found is None:
        return f"no whole generation is left in {index_dir}: move it aside and ingest into a new --index folder"
    return (f"run `kmsearch repair --index {index_dir}` to make {found['generation']} (the newest whole "
            "generation) live, then ingest again to bring it up to date")


def make_live(index_dir: Path, reason: str, versions: tuple[int, ...]) -> dict[str, Any]:
    """Point the top manifest at the newest whole generation (the caller holds the write lock). Returns its
    manifest; DamagedIndexError when none is whole."""
    found = newest_whole(index_dir, versions)
    if found is None:
        raise DamagedIndexError(f"index {index_dir}: {reason}, and no generation in it is whole; move the folder "
                                "aside and ingest into a new --index folder")
    atomic_write_json(Path(index_dir) / MANIFEST, found)
    log.warning("index %s: %s; repaired: %s, the newest whole generation, is live again", index_dir, reason,
                found["generation"])
    return found


def live_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The live manifest for a reader. When the top one is lost or torn, the newest whole generation's own
    manifest: a copy of what was last published (readers never write, so the top one stays as it is until an
    ingest or `kmsearch repair` rewrites it)."""
    try:
        return read_manifest(index_dir)
    except DamagedIndexError as exc:
        found = newest_whole(index_dir, (FORMAT_VERSION,))
        if found is None:
            raise DamagedIndexError(f"{exc}, and no generation in {index_dir} is whole; move it aside and ingest "
                                    "into a new --index folder") from None
        log.warning("%s; serving %s, the newest whole generation (run `kmsearch repair --index %s` to make it "
                    "live again)", exc, found["generation"], index_dir)
        return found


def recover_for_writing(index_dir: Path) -> dict[str, Any] | None:
    """The live manifest a writer builds on (None for a new index). When the top manifest is lost or torn, or
    the live generation is damaged, the newest whole generation is made live first, and the log says which;
    the writer holds the lock."""
    versions = (FORMAT_VERSION, *UPGRADABLE)
    try:
        manifest = read_manifest(index_dir, for_writing=True)
    except DamagedIndexError as exc:
        return make_live(index_dir, str(exc), versions)
    if manifest is None:
        return None
    problem = generation_problem(Path(index_dir) / manifest["generation"], manifest)
    if problem is None:
        return manifest
    return make_live(index_dir, f"the live generation {manifest['generation']}: {problem}", versions)


def repair(index_dir: Path) -> str:
    """`kmsearch repair`: make the newest whole generation live if the live one is lost or damaged; says what
    it found and did. DamagedIndexError when no generation is whole."""
    index_dir = Path(index_dir)
    if not (index_dir / MANIFEST).exists() and not generation_folders(index_dir):
        raise IndexError_(f"no index at {index_dir}")
    fh = lock_index(index_dir)
    try:
        before = (index_dir / MANIFEST).read_bytes() if (index_dir / MANIFEST).exists() else b""
        manifest = recover_for_writing(index_dir)
        assert manifest is not None
        if (index_dir / MANIFEST).read_bytes() == before:
            return f"index {index_dir}: generation {manifest['generation']} is live and whole; nothing to repair"
        return (f"index {index_dir}: repaired; {manifest['generation']}, the newest whole generation, is live again. "
                "Files changed since it was written are indexed again by the next `kmsearch ingest`")
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


# --- a full disk ---------------------------------------------------------------------------------------------
def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc`, or what caused it, is a full disk or quota. SQLite says SQLITE_FULL; FAISS and tantivy
    raise RuntimeError/ValueError carrying the OS's words, the only sign they give (no errno attribute)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                                               or "database or disk is full" in str(exc)):
            return True
        if "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def mount_of(path: Path) -> tuple[str, str]:
    """The mount point a path lies on, and its device (from /proc/mounts where there is one)."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here != here.parent:
        here = here.parent
    while not os.path.ismount(here) and here != here.parent:
        here = here.parent
    device = "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 2 and parts[1] == str(here):
                    device = f"{parts[0]}, {parts[2]}"
    except OSError:
        pass
    return str(here), device


@contextmanager
def stop_when_disk_full(index_dir: Path) -> Iterator[None]:
    """Turn a full disk anywhere inside into one DiskFullError that names the disk and the index."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        mount, device = mount_of(index_dir)
        free = shutil.disk_usage(mount).free if os.path.exists(mount) else 0
        raise DiskFullError(
            f"the disk is full: no space left on {mount} ({device}; {free // 1024} KB free) while writing the index "
            f"{index_dir}. Free some space there (or ingest into an --index folder on another disk) and run the "
            "ingest again. Nothing half-written is served: the last generation written in full stays live"
        ) from None
