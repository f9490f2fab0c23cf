"""What an ingest reports: each file's outcome, the counts, and what an interrupted ingest kept."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kmsearch.config import Settings
from kmsearch.errors import KmsearchError

STATUSES = ("added", "updated", "unchanged", "removed", "failed", "register")


@dataclass
class FileOutcome:
    path: str
    status: str  # one of STATUSES
    reason: str | None = None
    doc_id: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a register's rows left out, their files' protection kept


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    generation: str | None = None
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    limits: dict[str, Any] = field(default_factory=dict)  # the extraction limits in force (Settings.limits)
    started: float = field(default_factory=time.perf_counter)
    passages_done: int = 0  # embedded or found in the cache so far, while the ingest runs

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUSES}

    @property
    def register_problems(self) -> int:
        """Register and groups files that could not be used, or only in part (the CLI exits 3 then)."""
        return sum(1 for f in self.files if f.status == "register" and (f.reason or f.errors))

    def finish(self, manifest: dict[str, Any] | None, started: float) -> None:
        """Record what the commit wrote (None: nothing changed) and the elapsed time."""
        if manifest:
            self.generation = manifest["generation"]
            self.embedded = manifest["embedding"]["embedded"]
            self.cached = manifest["embedding"]["cached"]
        self.seconds = time.perf_counter() - started

    def to_json(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "summary": self.summary(),
            "register_problems": self.register_problems,
            "embedded": self.embedded,
            "cached": self.cached,
            "seconds": round(self.seconds, 2),
            "limits": self.limits,
            "files": [asdict(f) for f in self.files],
        }


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an ingest before its commit: nothing of it was written, and the live generation stands.
    Its message says so, and what of the work is kept: the passages embedded so far are in the embedding
    cache, so the next ingest does not embed them again."""

    def __init__(self, report: IngestReport, generation: str | None):
        super().__init__()
        self.report, self.generation = report, generation

    def __str__(self) -> str:
        where = f"unchanged at generation {self.generation}" if self.generation else "still empty"
        done = self.report.count("added") + self.report.count("updated")
        return (f"interrupted: nothing of this ingest was committed, the index is {where} and no lock is left; "
                f"{done} new or changed files were read and {self.report.passages_done} passages embedded or found "
                f"in the cache: those passages are kept in the embedding cache, so the next ingest does not embed "
                f"them again (it reads the files again)")


def live_generation(settings: Settings) -> str | None:
    from kmsearch.index.manifest import read_manifest

    try:
        manifest = read_manifest(Path(settings.index_dir))
    except KmsearchError:
        return None
    return manifest["generation"] if manifest else None
