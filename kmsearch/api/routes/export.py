"""The catalogue's exports for librarians: documents, people, events and failures as JSON, CSV or XLSX."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from kmsearch.analytics import export
from kmsearch.api import service
from kmsearch.api.deps import IndexDep, LibrarianDep, UsageDep
from kmsearch.api.export_schemas import (
    FORMAT_HELP,
    CatalogueParams,
    DocumentsExport,
    DocumentsExportParams,
    EventsExport,
    ExportFormat,
    FailuresExport,
    PeopleExport,
)
from kmsearch.api.service import Caller
from kmsearch.api.usage import Usage
from kmsearch.index.store import Index

router = APIRouter(prefix=f"{service.API}/admin/export", tags=["admin"])
Format = Annotated[ExportFormat, Query(description=FORMAT_HELP)]
FILES = {200: {"content": {"text/csv": {}, export.MEDIA_TYPES["xlsx"]: {}},
               "description": "The export: JSON, or a CSV or XLSX file to save"}}


def exported(what: str, fmt: str, caller: Caller, index: Index, usage: Usage, response: Response,
             params: CatalogueParams | None = None) -> Any:
    """The export `what` in `fmt`, to be saved under a dated file name. It is recorded in the audit trail (it names
    restricted documents) before it is sent."""
    table = export.table(what, Path(index.settings.index_dir), index, params.query() if params else None)
    filters = params.model_dump(exclude_defaults=True, exclude={"format"}) if params else {}
    usage.exported(caller.key, what, fmt, filters)
    disposition = {"Content-Disposition": f'attachment; filename="{export.file_name(what, fmt)}"'}
    if fmt == "csv":
        return StreamingResponse(export.csv_lines(table, bom=True), media_type=export.MEDIA_TYPES["csv"],
                                 headers=disposition)
    if fmt == "xlsx":
        out = io.BytesIO()
        export.write_xlsx(table, out)
        return Response(out.getvalue(), media_type=export.MEDIA_TYPES["xlsx"], headers=disposition)
    response.headers.update(disposition)
    return export.json_export(table, None if what == "failures" else index.generation)


@router.get("/documents", operation_id="exportDocuments", response_model=DocumentsExport, responses=FILES,
            summary="Every catalogue record, indexed or only in a register, with location, custodian and groups")
def export_documents(caller: LibrarianDep, index: IndexDep, usage: UsageDep, response: Response,
                     params: Annotated[DocumentsExportParams, Query()]) -> Any:
    return exported("documents", params.format, caller, index, usage, response, params)


@router.get("/people", operation_id="exportPeople", response_model=PeopleExport, responses=FILES,
            summary="Everyone the skills register and the documents name, with the documents naming them")
def export_people(caller: LibrarianDep, index: IndexDep, usage: UsageDep, response: Response,
                  format: Format = "json") -> Any:
    return exported("people", format, caller, index, usage, response)


@router.get("/events", operation_id="exportEvents", response_model=EventsExport, responses=FILES,
            summary="The events registers, with where each event's report stands")
def export_events(caller: LibrarianDep, index: IndexDep, usage: UsageDep, response: Response,
                  format: Format = "json") -> Any:
    return exported("events", format, caller, index, usage, response)


@router.get("/failures", operation_id="exportFailures", response_model=FailuresExport, responses=FILES,
            summary="The files and registers the last ingest could not use, with the reason")
def export_failures(caller: LibrarianDep, index: IndexDep, usage: UsageDep, response: Response,
                    format: Format = "json") -> Any:
    return exported("failures", format, caller, index, usage, response)
