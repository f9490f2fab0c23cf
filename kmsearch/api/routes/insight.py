"""What the department knows and asks: the search analytics (librarians) and the knowledge audit (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kmsearch.analytics.run import AUDIT_CSV_COLUMNS, audit_csv_rows
from kmsearch.api import reports, service
from kmsearch.api.deps import CallerDep, IndexDep, LibrarianDep
from kmsearch.api.report_schemas import AnalyticsReport, KnowledgeAudit

router = APIRouter(prefix=service.API, tags=["analytics"])
Days = Annotated[int, Query(ge=1, le=3660, description="The window of the query log, in days")]


def get_reports(request: Request) -> reports.ReportCache:
    return request.app.state.reports


ReportsDep = Annotated[reports.ReportCache, Depends(get_reports)]


@router.get("/admin/analytics", operation_id="getAnalytics", response_model=AnalyticsReport,
            summary="Search analytics: knowledge gaps, most asked and opened, click-through, per unit and week")
def analytics(request: Request, caller: LibrarianDep, index: IndexDep, cache: ReportsDep, days: Days = 90,
              top: Annotated[int, Query(ge=1, le=1000)] = 20) -> dict[str, Any]:
    return reports.run_analytics(caller, index, request.app.state.settings, cache, days, top)


@router.get("/audit", operation_id="getAudit", response_model=KnowledgeAudit,
            responses={200: {"content": {"text/csv": {}}, "description": "the audit (JSON), or its topics (CSV)"}},
            summary="The knowledge audit: topics with their documents, people and flags; people; registers")
def audit(request: Request, caller: CallerDep, index: IndexDep, cache: ReportsDep, days: Days = 90,
          format: Literal["json", "csv"] = "json") -> Any:
    result = reports.run_audit(caller, index, request.app.state.settings, cache, days)
    if format == "json":
        return result
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_COLUMNS)
    writer.writerows(audit_csv_rows(result))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="knowledge-audit.csv"'})
