"""The query and usage log: every search, who-knows and where-is, and what was opened from the results.

It lives in the index folder (analytics.sqlite), outside the generations, so re-indexing keeps it. What is
kept per request: the time, the normalised query, the mode and filters, the number of results, the top score,
whether the best result was below the relevance floor, the documents shown with their ranks, and the caller
as the `query_log` setting says (off: nothing is logged; anonymous: no caller; key: the key's name and
groups). Records older than `query_log_retention_days` are purged, on demand and by the writer at most once
a day.

Logging must never slow or fail a request. `record` only puts a row on a queue (a few microseconds,
docs/benchmarks.md); a background thread writes the queue in batches. Any failure there (a full disk, a
read-only folder, a locked or damaged file) drops the batch and counts it; the count is written to the
`dropped` table as soon as a write succeeds again, and `health()` shows it meanwhile.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import logging
import queue
import re
import secrets
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from kmsearch.analytics.settings import AnalyticsSettings, analytics_settings

log = logging.getLogger(__name__)
KINDS = ("search", "who-knows", "where-is")
OPEN_KINDS = ("view", "download")
MAX_QUERY = 1000  # characters kept of a query (the API refuses longer ones anyway)
MAX_SHOWN = 50  # ranks kept per request
QUEUE_SIZE = 10_000  # rows waiting for the writer; beyond this a row is dropped, not waited for
BATCH = 500
LINGER_S = 0.2  # rows may wait this long for the writer (and are lost in a crash within it)
PURGE_EVERY_S = 24 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    query_id TEXT PRIMARY KEY, time TEXT NOT NULL, kind TEXT NOT NULL, query TEXT NOT NULL, mode TEXT,
    filters TEXT, page INTEGER NOT NULL DEFAULT 1, results INTEGER NOT NULL, top_score REAL,
    below_floor INTEGER NOT NULL, caller TEXT, groups TEXT);
CREATE INDEX IF NOT EXISTS queries_time ON queries (time);
CREATE TABLE IF NOT EXISTS shown (
    query_id TEXT NOT NULL REFERENCES queries ON DELETE CASCADE, rank INTEGER NOT NULL, doc_id TEXT NOT NULL,
    PRIMARY KEY (query_id, rank)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS opens (
    time TEXT NOT NULL, kind TEXT NOT NULL, doc_id TEXT NOT NULL, rank INTEGER, query_id TEXT, caller TEXT,
    groups TEXT);
CREATE INDEX IF NOT EXISTS opens_time ON opens (time);
CREATE TABLE IF NOT EXISTS dropped (time TEXT NOT NULL, records INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class KeyLike(Protocol):
    """What the log needs of an API key (kmsearch.api.keys.ApiKey has it)."""

    name: str
    groups: frozenset[str]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime) -> str:
    """Times are kept as sortable UTC text, to the second."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_SPACE = re.compile(r"\s+")


def normalise(query: str) -> str:
    """'  What about  Records disposal? ' -> 'what about records disposal': the form queries are counted by."""
    return _SPACE.sub(" ", query).strip().strip("?!.,;:").strip().casefold()[:MAX_QUERY]


def filters_json(filters: Any) -> str | None:
    """The filters as sorted JSON without empty values, or None. A caller's access groups are never kept here:
    they say who asked, which only the `key` setting may record."""
    if filters is None:
        return None
    if dataclasses.is_dataclass(filters) and not isinstance(filters, type):
        filters = dataclasses.asdict(filters)
    items = {k: sorted(v) if isinstance(v, (set, frozenset, tuple, list)) else v
             for k, v in dict(filters).items() if k != "groups" and v not in (None, "", (), [], frozenset(), set())}
    return json.dumps(items, sort_keys=True, default=str) if items else None


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the log, creating it. WAL with synchronous=NORMAL: a commit is not flushed to disk at
    once (a power cut may lose the last rows, never corrupt the file), which keeps the writer cheap."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -16000")  # 16 MB: a year's log is well over the default 2 MB
    conn.executescript(SCHEMA)
    return conn


class QueryLog:
    """Records requests and opens; see the module's docstring. One per service (or CLI run), shared by threads."""

    def __init__(self, path: Path, caller_mode: str = "anonymous", retention_days: int = 365,
                 background: bool = True, clock: Callable[[], datetime] = utc_now,
                 connector: Callable[[Path], sqlite3.Connection] = connect):
        AnalyticsSettings(query_log=caller_mode, query_log_retention_days=retention_days)  # validates both
        self.path = Path(path)
        self.caller_mode = caller_mode
        self.retention_days = retention_days
        self.background = background
        self.clock = clock
        self._connector = connector
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the connection: held while writing, so never taken by a request
        self._count_lock = threading.Lock()  # the dropped counts: held for microseconds
        self._queue: queue.Queue[Any] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._dropped_unsaved: dict[str, int] = {}  # reason -> rows dropped and not yet written to `dropped`
        self.dropped = 0  # rows dropped since this log was opened
        self.written = 0
        self._last_purge_check = 0.0
        self._last_warning = 0.0
        self._exit_hook = False

    @classmethod
    def for_settings(cls, settings: Any, background: bool = True) -> QueryLog:
        """The log of `settings.index_dir`, as its settings say (with query_log off it records nothing)."""
        config = analytics_settings(settings)
        return cls(config.log_path, config.query_log, config.query_log_retention_days, background=background)

    @property
    def enabled(self) -> bool:
        return self.caller_mode != "off"

    # --- the interface the service calls ---------------------------------------------------------------------
    def record(self, kind: str, query: str, mode: str | None = None, filters: Any = None, results: int = 0,
               top_score: float | None = None, below_floor: bool = False, caller: KeyLike | None = None,
               shown: Sequence[str] = (), page: int = 1) -> str | None:
        """Log one search, who-knows or where-is; returns its id (for result links to pass to `record_open`).

        `results` is how many results there were in all, `shown` the ids of the documents on this page, best
        first (kept with ranks from 1 on each page; only first pages count as questions in the reports),
        `top_score` the best score, `below_floor` whether even that was below the relevance floor. Never
        raises: a row that cannot be logged is counted in `dropped`. With query_log off it does nothing and
        returns None.
        """
        if not self.enabled:
            return None
        try:
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
            # time first, so new rows go at the end of the keys' B-trees, not all over them
            query_id = f"{time.time_ns() // 1000:013x}{secrets.token_hex(4)}"
            # Only what must be taken now is taken here; the writer thread turns it into a row.
            self._submit(("q", query_id, self.clock(), kind, query, mode, filters, page, results, top_score,
                          below_floor, caller, tuple(shown)[:MAX_SHOWN]))
            return query_id
        except Exception as exc:  # whatever goes wrong, the request goes on
            self._drop(1, f"bad record: {exc}")
            return None

    def record_open(self, kind: str, doc_id: str, rank: int | None = None, query_id: str | None = None,
                    caller: KeyLike | None = None) -> None:
        """Log a document view or file download (`kind` view or download), with the rank it had in the result
        list of `query_id` when it was opened through a result link. Call it only once the caller may read
        the document. Never raises."""
        if not self.enabled:
            return
        try:
            if kind not in OPEN_KINDS:
                raise ValueError(f"kind must be one of {', '.join(OPEN_KINDS)}, got {kind!r}")
            self._submit(("o", self.clock(), kind, doc_id, rank, query_id, caller))
        except Exception as exc:  # the same: never the request's problem
            self._drop(1, f"bad record: {exc}")

    def health(self) -> dict[str, Any]:
        """For the service's metrics: rows written and dropped since start, and rows waiting."""
        return {"written": self.written, "dropped": self.dropped, "waiting": self._queue.qsize(),
                "caller_mode": self.caller_mode, "path": str(self.path)}

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row recorded so far is written (or dropped); False if that took over `timeout`."""
        if not self.background or self._thread is None:
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self) -> None:
        self.flush()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def purge(self, days: int | None = None) -> int:
        """Delete queries and opens older than `days` (default: the retention setting); returns rows deleted."""
        self.flush()
        cutoff = stamp(self.clock() - timedelta(days=days or self.retention_days))
        with self._lock:
            conn = self._connection()
            return self._delete_older(conn, cutoff)

    # --- the writer --------------------------------------------------------------------------------------------
    def _who(self, caller: KeyLike | None) -> tuple[str | None, str | None]:
        if self.caller_mode != "key" or caller is None:
            return None, None
        return str(caller.name), ";".join(sorted(caller.groups))

    def _row(self, item: tuple[Any, ...]) -> tuple[str, tuple[Any, ...], tuple[str, ...]]:
        """A recorded request or open as the row(s) to insert."""
        if item[0] == "q":
            _, query_id, when, kind, query, mode, filters, page, results, top_score, below_floor, caller, shown = item
            row = (query_id, stamp(when), kind, normalise(query), mode, filters_json(filters), int(page),
                   int(results), None if top_score is None else float(top_score), int(bool(below_floor)),
                   *self._who(caller))
            return "q", row, tuple(map(str, shown))
        _, when, kind, doc_id, rank, query_id, caller = item
        row = (stamp(when), kind, str(doc_id), None if rank is None else int(rank),
               str(query_id)[:32] if query_id else None, *self._who(caller))
        return "o", row, ()

    def _submit(self, item: tuple[Any, ...]) -> None:
        if not self.background:
            self._write([item])
            return
        if self._thread is None or not self._thread.is_alive():
            self._start()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._drop(1, "writer behind: queue full")

    def _start(self) -> None:
        with self._count_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="kmsearch-querylog", daemon=True)
                self._thread.start()
                if not self._exit_hook:
                    atexit.register(self.flush, 5.0)  # a CLI run's last rows are written before it exits
                    self._exit_hook = True

    def _run(self) -> None:
        """Take rows off the queue and write them, up to BATCH in one transaction, gathering for up to LINGER_S
        first: one commit per batch rather than per request keeps the thread's share of the CPU small."""
        while True:
            item = self._queue.get()
            batch: list[tuple[Any, ...]] = []
            signals: list[threading.Event] = []
            deadline = time.monotonic() + LINGER_S
            while True:
                if isinstance(item, threading.Event):
                    signals.append(item)
                if item is None or isinstance(item, threading.Event):
                    break  # a flush or close: write what there is now
                batch.append(item)
                if len(batch) >= BATCH:
                    break
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
            for signal in signals:
                signal.set()
            if item is None:
                return

    def _write(self, batch: list[tuple[Any, ...]]) -> None:
        """Write rows in one transaction; on any failure drop them and count why."""
        rows = []
        for item in batch:
            try:
                rows.append(self._row(item))
            except Exception as exc:  # a value of the wrong type: that row only
                self._drop(1, f"bad record: {exc}")
        if not rows:
            return
        with self._lock:
            try:
                conn = self._connection()
                with conn:
                    for kind, row, shown in rows:
                        if kind == "q":
                            conn.execute("INSERT INTO queries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
                            conn.executemany("INSERT INTO shown VALUES (?,?,?)",
                                             [(row[0], rank, doc) for rank, doc in enumerate(shown, 1)])
                        else:
                            conn.execute("INSERT INTO opens VALUES (?,?,?,?,?,?,?)", row)
            except Exception as exc:  # sqlite3.Error, OSError: never the request's
                self._drop(len(rows), f"{type(exc).__name__}: {exc}")
                self._reset()
                return
            self.written += len(rows)
            try:
                self._save_dropped(conn)
                self._purge_if_due(conn)
            except Exception as exc:  # the rows are in; the counts wait for the next write
                log.warning("query log %s: housekeeping failed (%s)", self.path, exc)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = self._connector(self.path)
        return self._conn

    def _reset(self) -> None:
        """After a failure, reopen on the next write (the file may have been moved, or the disk remounted)."""
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def _drop(self, rows: int, reason: str) -> None:
        with self._count_lock:
            self.dropped += rows
            self._dropped_unsaved[reason] = self._dropped_unsaved.get(reason, 0) + rows
            now = time.monotonic()
            warn = now - self._last_warning > 60  # one warning a minute, not one per request
            if warn:
                self._last_warning = now
        if warn:
            log.warning("query log %s: %d record(s) dropped so far (%s)", self.path, self.dropped, reason)

    def _save_dropped(self, conn: sqlite3.Connection) -> None:
        with self._count_lock:
            unsaved, self._dropped_unsaved = self._dropped_unsaved, {}
        if not unsaved:
            return
        when = stamp(self.clock())
        try:
            with conn:
                conn.executemany("INSERT INTO dropped VALUES (?,?,?)",
                                 [(when, n, reason[:500]) for reason, n in unsaved.items()])
        except Exception:
            with self._count_lock:  # not saved: keep them for the next write
                for reason, n in unsaved.items():
                    self._dropped_unsaved[reason] = self._dropped_unsaved.get(reason, 0) + n
            raise

    def _purge_if_due(self, conn: sqlite3.Connection) -> None:
        """At most once a day per process, and once a day across processes (the last purge is in `meta`)."""
        now = time.monotonic()
        if self._last_purge_check and now - self._last_purge_check < PURGE_EVERY_S:
            return
        self._last_purge_check = now
        row = conn.execute("SELECT value FROM meta WHERE name = 'last_purge'").fetchone()
        if row and row[0] > stamp(self.clock() - timedelta(seconds=PURGE_EVERY_S)):
            return
        self._delete_older(conn, stamp(self.clock() - timedelta(days=self.retention_days)))

    def _delete_older(self, conn: sqlite3.Connection, cutoff: str) -> int:
        with conn:
            deleted = conn.execute("DELETE FROM queries WHERE time < ?", (cutoff,)).rowcount
            deleted += conn.execute("DELETE FROM opens WHERE time < ?", (cutoff,)).rowcount
            conn.execute("DELETE FROM dropped WHERE time < ?", (cutoff,))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('last_purge', ?)", (stamp(self.clock()),))
        return deleted
