"""`kmsearch watch`: keep named sources current. Each source is ingested once at the start, then again whenever
its files change (watchfiles: the operating system's file events, debounced so that a copy of a hundred files is
one re-index), one ingest at a time; changes made during an ingest are picked up by the next one.

watchfiles over watchdog: it batches events itself (`debounce`) and stops cleanly on an Event, which is all the
loop needs; its default filter already skips editors' swap files and version-control folders.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

import watchfiles

from kmsearch.config import Settings, Source
from kmsearch.errors import IndexLockedError, InvalidParameterError
from kmsearch.ingest.protect import under
from kmsearch.ingest.report import IngestReport

log = logging.getLogger(__name__)
LOCKED_RETRY_S = 5.0  # another ingest holds the index: wait this long and try again


def chosen(settings: Settings, names: Iterable[str] = ()) -> list[Source]:
    """The named sources (all of them when none is named); InvalidParameterError names any unknown one."""
    names = list(names)
    if not settings.sources:
        raise InvalidParameterError("no sources in the settings: add [[kmsearch.sources]] tables with name and "
                                    "path to kmsearch.toml")
    known = {s.name: s for s in settings.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidParameterError(f"no source named {', '.join(unknown)}; the sources are {', '.join(known)}")
    return [known[n] for n in names] if names else list(settings.sources)


class _Filter(watchfiles.DefaultFilter):
    """watchfiles' default filter, and nothing inside the index folder (it may lie under a source)."""

    def __init__(self, index_dir: str):
        super().__init__()
        self.index_dir = index_dir

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return not under(path, self.index_dir) and super().__call__(change, path)


def watch(settings: Settings, names: Iterable[str] = (), debounce_ms: int = 1600,
          stop: threading.Event | None = None,
          done: Callable[[Source, IngestReport | None, str | None], None] | None = None) -> None:
    """Ingest the sources, then re-ingest each one whose files change, until `stop` is set (or Ctrl-C).
    `done(source, report, error)` is told of each ingest."""
    from kmsearch.ingest.pipeline import ingest

    sources = chosen(settings, names)
    roots = {s.name: os.path.abspath(s.path) for s in sources}
    missing = [f"{s.name} ({roots[s.name]})" for s in sources if not Path(roots[s.name]).is_dir()]
    if missing:
        raise InvalidParameterError(f"source folder not found: {', '.join(missing)}")

    def run(source: Source) -> None:
        while True:
            try:
                report = ingest([roots[source.name]], settings, who=f"watch {source.name}")
            except IndexLockedError:
                log.info("index locked by another ingest; %s waits %.0f s", source.name, LOCKED_RETRY_S)
                if stop is None:
                    time.sleep(LOCKED_RETRY_S)
                elif stop.wait(LOCKED_RETRY_S):
                    return
                continue
            except Exception as exc:  # noqa: BLE001 - told, and the watch goes on
                if done:
                    done(source, None, f"{type(exc).__name__}: {exc}")
                return
            if done:
                done(source, report, None)
            return

    index_dir = os.path.abspath(settings.index_dir)
    first = list(sources)  # ingested once the watcher is in place, so that no change in between is missed
    for changes in watchfiles.watch(*roots.values(), watch_filter=_Filter(index_dir), debounce=debounce_ms,
                                    stop_event=stop, raise_interrupt=True, yield_on_timeout=True, rust_timeout=1000):
        for source in first:
            run(source)
        first = []
        touched = [s for s in sources if any(under(os.path.abspath(p), roots[s.name]) for _, p in changes)]
        for source in touched:
            run(source)
