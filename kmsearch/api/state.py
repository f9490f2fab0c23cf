"""What a running service holds: the live index (switched without a restart) and background re-index jobs."""

from __future__ import annotations

import json
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
from kmsearch.index.files import atomic_write_json
from kmsearch.index.manifest import MANIFEST
from kmsearch.index.store import Index

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

    def forget(self) -> None:
        """Drop the open generation (found damaged): the next request opens the index again."""
        with self._lock:
            self._index, self._stamp = None, None

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
                threading.Thread(target=_warm, args=(index,), name="kmsearch-warm", daemon=True).start()
        return self._index


def _warm(index: Index) -> None:
    """Build what a generation's first search would otherwise build (the speller: about a second at 50,000
    words; the acronyms), so that no user's request pays for it."""
    from kmsearch.search import acronyms, spelling

    try:
        spelling.speller(index)
        acronyms.defined(index)
    except Exception:  # a closed or damaged generation: the request that needs them will say what is wrong
        log.debug("warming generation %s failed", index.generation, exc_info=True)


@dataclass
class Job:
    id: str
    paths: list[str]
    status: str = "queued"  # queued, running, done, failed
    who: str | None = None  # "API key <name>", "schedule <source>": recorded in the ingest history
    started: float = field(default_factory=time.time)
    finished: float | None = None
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "paths": self.paths, "who": self.who, "started": self.started,
            "finished": self.finished, "error": self.error, "report": self.report,
        }


JOBS_FILE = "jobs.json"  # in the index folder, outside the generations: the history outlives a restart
KEEP_JOBS = 20  # the newest; each holds its ingest report (every file's outcome)


class Jobs:
    """Re-index jobs run one at a time in a background thread; the index's own lock guards other writers. Their
    history is kept in `<index>/jobs.json`, so a job's report is there after a restart; one that was running
    when the service stopped reads as failed, saying so. Nothing is written until a job starts, so a
    read-only index is served as well (its history then lives in memory only, with a warning)."""

    def __init__(self, holder: IndexHolder):
        self.holder = holder
        self.path = Path(holder.settings.index_dir) / JOBS_FILE
        self._lock = threading.Lock()
        self.jobs: dict[str, Job] = self._load()

    def _load(self) -> dict[str, Job]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))["jobs"]
            jobs = {j["id"]: Job(**j) for j in saved}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: job history unreadable (%s); it starts again empty", self.path, exc)
            return {}
        for job in jobs.values():
            if job.status in ("queued", "running"):
                job.status, job.finished = "failed", job.finished or time.time()
                job.error = "the service stopped before this job finished; start the re-index again"
        return jobs

    def _save(self) -> None:
        with self._lock:
            newest = sorted(self.jobs.values(), key=lambda j: j.started)[-KEEP_JOBS:]
            self.jobs = {j.id: j for j in newest}
            try:
                atomic_write_json(self.path, {"jobs": [j.to_json() for j in newest]})
            except OSError as exc:
                log.warning("%s: job history not saved (%s); it is kept until the service stops", self.path, exc)

    def running(self) -> Job | None:
        return next((j for j in self.jobs.values() if j.status in ("queued", "running")), None)

    def start(self, paths: list[str], who: str | None = None) -> Job:
        with self._lock:
            if self.running():
                raise IndexLockedError(f"re-index job {self.running().id} is still running")
            job = Job(uuid.uuid4().hex[:12], paths, who=who)
            self.jobs[job.id] = job
        self._save()
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"reindex-{job.id}").start()
        return job

    def _run(self, job: Job) -> None:
        from kmsearch.ingest.pipeline import ingest

        job.status = "running"
        self._save()
        try:
            report = ingest(job.paths, self.holder.settings, self.holder.embedder, who=job.who or "API (open mode)")
            job.report = report.to_json()
            job.status = "done"
        except KmsearchError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception as exc:  # reported on the job, never lost in a thread
            log.exception("re-index job %s failed", job.id)
            job.error, job.status = f"unexpected {type(exc).__name__}: {exc}", "failed"
        finally:
            job.finished = time.time()
            self._save()
