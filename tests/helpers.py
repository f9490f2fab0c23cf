"""Helpers shared by test modules: where things are, small corpora and registers, signing in, waiting on a
condition. Fixtures live in conftest.py, file builders in fixtures.py; no test module imports another."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest

from kmsearch.index.catalog import connect_readonly
from tests.fixtures import make_docx, make_pdf, make_pptx

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # ../shared beside the repository: real documents and evaluation sets, when present
REAL_CORPUS = SHARED / "corpus-real"
DATA = REPO / "tests" / "data"
KM_ONLY = "km-committee-2009-06.docx"  # in write_corpus's corpus: readable by group km only, once registered so


def catalog_sql(index) -> sqlite3.Connection:
    """An independent read-only connection to an open index's live catalogue, for tests that check the stored
    rows themselves (the library reaches them only through kmsearch.index.catalog). Close it when done."""
    return connect_readonly(index.directory / index.generation / "catalog.sqlite")


def write_corpus(root: Path) -> Path:
    """Five documents of a fictional department, in four formats and three folders."""
    (root / "reports").mkdir(parents=True)
    (root / "minutes").mkdir()
    (root / "decks").mkdir()
    make_pdf(
        root / "reports" / "edrms-pilot.pdf",
        [
            ["# 1. Introduction", "The electronic file management pilot moved paper registry files into the "
             "EDRMS. Records officers scanned active files and classified them against the file plan."],
            ["# 2. Findings", "Retrieval times for files fell from two days to ten minutes. Staff asked for "
             "training on the file plan and on version control."],
            ["# 3. Recommendations", "Roll the EDRMS out to every unit by 2012 and appoint records champions."],
        ],
        title="EDRMS Pilot Close-out Report",
        author="Pieter van der Merwe",
        created=datetime(2011, 11, 30),
        header="DGPSI EDRMS Pilot",
        footer=True,
    )
    make_docx(
        root / "minutes" / "km-committee-2009-06.docx",
        [
            ["# Minutes of the KM Steering Committee", "Present: T. Mokoena, L. Dlamini, S. Ndlovu",
             "Apologies: A. Patel", "The committee approved the knowledge management strategy for 2009 to 2014."],
            ["# Mobile units", "Ms Dlamini reported that two mobile service units visited twelve rural wards."],
        ],
        title="KM Steering Committee minutes 17 June 2009",
        author="Nomvula Sithole",
        created=datetime(2009, 6, 17),
        table=[["Action", "Owner", "Due"], ["Publish the KM strategy", "Mokoena", "July 2009"]],
    )
    make_pptx(
        root / "decks" / "mobile-units.pptx",
        [
            ("Mobile service units", ["Results of the 2013 rollout", "Twelve wards visited"], "Presented by Lerato Dlamini"),
            ("What citizens asked for", ["Identity documents", "Social grants", "Birth certificates"], None),
        ],
        title="Mobile service units: results",
        author="Lerato Dlamini",
    )
    (root / "reports" / "study-tour-canada.md").write_text(
        "# Report of the study tour to Canada\n\nThe delegation visited Service Canada in Ottawa in September "
        "2008 and studied one-stop service centres.\n\n## Recommendations\n\nEstablish one-stop centres in "
        "every district.\n",
        encoding="utf-8",
    )
    (root / "reports" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    return root


def sign_in(client, secret: str, origin: str = "http://testserver"):
    """Sign a TestClient in on the staff page, as a browser does: a form post that says where it comes from.
    The client then carries the session cookie."""
    response = client.post("/signin", data={"key": secret, "next": "/"}, headers={"Origin": origin},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client



def wait_for(condition, within: float, what: str):
    """Poll `condition` until it returns something true, and return that; fail after `within` seconds."""
    stop = time.monotonic() + within
    while not (value := condition()):
        if time.monotonic() > stop:
            pytest.fail(f"waited {within} s for {what}")
        time.sleep(0.05)
    return value



# --- registers ----------------------------------------------------------------------------------------------------
HEADER = "file,reference,title,type,date,building,room,cabinet,shelf,custodian,access_groups,supersedes\n"
PEOPLE = "name,unit,role,email,skills,qualifications,trainings,status\n"
EVENTS = "name,start,end,place,participants,report_reference\n"


def write_register(root: Path, rows: str) -> Path:
    folder = root / "registers"
    folder.mkdir(exist_ok=True)
    path = folder / "documents.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def write_registers(root: Path, people: str = "", events: str = "", documents: str = "") -> None:
    folder = root / "registers"
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(PEOPLE + people, encoding="utf-8")
    (folder / "events.csv").write_text(EVENTS + events, encoding="utf-8")
    (folder / "documents.csv").write_text(HEADER + documents, encoding="utf-8")



# --- the page against a browser's tricks --------------------------------------------------------------------------
# What a hostile file's script would do at the app's origin, if it ran there
SCRIPT = ("localStorage.setItem('pwned', document.domain); "
          "fetch('/api/v1/search?q=pwned', {credentials: 'include'}); "
          "fetch('/api/v1/admin/reindex', {method: 'POST', credentials: 'include'});")


def write_hostile_files(folder: Path) -> dict[str, Path]:
    """An HTML page with a script, and a .txt whose bytes hold `<body><script>` (the sniffer reads it as HTML)."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "quarterly-registry-bulletin.html"
    page.write_text(f"<!doctype html><html><head><title>Quarterly registry bulletin</title></head><body>"
                    f"<h1>Quarterly registry bulletin</h1><p>The registry moved its archive boxes.</p>"
                    f"<script>{SCRIPT}</script></body></html>", encoding="utf-8")
    text = folder / "shelving-notes.txt"
    text.write_text(f"<body><p>Shelving notes for the records centre.</p><script>{SCRIPT}</script>\n", encoding="utf-8")
    return {"html": page, "text": text}


def doc_id_of(app, path: Path) -> str:
    found = [d.doc_id for d in app.state.holder.current().catalog.iter_documents() if d.path == str(path)]
    assert found, path
    return found[0]


# --- a records audit: registers with a hostile title, a paper-only row, a missing file, a bad row ----------------
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/x","open")'  # a spreadsheet would run it as a formula


def write_audit_registers(corpus: Path) -> Path:
    """Registers over write_corpus's corpus for the catalogue's exports: the KM minutes (group km) with a place and
    custodian; a paper-only report titled HOSTILE_TITLE; a row whose file is not there; the EDRMS report with a
    custodian that starts with "+"; a skills register with one bad row; events whose reports stand four ways."""
    hostile = HOSTILE_TITLE.replace('"', '""')
    write_registers(
        corpus,
        people="Dr Thandiwe Mokoena,Knowledge Management,Director: KM,t.mokoena@dgpsi.gov.za,"
               "knowledge management;records,,,active\nBad Email,,,not-an-email,,,,\n",
        events="Canada study tour,2008-09-01,2008-09-10,Ottawa,T. Mokoena,TOUR/2008/1\n"
               "KM strategy workshop,2009-06,,Pretoria,T. Mokoena;L. Dlamini,KM/2009/7\n"
               "Records audit visit,2005-03,,Archive,,PAPER/2005/1\nMobile units launch,2013,,Polokwane,,\n",
        documents="minutes/km-committee-2009-06.docx,KM/2009/7,KM committee minutes,minutes,2009-06-17,"
                  "Tshwane Building,3-02,KM1,1,Ms Sithole,km,\n"
                  f',PAPER/2005/1,"{hostile}",report,2005-03,Archive,B1,,,Ms Sithole,,\n'
                  "reports/gone.pdf,GONE/2010/1,Gone report,report,2010,,,,,,,\n"
                  "reports/edrms-pilot.pdf,EDRMS/2011/1,EDRMS Pilot Close-out Report,report,2011-11-30,"
                  "Records Centre,R1,C2,3,+27 12 345 6789 (registry),,PAPER/2005/1\n",
    )
    return corpus
