"""What the service records of its use: the query log (kmsearch/analytics/querylog.py) and the audit trail
(kmsearch/analytics/trail.py), opened once per service and called by `service`.

- Every search (its first page and each later one), who-knows and where-is is logged with the documents shown and
  their ranks, and its `query_id` is returned with the answer. A result link that carries `query_id` and `rank`
  (the page's links do; an API client may pass them back) logs the open with the rank it had.
- Opening a document with access groups (its page or its file) is recorded in the audit trail: who opened which
  restricted document. So are a re-index started through the API and each export of the catalogue.

Logging never fails or slows a request (the query log queues and drops on any fault, counting what it dropped).
An audit trail that cannot be opened (a read-only copy served where its folder cannot be written) is reported
once at start-up and the service goes on; restricted opens are then written to the service's log instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kmsearch.analytics.querylog import QueryLog
from kmsearch.analytics.trail import EXPORT, REINDEX, AuditTrail, AuditTrailError
from kmsearch.api.keys import ApiKey
from kmsearch.config import Settings
from kmsearch.types import DocumentRecord

log = logging.getLogger(__name__)


@dataclass
class Usage:
    queries: QueryLog
    trail: AuditTrail | None

    @classmethod
    def for_settings(cls, settings: Settings) -> Usage:
        try:
            trail: AuditTrail | None = AuditTrail.for_settings(settings)
        except AuditTrailError as exc:
            log.error("%s; restricted documents opened are written to this log instead", exc)
            trail = None
        return cls(QueryLog.for_settings(settings), trail)

    def asked(self, kind: str, key: ApiKey | None, query: str, *, mode: str | None = None, filters: Any = None,
              results: int = 0, top_score: float | None = None, shown: list[str] | None = None,
              page: int = 1) -> str | None:
        """Log one request; its id, to put in result links (None with the log off)."""
        return self.queries.record(kind, query, mode, filters, results, top_score, results == 0,
                                   key, shown or [], page)

    def opened(self, kind: str, key: ApiKey | None, doc: DocumentRecord, query_id: str | None, rank: int | None) -> None:
        """A readable document was viewed or its file downloaded; restricted ones also go to the audit trail."""
        self.queries.record_open(kind, doc.doc_id, rank, query_id, key)
        if doc.access_groups:
            actor = key or "open mode"  # no key: `serve --open`
            if self.trail is None:
                log.warning("restricted document opened (%s) by %s: %s", kind, getattr(actor, "name", actor),
                            doc.doc_id)
                return
            try:
                self.trail.record_access(actor, doc.doc_id, doc.path, doc.access_groups, download=kind == "download")
            except AuditTrailError as exc:
                log.error("%s", exc)

    def reindex(self, key: ApiKey | None, paths: list[str], job_id: str) -> None:
        if self.trail is not None:
            try:
                self.trail.record(REINDEX, key, job_id, {"paths": paths})
            except AuditTrailError as exc:
                log.error("%s", exc)

    def exported(self, key: ApiKey | None, what: str, fmt: str, filters: dict[str, Any]) -> None:
        """An export of the catalogue (documents, people, events or failures), which names restricted documents."""
        if self.trail is not None:
            try:
                self.trail.record(EXPORT, key, what, {"format": fmt, "filters": filters})
            except AuditTrailError as exc:
                log.error("%s", exc)

    def close(self) -> None:
        self.queries.close()
        if self.trail is not None:
            self.trail.close()
