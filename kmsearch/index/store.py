"""The index folder and its generations.

    indexes/default/
      manifest.json        which generation is live, with the model, chunking settings and counts
      g000003/             one generation: catalog.sqlite, dense.faiss, lexical/ (tantivy), manifest.json
      embeddings.sqlite    vectors cached by (model, text), shared by all generations
      .lock                held by the one ingest allowed at a time

A write copies the live generation into a temporary folder (the catalogue by SQLite's backup, FAISS by reading
it, tantivy's immutable files by hard links), changes it there, flushes every file to disk, renames the folder
into place and only then swaps `manifest.json` (write-new, fsync, rename). A process killed at any moment
leaves the previous generation live and whole.

New passages are embedded while the rest of the ingest goes on (a background thread fed by `add`), through
the embedding cache, so a passage is never embedded twice and the model is busy while files are extracted.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import queue
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from kmsearch import __version__
from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import IndexError_, IndexLockedError, ModelMismatchError
from kmsearch.index import dense
from kmsearch.index.cache import EmbeddingCache
from kmsearch.index.catalog import Catalog, connect_readonly, connect_writable, embed_text
from kmsearch.index.embed import Embedder, make_embedder
from kmsearch.index import lexical as lexical_index
from kmsearch.index.lexical import Lexical, LexicalWriter
from kmsearch.types import Chunk, Document

log = logging.getLogger(__name__)
FORMAT_VERSION = 4  # 2: register references and access groups in the catalogue; 3: tantivy BM25, IVF above a size
# 4: BM25 terms analysed per passage language, and the passage language (`lang`)
UPGRADABLE = (2, 3)  # formats an ingest brings up to date in place (the next generation is written in the new one)
MANIFEST = "manifest.json"
KEEP_GENERATIONS = 2  # the live one and the one before, which readers may still have open


def read_manifest(index_dir: Path, for_writing: bool = False) -> dict[str, Any] | None:
    """The live generation's manifest, or None for a new index. Readers need the current format; a writer may
    also take an older one it knows how to upgrade."""
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexError_(f"{path}: unreadable manifest ({exc})") from exc
    version = manifest.get("format_version")
    if version != FORMAT_VERSION and not (for_writing and version in UPGRADABLE):
        hint = (
            "run `kmsearch ingest` on it once to upgrade it in place" if version in UPGRADABLE
            else "re-ingest into a new folder"
        )
        raise IndexError_(f"{path}: index format {version} is not {FORMAT_VERSION}; {hint}")
    return manifest


def resolve_model_setting(settings: Settings, manifest: dict[str, Any] | None) -> Settings:
    """Use the index's model unless another is asked for, in which case refuse clearly."""
    if manifest is None:
        return settings.replace(model=settings.model or DEFAULT_MODEL)
    built_with = manifest["model"]["name"]
    if settings.model and settings.model != built_with:
        raise ModelMismatchError(
            f"index {settings.index_dir} was built with model {built_with!r}, not {settings.model!r}; "
            f"use --model {built_with!r} (or leave it out), or ingest into a new --index folder"
        )
    return settings.replace(model=built_with)


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (what makes a rename into it durable), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        fsync_path(path)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:  # a name of its own: the kill-point tests stop the process here
    fsync_path(folder)


def atomic_write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class Index:
    """An open, read-only generation: catalogue, FAISS and BM25, plus the embedder for queries."""

    directory: Path
    manifest: dict[str, Any]
    catalog: Catalog
    faiss_index: Any
    lexical: Lexical
    embedder: Embedder
    settings: Settings
    # Data derived from this generation once and reused by every query (e.g. where-is's title index).
    derived: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Index:
        index_dir = Path(settings.index_dir)
        manifest = read_manifest(index_dir)
        if manifest is None:
            raise IndexError_(f"no index at {index_dir}: run `kmsearch ingest PATH --index {index_dir}` first")
        settings = resolve_model_setting(settings, manifest)
        gen = index_dir / manifest["generation"]
        try:
            catalog = Catalog(connect_readonly(gen / "catalog.sqlite"))
            faiss_index = dense.load(gen / "dense.faiss", settings.ivf_nprobe)
            lexical = Lexical.load(gen / "lexical")
        except (OSError, RuntimeError, sqlite3.Error, ValueError) as exc:
            raise IndexError_(f"{gen}: generation files are missing or damaged ({exc})") from exc
        embedder = embedder or make_embedder(settings)
        if embedder.model_id != manifest["model"]["name"]:
            raise ModelMismatchError(
                f"index {index_dir} was built with model {manifest['model']['name']!r}, not {embedder.model_id!r}"
            )
        return cls(index_dir, manifest, catalog, faiss_index, lexical, embedder, settings)

    @property
    def generation(self) -> str:
        return str(self.manifest["generation"])

    def close(self) -> None:
        self.catalog.conn.close()


class IndexWriter:
    """Builds the next generation. Use as a context manager; nothing is visible until `commit()` returns."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: Callable[..., Any] | None = None):
        self.index_dir = Path(settings.index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fh = self._lock()
        try:
            self.previous = read_manifest(self.index_dir, for_writing=True)
            self.settings = resolve_model_setting(settings, self.previous)
        except Exception:
            self._unlock()
            raise
        self.embedder = embedder or make_embedder(self.settings)
        if self.embedder.model_id != self.settings.model:
            self._unlock()
            raise ModelMismatchError(f"embedder {self.embedder.model_id!r} is not the index's {self.settings.model!r}")
        self.progress = progress
        number = (int(self.previous["generation"][1:]) if self.previous else 0) + 1
        self.name = f"g{number:06d}"
        self._cleanup_stale()
        self.tmp = self.index_dir / f".tmp-{self.name}-{os.getpid()}"
        self.tmp.mkdir()
        if self.previous:
            prev = self.index_dir / self.previous["generation"]
            src = sqlite3.connect(f"file:{prev / 'catalog.sqlite'}?mode=ro", uri=True)
            dst = sqlite3.connect(self.tmp / "catalog.sqlite")
            src.backup(dst)
            src.close()
            dst.close()
            self.faiss_index = dense.load(prev / "dense.faiss")
        else:
            self.faiss_index = None
        # The previous BM25 files, hard-linked; an index from before tantivy gets its BM25 built at commit.
        previous_lexical = prev / "lexical" if self.previous and (prev / "lexical").is_dir() else None
        if self.previous and self.previous.get("format_version") != FORMAT_VERSION:  # BM25 of an older schema
            previous_lexical = None
        self.lexical = LexicalWriter(self.tmp / "lexical", previous_lexical)
        self._lexical_from_scratch = previous_lexical is None and self.previous is not None
        self.catalog = Catalog(connect_writable(self.tmp / "catalog.sqlite"))
        self._next_id = self.catalog.next_chunk_id()
        self._pending: list[int] = []  # chunk ids added in this generation
        self._embedding = _BackgroundEmbedder(self)  # embeds them as they come
        self.changed = self._lexical_from_scratch

    # --- locking ---------------------------------------------------------------------------------------------
    def _lock(self) -> Any:
        fh = open(self.index_dir / ".lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise IndexLockedError(
                f"index {self.index_dir} is being written by {holder}; wait for that ingest to finish"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        return fh

    def _unlock(self) -> None:
        if self._lock_fh:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def _cleanup_stale(self) -> None:
        """Leftovers of killed writers: temporary folders, and generations written but never switched to
        (newer than the live one). We hold the lock and no reader ever opened them, so they can go."""
        for path in self.index_dir.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        live = self.previous["generation"] if self.previous else ""
        for path in self.index_dir.glob("g[0-9]*"):
            if path.is_dir() and path.name > live:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.index_dir.glob(f".{MANIFEST}.*.tmp"):
            path.unlink(missing_ok=True)

    # --- changes ---------------------------------------------------------------------------------------------
    def known_files(self) -> dict[str, sqlite3.Row]:
        return self.catalog.known_files()

    def add(self, doc: Document, chunks: list[Chunk], size: int = 0, mtime: float = 0.0) -> None:
        with self.catalog.conn:
            self.catalog.add_document(doc, chunks, self._next_id, size, mtime)
        ids = range(self._next_id, self._next_id + len(chunks))
        self._pending.extend(ids)
        self._embedding.submit([(i, embed_text(doc.title, c.heading, c.text)) for i, c in zip(ids, chunks)])
        self._next_id += len(chunks)
        self.changed = True

    def remove(self, doc_id: str) -> int:
        with self.catalog.conn:
            ids = self.catalog.remove_document(doc_id)
        pending = set(ids) & set(self._pending)
        if pending:
            self._pending = [i for i in self._pending if i not in pending]
        stored = [i for i in ids if i not in pending]
        if stored and self.faiss_index is not None:
            self.faiss_index.remove_ids(np.asarray(stored, dtype=np.int64))
        if stored:
            self.lexical.delete_document(doc_id)  # its passages added before now; a re-added version stays
        self.changed = True
        return len(ids)

    def set_access(self, doc_id: str, reference: str | None, groups: tuple[str, ...]) -> None:
        with self.catalog.conn:
            self.changed |= self.catalog.set_access(doc_id, reference, groups)

    def replace_register_documents(self, source: str, rows: list[tuple[str | None, Any]]) -> None:
        with self.catalog.conn:
            self.changed |= self.catalog.replace_register_documents(source, rows)

    def add_mentions(self, doc_id: str, mentions: list[Any], version: int) -> None:
        with self.catalog.conn:
            self.catalog.add_mentions(doc_id, mentions, version)

    def replace_register_people(self, source: str, people: list[Any]) -> None:
        with self.catalog.conn:
            self.changed |= self.catalog.replace_register_people(source, people)

    def replace_register_events(self, source: str, events: list[Any]) -> None:
        with self.catalog.conn:
            self.changed |= self.catalog.replace_register_events(source, events)

    def touch(self, doc_id: str, size: int, mtime: float) -> None:
        with self.catalog.conn:
            self.catalog.touch(doc_id, size, mtime)
        self.changed = True

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # --- commit ----------------------------------------------------------------------------------------------
    def commit(self) -> dict[str, Any] | None:
        """Finish embedding, write FAISS and BM25, and switch to the new generation. None if nothing changed."""
        from kmsearch.index.titles import sync_titles
        from kmsearch.people.link import link, needs_linking

        self.changed |= needs_linking(self.catalog)  # an index made before people were, or by an older extractor
        if not self.changed:
            self.abort()
            return None
        clock = _Clock()
        link(self.catalog)
        sync_titles(self.catalog.conn)
        clock.lap("people_and_titles")
        vectors, stats = self._embedding.finish(self._pending)
        clock.lap("embedding_wait")
        counts = self.catalog.counts()
        dense_info = self._write_dense(vectors, counts["chunks"])
        clock.lap("dense")
        rows = self.catalog.iter_index_rows(None if self._lexical_from_scratch else self._pending)
        self.lexical.add(rows, self.catalog.document_languages())
        passages = self.lexical.commit()
        clock.lap("lexical")
        self.catalog.conn.execute("PRAGMA optimize")
        self.catalog.conn.close()
        if not (self.faiss_index.ntotal == passages == counts["chunks"]):
            raise IndexError_(
                f"index sizes disagree (faiss {self.faiss_index.ntotal}, bm25 {passages}, chunks {counts['chunks']}); "
                "the previous generation stays live"
            )
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": self.name,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "kmsearch_version": __version__,
            "model": {"name": self.embedder.model_id, "dimension": self.embedder.dimension,
                      "max_tokens": self.embedder.max_tokens, "backend": getattr(self.embedder, "backend", "torch")},
            "chunking": {"max_tokens": self.settings.chunk_tokens, "overlap": self.settings.chunk_overlap,
                         "tokenizer": self.embedder.model_id, "pages": "a chunk never spans two pages"},
            "dense": {"library": "faiss", "metric": "inner_product", **dense_info},
            "lexical": {"library": "tantivy", **lexical_index.PARAMS},
            "counts": {**counts, "vectors": int(self.faiss_index.ntotal)},
            "embedding": stats,
        }
        _fsync_tree(self.tmp)
        clock.lap("fsync")
        manifest["commit_seconds"] = clock.laps  # where the commit's time went (the ingest benchmark reads it)
        with open(self.tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(self.tmp)
        final = self.index_dir / self.name
        os.rename(self.tmp, final)
        _fsync_dir(self.index_dir)
        atomic_write_json(self.index_dir / MANIFEST, manifest)  # the switch
        self._prune()
        self._unlock()
        return manifest

    def _write_dense(self, new: np.ndarray, total: int) -> dict[str, Any]:
        """Add the new vectors, or build the index the collection's size now calls for; save it. Returns what
        the manifest records: the type and its parameters, and whether it was (re)built here."""
        spec = dense.spec_for(total, self.settings)
        if dense.fits(self.faiss_index, spec):
            if len(new):
                self.faiss_index.add_with_ids(new, np.asarray(self._pending, dtype=np.int64))
            rebuilt = False
        else:  # every vector: the new ones in hand, older ones from the embedding cache (nothing is embedded again)
            if self.faiss_index is None or self.faiss_index.ntotal == 0:
                ids, vectors = np.asarray(self._pending, dtype=np.int64), new
            else:
                ids, vectors = self._all_vectors()
            self.faiss_index = dense.build(spec, self.embedder.dimension, vectors, ids)
            rebuilt = True
        dense.save(self.faiss_index, self.tmp / "dense.faiss")
        info = dense.describe(self.faiss_index)
        previous = (self.previous or {}).get("dense", {})
        info["built_for"] = total if rebuilt else previous.get("built_for", total)
        return info

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        ids, texts = [], []
        for chunk_id, text in self.catalog.iter_embed_texts():
            ids.append(chunk_id)
            texts.append(text)
        cache = EmbeddingCache(self.settings.cache_path, _cache_id(self.embedder))
        try:
            vectors = cache.get_or_embed(texts, self.embedder.embed, batch_size=max(64, self.settings.batch_size * 4))
        finally:
            cache.close()
        if not texts:
            vectors = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.asarray(ids, dtype=np.int64), vectors

    def _prune(self) -> None:
        gens = sorted(p for p in self.index_dir.glob("g[0-9]*") if p.is_dir())
        for old in gens[:-KEEP_GENERATIONS]:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        self._embedding.stop()
        try:
            self.catalog.conn.close()
        except sqlite3.Error:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._unlock()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if self._lock_fh is not None:  # not committed
            self.abort()


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def _cache_id(embedder: Embedder) -> str:
    """The embedding cache's key for a model: backends whose vectors differ keep apart (see embed.py)."""
    return str(getattr(embedder, "cache_id", embedder.model_id))


class _BackgroundEmbedder:
    """Embeds a writer's new passages in a thread while it goes on adding documents (the model releases the GIL),
    through the embedding cache. `finish` waits for it and returns the vectors of the passages still pending."""

    BATCH = 256  # passages per cache lookup and embedding call
    WAIT_S = 0.5  # how long to wait for a fuller batch while the ingest is still adding

    def __init__(self, writer: IndexWriter):
        self.writer = writer
        self.queue: queue.Queue[list[tuple[int, str]] | None] = queue.Queue()
        self.vectors: dict[int, np.ndarray] = {}
        self.hits = self.misses = 0
        self.error: BaseException | None = None
        self._stopping = False
        self.thread: threading.Thread | None = None

    def submit(self, rows: list[tuple[int, str]]) -> None:
        if self.error is not None:  # the model failed: stop the ingest now, not after extracting everything
            raise self.error
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="kmsearch-embed", daemon=True)
            self.thread.start()
        self.queue.put(rows)

    def _run(self) -> None:
        writer = self.writer
        cache = EmbeddingCache(writer.settings.cache_path, _cache_id(writer.embedder))
        try:
            done = False
            while not done and not self._stopping:
                batch: list[tuple[int, str]] = []
                while len(batch) < self.BATCH:
                    try:
                        item = self.queue.get(timeout=self.WAIT_S if batch else None)
                    except queue.Empty:
                        break
                    if item is None:
                        done = True
                        break
                    batch.extend(item)
                if batch and not self._stopping:
                    vectors = cache.get_or_embed(
                        [text for _, text in batch], writer.embedder.embed,
                        batch_size=max(64, writer.settings.batch_size * 4), progress=writer.progress,
                    )
                    self.vectors.update(zip((i for i, _ in batch), vectors))
            self.hits, self.misses = cache.hits, cache.misses
        except BaseException as exc:  # noqa: BLE001 - handed to the writer's thread in finish()
            self.error = exc
        finally:
            cache.close()

    def finish(self, pending: list[int]) -> tuple[np.ndarray, dict[str, int]]:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        dimension = self.writer.embedder.dimension
        vectors = np.vstack([self.vectors[i] for i in pending]).astype(np.float32) if pending else np.zeros(
            (0, dimension), dtype=np.float32)
        return vectors, {"embedded": self.misses, "cached": self.hits}

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self._stopping = True
            self.queue.put(None)
            self.thread.join()
