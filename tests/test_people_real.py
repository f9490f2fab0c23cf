"""People extraction on real public documents from ../shared/corpus-real (skipped when it is absent).

Every author/presenter/delegate/attendee that extraction is certain of in the 98 text documents of that corpus
(scans and the 872-page handbook left out) was checked by hand; they are all in five files, listed here with
the verdict. The figure goes in docs/benchmarks.md: 4 of 6 right (precision 0.67); "Des Moines" (a place in
a file's author property) and "e516160" (a login) are wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from kmsearch.people.extract import find_mentions

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-real"
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"real corpus not found at {CORPUS}", allow_module_level=True)

CHECKED = {  # file -> {(name, role, page): right?}
    "icdar2013-eu-us/icdar2013-dataset/competition-dataset-us/us-024.pdf": {("Mary Jean Brown", "author", 1): True},
    "za-openup/presidential-employment-stimulus/February_2024_Update.pdf": {
        ("Kate Philip", "author", 35): True, ("Zak Essa", "author", 35): True},
    "pdfplumber-gov/ag-energy-round-up-2017-02-24.pdf": {("Des Moines", "author", None): False},
    "pdfplumber-gov/la-precinct-bulletin-2014-p1.pdf": {("e516160", "author", None): False},
    "za-covid19-doh-statssa/covid19-ministerial-briefing-2020-04-13-presentation.pdf": {
        ("Salim AbdoolKarim", "author", None): True},
}


def test_people_named_with_roles_and_pages_match_the_hand_check():
    found = {}
    for path in CHECKED:
        doc = extract(CORPUS / path, Settings(ocr=False))
        mentions = find_mentions([(p.number, p.text) for p in doc.pages], doc.authors)
        found[path] = {(m.name, m.role, m.page) for m in mentions if m.certain and m.role != "mentioned"}
    assert found == {path: set(verdicts) for path, verdicts in CHECKED.items()}
    verdicts = [ok for checked in CHECKED.values() for ok in checked.values()]
    assert sum(verdicts) / len(verdicts) == pytest.approx(4 / 6)


def test_the_ministerial_briefing_names_its_minister():
    doc = extract(CORPUS / "za-covid19-doh-statssa/covid19-ministerial-briefing-2020-04-13-presentation.pdf",
                  Settings(ocr=False))
    mentioned = {(m.name, m.page) for m in find_mentions([(p.number, p.text) for p in doc.pages]) if m.certain}
    assert ("Minister of Health Zweli Mkhize", 1) not in mentioned  # "of" ends a name
    assert ("Minister Zweli Mkhize", 34) in mentioned
