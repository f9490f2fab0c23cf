"""The analytics report and the knowledge audit, for the JSON routes and the staff page alike.

Who may see what:
- the analytics report (queries, gaps, usage) needs a librarian's or an admin's key: its queries are what staff
  asked, which readers do not see of one another;
- the audit needs a librarian's or an admin's key, and sees everything; a reader's key may see it only when the
  `audit_for_readers` setting is on, and then it counts only what that key may read (kmsearch.analytics.sources).

Both are computed from the live generation and the query log on request. An audit runs who-knows for every topic
and every register skill, so each answer is kept for CACHE_SECONDS per generation, caller's groups and window:
a librarian paging between the dashboard and the audit does not pay for it twice.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from kmsearch.analytics.run import analytics_report, audit_report
from kmsearch.analytics.settings import analytics_settings
from kmsearch.api.errors import ApiError
from kmsearch.api.service import Caller
from kmsearch.index.store import Index

CACHE_SECONDS = 600.0  # an audit; the analytics report, whose log grows with every request, for ANALYTICS_SECONDS
ANALYTICS_SECONDS = 60.0
_CACHE_SIZE = 32


class ReportCache:
    """Answers by key for CACHE_SECONDS; the key names the generation, so a re-index is seen at once."""

    def __init__(self, seconds: float = CACHE_SECONDS):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._answers: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}

    def get(self, key: tuple[Any, ...], compute: Callable[[], dict[str, Any]],
            seconds: float | None = None) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            found = self._answers.get(key)
            if found is not None and now - found[0] < (self.seconds if seconds is None else seconds):
                return found[1]
        answer = compute()  # outside the lock: two different audits may run at once
        with self._lock:
            if len(self._answers) >= _CACHE_SIZE:
                self._answers.pop(min(self._answers, key=lambda k: self._answers[k][0]))
            self._answers[key] = (time.monotonic(), answer)
        return answer


def _groups_key(caller: Caller) -> tuple[str, ...] | None:
    return None if caller.groups is None else tuple(sorted(caller.groups))


def may_see_audit(caller: Caller, settings: Any) -> bool:
    return caller.can("librarian") or analytics_settings(settings).audit_for_readers


def run_analytics(caller: Caller, index: Index, settings: Any, cache: ReportCache, days: int = 90,
                  top: int = 20) -> dict[str, Any]:
    if not caller.can("librarian"):
        raise ApiError(403, "forbidden", "search analytics need a librarian or admin key")
    return cache.get(("analytics", index.generation, days, top),
                     lambda: analytics_report(index, settings, days, top), min(ANALYTICS_SECONDS, cache.seconds))


def run_audit(caller: Caller, index: Index, settings: Any, cache: ReportCache, days: int = 90) -> dict[str, Any]:
    """The audit as `caller` may see it: everything for a librarian, what they may read for a reader (if the
    setting lets readers see it at all)."""
    if not may_see_audit(caller, settings):
        raise ApiError(403, "forbidden", "the knowledge audit needs a librarian or admin key (readers may see it "
                       "only when the audit_for_readers setting is on)")
    groups = None if caller.can("librarian") else caller.groups
    return cache.get(("audit", index.generation, _groups_key(caller) if groups is not None else None, days),
                     lambda: audit_report(index, settings, groups, days))


__all__ = ["ReportCache", "may_see_audit", "run_analytics", "run_audit"]
