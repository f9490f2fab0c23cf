"""People: name parsing and merging, mentions with roles and pages, the people and events registers, who-knows
(left staff, access rule), where-is (paper-only, superseded), register gaps, and the CLI. Fake embedder."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kmsearch.cli import cli
from kmsearch.config import Settings
from kmsearch.errors import KmsearchError
from kmsearch.eval.experts import load_qrels, load_topics, rank_people
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.people.extract import find_mentions, page_mentions
from kmsearch.people.names import compatible, parse_name
from kmsearch.registers import load_events, load_people
from kmsearch.search.experts import topic_of, who_knows
from kmsearch.search.gaps import register_gaps
from kmsearch.search.where import where_is
from tests.fixtures import make_docx
from tests.helpers import EVENTS, PEOPLE, write_registers


# --- names --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b, same", [
    ("Dr T. Mokoena", "Thandiwe Mokoena", True),
    ("T. Mokoena", "Dr Thandiwe Mokoena", True),
    ("P. vd Merwe", "Mr P.J. van der Merwe", True),
    ("Mr van der Merwe", "Pieter van der Merwe", True),
    ("Mr Pieter Johannes van der Merwe", "P.J. van der Merwe", True),
    ("Adv N. Khumalo", "Adv. Naledi Khumalo", True),
    ("Mrs J. Pretorius", "Ms Johanna Pretorius", True),
    ("J.H. Botha", "Mr Johannes 'Jan' Botha", True),
    ("Mr Jan Botha", "Mr Johannes 'Jan' Botha", True),
    ("P. van der Merwe", "J. van der Merwe", False),
    ("Thandiwe Mokoena", "Lerato Mokoena", False),
    ("Ms L. Dlamini", "Dlamini-Zuma", False),
])
def test_name_forms_are_compared_by_surname_and_initials(a, b, same):
    assert compatible(parse_name(a), parse_name(b)) is same


def test_titles_are_stripped_and_acronyms_made_for_particles():
    name = parse_name("Hon. Minister S. Dube")
    assert (name.title, name.given, name.surname, name.plain) == ("Hon. Minister", ("S",), "Dube", "S. Dube")
    assert parse_name("Pieter van der Merwe").acronym == "PvdM"
    assert parse_name("Thandiwe Mokoena").acronym is None  # "TM" would match half the department
    assert parse_name("a17").identifier and parse_name("a17").key == "#a17"


# --- mentions -----------------------------------------------------------------------------------------------
def test_cue_lists_give_roles():
    text = "\n".join([
        "Minutes of the KM Steering Committee",
        "Chairperson: Dr T. Mokoena, Chief Director: Knowledge Management Minutes taken by: Ms N. Sithole",
        "Present:",
        "Mr P.J. van der Merwe, Director: Records Management",
        "Ms L. Dlamini (on leave until June)",
        "Apologies:",
        "Adv. N. Khumalo, Director: Legal Services",
        "1. Opening",
        "Mr Ndlovu said that Lerato Dlamini would report. The Canada report was prepared by Mr D. Mahlangu.",
        "Signed: T. Mokoena Dr T. Mokoena, Chairperson Date: 17 June 2009",
    ])
    roles = {(m.name, m.role, m.certain) for m in page_mentions(text, 4)}
    assert ("Dr T. Mokoena", "attendee", True) in roles  # chairperson
    assert ("Ms N. Sithole", "author", True) in roles  # minutes taken by
    assert ("Mr P.J. van der Merwe", "attendee", True) in roles and ("Ms L. Dlamini", "attendee", True) in roles
    assert ("Adv. N. Khumalo", "mentioned", True) in roles  # apologies are mentions
    assert ("Mr Ndlovu", "mentioned", True) in roles
    assert ("Lerato Dlamini", "mentioned", False) in roles  # untitled in running text: a candidate only
    assert ("Mr D. Mahlangu", "mentioned", True) in roles  # "prepared by" inside a sentence is about another report
    assert ("T. Mokoena", "author", True) in roles  # signature block
    assert all(m.page == 4 for m in page_mentions(text, 4))


def test_delegation_table_stops_at_the_next_sentence_and_programme_slots_are_presenters():
    delegation = ("Delegation:\nName Designation Role on the tour Mr David Mahlangu Chief Director: Municipal Support "
                  "Leader of the delegation Ms Lerato Dlamini Deputy Director Front-office design The delegation was "
                  "hosted in Ottawa by Ms Claire Fontaine, Director of Regional Service Delivery.")
    roles = {m.name: m.role for m in page_mentions(delegation, 2)}
    assert roles == {"Mr David Mahlangu": "delegate", "Ms Lerato Dlamini": "delegate", "Ms Claire Fontaine": "mentioned"}
    programme = ("09:00 - 09:20 Welcome … Head of Department 09:20 - 09:40 Purpose … Prof. M. Venter (facilitator) "
                 "09:40 - 10:30 Knowledge Management: why it matters … Dr T. Mokoena 10:50 - 11:40 Lessons from Canada "
                 "… Mr D. Mahlangu and Ms L. Dlamini")
    assert {m.name for m in page_mentions(programme, 1) if m.role == "presenter"} == {
        "Prof. M. Venter", "Dr T. Mokoena", "Mr D. Mahlangu", "Ms L. Dlamini"}


def test_file_property_authors_have_no_page():
    mentions = find_mentions([(1, "Presented by Lerato Dlamini")], authors=("Lerato Dlamini",))
    assert [(m.name, m.role, m.page, m.source) for m in mentions] == [
        ("Lerato Dlamini", "author", None, "properties"), ("Lerato Dlamini", "presenter", 1, "text")]


@pytest.mark.parametrize("text", [
    "CDC analysed the American Healthy Homes Survey for 2007 and 2009.",
    "The USDA market news office in Des Moines, Iowa publishes the report.",
    "the Health and Activities Limitation Index (HALex), a measure of quality of life",
    "Figures are on the Justice Dashboard and the President Hotel hosted the launch.",
    "funded by the Administration for Children and Families",
    "In a webinar organised by the Nelson Mandela Metropolitan University (NMMU), lecturers spoke.",
    "The pothole in Fell Lane and the drains at Mandela Park were reported.",
])
def test_organisations_places_programmes_and_headings_are_not_people(text):
    assert page_mentions(text, 1) == []


def test_written_questions_name_the_asker_and_the_minister_addressed():
    text = ("1. Mr T. Zondi (DA) to ask the Minister of Health:\nWhether the department has a plan for clinics?\n"
            "2. Ms B. Khoza (EFF) to ask the Minister of Finance, Mr K. Naidoo: Whether the fund is audited?\n"
            "3. Question No.082/2025 by Nominated Member (Hon. Dorothy Wambui, MP) regarding tea bonuses")
    roles = {(m.name, m.role) for m in page_mentions(text, 7)}
    assert {("Mr T. Zondi", "asker"), ("Ms B. Khoza", "asker"), ("Hon. Dorothy Wambui", "asker"),
            ("Mr K. Naidoo", "addressee")} <= roles
    assert ("Mr K. Naidoo", "asker") not in roles and all(m.page == 7 for m in page_mentions(text, 7))


def test_contact_persons_get_their_post_address_and_number():
    text = ("FOR FURTHER INFORMATION CONTACT: Jane Mokoena, Manager, Records Branch, DPSA; phone: 012-345-6789; "
            "email: jane.mokoena@ dpsa.gov.za.\n"
            "Enquiries: Ms N. Dube Tel: (012) 336 1000\n"
            "Email: sipho.khumalo@city.gov.za Councillor Sipho Khumalo (ANC) Who is your councillor?\n"
            "Designated Information Officer Cheryl Jacobs Email address info@seta.org.za")
    found = {(m.name, m.role): m for m in page_mentions(text, 3)}
    jane = found[("Jane Mokoena", "contact")]
    assert (jane.designation, jane.email, jane.phone, jane.certain) == (
        "Manager, Records Branch, DPSA", "jane.mokoena@dpsa.gov.za", "012-345-6789", True)
    assert found[("Ms N. Dube", "contact")].phone == "(012) 336 1000"
    assert found[("Councillor Sipho Khumalo", "councillor")].email == "sipho.khumalo@city.gov.za"
    assert ("Councillor Sipho Khumalo", "contact") in found  # a name beside an e-mail address
    cheryl = found[("Cheryl Jacobs", "contact")]
    assert cheryl.designation == "Designated Information Officer" and cheryl.email == "info@seta.org.za"


def test_bylines_prepared_on_by_and_speakers_are_authors_and_presenters():
    byline = ("Inadequate Housing, 2009 Thandi Nkosi, MPH Peter Botha, PhD National Centre for Health\n"
              "Prepared on 13 April 2020 by Sipho Mthembu, Chief Director: Planning")
    roles = {(m.name, m.role, m.certain) for m in page_mentions(byline, 1)}
    assert {("Thandi Nkosi", "author", True), ("Peter Botha", "author", True),
            ("Sipho Mthembu", "author", True)} <= roles
    assert not any(r == "author" for _, r, _ in {(m.name, m.role, m.certain) for m in page_mentions(byline, 9)}
                   if _ in ("Thandi Nkosi",))  # a byline is near the top of an early page only
    programme = "Moderator: Dr T. Mokoena\nPanellists: Ms L. Dlamini, Mr S. Ndlovu and Prof. M. Venter"
    assert {m.name for m in page_mentions(programme, 2) if m.role == "presenter" and m.certain} == {
        "Dr T. Mokoena", "Ms L. Dlamini", "Mr S. Ndlovu", "Prof. M. Venter"}


def test_minutes_give_chair_clerk_councillors_and_movers():
    text = ("Milltown Parish Council - 3rd May 2021 Present Councillors D Richardson (Chair), R Healey and P Moran "
            "Clerk Mrs J Todd\nThe grant was approved (Moved by Cllr A. Wood, seconded by Councillor B. Lee).")
    roles = {(m.name, m.role) for m in page_mentions(text, 1) if m.certain}
    assert {("D Richardson", "chair"), ("D Richardson", "attendee"), ("R Healey", "attendee"),
            ("P Moran", "attendee"), ("Mrs J Todd", "clerk"), ("Cllr A. Wood", "mover"),
            ("Councillor B. Lee", "councillor")} <= roles
    assert ("P Moran", "clerk") not in roles  # "Clerk" is the next name's post
    designations = {m.name: m.designation for m in page_mentions(text, 1)}
    assert designations["D Richardson"] == "Chair" and designations["P Moran"] == ""


def test_a_research_team_written_without_separators_is_split_into_people():
    text = "October 2002 Research Team: Elize van Zyl Renette du Toit Karin Fourie Percy Moleke Fieldwork:\nAC Nielsen"
    assert {m.name for m in page_mentions(text, 2) if m.role == "author" and m.certain} == {
        "Elize van Zyl", "Renette du Toit", "Karin Fourie", "Percy Moleke"}


def test_file_property_author_is_an_author_only_when_the_text_names_them():
    pages = [(1, "Records management policy\nCompiled by: Mr P.J. van der Merwe, Director: Records Management")]
    mentions = find_mentions(pages, authors=("P.J. van der Merwe", "Leana du Plessis", "Des Moines", "e516160"))
    props = {(m.name, m.role, m.source) for m in mentions if m.page is None}
    assert props == {("P.J. van der Merwe", "author", "properties"), ("Leana du Plessis", "file_author", "properties")}
    assert find_mentions([(1, "Slides by Salim S. Abdool Karim")], authors=("Salim.AbdoolKarim",))[0].role == "author"


@pytest.mark.parametrize("author_id", ["person-001", "emp-00123", "0000-0002-1825-0097", "a17", "JOHNSCA"])
def test_explicit_author_ids_are_kept_verbatim(author_id):
    mentions = find_mentions([(1, "An abstract.")], authors=(author_id,), explicit=True)
    assert [(m.name, m.role, m.page, m.source) for m in mentions] == [(author_id, "author", None, "metadata")]
    assert [m for m in find_mentions([(1, "An abstract.")], authors=(author_id,)) if m.page is None] == []


def test_people_data_files_hold_the_place_and_organisation_words():
    from kmsearch.people import extract, scan

    assert ("Tshwane",) in scan.place_phrases() and ("Des", "Moines") in scan.place_phrases()
    assert "Survey" in scan.organisation_heads() and "Officer" in scan.designations()
    assert not hasattr(extract, "STOPWORDS")  # the lists are data (kmsearch/people/data), not code


def test_a_missing_ner_model_is_a_clear_error_or_an_explicit_fallback(monkeypatch, caplog):
    from kmsearch.people import person

    monkeypatch.setattr(person, "MODEL_PACKAGES", ("no_such_model_package",))
    person.ner_model.cache_clear()
    try:
        monkeypatch.setenv("KMSEARCH_PEOPLE_NER", "spacy")
        with pytest.raises(person.MissingModelError, match="pip install 'kmsearch\\[ner\\]'"):
            person.ner_model()
        person.ner_model.cache_clear()
        monkeypatch.setenv("KMSEARCH_PEOPLE_NER", "auto")
        assert person.ner_model() is None and "no named-entity model installed" in caplog.text
        person.ner_model.cache_clear()
        monkeypatch.setenv("KMSEARCH_PEOPLE_NER", "sometimes")
        with pytest.raises(KmsearchError, match="use auto, spacy or off"):
            person.ner_model()
    finally:
        person.ner_model.cache_clear()


# --- registers ----------------------------------------------------------------------------------------------
def test_people_register_rows_are_validated_by_line(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE + "Dr Thandiwe Mokoena,KM,Chief Director,t.mokoena@x.gov.za,km strategy;facilitation,PhD,,active\n"
                    "Mr Pieter van der Merwe,Records,Director,p@x.gov.za,records disposal,,,retired\n"
                    "Ms Lerato Dlamini,SDI,Deputy Director,not-an-email,,,,active\n"
                    ",ICT,Director,s@x.gov.za,,,,active\n"
                    "Dr Thandiwe Mokoena,KM,again,,,,,\n", encoding="utf-8")
    people, problems = load_people(path)
    assert [p.name for p in people] == ["Dr Thandiwe Mokoena"]
    assert people[0].skills == ("km strategy", "facilitation") and people[0].status == "active"
    messages = [str(p) for p in problems]
    assert "people.csv line 3: status 'retired' is not one of active, moved, left" in messages
    assert "people.csv line 4: email 'not-an-email' is not an e-mail address" in messages
    assert "people.csv line 5: name is empty" in messages
    assert any("Dr Thandiwe Mokoena appears twice" in m for m in messages)


def test_events_register_rows_are_validated_by_line(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS + "Study tour to Canada,2008-09-14,2008-09-23,Ottawa,Mr D. Mahlangu;Ms L. Dlamini,REF/1\n"
                    "Workshop,2010-03-24,2010-03-23,Kwalata,,\n"
                    "Visit,March 2015,,Nairobi,,\n", encoding="utf-8")
    events, problems = load_events(path)
    assert [(e.name, e.participants) for e in events] == [("Study tour to Canada", ("Mr D. Mahlangu", "Ms L. Dlamini"))]
    assert [str(p) for p in problems] == [
        "events.csv line 3: end 2010-03-23 is before start 2010-03-24",
        "events.csv line 4: start 'March 2015' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"]
    (tmp_path / "bad.csv").write_text("name,start\nx,2010\n")
    assert "missing column(s) end, place, participants, report_reference" in str(load_events(tmp_path / "bad.csv")[1][0])


# --- ingest, who-knows, where-is ----------------------------------------------------------------------------
@pytest.fixture
def people_corpus(corpus):
    """The shared fixture corpus plus registers, an HR-only exit interview, and a minutes file with variants."""
    (corpus / "hr").mkdir()
    make_docx(corpus / "hr" / "exit-interview.docx",
              [["# Exit interview", "Employee: Mr Sibusiso Zulu, Deputy Director: Fleet",
                "Mr Zulu alone knows the fleet tracking contract and the vehicle disposal rules."]],
              title="Exit interview", author="K. Molefe")
    make_docx(corpus / "minutes" / "km-committee-2010.docx",
              [["# Minutes", "Present:", "Dr Thandiwe Mokoena (Chairperson)", "Mr P. vd Merwe",
                "Received: PvdM",
                "Mr van der Merwe reported on the EDRMS file plan and records disposal."]],
              title="KM minutes 2010", author="Nomvula Sithole")
    write_registers(
        corpus,
        people="Dr Thandiwe Mokoena,Knowledge Management,Chief Director,t.mokoena@x.gov.za,knowledge management strategy,,,active\n"
               "Mr Pieter van der Merwe,Records Management,Director,p.vdm@x.gov.za,records disposal;file plans,,,left\n"
               "Ms Lerato Dlamini,Service Delivery,Deputy Director,l.dlamini@x.gov.za,mobile service units,,,active\n"
               "Ms Nomvula Sithole,Knowledge Management,Assistant Director,,knowledge audits,,,active\n"
               "Mr Kabelo Molefe,HRD,Deputy Director,,fleet vehicle disposal,,,active\n",
        events="Study tour to Canada,2008-09-14,2008-09-23,\"Ottawa, Canada\",Ms Lerato Dlamini;Mr Sipho Ndlovu,REF/CA\n"
               "Benchmarking visit,2015-03-09,2015-03-13,\"Nairobi, Kenya\",Ms Lerato Dlamini,\n",
        documents="reports/study-tour-canada.md,REF/CA,Report of the study tour to Canada,study-tour report,2008-10-31,"
                  "HQ,B-07,C4,1,Ms J. Pretorius,,\n"
                  "hr/exit-interview.docx,REF/HR,Exit interview,report,2019,HQ,4-12,HR2,1,Mr K. Molefe,hr,\n"
                  ",REF/AUDIT,Baseline knowledge audit report 2009,report,2009-12-15,HQ,2-14,L2,3,Ms J. Pretorius,,\n"
                  ",REF/SECRET,Fleet tender evaluation 2012,report,2012,HQ,9-99,S1,1,Finance,finance,\n"
                  "reports/edrms-pilot.pdf,REF/PILOT2,EDRMS pilot close-out report,report,2011-11-30,HQ,B-07,C2,3,"
                  "Ms J. Pretorius,,REF/PILOT1\n"
                  ",REF/PILOT1,EDRMS pilot interim report,report,2011-03-01,HQ,B-07,C2,2,Ms J. Pretorius,,\n"
                  ",REF/ORPHAN,Report on the study tour to Brazil,study-tour report,2012,HQ,B-07,C4,2,,,\n",
    )
    return corpus


@pytest.fixture
def people_index(people_corpus, settings, embedder):
    ingest([people_corpus], settings, embedder)
    return Index.open(settings, embedder)


def _person(index, name):
    return next(p for p in index.catalog.people().values() if p.name == name)


def test_variants_merge_into_one_register_person_with_aliases(people_index):
    vdm = _person(people_index, "Mr Pieter van der Merwe")
    assert vdm.person_id == "pieter-van-der-merwe" and vdm.status == "left"
    aliases = people_index.catalog.aliases(vdm.person_id)
    assert {"Mr P. vd Merwe", "PvdM", "Mr van der Merwe", "Pieter van der Merwe"} <= aliases
    roles = {m.role: m.page for m in people_index.catalog.mentions(person_id=vdm.person_id) if m.name == "Mr P. vd Merwe"}
    assert roles == {"attendee": 1}
    mokoena = _person(people_index, "Dr Thandiwe Mokoena").person_id
    names = {m.name for m in people_index.catalog.mentions(person_id=mokoena)}
    assert {"T. Mokoena", "Dr Thandiwe Mokoena"} <= names  # fixture minutes say "T. Mokoena"
    # an event's participants are delegates on its report; a participant not in the register is a person too
    report = [d.doc_id for d in people_index.catalog.iter_documents() if d.path.endswith("study-tour-canada.md")]
    canada = [m for m in people_index.catalog.mentions(report) if m.role == "delegate"]
    assert {m.person_id for m in canada} == {"lerato-dlamini", "sipho-ndlovu"}


def test_person_ids_are_stable_across_generations(people_corpus, people_index, settings, embedder):
    before = {p.name: p.person_id for p in people_index.catalog.people().values()}
    make_docx(people_corpus / "minutes" / "later.docx", [["Present:", "Ms Thandiwe Mokoena", "Mr Sipho Ndlovu"]],
              title="Later minutes")
    assert ingest([people_corpus], settings, embedder).generation == "g000002"
    after = {p.name: p.person_id for p in Index.open(settings, embedder).catalog.people().values()}
    assert {n: after[n] for n in before} == before


def test_who_knows_flags_left_staff_and_gives_evidence(people_index):
    experts = who_knows(people_index, "who knows about the EDRMS file plan and records disposal?", k=3)
    top = experts[0]
    assert top.name == "Mr Pieter van der Merwe" and top.at_risk and top.to_json()["at_risk"] is True
    assert top.evidence and {e.role for e in top.evidence} <= {"author", "attendee", "mentioned", "file_author"}
    assert all(e.page >= 1 and e.path for e in top.evidence)
    data = top.to_json()
    assert set(data) >= {"name", "aliases", "unit", "email", "status", "score", "at_risk", "evidence", "skills"}
    assert set(data["evidence"][0]) == {"doc_id", "path", "title", "page", "role", "snippet"}
    assert "PvdM" in data["aliases"] and data["skills"] == ["records disposal", "file plans"]


def test_people_only_in_restricted_documents_are_hidden(people_index):
    query = "fleet tracking contract and vehicle disposal"
    names = lambda groups: [e.name for e in who_knows(people_index, query, groups=groups)]  # noqa: E731
    assert "Mr Sibusiso Zulu" in names(None) and "Mr Sibusiso Zulu" in names(frozenset({"hr"}))
    outsider = who_knows(people_index, query, groups=frozenset({"finance"}))
    assert "Mr Sibusiso Zulu" not in [e.name for e in outsider]
    molefe = next(e for e in outsider if e.name == "Mr Kabelo Molefe")  # register skills alone may show him
    assert molefe.evidence == () and molefe.register_score > 0
    for expert in outsider:
        assert all("exit-interview" not in e.path for e in expert.evidence)


def test_topic_of_strips_the_question():
    assert topic_of("Who knows about records disposal?") == "records disposal"
    assert topic_of("who has experience with EDRMS") == "EDRMS"
    assert topic_of("mobile units") == "mobile units"


def test_where_is_paper_only_superseded_and_access(people_index):
    found = where_is(people_index, "baseline knowledge audit report 2009", k=3)
    assert found[0].reference == "REF/AUDIT" and found[0].doc_id is None and found[0].path is None
    assert found[0].location == {"building": "HQ", "room": "2-14", "cabinet": "L2", "shelf": "3"}
    assert found[0].custodian == "Ms J. Pretorius"
    interim = next(d for d in where_is(people_index, "EDRMS pilot interim report", k=5) if d.reference == "REF/PILOT1")
    assert interim.superseded_by == {"reference": "REF/PILOT2", "title": "EDRMS pilot close-out report",
                                     "doc_id": interim.superseded_by["doc_id"],
                                     "path": str(people_index.catalog.register_entry("REF/PILOT2").path)}
    assert interim.superseded_by["doc_id"]
    pilot = where_is(people_index, "EDRMS pilot close-out recommendations", k=1)[0]
    assert pilot.reference == "REF/PILOT2" and pilot.pages[0] == 3 and pilot.path.endswith("edrms-pilot.pdf")
    assert set(pilot.to_json()) == {"doc_id", "path", "title", "type", "date", "pages", "location", "custodian",
                                    "reference", "superseded_by", "score"}
    secret = "fleet tender evaluation 2012"
    assert where_is(people_index, secret, k=1)[0].reference == "REF/SECRET"
    assert all(d.reference != "REF/SECRET" for d in where_is(people_index, secret, groups=frozenset({"hr"})))
    assert all(d.reference != "REF/HR" for d in where_is(people_index, "exit interview fleet", groups=frozenset()))


def test_register_gaps(people_index):
    gaps = register_gaps(people_index)
    assert [e["name"] for e in gaps.events_without_report] == ["Benchmarking visit"]
    assert [r["reference"] for r in gaps.reports_without_event] == ["REF/ORPHAN"]


# --- CLI ----------------------------------------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_cli_who_knows_where_is_and_gaps(run, people_index, settings):
    index = str(settings.index_dir)
    people = json.loads(run("who-knows", "records disposal", "--index", index, "--json").output)["people"]
    assert people[0]["name"] == "Mr Pieter van der Merwe" and people[0]["at_risk"]
    text = run("who-knows", "records disposal", "--index", index, "-k", "1").output
    assert "1. Mr Pieter van der Merwe" in text and "knowledge at risk" in text
    docs = json.loads(run("where-is", "baseline knowledge audit report 2009", "--index", index, "--json").output)
    assert docs["documents"][0]["reference"] == "REF/AUDIT"
    assert "paper only" in run("where-is", "baseline knowledge audit report 2009", "--index", index).output
    gaps = json.loads(run("registers", "gaps", "--index", index, "--json").output)
    assert gaps["events_without_report"][0]["reason"] == "no report reference in the events register"
    assert "Benchmarking visit" in run("registers", "gaps", "--index", index).output


def test_cli_eval_experts(run, tmp_path, embedder):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        ("d1", "Records disposal", "Disposal authorities allow ephemeral files to be destroyed.", ["p1"]),
        ("d2", "Disposal register", "The destruction register records every disposal.", ["p1", "p2"]),
        ("d3", "Mobile units", "Vans bring identity documents to rural wards.", ["p3"]),
        ("d4", "Mobile schedules", "The monthly schedule of the vans is sent by SMS.", ["p3", "p4"]),
    ]
    corpus.write_text("\n".join(json.dumps({"_id": i, "title": t, "text": x, "metadata": {"authors": a}})
                                for i, t, x, a in docs))
    (tmp_path / "topics.tsv").write_text("qid\ttext\nt1\tdisposal of records\nt2\tmobile vans for rural wards\n")
    (tmp_path / "qrels.trec").write_text("t1 0 p1 2\nt1 0 p2 1\nt1 0 p3 0\nt2 0 p3 2\nt2 0 p1 0\n")  # p4 unjudged
    result = run("eval", "experts", "--corpus", str(corpus), "--topics", str(tmp_path / "topics.tsv"),
                 "--qrels", str(tmp_path / "qrels.trec"), "--workdir", str(tmp_path / "work"), "--model",
                 "fake-hash-256", "-q", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) == {"map", "mrr", "precision@5", "topics"} and scores["topics"] == 2
    assert scores["mrr"] == 1.0 and 0.5 < scores["map"] <= 1.0
    assert scores["precision@5"] == pytest.approx((2 / 5 + 1 / 5) / 2)  # condensed: only judged people rank
    index = Index.open(Settings(index_dir=tmp_path / "work"), embedder)
    run_ = rank_people(index, load_topics(tmp_path / "topics.tsv"), load_qrels(tmp_path / "qrels.trec"))
    assert "p4" not in run_["t2"] and set(run_["t2"]) <= {"p3", "p1"}  # p4 is unjudged: left out
    table = run("eval", "experts", "--corpus", str(corpus), "--topics", str(tmp_path / "topics.tsv"),
                "--qrels", str(tmp_path / "qrels.trec"), "--workdir", str(tmp_path / "work"), "-q").output
    assert "MAP" in table and "1.0000" in table


def test_cli_eval_experts_scores_people_by_explicit_ids(run, tmp_path, embedder):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        ("d1", "Records disposal", "Disposal authorities allow ephemeral files to be destroyed.", ["person-001"]),
        ("d2", "Disposal register", "The destruction register records every disposal.", ["person-001", "emp-00123"]),
        ("d3", "Mobile units", "Vans bring identity documents to rural wards.", ["0000-0002-1825-0097"]),
    ]
    corpus.write_text("\n".join(json.dumps({"_id": i, "title": t, "text": x, "metadata": {"authors": a}})
                                for i, t, x, a in docs))
    (tmp_path / "topics.tsv").write_text("qid\ttext\nt1\tdisposal of records\nt2\tmobile vans for rural wards\n")
    (tmp_path / "qrels.trec").write_text("t1 0 person-001 2\nt1 0 emp-00123 1\nt2 0 0000-0002-1825-0097 2\n")
    result = run("eval", "experts", "--corpus", str(corpus), "--topics", str(tmp_path / "topics.tsv"),
                 "--qrels", str(tmp_path / "qrels.trec"), "--workdir", str(tmp_path / "work"), "--model",
                 "fake-hash-256", "-q", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mrr"] == 1.0
    index = Index.open(Settings(index_dir=tmp_path / "work"), embedder)
    ids = set(index.catalog.people())
    assert {"person-001", "emp-00123", "0000-0002-1825-0097"} <= ids


def test_a_name_and_id_only_a_restricted_document_gives_are_not_shown(people_corpus, settings, embedder):
    """'Prof. Marius Oosthuizen' is written in full only in an HR document; readers see the form they may read."""
    make_docx(people_corpus / "hr" / "panel.docx",
              [["# Panel", "Prof. Marius Oosthuizen chaired the records retention review panel."]],
              title="Retention panel", author="K. Molefe")
    (people_corpus / "hr" / ".kmsearch-groups").write_text("hr\n", encoding="utf-8")  # the whole folder is HR's
    make_docx(people_corpus / "minutes" / "retention-2011.docx",
              [["# Minutes", "Present:", "Prof. Oosthuizen", "Prof. Oosthuizen reported on records retention."]],
              title="Retention minutes 2011", author="Nomvula Sithole")
    ingest([people_corpus], settings, embedder)
    index = Index.open(settings, embedder)
    query = "records retention review"
    insider = next(e for e in who_knows(index, query, groups=None) if "Oosthuizen" in e.name)
    assert insider.name == "Prof. Marius Oosthuizen"
    outsider = next(e for e in who_knows(index, query, groups=frozenset()) if "Oosthuizen" in e.name)
    assert "Marius" not in outsider.name and not any("Marius" in a for a in outsider.aliases)
    assert "marius" not in outsider.person_id and outsider.person_id != insider.person_id
    for e in outsider.evidence:
        assert "/hr/" not in e.path


def test_nonsense_finds_no_one(people_index):
    assert who_knows(people_index, "xqzv blorft wibble") == []
    assert who_knows(people_index, "records disposal")  # a real topic still does


@pytest.mark.parametrize("text, name, role", [
    ("Signed:\n/s/ Will Hobert December 2, 2020", "Will Hobert", "author"),
    ("I, Will Hobert, as the Chair of the Illinois Finance Authority, hereby make the following determination.",
     "Will Hobert", "chair"),
    ("Persons needing special accommodations should contact Mari Money at the Authority by calling (312) 651-1319.",
     "Mari Money", "contact"),
    ("e. Amy Geiss to Supervisory Certificate Series June 4, 2019.\nf. Andrew Heffron to Ohio's 2019 Opiate and Other "
     "Drug conference June 10-11, 2019 - Columbus.", "Andrew Heffron", "delegate"),
    ("Appearances For the appellant: P Pauw with him U R D Mansingh Instructed by: State Attorney", "P Pauw",
     "presenter"),
    ("Present Councillors D Richardson (Chair), S Linsley Clerk J Connelly Mr L Page as Broadband Representative",
     "Mr L Page", "attendee"),
    ("Guy Heelis was invited to speak and provided a brief history.", "Guy Heelis", "mentioned"),
    ("the Councillors would like to thank Martin Nicholson for the painting, John Parr for the refurbishment and "
     "Gwennie Thomlinson for bringing it to the council's attention", "Gwennie Thomlinson", "mentioned"),
    ("David Bellsham, Simon Craig and Alan Wood have provided the technical knowledge.", "David Bellsham", "mentioned"),
    ("Tracer Study\nStudy commissioned by Ebrahim Boomgaard - Research Director", "Ebrahim Boomgaard", "author"),
    ("Present Councillors D Richardson (Chair) and P Moran Clerk Mrs J Todd Eden District Councillor A Armstrong",
     "Mrs J Todd", "clerk"),
])
def test_roles_found_in_the_real_corpus_tune_groups(text, name, role):
    found = {(m.name, m.role): m for m in page_mentions(text, 1)}
    assert (name, role) in found and found[(name, role)].certain, sorted(found)


@pytest.mark.parametrize("text", [
    "I. Call to Order & Roll Call II. Review of the Minutes",
    "The Department of Higher Education and Training funds the colleges.",
    "Trade and International Relations were discussed; the Body Corporate met; Asia Pacific members joined.",
    "16.07.13 - Any Other Business Mr Bellsham reported the network is growing.",  # only Mr Bellsham
    "On 2 November 1964 the Hamburg Base reported that a source claimed it. Phase One provided examples.",
    "Moira Downey Interim Director, Research Facilitation Service. Water Madam Speaker.",  # a post alone proves nothing
])
def test_agenda_items_and_organisations_are_not_people(text):
    certain = [m.name for m in page_mentions(text, 1) if m.certain]
    assert certain in ([], ["Mr Bellsham"]), certain


def test_the_member_named_beside_the_subject_earns_the_passage_not_every_name_in_it():
    """A table of requested statements names many members; the one beside the subject raised it."""
    from kmsearch.search.experts import _closeness
    from kmsearch.search.snippets import query_stems

    text = ("1. Death of Mr. Eric Tanui while in police custody at Solai Police Base Hon. Samuel Gachobe, MP (Subukia) "
            "Administration and Internal Security 2. Incidents of insecurity in Tinderet, Nandi County Hon. Cynthia "
            "Muge, MP (Nandi County) 3. Status of water connectivity in Ijara Hon. Abdi Ali Abdi, MP (Ijara) Blue "
            "Economy, Water and Irrigation")
    close = _closeness(text, {"gachobe": {"Gachobe"}, "muge": {"Muge"}, "abdi": {"Abdi"}, "absent": {"Nobody"}},
                       query_stems("death in police custody at Solai"))
    assert set(close) == {"gachobe", "muge", "abdi"}  # only the people the passage names
    assert close["gachobe"] > 2 * max(close["muge"], close["abdi"])


def test_register_candidates_are_bounded_and_the_rarest_skills_come_first(tmp_path, embedder):
    """With a large register, who-knows reads a bounded number of register people: those holding every topic
    word first, then those holding the rarer ones; a word most of the register holds finds no one by itself."""
    from kmsearch.index.store import Index as Idx

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("A note on nothing in particular.", encoding="utf-8")
    rows = [f"Person{i:03d} Common{i:03d},Unit,Officer,,records policy,,,active\n" for i in range(60)]
    rows += ["Thabo Rareskill,Unit,Officer,,stormwater policy,,,active\n",
             "Lerato Halfway,Unit,Officer,,stormwater drains,,,active\n"]
    write_registers(corpus, "".join(rows))
    settings = Settings(index_dir=tmp_path / "index", model="fake-hash-256")
    ingest([corpus], settings, embedder)
    catalog = Idx.open(settings, embedder).catalog
    people = catalog.people(None)
    name = {pid: p.name for pid, p in people.items()}
    from kmsearch.search.snippets import query_stems

    ranked = [name[p] for p in catalog.people_with_terms(query_stems("stormwater policy"), limit=5)]
    assert ranked == ["Thabo Rareskill", "Lerato Halfway"]  # "policy" alone, held by nearly all, finds no one
    assert len(catalog.people_with_terms(query_stems("records policy"), limit=10)) == 10
    experts = who_knows(Idx.open(settings, embedder), "who knows about stormwater policy?")
    assert experts[0].name == "Thabo Rareskill"
