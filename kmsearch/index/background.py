"""A writer's new passages embedded in a background thread while the ingest goes on adding documents (the model
releases the GIL), through the embedding cache, so the model is busy while files are still being extracted."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable

import numpy as np

from kmsearch.config import Settings
from kmsearch.index.cache import EmbeddingCache
from kmsearch.index.embed import Embedder


def cache_id(embedder: Embedder) -> str:
    """The embedding cache's key for a model: backends whose vectors differ keep apart (see embed.py)."""
    return str(getattr(embedder, "cache_id", embedder.model_id))


class BackgroundEmbedder:
    """Embeds a writer's new passages in a thread while it goes on adding documents (the model releases the GIL),
    through the embedding cache. `finish` waits for it and returns the vectors of the passages still pending."""

    BATCH = 256  # passages per cache lookup and embedding call
    WAIT_S = 0.5  # how long to wait for a fuller batch while the ingest is still adding
    STOP_WAIT_S = 2.0  # how long `stop` waits for the model's batch in hand (the thread is a daemon)

    def __init__(self, settings: Settings, embedder: Embedder, progress: Callable[..., Any] | None = None):
        self.settings, self.embedder, self.progress = settings, embedder, progress
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
        cache = EmbeddingCache(self.settings.cache_path, cache_id(self.embedder))
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
                        [text for _, text in batch], self.embedder.embed,
                        batch_size=max(64, self.settings.batch_size * 4), progress=self._progress,
                    )
                    self.vectors.update(zip((i for i, _ in batch), vectors))
            self.hits, self.misses = cache.hits, cache.misses
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the writer's thread in finish()
            self.error = exc
        finally:
            cache.close()

    def _progress(self, n: int) -> None:
        """Called by the cache after each batch is saved: the place to stop at once when asked to."""
        if self._stopping:
            raise _Stopped
        if self.progress is not None:
            self.progress(n)

    def finish(self, pending: list[int]) -> tuple[np.ndarray, dict[str, int]]:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        dimension = self.embedder.dimension
        vectors = np.vstack([self.vectors[i] for i in pending]).astype(np.float32) if pending else np.zeros(
            (0, dimension), dtype=np.float32)
        return vectors, {"embedded": self.misses, "cached": self.hits}

    def stop(self) -> None:
        """Stop after the batch in hand is saved (what was embedded stays in the cache). An aborted ingest does not
        wait for more than STOP_WAIT_S: a CLI that was interrupted is about to exit, and the thread is a daemon."""
        if self.thread is not None and self.thread.is_alive():
            self._stopping = True
            self.queue.put(None)
            self.thread.join(self.STOP_WAIT_S)


class _Stopped(Exception):
    """Raised in the embedding thread, between batches, once `stop` was called."""
