"""The audit trail: an append-only record of administrative actions and of access to restricted documents.

Kept beside the index folder (indexes/default-audit.sqlite, like the API keys), so rebuilding or deleting the
index keeps it; records older than `audit_trail_retention_days` (seven years by default) go only when a purge
is run (`kmsearch analytics trail purge`). Exported as JSON lines for a SIEM (`kmsearch analytics trail
export`), which is also what makes it trustworthy: records shipped off the machine cannot be edited on it.

On the machine, three things make editing visible or refused:
- SQLite triggers refuse any UPDATE, and any DELETE of a record newer than the purge cut-off (which can only
  move forward, and never past the present);
- each record carries the SHA-256 of the record before it and of itself (a hash chain), so a record changed
  or removed by other means breaks `verify()`; a purge keeps the last removed hash as the chain's anchor;
- a purge is itself recorded.

A record that cannot be written raises AuditTrailError. The service should record before it acts and refuse
the action (or the restricted document) when that fails: an unrecorded restricted access is the failure the
trail exists to prevent.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TextIO

from kmsearch.analytics.querylog import KeyLike, stamp, utc_now
from kmsearch.analytics.settings import analytics_settings
from kmsearch.errors import KmsearchError

KEY_ADDED, KEY_REVOKED = "key.add", "key.revoke"
REINDEX, SETTINGS_CHANGED, CORRECTION = "index.reindex", "settings.change", "document.correct"
RESTRICTED_VIEW, RESTRICTED_DOWNLOAD = "document.view-restricted", "document.download-restricted"
TRAIL_PURGED = "trail.purge"
EXPORT = "catalogue.export"  # a librarian took the catalogue, people, events or failures away
_ACTION = re.compile(r"^[a-z]+(\.[a-z-]+)+$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS trail (
    seq INTEGER PRIMARY KEY, time TEXT NOT NULL, action TEXT NOT NULL, actor TEXT, actor_groups TEXT,
    target TEXT, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trail_time ON trail (time);
CREATE TABLE IF NOT EXISTS trail_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO trail_meta VALUES ('purge_before', ''), ('anchor', '');
CREATE TRIGGER IF NOT EXISTS trail_no_update BEFORE UPDATE ON trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS trail_no_delete BEFORE DELETE ON trail
WHEN OLD.time >= (SELECT value FROM trail_meta WHERE name = 'purge_before')
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: only records past retention may be purged'); END;
CREATE TRIGGER IF NOT EXISTS trail_cutoff_forward BEFORE UPDATE ON trail_meta
WHEN NEW.name = 'purge_before' AND (NEW.value < OLD.value OR NEW.value > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
BEGIN SELECT RAISE(ABORT, 'the purge cut-off only moves forward, and never past the present'); END;
"""


class AuditTrailError(KmsearchError):
    """The audit trail could not be written or read; the action it was to record should not go ahead."""


@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    action: str
    actor: str | None
    actor_groups: tuple[str, ...]
    target: str | None
    detail: dict[str, Any]
    prev: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "action": self.action, "actor": self.actor,
                "actor_groups": list(self.actor_groups), "target": self.target, "detail": self.detail,
                "prev": self.prev, "hash": self.hash}


def _digest(prev: str, time: str, action: str, actor: str | None, groups: str, target: str | None,
            detail: str) -> str:
    body = json.dumps([prev, time, action, actor, groups, target, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _actor(actor: KeyLike | str | None) -> tuple[str | None, str]:
    """A key (its name, and id when it has one) or a plain name; the CLI's actor is the system user."""
    if actor is None:
        return None, ""
    if isinstance(actor, str):
        return actor, ""
    key_id = getattr(actor, "key_id", None)
    return (f"{actor.name} ({key_id})" if key_id else actor.name), ";".join(sorted(actor.groups))


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


class AuditTrail:
    def __init__(self, path: Path, retention_days: int = 2557, clock: Callable[[], datetime] = utc_now):
        self.path = Path(path)
        self.retention_days = retention_days
        self.clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise AuditTrailError(f"audit trail {self.path}: cannot open ({exc})") from exc

    @classmethod
    def for_settings(cls, settings: Any) -> AuditTrail:
        config = analytics_settings(settings)
        return cls(config.trail_path, config.audit_trail_retention_days)

    def record(self, action: str, actor: KeyLike | str | None, target: str | None = None,
               detail: Mapping[str, Any] | None = None) -> Entry:
        """Append one record: `action` (e.g. KEY_ADDED), who did it, what to, and any detail (never a secret)."""
        if not _ACTION.match(action):
            raise AuditTrailError(f"action must look like 'area.verb', got {action!r}")
        name, groups = _actor(actor)
        body = json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str)
        when = stamp(self.clock())
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")  # the last hash and the insert, with no writer between
                try:
                    row = self.conn.execute("SELECT hash FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
                    prev = row[0] if row else self._meta("anchor")
                    digest = _digest(prev, when, action, name, groups, target, body)
                    seq = self.conn.execute(
                        "INSERT INTO trail (time, action, actor, actor_groups, target, detail, prev, hash) "
                        "VALUES (?,?,?,?,?,?,?,?)", (when, action, name, groups, target, body, prev, digest)).lastrowid
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise AuditTrailError(f"audit trail {self.path}: cannot record {action} ({exc})") from exc
        return Entry(int(seq), when, action, name, tuple(filter(None, groups.split(";"))), target,
                     json.loads(body), prev, digest)

    def record_access(self, actor: KeyLike | str | None, doc_id: str, path: str, access_groups: Iterable[str],
                      download: bool = False) -> Entry:
        """Who opened which restricted document (call it for documents with access groups, before serving)."""
        return self.record(RESTRICTED_DOWNLOAD if download else RESTRICTED_VIEW, actor, doc_id,
                           {"path": path, "access_groups": sorted(access_groups)})

    def entries(self, since: datetime | None = None, until: datetime | None = None) -> list[Entry]:
        rows = self.conn.execute(
            "SELECT seq, time, action, actor, actor_groups, target, detail, prev, hash FROM trail "
            "WHERE time >= ? AND time <= ? ORDER BY seq",
            (stamp(since) if since else "", stamp(until) if until else "9"))
        return [Entry(r[0], r[1], r[2], r[3], tuple(filter(None, (r[4] or "").split(";"))), r[5], json.loads(r[6]),
                      r[7], r[8]) for r in rows]

    def export_jsonl(self, out: TextIO, since: datetime | None = None) -> int:
        """Write the records (from `since`) as JSON lines, oldest first; returns how many."""
        n = 0
        for entry in self.entries(since):
            out.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
            n += 1
        return n

    def verify(self) -> tuple[bool, int, str]:
        """Walk the hash chain: (intact, records checked, what is wrong at the first break)."""
        prev = self._meta("anchor")
        checked = 0
        for r in self.conn.execute("SELECT seq, time, action, actor, actor_groups, target, detail, prev, hash "
                                   "FROM trail ORDER BY seq"):
            if r[7] != prev:
                return False, checked, f"record {r[0]} does not follow the record before it (one removed?)"
            if _digest(r[7], r[1], r[2], r[3], r[4] or "", r[5], r[6]) != r[8]:
                return False, checked, f"record {r[0]} was changed after it was written"
            prev = r[8]
            checked += 1
        return True, checked, ""

    def purge(self, actor: KeyLike | str | None) -> int:
        """Delete records older than the retention period, keep the chain's anchor, and record the purge."""
        cutoff = stamp(self.clock() - timedelta(days=self.retention_days))
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    last = self.conn.execute("SELECT hash FROM trail WHERE time < ? ORDER BY seq DESC LIMIT 1",
                                             (cutoff,)).fetchone()
                    if max(cutoff, self._meta("purge_before")) != self._meta("purge_before"):
                        self.conn.execute("UPDATE trail_meta SET value = ? WHERE name = 'purge_before'", (cutoff,))
                    deleted = self.conn.execute("DELETE FROM trail WHERE time < ?", (cutoff,)).rowcount
                    if last:
                        self.conn.execute("UPDATE trail_meta SET value = ? WHERE name = 'anchor'", (last[0],))
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise AuditTrailError(f"audit trail {self.path}: cannot purge ({exc})") from exc
        self.record(TRAIL_PURGED, actor, None, {"deleted": deleted, "before": cutoff,
                                                "retention_days": self.retention_days})
        return deleted

    def _meta(self, name: str) -> str:
        row = self.conn.execute("SELECT value FROM trail_meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else ""

    def close(self) -> None:
        self.conn.close()
