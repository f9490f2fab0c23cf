"""Ingest on a Ray cluster (`kmsearch ingest --ray`): extraction as Ray tasks, embedding on Ray actors.

The two stages that cost CPU or GPU time go to the cluster through the same seams a local ingest uses:
`RayExtractionPool` has `ExtractionPool`'s `map` and `RayEmbedder` is an `Embedder`. Everything else stays in
this process (walking folders, skipping unchanged files, chunking, the embedding cache and every index write),
so the index is written here, on the machine that runs the command, and comes out as a local ingest writes it.

- Extraction: this process reads each file and ships its bytes (a cluster's workers do not share our file
  system). A task writes them to a temporary folder under the file's own name and extracts them with
  `kmsearch.ingest.workers.ExtractionPool` on that node: in a child process under `extract_timeout_s` and
  `extract_memory_mb`, exactly as locally, so a file that hangs, crashes or needs too much memory fails alone and
  with the same reason. The document comes back with its original path, in the order of the jobs, with a bounded
  number of files (and bytes) in flight. Should a task itself never answer (a node gone quiet), it is cancelled
  once it is well past what its limits allow (`backstop_s`), and its file fails saying so.
- Embedding: a few actors load the model once each (one per GPU, asking for `num_gpus=1`; on a cluster without
  GPUs one per node, using that node's cores) and `embed` splits each batch among them, in order. The embedding
  cache sits in front, so only text never embedded before reaches the cluster; the tokenizer (for chunking) and
  query embedding stay local.

Ray is optional: nothing but this package imports it, and only when `settings.ray` asks for a cluster. When some
node of the cluster lacks this version of kmsearch, its code is shipped with the job (a `py_modules` runtime
environment); its dependencies (the extractors, the model's libraries, Tesseract for OCR) must be installed there.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.index.manifest import index_model, recorded_model
from kmsearch.ingest.distributed.cluster import RayCluster, code_fingerprint, import_ray, shipped_code
from kmsearch.ingest.distributed.embedding import RayEmbedder
from kmsearch.ingest.distributed.extraction import RayExtractionPool


@contextmanager
def on_ray(settings: Settings, embedder: Any = None) -> Iterator[tuple[RayExtractionPool, RayEmbedder]]:
    """The extraction pool and embedder an ingest uses on the cluster `settings.ray` names.

    `embedder`, when given, is copied to the actors (it must pickle); by default each actor makes the one a
    local ingest would. The index's recorded dimension spares starting actors when nothing needs embedding.
    """
    if not settings.ray:
        raise InvalidParameterError("settings.ray is not set: give 'auto', 'local' or a cluster's address")
    with RayCluster(settings.ray) as cluster:
        recorded = recorded_model(Path(settings.index_dir))
        model = index_model(settings, {"model": recorded} if recorded else None)  # another model: refused now
        known = (recorded["dimension"], recorded["max_tokens"]) if recorded else None
        model_settings = settings.replace(model=model)
        if embedder is None:
            model_settings = _backend_for_cluster(model_settings, int(cluster.ray.cluster_resources().get("GPU", 0)))
        remote = RayEmbedder(model_settings, embedder, known=known)
        try:
            with RayExtractionPool(settings) as pool:
                yield pool, remote
        finally:
            remote.close()


def _backend_for_cluster(settings: Settings, gpus: int) -> Settings:
    """Settings naming the one embedding backend this process and every actor use. It is decided here, once: an
    actor left to resolve `auto` on its own node could pick another backend than its neighbours or this process,
    and vectors of different backends would mix under one cache key. `auto` is torch when the cluster has GPUs,
    else what this machine would pick."""
    from kmsearch.index import embed

    choose = getattr(embed, "choose_backend", None)
    if choose is None or not hasattr(settings, "backend"):  # a kmsearch with one backend
        return settings
    if gpus and settings.backend == "auto":
        return settings.replace(backend="torch")
    return settings.replace(backend=choose(settings))


__all__ = ["RayCluster", "RayEmbedder", "RayExtractionPool", "code_fingerprint", "import_ray", "on_ray", "shipped_code"]
