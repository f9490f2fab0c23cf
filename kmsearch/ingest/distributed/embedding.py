"""Embedding on Ray actors: `RayEmbedder` is an `Embedder` whose `embed` splits each batch among a few actors."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Sequence

import numpy as np

from kmsearch.config import Settings
from kmsearch.errors import KmsearchError
from kmsearch.ingest.distributed.cluster import import_ray

log = logging.getLogger(__name__)

MAX_EMBED_ACTORS = 8
MIN_TEXTS_PER_ACTOR = 16  # smaller batches are not worth splitting


def default_embedder(settings: Settings) -> Any:
    """The embedder a local ingest would make for `settings`."""
    from kmsearch.index import embed

    factory = getattr(embed, "make_embedder", None)
    return factory(settings) if factory is not None else embed.SentenceTransformerEmbedder(settings)


class EmbedActor:
    """A Ray actor holding one embedder, loaded once; `use_node_cpus` lets its model use all of the node's cores
    (Ray would hold it to the one CPU it asks for)."""

    def __init__(self, settings: Settings, embedder: Any, use_node_cpus: bool):
        if use_node_cpus:
            threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
            os.environ["OMP_NUM_THREADS"] = str(threads)  # read when torch or onnxruntime loads
            if "torch" in sys.modules:
                sys.modules["torch"].set_num_threads(threads)
        self.embedder = embedder if embedder is not None else default_embedder(settings)

    def describe(self) -> tuple[int, int]:
        return int(self.embedder.dimension), int(self.embedder.max_tokens)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts)


class RayEmbedder:
    """An `Embedder` whose `embed` runs on Ray actors; the tokenizer and `embed_query` are the local embedder's.

    `local`: the embedder a local ingest would use (default: made from `settings`); when given, copies of it are
    sent to the actors. `known`: (dimension, max_tokens), when the index already records them. `actors`: how many
    (default: one per GPU of the cluster, else one per node, at most 8).
    """

    def __init__(self, settings: Settings, local: Any = None, known: tuple[int, int] | None = None,
                 actors: int | None = None):
        self.ray = import_ray()
        self.settings = settings
        self._ship = local  # None: every actor makes its own from settings, on its own node
        self.local = local if local is not None else default_embedder(settings)
        self.model_id = self.local.model_id
        for name in ("backend", "cache_id"):
            if hasattr(self.local, name):
                setattr(self, name, getattr(self.local, name))
        self._known = known
        self._wanted = actors
        self._actors: list[Any] = []
        self._next = 0  # the actor that takes the next batch's first part

    @property
    def tokenizer(self) -> Any:
        return self.local.tokenizer

    @property
    def dimension(self) -> int:
        return self._describe()[0]

    @property
    def max_tokens(self) -> int:
        return self._describe()[1]

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        actors = self._start()
        parts = max(1, min(len(actors), len(texts) // MIN_TEXTS_PER_ACTOR))
        bounds = np.linspace(0, len(texts), parts + 1).astype(int)
        refs = []
        for i in range(parts):
            actor = actors[(self._next + i) % len(actors)]
            refs.append(actor.embed.remote(list(texts[bounds[i] : bounds[i + 1]])))
        self._next = (self._next + parts) % len(actors)
        vectors = self._get(refs)
        return np.ascontiguousarray(np.vstack(vectors), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.local.embed_query(text)

    def close(self) -> None:
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []

    def _describe(self) -> tuple[int, int]:
        if self._known is None:
            self._known = tuple(self._get([self._start()[0].describe.remote()])[0])
        return self._known

    def _start(self) -> list[Any]:
        """The actors, started on first use: an ingest with nothing to embed starts none."""
        if self._actors:
            return self._actors
        gpus = int(self.ray.cluster_resources().get("GPU", 0))
        if getattr(self.local, "backend", "torch") != "torch":  # the ONNX backends run on CPUs only
            gpus = 0
        if gpus:
            count, options = gpus, {"num_cpus": 1, "num_gpus": 1}
        else:
            nodes = [n for n in self.ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU")]
            count, options = len(nodes), {"num_cpus": 1, "scheduling_strategy": "SPREAD"}
        count = self._wanted or max(1, min(count, MAX_EMBED_ACTORS))
        actor = self.ray.remote(EmbedActor).options(max_restarts=0, **options)
        self._actors = [actor.remote(self.settings, self._ship, not gpus) for _ in range(count)]
        log.info("embedding on %d Ray actor(s), %s", count, "one GPU each" if gpus else "CPU")
        return self._actors

    def _get(self, refs: list[Any]) -> list[Any]:
        try:
            return list(self.ray.get(refs))
        except Exception as exc:
            cause = getattr(exc, "cause", None) or exc
            first = (str(cause).splitlines() or [""])[0]
            raise KmsearchError(f"embedding on the Ray cluster failed: {type(cause).__name__}: {first}") from exc

