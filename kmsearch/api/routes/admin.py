"""The librarian's tools: start a re-index and follow its job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kmsearch.api import service
from kmsearch.api.deps import JobsDep, LibrarianDep, UsageDep
from kmsearch.api.schemas import JobResult, ReindexRequest

router = APIRouter(prefix=f"{service.API}/admin", tags=["admin"])


@router.post("/reindex", operation_id="reindex", response_model=JobResult, status_code=202,
             summary="Start an incremental re-index")
def reindex(caller: LibrarianDep, jobs: JobsDep, usage: UsageDep, body: ReindexRequest | None = None) -> JobResult:
    job = service.start_reindex(jobs, body.paths if body else None, f"API key {caller.key.name}" if caller.key else None)
    usage.reindex(caller.key, job.job.paths, job.job.id)
    return job


@router.get("/jobs/{job_id}", operation_id="getJob", response_model=JobResult,
            summary="A re-index job's progress and report")
def get_job(job_id: Annotated[str, Path(max_length=64)], caller: LibrarianDep, jobs: JobsDep) -> JobResult:
    return service.get_job(jobs, job_id)
