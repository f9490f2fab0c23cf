"""Where is: the document a description means, and where its file and paper copy are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kmsearch.api import service
from kmsearch.api.deps import CallerDep, IndexDep, UsageDep
from kmsearch.api.schemas import WhereIsParams, WhereIsResult

router = APIRouter(prefix=service.API, tags=["search"])


@router.get("/where-is", operation_id="whereIs", response_model=WhereIsResult,
            summary="Where a document is: file, pages, shelf, custodian")
def where_is(caller: CallerDep, index: IndexDep, usage: UsageDep,
             params: Annotated[WhereIsParams, Query()]) -> WhereIsResult:
    return service.run_where_is(caller, index, params, usage)
