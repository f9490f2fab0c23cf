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
import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from kmsearch import __version__
from kmsearch.config import Settings
from kmsearch.errors import DamagedIndexError, IndexError_
from kmsearch.index import dense, recovery
from kmsearch.index import lexical as lexical_index
from kmsearch.index.background import BackgroundEmbedder, cache_id
from kmsearch.index.cache import EmbeddingCache
from kmsearch.index.catalog import Catalog, CatalogWriter, connect_writable, copy_catalog, embed_text, vocabulary
from kmsearch.index.embed import Embedder, make_embedder
from kmsearch.index.files import atomic_write_json, fsync_path, lock_index, write_json
from kmsearch.index.lexical import Lexical, LexicalWriter
from kmsearch.index.manifest import (
    FORMAT_VERSION,
    MANIFEST,
    UPGRADABLE,
    index_model,
    read_manifest,
    resolve_model_setting,
)
from kmsearch.types import Chunk, Document, KnownFile

log = logging.getLogger(__name__)
__all__ = ["FORMAT_VERSION", "MANIFEST", "UPGRADABLE", "Index", "IndexWriter", "read_manifest", "resolve_model_setting"]
KEEP_GENERATIONS = 2  # the live one and the one before, which readers may still have open


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        fsync_path(path)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:  # a name of its own: the kill-point tests stop the process here
    fsync_path(folder)


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
        """Open the live generation, reading only (nothing is written into the index folder, so a read-only
        copy can be served). A lost or torn top manifest falls back to the newest whole generation, with a
        warning; a damaged live generation is refused with the fix (see `recovery`)."""
        index_dir = Path(settings.index_dir)
        manifest = recovery.live_manifest(index_dir)
        if manifest is None:
            raise IndexError_(f"no index at {index_dir}: run `kmsearch ingest PATH --index {index_dir}` first")
        settings = resolve_model_setting(settings, manifest)
        gen = index_dir / manifest["generation"]
        problem = recovery.generation_problem(gen, manifest)
        if problem is None:
            try:
                catalog = Catalog.open(gen / "catalog.sqlite")
                faiss_index = dense.load(gen / "dense.faiss", settings.ivf_nprobe)
                lexical = Lexical.load(gen / "lexical")
            except (OSError, RuntimeError, sqlite3.Error, ValueError) as exc:
                problem = f"its files are damaged ({exc})"
        if problem is not None:
            hint = recovery.repair_hint(index_dir, (FORMAT_VERSION,), damaged=gen.name)
            raise DamagedIndexError(f"{gen}: {problem}; {hint}")
        embedder = embedder or make_embedder(settings)
        index_model(settings, manifest, embedder.model_id)
        return cls(index_dir, manifest, catalog, faiss_index, lexical, embedder, settings)

    @property
    def generation(self) -> str:
        return str(self.manifest["generation"])

    def problem(self) -> str | None:
        """Why this open generation can no longer answer (its files deleted, its catalogue truncated or emptied
        behind the service's back), or None; a fresh look at the files, as /health takes on every call."""
        return recovery.generation_problem(self.directory / self.generation, self.manifest)

    def close(self) -> None:
        self.catalog.close()


@dataclass(frozen=True)
class Derivation:
    """Work the index writer runs on the new catalogue just before it commits, to bring tables derived from
    the documents and registers up to date (the pipeline hands it kmsearch.people's linking). `stale` says
    whether it must run, and a generation be written, even when nothing else changed (e.g. a newer extractor)."""

    name: str
    run: Callable[[CatalogWriter], object]
    stale: Callable[[Catalog], bool] | None = None


class IndexWriter:
    """Builds the next generation. Use as a context manager; nothing is visible until `commit()` returns.

    `derive`: what to run on the catalogue at commit, in order (see `Derivation`); the title index where-is
    reads is the catalogue's own and is always brought up to date after them."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: Callable[..., Any] | None = None,
                 derive: tuple[Derivation, ...] | list[Derivation] = ()):
        self.index_dir = Path(settings.index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fh = self._lock()
        try:
            self.previous = recovery.recover_for_writing(self.index_dir)
            self.settings = resolve_model_setting(settings, self.previous)
        except Exception:
            self._unlock()
            raise
        self.embedder = embedder or make_embedder(self.settings)
        try:
            index_model(self.settings, self.previous, self.embedder.model_id)
        except Exception:
            self._unlock()
            raise
        self.progress = progress
        self.derive = tuple(derive)
        try:
            self._start_generation()
        except BaseException:  # a full disk while copying the catalogue, say: the lock must not stay held
            if hasattr(self, "tmp"):
                shutil.rmtree(self.tmp, ignore_errors=True)
            self._unlock()
            raise

    def _start_generation(self) -> None:
        """The next generation's folder, starting as a copy of the live one."""
        number = (int(self.previous["generation"][1:]) if self.previous else 0) + 1
        self.name = f"g{number:06d}"
        self._cleanup_stale()
        self.tmp = self.index_dir / f".tmp-{self.name}-{os.getpid()}"
        self.tmp.mkdir()
        if self.previous:
            prev = self.index_dir / self.previous["generation"]
            copy_catalog(prev / "catalog.sqlite", self.tmp / "catalog.sqlite")
            self.faiss_index = dense.load(prev / "dense.faiss")
        else:
            self.faiss_index = None
        # The previous BM25 files, hard-linked; an index from before tantivy gets its BM25 built at commit.
        previous_lexical = prev / "lexical" if self.previous and (prev / "lexical").is_dir() else None
        if self.previous and self.previous.get("format_version") != FORMAT_VERSION:  # BM25 of an older schema
            previous_lexical = None
        self.lexical = LexicalWriter(self.tmp / "lexical", previous_lexical)
        self._lexical_from_scratch = previous_lexical is None and self.previous is not None
        self.catalog = CatalogWriter(connect_writable(self.tmp / "catalog.sqlite"))
        self._next_id = self.catalog.next_chunk_id()
        self._pending: list[int] = []  # chunk ids added in this generation
        self._embedding = BackgroundEmbedder(self.settings, self.embedder, self.progress)  # embeds them as they come
        self.changed = self._lexical_from_scratch

    # --- locking ---------------------------------------------------------------------------------------------
    def _lock(self) -> Any:
        return lock_index(self.index_dir)

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
    def known_files(self) -> dict[str, KnownFile]:
        return self.catalog.known_files()

    def add(self, doc: Document, chunks: list[Chunk], size: int = 0, mtime: float = 0.0) -> None:
        self.catalog.add_document(doc, chunks, self._next_id, size, mtime)
        ids = range(self._next_id, self._next_id + len(chunks))
        self._pending.extend(ids)
        self._embedding.submit([(i, embed_text(doc.title, c.heading, c.text)) for i, c in zip(ids, chunks)])
        self._next_id += len(chunks)
        self.changed = True

    def remove(self, doc_id: str) -> int:
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

    def correct(self, doc_id: str, fields: dict[str, Any]) -> None:
        """A librarian's corrections of a document's catalogue entry (kmsearch.ingest.edits)."""
        self.changed |= self.catalog.correct(doc_id, fields)

    def set_access(self, doc_id: str, reference: str | None, groups: tuple[str, ...]) -> None:
        self.changed |= self.catalog.set_access(doc_id, reference, groups)

    def replace_register_documents(self, source: str, rows: list[tuple[str | None, Any]]) -> None:
        self.changed |= self.catalog.replace_register_documents(source, rows)

    def add_mentions(self, doc_id: str, mentions: list[Any], version: int) -> None:
        self.catalog.add_mentions(doc_id, mentions, version)

    def replace_register_people(self, source: str, people: list[Any]) -> None:
        self.changed |= self.catalog.replace_register_people(source, people)

    def replace_register_events(self, source: str, events: list[Any]) -> None:
        self.changed |= self.catalog.replace_register_events(source, events)

    def touch(self, doc_id: str, size: int, mtime: float) -> None:
        self.catalog.touch(doc_id, size, mtime)
        self.changed = True

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # --- commit ----------------------------------------------------------------------------------------------
    def commit(self) -> dict[str, Any] | None:
        """Run the derivations, finish embedding, write FAISS and BM25, and switch to the new generation. None if
        nothing changed."""
        # e.g. an index made by an older people extractor: its mentions are found again
        self.changed |= any(d.stale(self.catalog) for d in self.derive if d.stale)
        # an index from before did-you-mean or acronyms: the next ingest writes a generation with them
        self.changed |= self.catalog.vocabulary_version() < vocabulary.VERSION and self.catalog.counts()["chunks"] > 0
        if not self.changed:
            self.abort()
            return None
        clock = _Clock()
        for derivation in self.derive:
            derivation.run(self.catalog)
        self.catalog.sync_titles()
        self.catalog.sync_vocabulary()
        clock.lap("people_and_titles")  # the lap's name predates Derivation; the ingest benchmark reads it
        vectors, stats = self._embedding.finish(self._pending)
        clock.lap("embedding_wait")
        counts = self.catalog.counts()
        dense_info = self._write_dense(vectors, counts["chunks"])
        clock.lap("dense")
        rows = self.catalog.iter_index_rows(None if self._lexical_from_scratch else self._pending)
        self.lexical.add(rows, self.catalog.document_languages())
        passages = self.lexical.commit()
        clock.lap("lexical")
        self.catalog.close(optimize=True)
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
                      "max_tokens": self.embedder.max_tokens, "backend": getattr(self.embedder, "backend", "torch"),
                      "query_prefix": self.settings.query_prefix, "passage_prefix": self.settings.passage_prefix},
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
        write_json(self.tmp / MANIFEST, manifest)
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
        cache = EmbeddingCache(self.settings.cache_path, cache_id(self.embedder))
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
            self.catalog.close()
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
