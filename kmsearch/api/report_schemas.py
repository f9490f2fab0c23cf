"""The typed contract of the analytics report and the knowledge audit (GET /api/v1/admin/analytics, /api/v1/audit).

The models name every field the reports answer (kmsearch.analytics.report and .audit), so that a client
generated from /openapi.json gets typed gaps, topics and findings; the field names are the reports' own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the analytics report --------------------------------------------------------------------------------------


class QueryCount(_Model):
    query: str
    count: int


class GapPerson(_Model):
    name: str
    status: str | None
    unit: str | None
    role: str | None
    via: str  # "skills register" or "documents"


class KnowledgeGap(_Model):
    label: str  # the commonest query of the group
    count: int
    variants: list[QueryCount]
    recent: int
    previous: int
    trend: str
    last_seen: str
    kinds: dict[str, int]
    answered_since: bool
    finding: str
    person: GapPerson | None


class AskedTopic(_Model):
    label: str
    count: int
    variants: list[str]


class DocumentUse(_Model):
    doc_id: str
    title: str | None
    path: str | None
    opens: int
    views: int
    downloads: int
    mean_rank: float | None


class DocumentRef(_Model):
    doc_id: str
    title: str | None
    path: str | None


class ClickThrough(_Model):
    result_lists: int
    opened: int
    rate: float | None
    mean_rank_opened: float | None
    queries_never_opened: list[QueryCount]


class UnitUse(_Model):
    group: str
    requests: int
    unanswered: int
    opens: int


class WeekUse(_Model):
    week: str
    requests: int
    unanswered: int
    opens: int


class UsageReport(_Model):
    requests: dict[str, int]
    unanswered: int
    topics: list[AskedTopic]
    most_opened: list[DocumentUse]
    never_found: list[DocumentRef]
    never_opened: list[DocumentRef]
    documents: int | None
    click_through: ClickThrough
    per_unit: list[UnitUse]
    over_time: list[WeekUse]


class Dropped(_Model):
    records: int
    reasons: list[str]


class AnalyticsReport(_Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    log: str
    from_: str = Field(alias="from")  # "from" is a Python keyword
    to: str
    days: int
    gaps: list[KnowledgeGap]
    usage: UsageReport
    dropped: Dropped
    notes: list[str]



# --- the knowledge audit ---------------------------------------------------------------------------------------


class TopicPerson(_Model):
    id: str
    name: str
    role: str | None
    unit: str | None
    status: str | None
    via: str


class Flag(_Model):
    flag: str
    text: str


class AskedCount(_Model):
    label: str
    count: int


class AuditTopic(_Model):
    id: str
    name: str
    terms: list[str]
    documents: int
    years: list[int] | None  # [first, last]
    newest: int | None
    merged_from: list[str]
    titles: list[str]
    people: list[TopicPerson]
    flags: list[Flag]
    asked: list[AskedCount]


class PersonTopic(_Model):
    topic: str
    via: str


class AuditPerson(_Model):
    id: str
    name: str
    status: str | None
    unit: str | None
    role: str | None
    topics: list[PersonTopic]
    skills_without_documents: list[str]
    topics_not_in_register: list[str]
    findings: list[str]


class EventWithoutReport(_Model):
    model_config = ConfigDict(extra="allow")  # the events register's own columns, as the register gap reports them

    name: str
    reason: str


class TakenUp(_Model):
    doc_id: str
    title: str
    date: str | None
    score: float


class Recommendation(_Model):
    recommendation: str
    taken_up_in: TakenUp | None


class StudyTour(_Model):
    doc_id: str
    title: str
    year: int | None
    finding: str
    recommendations: list[Recommendation]


class LocationGap(_Model):
    reference: str | None
    title: str | None
    path: str | None
    missing: list[str]


class Interview(_Model):
    doc_id: str
    title: str


class Leaver(_Model):
    id: str
    name: str
    interviews: list[Interview]


class ExitInterviews(_Model):
    left: int
    with_exit_interview: int
    people: list[Leaver]
    without: list[str]


class RegisterFindings(_Model):
    events_without_report: list[EventWithoutReport]
    study_tours: list[StudyTour]
    without_location_or_custodian: list[LocationGap]
    exit_interviews: ExitInterviews


class YearTypeCount(_Model):
    year: int | None
    type: str
    count: int


class KnowledgeAudit(_Model):
    topics: list[AuditTopic]
    overrides_unmatched: list[str]
    people: list[AuditPerson]
    registers: RegisterFindings
    documents_by_year: list[YearTypeCount]


__all__ = ["AnalyticsReport", "KnowledgeAudit"]
