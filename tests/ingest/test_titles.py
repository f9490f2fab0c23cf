"""Titles and types: junk and stale titles rejected, mojibake repaired, the printed cover title found by font
size, and the genres of real government files; on small cases and on real files (skipped without ../shared).
The accuracy on the 109 judged real files is measured by scripts/bench_titles.py (docs/benchmarks.md)."""

from __future__ import annotations

import pytest

from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from kmsearch.ingest.extract.titles import clean_title, is_junk, is_stale
from tests.helpers import REAL_CORPUS

NO_OCR = Settings(ocr=False)


@pytest.mark.parametrize("title", ["PRESIDENTIAL", "THE PRESIDENCY", "DO NOT DESTROY", "Page 1", "Page 3 of 11",
                                   "ab", "NLDTF Annual Report 2007.cdr", "10811.exe", "Word Document", "ODAC",
                                   "REPUBLIC OF KENYA", "12 | 2024", "CONTENTS", "Untitled"])
def test_junk_is_not_a_title(title):
    assert is_junk(title)


@pytest.mark.parametrize("title", ["Language Policy", "Molaotheo wa Rephaboliki ya Aforika Borwa wa 1996",
                                   "FASSET SECTOR SKILLS PLAN 2025-2030", "Know your neighbourhood: Ward 13: Delft"])
def test_real_titles_are_kept(title):
    assert not is_junk(title)


def test_mojibake_is_repaired():
    assert clean_title("Ã©tude des archives") == "étude des archives"  # UTF-8 read as Latin-1, undone by ftfy
    assert clean_title("16 FY 2011 GSA ï OCSIT ANNUAL REPORT") == "16 FY 2011 GSA OCSIT ANNUAL REPORT"  # a dash glyph
    assert clean_title("Forward Looking_  FAIR") == "Forward Looking FAIR"
    assert clean_title("Séance du conseil à Québec") == "Séance du conseil à Québec"  # real accents stay


def test_a_title_naming_another_year_is_stale():
    opening = "Newbiggin Parish Council. Minutes of the meeting held on 3rd September 2019. Present: ..."
    assert is_stale("Milburn Parish Council - 6th March 2012", opening)
    assert not is_stale("Newbiggin Parish Council minutes", opening)
    assert not is_stale("Parish Council 2019", opening)


REAL = {  # path under corpus-real: (title words, type), judged in tests/data/judged/real/titles.tsv
    "za-openup/odac-idp-ward-brochures/Ward-13_Delft.pdf": ("Ward 13", "brochure"),
    "people-za-fasset-seta/Skills-Plan__FASSET_Final_SSP_2025-2030.pdf": ("Sector Skills Plan 2025-2030", "policy"),
    "pdfplumber-gov/federal-register-2020-17221.pdf": (None, "notice"),
    "people-za-parliament-questions-interests/za_hansard__questions__458606_1.pdf": (None, "questions and replies"),
    "people-ca-winnipeg-city-council/hansard_pdf__2013-11-06_special.pdf":
        ("COUNCIL OF THE CITY OF WINNIPEG Wednesday, November 6, 2013", "hansard"),
    "za-gazette/government-gazette-ZA-vol-607-no-39579-dated-2016-01-08-liquor-licenses.pdf":
        ("Government Gazette", "gazette"),
    "people-us-federal-acquisition/HHS-TANF-app__Acquisition__COR_Delegation_Robert_Jolly.pdf":
        ("Contracting Officer’s Representative (COR) Designation Letter", "letter"),
    "people-us-ncar-fair-workshop-slides/2025-FAIR-Boulder__2025-FAIR-Boulder-Downey.pdf":
        ("PIDs Toolkit for Librarians and Data Professionals", "presentation"),
}


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="../shared/corpus-real is not here")
@pytest.mark.parametrize("path", sorted(REAL))
def test_real_files_get_their_printed_title_and_genre(path):
    words, doc_type = REAL[path]
    doc = extract(REAL_CORPUS / path, NO_OCR)
    assert doc.doc_type == doc_type, doc.title
    assert not is_junk(doc.title) and doc.title != "ODAC"
    if words:
        assert words.casefold() in doc.title.casefold(), doc.title
