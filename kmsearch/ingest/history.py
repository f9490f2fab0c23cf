"""The ingest history: one JSON line per ingest in `<index>/ingest-history.jsonl`, outside the generations.

Each line says when an ingest started and ended, who ran it (the CLI's user or the API key's name), its sources,
how it ended (done, interrupted, failed), the generation it made, its counts per outcome, and every file that
failed or warned, with the reason. `ingest-report.json` keeps the whole last report; this file keeps the story.

"The files that fail now" come from the history, not from the last report alone: a failure stands until a later
ingest walks that file again (its path is, or lies under, one of that ingest's sources) and it does not fail.
The file is appended under an flock, in one write per line; past MAX_BYTES it keeps its newer half.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HISTORY_FILE = "ingest-history.jsonl"
MAX_BYTES = 8 * 2**20  # about 20,000 ingests of a few failures each
OUTCOMES = ("done", "interrupted", "failed")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def cli_user() -> str:
    """Who runs a CLI ingest: the login name, else the user id."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return f"uid {os.getuid()}"


@dataclass
class Run:
    """One ingest as the history records it (see the module docstring)."""

    started: str
    who: str
    sources: list[str]
    ended: str | None = None
    outcome: str = "done"  # one of OUTCOMES
    error: str | None = None  # why it failed or stopped, when it did
    generation: str | None = None
    summary: dict[str, int] = field(default_factory=dict)
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {path, status, reason, warnings, errors}

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def failures(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p.get("status") == "failed"]

    def walked(self, path: str) -> bool:
        """Whether this ingest looked at `path`: it is one of the sources or lies under one."""
        return any(path == s or path.startswith(s.rstrip(os.sep) + os.sep) for s in self.sources)


def problems_of(files: Iterable[Any]) -> list[dict[str, Any]]:
    """The failed, warned or partly used files of a report's outcomes, as the history keeps them."""
    kept = []
    for f in files:
        if f.status == "failed" or f.warnings or f.errors or (f.status == "register" and f.reason):
            kept.append({"path": f.path, "status": f.status, "reason": f.reason, "warnings": list(f.warnings),
                         "errors": list(f.errors)})
    return kept


def append(index_dir: str | Path, run: Run) -> None:
    """Add `run` to the history. A history that cannot be written is logged, never a reason to fail an ingest."""
    path = Path(index_dir) / HISTORY_FILE
    line = (json.dumps(run.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    try:
        with open(path, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            if fh.seek(0, os.SEEK_END):
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":  # a line torn by a crash stays alone on its line
                    line = b"\n" + line
            fh.write(line)
            fh.flush()
            if fh.tell() > MAX_BYTES:
                _keep_newer_half(path)
    except OSError as exc:
        log.warning("%s: ingest history not written (%s)", path, exc)


def _keep_newer_half(path: Path) -> None:
    data = path.read_bytes()
    cut = data.find(b"\n", len(data) // 2) + 1
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data[cut:])
    os.replace(tmp, path)


def runs(index_dir: str | Path) -> Iterator[Run]:
    """Every recorded ingest, oldest first; a torn or foreign line is skipped with a warning."""
    path = Path(index_dir) / HISTORY_FILE
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield Run.from_json(json.loads(line))
        except (ValueError, TypeError) as exc:
            log.warning("%s line %d: not an ingest record (%s); skipped", path, number, exc)


def last(index_dir: str | Path) -> Run | None:
    found = None
    for found in runs(index_dir):
        pass
    return found


def failing_now(index_dir: str | Path) -> list[dict[str, Any]]:
    """The files whose latest ingest failed them, by path order, each with its reason and when it failed."""
    current: dict[str, dict[str, Any]] = {}
    for run in runs(index_dir):
        if run.outcome != "done":  # an interrupted or failed ingest decided nothing about its files
            continue
        failed = {p["path"]: p for p in run.failures()}
        for path in [p for p in current if run.walked(p) and p not in failed]:
            del current[path]
        for path, problem in failed.items():  # "since": the first of the failing runs in a row
            current[path] = problem | {"since": current.get(path, {}).get("since", run.started)}
    return [current[p] for p in sorted(current)]
