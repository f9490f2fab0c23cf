"""Topic search and its facet counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kmsearch.api import service
from kmsearch.api.deps import CallerDep, IndexDep, UsageDep
from kmsearch.api.schemas import FacetParams, FacetsResult, SearchParams, SearchResult

router = APIRouter(prefix=service.API, tags=["search"])


@router.get("/search", operation_id="search", response_model=SearchResult,
            summary="Topic search: documents with their best passages")
def search(caller: CallerDep, index: IndexDep, usage: UsageDep,
           params: Annotated[SearchParams, Query()]) -> SearchResult:
    return service.run_search(caller, index, params, usage)


@router.get("/facets", operation_id="facets", response_model=FacetsResult,
            summary="Counts per type, year, source folder and language")
def facets(caller: CallerDep, index: IndexDep, params: Annotated[FacetParams, Query()]) -> FacetsResult:
    return service.run_facets(caller, index, params)
