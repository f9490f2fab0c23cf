"""One document: its metadata, pages and register entry, and its original file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse

from kmsearch.api import service
from kmsearch.api.deps import CallerDep, IndexDep, UsageDep
from kmsearch.api.schemas import DocumentDetail
from kmsearch.api.security import FILE_HEADERS

router = APIRouter(prefix=service.API, tags=["documents"])
DocId = Annotated[str, Path(max_length=64, description="The doc_id of a search hit.")]
QueryId = Annotated[str | None, Query(max_length=64, description="The `query_id` of the answer this document was "
                                      "opened from (for the usage log).")]
Rank = Annotated[int | None, Query(ge=1, le=10_000, description="Its rank in that answer, from 1.")]


@router.get("/documents/{doc_id}", operation_id="getDocument", response_model=DocumentDetail,
            summary="A document: metadata, pages, register entry")
def get_document(doc_id: DocId, caller: CallerDep, index: IndexDep, usage: UsageDep, query_id: QueryId = None,
                 rank: Rank = None) -> DocumentDetail:
    return service.get_document(caller, index, doc_id, usage, query_id, rank)


@router.get("/documents/{doc_id}/file", operation_id="getDocumentFile", response_class=FileResponse,
            response_model=None, summary="The original file",
            responses={200: {"description": "The file as it was ingested, with the media type of the format read "
                                            "from its bytes: a PDF or an image inline, anything else as an "
                                            "attachment; always under `Content-Security-Policy: sandbox`.",
                             "content": {media: {"schema": {"type": "string", "format": "binary"}}
                                         for media in service.FILE_MEDIA_TYPES}}})
def get_document_file(doc_id: DocId, caller: CallerDep, index: IndexDep, usage: UsageDep,
                      query_id: QueryId = None, rank: Rank = None) -> FileResponse:
    found = service.get_document_file(caller, index, doc_id, usage, query_id, rank)
    return FileResponse(found.path, media_type=found.media_type, filename=found.filename, headers=FILE_HEADERS,
                        content_disposition_type="inline" if found.inline else "attachment")
