"""The catalogue's exports (kmsearch/analytics/export.py) and its listing (kmsearch/index/catalog/listing.py), on a
real index of the small corpus with registers: every record, each export in CSV, XLSX and JSON, formulas defused,
and the listing's sorting, filtering and paging."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kmsearch.analytics import export
from kmsearch.config import Settings
from kmsearch.index.catalog import CatalogueQuery
from kmsearch.index.catalog.listing import LACKING, SORTS
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import HOSTILE_TITLE, REAL_CORPUS, write_audit_registers, write_corpus


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    corpus = write_audit_registers(write_corpus(root / "corpus"))
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    yield index, corpus
    index.close()


COLUMNS = {"documents": export.DOCUMENT_COLUMNS, "people": export.PEOPLE_COLUMNS, "events": export.EVENT_COLUMNS,
           "failures": export.FAILURE_COLUMNS}


def rows_of(index, what):
    return list(export.table(what, index.directory, index).rows)


def csv_rows(table) -> list[list[str]]:
    out = io.StringIO()
    export.write_csv(table, out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_documents_hold_every_record_with_its_register_facts(audited):
    index, corpus = audited
    rows = {r["title"]: r for r in rows_of(index, "documents")}
    assert set(rows) == {"EDRMS Pilot Close-out Report", "KM committee minutes", "Mobile service units: results",
                         "Report of the study tour to Canada", HOSTILE_TITLE, "Gone report"}  # broken.pdf failed
    km = rows["KM committee minutes"]
    assert (km["held"], km["reference"], km["type"], km["date"]) == ("file", "KM/2009/7", "minutes", "2009-06-17")
    assert (km["building"], km["room"], km["cabinet"], km["shelf"]) == ("Tshwane Building", "3-02", "KM1", "1")
    assert km["custodian"] == "Ms Sithole" and km["access_groups"] == ["km"]  # librarians see restricted records
    assert km["file_title"] == "KM Steering Committee minutes 17 June 2009" and km["format"] == "docx"
    assert km["path"] == str(corpus / "minutes" / "km-committee-2009-06.docx") and len(km["sha256"]) == 64
    paper = rows[HOSTILE_TITLE]
    assert (paper["held"], paper["doc_id"], paper["path"], paper["source"]) == ("paper", None, None, str(corpus))
    assert rows["Gone report"]["held"] == "missing" and rows["Gone report"]["path"].endswith("reports/gone.pdf")
    assert rows["EDRMS Pilot Close-out Report"]["supersedes"] == "PAPER/2005/1"
    assert rows["Mobile service units: results"]["reference"] is None
    assert all(set(r) == set(export.DOCUMENT_COLUMNS) for r in rows.values())


def test_csv_defuses_every_cell_that_a_spreadsheet_would_run(audited):
    index, _ = audited
    found = {}
    for what in export.EXPORTS:
        header, *body = csv_rows(export.table(what, index.directory, index))
        assert tuple(header) == COLUMNS[what]
        for row in body:
            assert not [c for c in row if c.startswith(export.FORMULA_STARTS)], row
        found[what] = body
    titles = [r[1] for r in found["documents"]]
    assert "'" + HOSTILE_TITLE in titles and HOSTILE_TITLE not in titles
    custodians = [r[export.DOCUMENT_COLUMNS.index("custodian")] for r in found["documents"]]
    assert "'+27 12 345 6789 (registry)" in custodians
    km = next(r for r in found["documents"] if r[1] == "KM committee minutes")
    assert km[export.DOCUMENT_COLUMNS.index("access_groups")] == "km"


@pytest.mark.parametrize("text, shown", [("=1+1", "'=1+1"), ("+27 12", "'+27 12"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                                         ("\t=1", "'\t=1"), ("a=b", "a=b"), ("", "")])
def test_defused(text, shown):
    assert export.defused(text) == shown


def test_cells_join_lists_and_keep_numbers():
    assert export.cell(["km", "hr"]) == "km; hr" and export.cell(None) == "" and export.cell(3) == 3
    assert export.cell(True) == "yes" and export.cell(["=x"]) == "'=x"


def test_xlsx_cells_are_text_never_formulas(audited, tmp_path):
    index, _ = audited
    path = tmp_path / "documents.xlsx"
    assert export.write_xlsx(export.table("documents", index.directory, index), path) == 6
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert tuple(header) == export.DOCUMENT_COLUMNS and all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:Z{sheet.max_row}"
    titles = {row[1].value: row[1] for row in sheet.iter_rows(min_row=2)}
    hostile = titles["'" + HOSTILE_TITLE]
    assert hostile.data_type == "s"
    pages = header.index("pages")
    assert {row[pages].value for row in sheet.iter_rows(min_row=2)} >= {3, 2}  # numbers stay numbers
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no cell holds a formula


def test_xlsx_takes_any_text(tmp_path):
    """Control characters (which XLSX cannot hold) are dropped and a cell is cut to Excel's 32,767 characters."""
    table = export.Table("documents", ("title", "warnings"), [{"title": "bell\x07 =x\x00", "warnings": ["w" * 40_000]}])
    export.write_xlsx(table, tmp_path / "odd.xlsx")
    row = next(load_workbook(tmp_path / "odd.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert row[0] == "bell =x" and len(row[1]) == export.XLSX_MAX_CHARS


def test_json_keeps_values_as_they_are(audited):
    index, _ = audited
    data = export.json_export(export.table("documents", index.directory, index), index.generation)
    assert data["generation"] == index.generation and data["exported"].endswith("Z")
    titles = {r["title"]: r for r in data["documents"]}
    assert HOSTILE_TITLE in titles  # JSON is for programs: nothing is prefixed
    assert titles["KM committee minutes"]["access_groups"] == ["km"]
    json.dumps(data)


def test_people_events_and_failures(audited):
    index, corpus = audited
    people = {p["name"]: p for p in rows_of(index, "people")}
    mokoena = people["Dr Thandiwe Mokoena"]
    assert mokoena["in_register"] and mokoena["status"] == "active" and "T. Mokoena" in mokoena["aliases"]
    assert mokoena["documents"] >= 1 and mokoena["skills"] == ["knowledge management", "records"]
    assert people["Lerato Dlamini"]["documents"] == 2 and "author" in people["Lerato Dlamini"]["roles"]
    events = {e["name"]: e for e in rows_of(index, "events")}
    assert events["KM strategy workshop"]["report"] == "file"
    assert events["KM strategy workshop"]["report_path"] == str(corpus / "minutes" / "km-committee-2009-06.docx")
    assert events["Records audit visit"]["report"] == "paper"
    assert events["Canada study tour"]["report"] == "not in register"
    assert events["Mobile units launch"]["report"] is None
    failures = rows_of(index, "failures")
    assert [(f["kind"], Path(f["path"]).name) for f in failures] == [("file", "broken.pdf"), ("register", "people.csv")]
    assert "PDF" in failures[0]["problem"] and "not-an-email" in failures[1]["problem"]
    assert failures[0]["indexed_doc_id"] is None and failures[0]["since"] and set(failures[0]) == set(COLUMNS["failures"])
    assert export.current_failures(corpus) == []  # no ingest history there


def test_failures_stand_until_an_ingest_walks_them_again(tmp_path):
    """The ingest history decides: an ingest of another folder leaves the failures standing; one that reads the
    fixed register again clears its problem, and a file that still fails keeps the time it first failed."""
    corpus = write_audit_registers(write_corpus(tmp_path / "corpus"))
    settings = Settings(index_dir=tmp_path / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([corpus], settings, embedder)
    first = export.current_failures(settings.index_dir)
    ingest([corpus / "minutes"], settings, embedder)
    assert export.current_failures(settings.index_dir) == first
    people = corpus / "registers" / "people.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("not-an-email", "bad@dgpsi.gov.za"), encoding="utf-8")
    ingest([corpus], settings, embedder)
    now = export.current_failures(settings.index_dir)
    assert [(f["kind"], Path(f["path"]).name, f["since"]) for f in now] == [("file", "broken.pdf", first[0]["since"])]


def listed(index, **kw):
    return [r.title for r in index.catalog.listing().iter(CatalogueQuery(**kw))]


def test_listing_sorts_by_each_column_both_ways_and_pages_without_overlap(audited):
    index, _ = audited
    listing = index.catalog.listing()
    assert listed(index) == sorted(listed(index), key=str.casefold)
    dated = [r.date for r in listing.iter(CatalogueQuery(sort="date", descending=True))]
    assert dated[:4] == ["2011-11-30", "2010", "2009-06-17", "2005-03"] and dated[4:] == [None, None]  # undated last
    assert listed(index, sort="custodian")[:3] == ["EDRMS Pilot Close-out Report", HOSTILE_TITLE,  # ties by title
                                                   "KM committee minutes"]
    for sort in SORTS:
        for descending in (False, True):
            query = CatalogueQuery(sort=sort, descending=descending)
            pages = [r for offset in (0, 2, 4) for r in listing.page(query, offset, 2)]
            assert [r.title for r in pages] == listed(index, sort=sort, descending=descending)
            assert len({(r.path, r.title) for r in pages}) == 6 and listing.count(query) == 6


@pytest.mark.parametrize("filters, titles", [
    ({"doc_type": "minutes"}, ["KM committee minutes"]),
    ({"year": "2005"}, [HOSTILE_TITLE]),
    ({"folder": "reports"}, ["EDRMS Pilot Close-out Report", "Gone report", "Report of the study tour to Canada"]),
    ({"custodian": "Ms Sithole"}, [HOSTILE_TITLE, "KM committee minutes"]),
    ({"group": " KM "}, ["KM committee minutes"]),
    ({"held": "paper"}, [HOSTILE_TITLE]),
    ({"held": "missing"}, ["Gone report"]),
    ({"lacking": "register"}, ["Mobile service units: results", "Report of the study tour to Canada"]),
    ({"lacking": "location"}, ["Gone report", "Mobile service units: results", "Report of the study tour to Canada"]),
    ({"text": "hyperlink"}, [HOSTILE_TITLE]),
    ({"text": "km/2009"}, ["KM committee minutes"]),  # the reference
    ({"text": "100%"}, []),  # matched literally
    ({"doc_type": "report", "year": "2011"}, ["EDRMS Pilot Close-out Report"]),
])
def test_listing_filters(audited, filters, titles):
    index, corpus = audited
    if "folder" in filters:
        filters = {**filters, "folder": str(corpus / filters["folder"])}
    assert listed(index, **filters) == titles
    assert index.catalog.listing().count(CatalogueQuery(**filters)) == len(titles)


def test_every_lacking_filter_runs(audited):
    index, _ = audited
    assert {name: len(listed(index, lacking=name)) for name in LACKING} == {
        "date": 2, "location": 3, "custodian": 3, "register": 2, "groups": 5}


def test_the_filters_offer_what_the_records_hold(audited):
    index, corpus = audited
    options = export.catalogue_options(index)
    assert options["types"] == ["minutes", "presentation", "report", "study-tour report"]
    assert options["years"] == ["2011", "2010", "2009", "2005"]
    assert options["custodians"] == ["+27 12 345 6789 (registry)", "Ms Sithole"] and options["groups"] == ["km"]
    assert options["folders"] == [(str(corpus / sub).rstrip("/"), f"corpus/{sub}".rstrip("/"))
                                  for sub in ("", "decks", "minutes", "reports")]
    assert export.catalogue_options(index) is options  # read once per generation


def test_folder_options_of_nested_folders():
    found = export.folder_options([("/s/archive", "/s/archive/a/b"), ("/s/archive", "/s/archive"),
                                   ("/t/other/", "/t/other"), ("/s/archive", "/s/archived")])  # not below it
    assert found == [("/s/archive", "archive"), ("/s/archive/a", "archive/a"), ("/s/archive/a/b", "archive/a/b"),
                     ("/t/other", "other")]


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}")
def test_real_documents_export_in_every_format(tmp_path):
    """Real court judgments (their own titles, authors and warnings) go through all three formats."""
    folder = REAL_CORPUS / "people-za-ke-court-judgments"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    settings = Settings(index_dir=tmp_path / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    report = ingest([folder], settings, embedder)
    index = Index.open(settings, embedder)
    try:
        indexed = report.count("added")
        table = export.table("documents", index.directory, index)
        assert len(csv_rows(table)) == indexed + 1 and indexed >= 1
        assert export.write_xlsx(export.table("documents", index.directory, index), tmp_path / "d.xlsx") == indexed
        data = export.json_export(export.table("documents", index.directory, index), index.generation)
        assert {r["path"] for r in data["documents"]} == {f.path for f in report.files if f.status == "added"}
        assert all(r["held"] == "file" and r["pages"] >= 1 for r in data["documents"])
    finally:
        index.close()
