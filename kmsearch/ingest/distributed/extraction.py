"""Extraction as Ray tasks: each file's bytes shipped to a node and extracted there under the local limits."""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import shutil
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from kmsearch.config import Settings
from kmsearch.errors import KmsearchError, describe_os_error
from kmsearch.ingest.distributed.cluster import import_ray
from kmsearch.ingest.workers import Extracted, ExtractionPool, Extractor
from kmsearch.types import Document

log = logging.getLogger(__name__)
T = TypeVar("T")

IN_FLIGHT_PER_CPU = 2  # files submitted and not yet taken back, per CPU of the cluster: keeps every CPU busy
MAX_BYTES_IN_FLIGHT = 1 << 30  # file bytes shipped and not yet taken back (at least one file, whatever its size)
BACKSTOP_SLACK_S = 60.0  # on top of what a task's own limits allow, before it counts as lost and is cancelled
TEMP_PREFIX = "kmsearch-ray-"


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
