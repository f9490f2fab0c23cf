"""`kmsearch ingest --dry-run`: what an ingest of PATHS would add, update, remove and leave out, and why, without
extracting, embedding or writing anything (no lock is taken; the live generation is only read)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kmsearch.config import Settings
from kmsearch.index.catalog import Catalog, connect_readonly
from kmsearch.index.manifest import read_manifest
from kmsearch.ingest.pipeline import entries

ACTIONS = ("add", "update", "remove", "ignore", "unchanged", "missing")


@dataclass(frozen=True)
class Planned:
    action: str  # one of ACTIONS
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"action": self.action, "path": self.path, "reason": self.reason}


def _known(settings: Settings) -> dict[str, tuple[int, float]]:
    """Every indexed file's (size, mtime), from the live generation; empty when there is no index yet."""
    manifest = read_manifest(Path(settings.index_dir))
    if not manifest:
        return {}
    catalog = Catalog(connect_readonly(Path(settings.index_dir) / manifest["generation"] / "catalog.sqlite"))
    try:
        return {path: (row.size, row.mtime) for path, row in catalog.known_files().items()}
    finally:
        catalog.close()


def plan(paths: Iterable[str | Path], settings: Settings) -> list[Planned]:
    """Each file under `paths` with what the next ingest would do with it, and the indexed files it would
    remove. "update" means its size or modification time changed: the ingest then compares its content."""
    known, seen, out, roots = _known(settings), set(), [], []
    for given in paths:
        root = Path(os.path.abspath(Path(given).expanduser()))
        if not root.exists():
            out.append(Planned("missing", str(given), "path does not exist"))
            continue
        roots.append(root)
        for path, reason in entries(root, None, settings.not_documents):
            if reason is not None:
                if reason != "hidden":
                    out.append(Planned("ignore", str(path), reason))
                continue
            seen.add(str(path))
            stat = path.stat()
            before = known.get(str(path))
            if before is None:
                out.append(Planned("add", str(path), "not in the index"))
            elif before != (stat.st_size, stat.st_mtime):
                out.append(Planned("update", str(path), "size or modification time changed"))
            else:
                out.append(Planned("unchanged", str(path), "same size and modification time"))
    for path in sorted(set(known) - seen):
        if any(path == str(r) or path.startswith(str(r) + os.sep) for r in roots if r.is_dir()):
            gone = not os.path.lexists(path)
            out.append(Planned("remove", path, "no longer in the folder" if gone else "now left out"))
    return out


def summary(planned: list[Planned]) -> str:
    counts = {a: sum(p.action == a for p in planned) for a in ACTIONS}
    return "dry run: " + ", ".join(f"{n} to {a}" if a not in ("unchanged", "missing") else f"{n} {a}"
                                   for a, n in counts.items() if n) + "; nothing was read or written"


__all__ = ["ACTIONS", "Planned", "plan", "summary"]
