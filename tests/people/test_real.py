"""People extraction on real public documents from ../shared/corpus-real (skipped when it is absent).

Every author/presenter/delegate/attendee that extraction is certain of in five files of that corpus was checked
by hand, with the verdict; the figure goes in docs/benchmarks.md. Before issue 14: 4 of 6 right (precision 0.67),
"Des Moines" (a place in a file's author property) and "e516160" (a login) wrong, the byline's co-authors and
"Prepared on 13th April 2020 by" missed. Now: 8 of 8. The other tests check the roles, posts and contact details
that government documents state, on pages of the TUNE documents (the held-out groups are never read here).
"""

from __future__ import annotations

import pytest

from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from kmsearch.people.extract import find_mentions
from tests.helpers import REAL_CORPUS

CORPUS = REAL_CORPUS
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"real corpus not found at {CORPUS}", allow_module_level=True)

CHECKED = {  # file -> {(name, role, page): right?}
    "icdar2013-eu-us/icdar2013-dataset/competition-dataset-us/us-024.pdf": {
        ("Jaime Raymond", "author", 1): True, ("William Wheeler", "author", 1): True,  # "Jaime Raymond, MPH"
        ("Mary Jean Brown", "author", 1): True},
    "za-openup/presidential-employment-stimulus/February_2024_Update.pdf": {
        ("Kate Philip", "author", 35): True, ("Zak Essa", "author", 35): True},
    "pdfplumber-gov/ag-energy-round-up-2017-02-24.pdf": {},  # "Des Moines" in the author property is a place
    "pdfplumber-gov/la-precinct-bulletin-2014-p1.pdf": {},  # "e516160" is a login
    "za-covid19-doh-statssa/covid19-ministerial-briefing-2020-04-13-presentation.pdf": {
        ("Salim AbdoolKarim", "author", None): True,  # the file property, named in the text
        ("Salim S. Abdool Karim", "author", 1): True},  # "Prepared on 13th April 2020 by Salim S. Abdool Karim"
}


def _mentions(path: str):
    doc = extract(CORPUS / path, Settings(ocr=False))
    return find_mentions([(p.number, p.text) for p in doc.pages], doc.authors)


def test_people_named_with_roles_and_pages_match_the_hand_check():
    found = {path: {(m.name, m.role, m.page) for m in _mentions(path) if m.certain and m.role != "mentioned"}
             for path in CHECKED}
    assert found == {path: set(verdicts) for path, verdicts in CHECKED.items()}
    verdicts = [ok for checked in CHECKED.values() for ok in checked.values()]
    assert sum(verdicts) / len(verdicts) == pytest.approx(8 / 8)


def test_contact_persons_of_a_federal_notice_with_post_email_and_phone():
    contacts = {(m.name, m.page): m for m in _mentions("pdfplumber-gov/federal-register-2020-17221.pdf")
                if m.role == "contact"}
    won = contacts[("Ian Won", 1)]  # "FOR FURTHER INFORMATION CONTACT: Ian Won, Manager, Seattle ACO Branch, FAA"
    assert (won.designation, won.email) == ("Manager, Seattle ACO Branch, FAA", "9-FAA-SACO-AD-Inquiry@faa.gov")
    assert won.phone.replace(" ", "") == "206–231–3500"
    rudolph = contacts[("Doug Rudolph", 15)]
    assert rudolph.email == "doug.rudolph@faa.gov" and rudolph.designation.startswith("Aerospace Engineer")


def test_the_ward_councillor_with_e_mail_and_phone():
    found = {(m.name, m.role): m for m in _mentions("za-openup/odac-idp-ward-brochures/Ward-42_Gugulethu.pdf")}
    councillor = found[("Councillor Coetzee Ntotoviyane", "councillor")]
    assert (councillor.page, councillor.email, councillor.phone) == (
        1, "Coetzee.Ntotoviyane@capetown.gov.za", "073-718-7383")


def test_parish_minutes_give_the_chair_the_clerk_and_those_present():
    roles = {(m.name, m.role) for m in _mentions("people-uk-parish-council-minutes/milburn__minutes_2018-11-06.pdf")
             if m.certain and m.page == 1}
    assert {("D Richardson", "chair"), ("J Connelly", "clerk"), ("R Healey", "attendee"),
            ("P Moran", "attendee"), ("N Cresswell", "attendee")} <= roles


def test_the_information_officer_and_the_typist():
    manual = [m for m in _mentions("people-za-fasset-seta/images__policies_S14_Manual_-_English.pdf")
              if m.name == "Cheryl James" and m.page == 6]
    assert manual and manual[0].designation == "Designated Information Officer"
    policy = {(m.name, m.role) for m in _mentions("people-za-fasset-seta/images__Language_Policy.pdf")
              if m.page is None}
    assert policy == {("Leana du Plessis", "file_author")}  # the author property; the text never names her


def test_hansard_movers_and_question_askers():
    roles = {(m.name, m.role, m.page) for m in
             _mentions("people-ke-parliament-hansard/hansard-tales__hansard-report__hansard_20251127_P.pdf")}
    assert ("Hon. Caroli Omondi", "mover", 4) in roles  # "(Moved by Hon. Caroli Omondi on 12.11.2025 ...)"
    assert ("Hon. Dorothy Ikiara", "asker", 15) in roles  # "Question No.082/2025 by Nominated Member (Hon. ..."


def test_a_research_team_without_separators():
    authors = {m.name for m in _mentions("people-za-fasset-seta/Resource__research_HSRC_Fasset_report.pdf")
               if m.role == "author" and m.page == 2}
    assert authors == {"Elize van Zyl", "Renette du Toit", "Karin Fourie", "Percy Moleke"}


def test_the_ministerial_briefing_names_its_minister():
    doc = extract(CORPUS / "za-covid19-doh-statssa/covid19-ministerial-briefing-2020-04-13-presentation.pdf",
                  Settings(ocr=False))
    mentioned = {(m.name, m.page) for m in find_mentions([(p.number, p.text) for p in doc.pages]) if m.certain}
    assert ("Minister of Health Zweli Mkhize", 1) not in mentioned  # "of" ends a name
    assert ("Minister Zweli Mkhize", 34) in mentioned
