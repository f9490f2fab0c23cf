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

Ray is optional: nothing but this module imports it, and only when `settings.ray` asks for a cluster. When some
node of the cluster lacks this version of kmsearch, its code is shipped with the job (a `py_modules` runtime
environment); its dependencies (the extractors, the model's libraries, Tesseract for OCR) must be installed there.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError, KmsearchError, describe_os_error
from kmsearch.index.manifest import index_model, recorded_model
from kmsearch.ingest.workers import Extracted, ExtractionPool, Extractor
from kmsearch.types import Document

log = logging.getLogger(__name__)
T = TypeVar("T")

RAY_MISSING = "--ray needs Ray, which is not installed here: pip install 'kmsearch[ray]'"
IN_FLIGHT_PER_CPU = 2  # files submitted and not yet taken back, per CPU of the cluster: keeps every CPU busy
MAX_BYTES_IN_FLIGHT = 1 << 30  # file bytes shipped and not yet taken back (at least one file, whatever its size)
BACKSTOP_SLACK_S = 60.0  # on top of what a task's own limits allow, before it counts as lost and is cancelled
MAX_EMBED_ACTORS = 8
MIN_TEXTS_PER_ACTOR = 16  # smaller batches are not worth splitting
TEMP_PREFIX = "kmsearch-ray-"


def import_ray() -> Any:
    """The `ray` module, or a one-line error that says how to install it."""
    try:
        import ray
    except ImportError:
        raise KmsearchError(RAY_MISSING) from None
    return ray


class RayCluster:
    """A connection to the cluster `address` names, for the length of a `with` block.

    `address`: "auto" (the cluster this machine belongs to, else an error), "local" (a throwaway cluster on this
    machine, gone at the end of the block), or a head's address, "HOST:6379" or "ray://HOST:10001". When Ray is
    already initialised in this process, that connection is used and left open.
    """

    def __init__(self, address: str):
        self.address = address
        self.ray = import_ray()
        self.runtime_env: dict[str, Any] | None = None  # the job's, when kmsearch is shipped with it
        self._connected_here = False

    def __enter__(self) -> RayCluster:
        if self.ray.is_initialized():
            if self.address != "local" and self._needs_code():
                raise KmsearchError(
                    "the Ray cluster's workers lack this version of kmsearch and Ray was initialised before the "
                    f"ingest: install it on the workers, or call ray.init(runtime_env={shipped_code()!r}) yourself"
                )
            return self
        self._connect()
        try:
            # A cluster started here ("local") runs this interpreter, so this code. Elsewhere, ask every node;
            # local folders can only be shipped with a job, so reconnect with them when some node needs them.
            if self.address != "local" and self._needs_code():
                log.info("shipping kmsearch to the Ray cluster: some of its nodes lack this version")
                self.ray.shutdown()
                self.runtime_env = shipped_code()
                self._connect()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._connected_here:
            self.ray.shutdown()
            self._connected_here = False

    def _connect(self) -> None:
        try:
            runtime_env = copy.deepcopy(self.runtime_env)  # Ray rewrites it (the folder becomes its upload's URI)
            throwaway = {"include_dashboard": False} if self.address == "local" else {}
            self.ray.init(address=self.address, runtime_env=runtime_env, log_to_driver=False,
                          logging_level=logging.WARNING, **throwaway)
        except Exception as exc:  # ConnectionError; ValueError for a malformed address; a runtime env refused...
            raise KmsearchError(f"cannot connect to the Ray cluster at {self.address!r}: {exc}") from exc
        self._connected_here = True

    def local_fingerprint(self) -> str:
        return code_fingerprint()

    def _needs_code(self) -> bool:
        """Whether some node cannot import kmsearch, or imports another version of it."""
        ray = self.ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        mine = self.local_fingerprint()
        probe = ray.remote(code_fingerprint)
        nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
        refs = [probe.options(num_cpus=0, max_retries=0,
                              scheduling_strategy=NodeAffinitySchedulingStrategy(n, soft=False)).remote()
                for n in nodes]
        for ref in refs:
            try:
                theirs = ray.get(ref, timeout=120)
            except Exception as exc:  # most likely: no kmsearch on that node
                log.info("a Ray node cannot run kmsearch as installed there: %s", exc)
                return True
            if theirs != mine:
                return True
        return False


def shipped_code() -> dict[str, Any]:
    """The runtime environment that carries this kmsearch package to a cluster's workers."""
    return {"py_modules": [str(Path(__file__).resolve().parents[1])], "excludes": ["__pycache__", "*.pyc"]}


def code_fingerprint() -> str:
    """A hash of kmsearch's Python files: the same here and on a node means the same code runs on both."""
    import kmsearch

    root = Path(kmsearch.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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


# --- extraction ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Shipped:
    """A file on its way through the cluster."""

    path: Path
    tag: Any
    size: int = 0
    ref: Any = None  # the task's ObjectRef; None once it has answered (or was never sent)
    result: Extracted | None = None
    sent: float = 0.0
    deadline: float = math.inf


class RayExtractionPool:
    """`with RayExtractionPool(settings) as pool: for path, tag, extracted in pool.map(extract, jobs): ...`

    `ExtractionPool`'s contract, on a Ray cluster (already connected, see `RayCluster`): `map` runs
    `fn(path, settings)` on the cluster for each `(path, tag)` of `jobs` under the same limits and yields the
    results in the order of `jobs`. `fn` must be importable on the cluster (it is sent by name).
    """

    def __init__(self, settings: Settings, in_flight: int | None = None):
        self.ray = import_ray()
        if not self.ray.is_initialized():
            raise KmsearchError("RayExtractionPool needs a connection to a cluster: use it inside RayCluster(...)")
        self.settings = settings
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.in_flight = in_flight or max(1, cpus) * IN_FLIGHT_PER_CPU
        # A task may wait behind others on its CPU before it starts: its file fails only when it is later than
        # its own limit and theirs allow, which the task itself would have enforced had it been able to answer.
        self.backstop_s = (IN_FLIGHT_PER_CPU + 1) * settings.extract_timeout_s + BACKSTOP_SLACK_S
        self._task = self.ray.remote(extract_shipped).options(num_cpus=1, max_retries=1)
        self._open: list[_Shipped] = []

    def __enter__(self) -> RayExtractionPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Cancel whatever is still running (an ingest stopped early leaves no work on the cluster)."""
        for item in self._open:
            if item.ref is not None:
                self.ray.cancel(item.ref, force=True)
        self._open = []

    def map(self, fn: Extractor, jobs: Iterable[tuple[Path, T]]) -> Iterator[tuple[Path, T, Extracted]]:
        source = iter(jobs)
        queue: deque[_Shipped] = deque()  # in the order of `jobs`
        self._open = []
        exhausted = False
        while True:
            while not exhausted and len(queue) < self.in_flight and (
                not queue or sum(i.size for i in queue if i.ref is not None) < MAX_BYTES_IN_FLIGHT
            ):
                try:
                    path, tag = next(source)
                except StopIteration:
                    exhausted = True
                    break
                item = _Shipped(Path(path), tag)
                self._submit(fn, item)
                queue.append(item)
                if item.ref is not None:
                    self._open.append(item)
            if queue and queue[0].result is not None:
                item = queue.popleft()
                yield item.path, item.tag, item.result
            elif not queue:
                return
            else:
                self._collect()

    def _submit(self, fn: Extractor, item: _Shipped) -> None:
        """Read the file and send it, or settle it here when it cannot be read or is too large to send."""
        settings = self.settings
        try:
            item.size = item.path.stat().st_size
            if item.size > settings.max_file_mb * 2**20:  # the reason `extract` gives; not worth shipping
                reason = f"file is {item.size / 2**20:.1f} MB, over max_file_mb={settings.max_file_mb:g}"
                item.result = Extracted(None, reason)
                return
            data = item.path.read_bytes()
        except OSError as exc:
            item.result = Extracted(None, describe_os_error(exc))
            return
        item.sent = time.monotonic()
        item.deadline = item.sent + self.backstop_s + (IN_FLIGHT_PER_CPU + 1) * settings.ocr_page_timeout_s * (
            _pages(data, settings) if settings.ocr else 0)
        item.ref = self._task.remote(fn, data, str(item.path), settings)

    def _collect(self) -> None:
        """Wait until a task answers or one is past its backstop, and record what that means for its file."""
        ray = self.ray
        by_ref = {item.ref: item for item in self._open}
        first = min(item.deadline for item in self._open)
        ready, _ = ray.wait(list(by_ref), num_returns=1, timeout=max(0.0, first - time.monotonic()))
        ready, _ = ray.wait(list(by_ref), num_returns=len(by_ref), timeout=0) if ready else (ready, None)
        now = time.monotonic()
        for ref in ready:
            item = by_ref[ref]
            try:
                item.result = ray.get(ref)
            except Exception as exc:
                item.result = Extracted(None, _task_failure(exc), round(now - item.sent, 3))
            item.ref = None
        for item in self._open:
            if item.ref is not None and item.deadline <= now:
                ray.cancel(item.ref, force=True)  # kills the task's worker and, with it, the extraction process
                reason = f"no answer from the Ray cluster within {self.backstop_s:g} s; its task was cancelled"
                item.result = Extracted(None, reason, round(now - item.sent, 3))
                item.ref = None
        self._open = [item for item in self._open if item.ref is not None]


def _pages(data: bytes, settings: Settings) -> int:
    """Pages a PDF or a multi-frame image has (capped at max_pages): each may go to OCR and earn its allowance
    in the task, so the backstop allows for them too. 0 for anything else or anything unreadable."""
    try:
        if data.startswith(b"%PDF"):
            import pypdfium2 as pdfium

            with pdfium.PdfDocument(data) as pdf:
                return min(len(pdf), settings.max_pages)
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            import io

            from PIL import Image

            with Image.open(io.BytesIO(data)) as image:
                return min(int(getattr(image, "n_frames", 1)), settings.max_pages)
    except Exception:  # the task will say what is wrong with the file
        return 0
    return 1 if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" else 0


def _task_failure(exc: BaseException) -> str:
    """A failed task as a report reason."""
    from ray import exceptions as rex

    if isinstance(exc, rex.OutOfMemoryError):
        return "the Ray node ran out of memory and Ray killed the task extracting it"
    if isinstance(exc, (rex.WorkerCrashedError, rex.ActorDiedError, rex.LocalRayletDiedError)):
        return "the Ray worker extracting it died"
    if isinstance(exc, rex.NodeDiedError):
        return "the Ray node extracting it went down"
    if isinstance(exc, rex.TaskCancelledError):
        return "its Ray task was cancelled"
    if isinstance(exc, rex.RayTaskError) and getattr(exc, "cause", None) is not None:  # raised inside the task
        exc = exc.cause
    first = (str(exc).splitlines() or [""])[0]
    return f"extraction on the Ray cluster failed: {type(exc).__name__}: {first}"[:500]


# --- in a Ray task ------------------------------------------------------------------------------------------------


def extract_shipped(fn: Extractor, data: bytes, original: str, settings: Settings) -> Extracted:
    """On a cluster node: extract a file's bytes under the local limits, and give the document its own path back.

    The bytes are written under the file's own name (extractors fall back on it for the title and type) in a
    folder of this worker's, removed afterwards; folders of workers that were killed are removed by the next task.
    """
    _remove_dead_workers_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    started = time.perf_counter()
    try:
        path = folder / (Path(original).name or "file")
        path.write_bytes(data)
        del data
        with ExtractionPool(settings.replace(extract_workers=1)) as pool:
            ((_, _, extracted),) = list(pool.map(fn, [(path, None)]))
    except KmsearchError as exc:  # no extraction process could start on this node
        return Extracted(None, f"extraction on the Ray cluster failed: {exc}", round(time.perf_counter() - started, 3))
    except OSError as exc:  # e.g. this node's temporary folder is full
        reason = f"extraction on the Ray cluster failed: {describe_os_error(exc)}"
        return Extracted(None, reason, round(time.perf_counter() - started, 3))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _with_path(extracted, str(path), original)


def _with_path(extracted: Extracted, temporary: str, original: str) -> Extracted:
    reason = extracted.reason.replace(temporary, original) if extracted.reason else extracted.reason
    doc = extracted.document
    if isinstance(doc, Document):
        warnings = tuple(w.replace(temporary, original) for w in doc.warnings)
        doc = dataclasses.replace(doc, path=original, warnings=warnings)
    return dataclasses.replace(extracted, document=doc, reason=reason)


def _remove_dead_workers_folders() -> None:
    """Remove the temporary folders of workers that are gone (killed mid-file, they could not clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        try:
            pid = int(folder.name[len(TEMP_PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # alive, someone else's
            continue


# --- embedding ----------------------------------------------------------------------------------------------------


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


__all__ = ["RayCluster", "RayEmbedder", "RayExtractionPool", "code_fingerprint", "import_ray", "on_ray", "shipped_code"]
