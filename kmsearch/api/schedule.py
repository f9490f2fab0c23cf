"""Scheduled re-indexing inside `kmsearch serve`: each named source with a `schedule` (cron syntax; a sixth,
leading field gives seconds) starts a re-index job at those times, through the same job runner as the API's
re-index, so a department needs no crontab and two ingests never run at once (a run that finds one going is
skipped, and says so in the log). APScheduler 3 (BackgroundScheduler, CronTrigger) keeps the times.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from kmsearch.api.state import Jobs
from kmsearch.config import Source
from kmsearch.errors import IndexLockedError

log = logging.getLogger(__name__)


def trigger(schedule: str) -> CronTrigger:
    """A cron schedule: "minute hour day month weekday", or with seconds first (six fields)."""
    fields = schedule.split()
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)
    return CronTrigger.from_crontab(schedule)


class Schedule:
    """The sources' schedules, started with the service and stopped with it."""

    def __init__(self, jobs: Jobs, sources: tuple[Source, ...]):
        self.jobs = jobs
        self.sources = [s for s in sources if s.schedule]
        self.scheduler = BackgroundScheduler(daemon=True)
        for source in self.sources:
            self.scheduler.add_job(self.run, trigger(source.schedule or ""), args=[source], id=source.name,
                                   max_instances=1, coalesce=True, misfire_grace_time=60)
        self.skipped: dict[str, str] = {}  # source name -> when its last run was skipped, and why

    def start(self) -> None:
        if self.sources:
            self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def run(self, source: Source) -> None:
        try:
            self.jobs.start([os.path.abspath(source.path)], who=f"schedule {source.name}")
        except IndexLockedError as exc:
            self.skipped[source.name] = f"{datetime.now().isoformat(timespec='seconds')}: {exc}"
            log.warning("scheduled re-index of %s skipped: %s", source.name, exc)

    def next_runs(self) -> dict[str, Any]:
        """Each scheduled source's next run time (an aware datetime), None while the schedule is not running."""
        if not self.scheduler.running:
            return {s.name: None for s in self.sources}
        return {s.name: (job.next_run_time if (job := self.scheduler.get_job(s.name)) else None)
                for s in self.sources}
