"""What a running service holds: the live index (switched without a restart) and background re-index jobs."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kmsearch.config import Settings
from kmsearch.errors import IndexLockedError, KmsearchError
from kmsearch.index.embed import Embedder
from kmsearch.index.store import MANIFEST, Index

log = logging.getLogger(__name__)


class IndexHolder:
    """Hands out the live generation. A request takes one `Index` and uses it throughout, so each answer comes
    from exactly one generation; a new manifest (atomically renamed into place) is picked up on the next request."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder
        self._index: Index | None = None
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(Path(self.settings.index_dir) / MANIFEST)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def current(self) -> Index:
        stamp = self._manifest_stamp()
        if self._index is not None and stamp == self._stamp:
            return self._index
        with self._lock:
            if self._index is None or stamp != self._stamp:
                index = Index.open(self.settings, self.embedder)
                self.embedder = index.embedder  # the model stays loaded across generations
                self._index, self._stamp = index, stamp
                log.info("serving generation %s", index.generation)
        return self._index


@dataclass
class Job:
    id: str
    paths: list[str]
    status: str = "queued"  # queued, running, done, failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "paths": self.paths, "started": self.started,
            "finished": self.finished, "error": self.error, "report": self.report,
        }


class Jobs:
    """Re-index jobs run one at a time in a background thread; the index's own lock guards other writers."""

    def __init__(self, holder: IndexHolder):
        self.holder = holder
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def running(self) -> Job | None:
        return next((j for j in self.jobs.values() if j.status in ("queued", "running")), None)

    def start(self, paths: list[str]) -> Job:
        with self._lock:
            if self.running():
                raise IndexLockedError(f"re-index job {self.running().id} is still running")
            job = Job(uuid.uuid4().hex[:12], paths)
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"reindex-{job.id}").start()
        return job

    def _run(self, job: Job) -> None:
        from kmsearch.ingest.pipeline import ingest

        job.status = "running"
        try:
            report = ingest(job.paths, self.holder.settings, self.holder.embedder)
            job.report = report.to_json()
            job.status = "done"
        except KmsearchError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception as exc:  # reported on the job, never lost in a thread
            log.exception("re-index job %s failed", job.id)
            job.error, job.status = f"unexpected {type(exc).__name__}: {exc}", "failed"
        finally:
            job.finished = time.time()
