"""Who knows: people ranked for a topic, with their evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kmsearch.api import service
from kmsearch.api.deps import CallerDep, IndexDep, UsageDep
from kmsearch.api.schemas import WhoKnowsParams, WhoKnowsResult

router = APIRouter(prefix=service.API, tags=["people"])


@router.get("/who-knows", operation_id="whoKnows", response_model=WhoKnowsResult,
            summary="People ranked for a topic, each with the evidence")
def who_knows(caller: CallerDep, index: IndexDep, usage: UsageDep,
              params: Annotated[WhoKnowsParams, Query()]) -> WhoKnowsResult:
    return service.run_who_knows(caller, index, params, usage)
