"""The typed contract of the catalogue's exports (GET /api/v1/admin/export/...) and the catalogue's filters, which
the API and the catalogue page share (kmsearch.analytics.export builds the rows; the field names are its columns).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kmsearch.index.catalog import CatalogueQuery
from kmsearch.index.catalog.listing import LACKING, SORTS

Held = Literal["file", "paper", "missing"]
ExportFormat = Literal["json", "csv", "xlsx"]
FORMAT_HELP = "json, csv (UTF-8 with a byte-order mark, for Excel) or xlsx"
PAGE_SIZE = 50


class CatalogueParams(BaseModel):
    """Which catalogue records, in which order: the page's filter form and the documents export's parameters."""

    type: str | None = Field(None, max_length=100, description="Document type: the register's, else the file's.")
    year: str | None = Field(None, pattern=r"^\d{4}$", description="Year of the record's date.", examples=["2009"])
    folder: str | None = Field(None, max_length=4000, description="A folder's path: the records filed in or below it.")
    custodian: str | None = Field(None, max_length=300, description="The register's custodian, exactly.")
    group: str | None = Field(None, max_length=200, description="An access group the record carries.")
    held: Held | None = Field(None, description="file: an indexed file; paper: a register row with no file; "
                              "missing: a register row whose file is not indexed.")
    lacking: Literal[tuple(LACKING)] | None = Field(  # type: ignore[valid-type]
        None, description="Records with no date, location, custodian, register row, or access groups.")
    q: str | None = Field(None, max_length=300, description="Text in the title or the reference.")
    sort: Literal[tuple(SORTS)] = Field("title", description="The column to sort by.")  # type: ignore[valid-type]
    order: Literal["asc", "desc"] = "asc"

    def query(self) -> CatalogueQuery:
        return CatalogueQuery(doc_type=self.type or None, year=self.year or None, folder=self.folder or None,
                              custodian=self.custodian or None, group=self.group or None, held=self.held,
                              lacking=self.lacking, text=(self.q or "").strip() or None, sort=self.sort,
                              descending=self.order == "desc")


class DocumentsExportParams(CatalogueParams):
    format: ExportFormat = Field("json", description=FORMAT_HELP)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CatalogueRecord(_Model):
    """An indexed file with its register row, or a register row with no indexed file."""

    reference: str | None
    title: str
    type: str
    date: str | None
    held: Held
    path: str | None
    source: str | None = Field(description="The ingested folder (for a register row: the folder whose register "
                               "holds it).")
    building: str | None
    room: str | None
    cabinet: str | None
    shelf: str | None
    custodian: str | None
    access_groups: list[str]
    supersedes: str | None
    doc_id: str | None
    file_title: str | None
    format: str | None
    language: str | None
    pages: int | None
    size_bytes: int | None
    authors: list[str]
    created: str | None
    modified: str | None
    sha256: str | None
    indexed_at: str | None
    warnings: list[str]


class ExportedPerson(_Model):
    person_id: str
    name: str
    aliases: list[str]
    in_register: bool
    status: str | None
    unit: str | None
    role: str | None
    email: str | None
    skills: list[str]
    qualifications: list[str]
    trainings: list[str]
    documents: int = Field(description="How many documents name them.")
    roles: list[str] = Field(description="Their parts in those documents: author, presenter, attendee ...")


class ExportedEvent(_Model):
    name: str
    start: str
    end: str | None
    place: str | None
    participants: list[str]
    report_reference: str | None
    report: str | None = Field(description="file, paper, missing, 'not in register', or null: no reference.")
    report_title: str | None
    report_path: str | None
    source: str


class ExportedFailure(_Model):
    path: str
    kind: Literal["file", "register"]
    problem: str
    since: str = Field(description="When the ingest that first reported it, of those in a row, started.")
    indexed_doc_id: str | None = Field(description="The version still indexed, when a changed file now fails.")


class _Export(_Model):
    generation: str | None = Field(description="The index generation read (null for failures).")
    exported: str


class DocumentsExport(_Export):
    documents: list[CatalogueRecord]


class PeopleExport(_Export):
    people: list[ExportedPerson]


class EventsExport(_Export):
    events: list[ExportedEvent]


class FailuresExport(_Export):
    failures: list[ExportedFailure]
