"""Prose and register data for the kmsearch sample corpus.

Everything in this module is fiction, written for testing: the Department of
Governance and Public Service Innovation (DGPSI) of "Highveld North Province",
its staff, municipalities, reference numbers and figures are invented. Real
organisations (Service Canada, for example) are only mentioned as places a
delegation visited; no text is quoted from them.

The module is data only. ``make_sample_corpus.py`` renders it:

* ``Document``  -> PDF, DOCX, HTML or Markdown, chosen by the file extension;
* ``Deck``      -> PPTX;
* ``Scan``      -> image-only PDF (no text layer);
* ``RawText``   -> plain text written as is;
* ``PEOPLE``, ``EVENTS`` and every ``Meta`` -> the CSV registers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bullets:
    """A bulleted (or numbered) list."""

    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Lines:
    """Short lines kept together without paragraph spacing (addresses, signatures)."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A simple grid table; the header row is printed in bold."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class PageBreak:
    """An explicit page break."""


Block = str | Bullets | Lines | Table | PageBreak


@dataclass(frozen=True)
class Section:
    """A heading and its blocks. ``new_page`` starts the section on a new page."""

    heading: str
    blocks: tuple[Block, ...]
    level: int = 1
    new_page: bool = False


@dataclass(frozen=True)
class Location:
    """Where the paper copy is kept (document register columns)."""

    building: str
    room: str
    cabinet: str
    shelf: str


@dataclass(frozen=True)
class Meta:
    """Document properties plus the document-register row."""

    file: str  # path relative to corpus/; empty for paper-only documents
    reference: str
    title: str
    type: str  # report|minutes|study-tour report|presentation|policy|register|other
    date: dt.date
    author: str
    location: Location
    custodian: str = "Ms J. Pretorius"
    access_groups: str = ""
    supersedes: str = ""
    keywords: str = ""


@dataclass(frozen=True)
class Document:
    """A prose document (PDF, DOCX, HTML or Markdown)."""

    meta: Meta
    sections: tuple[Section, ...]
    front: tuple[Block, ...] = ()  # printed under the title on the first page
    header: str = ""  # running header (PDF and DOCX)
    footer: str = ""  # running footer, left part; page numbers are added
    cover_page: bool = False  # PDF: title and front matter on a page of their own


@dataclass(frozen=True)
class Slide:
    title: str
    bullets: tuple[str, ...] = ()
    notes: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class Deck:
    meta: Meta
    subtitle: str
    footer: str
    slides: tuple[Slide, ...]


@dataclass(frozen=True)
class Scan:
    """A typed paper document that was scanned: one string per page."""

    meta: Meta
    pages: tuple[str, ...]


@dataclass(frozen=True)
class RawText:
    meta: Meta
    text: str


@dataclass(frozen=True)
class Person:
    name: str
    unit: str
    role: str
    email: str
    skills: tuple[str, ...]
    qualifications: tuple[str, ...]
    trainings: tuple[str, ...]
    status: str  # active|moved|left


@dataclass(frozen=True)
class Event:
    name: str
    start: dt.date
    end: dt.date
    place: str
    participants: tuple[str, ...]
    report_reference: str


# --------------------------------------------------------------------------
# Shorthand used by the data below
# --------------------------------------------------------------------------


def S(heading: str, *blocks: Block, level: int = 1, new_page: bool = False) -> Section:
    return Section(heading, blocks, level, new_page)


def B(*items: str) -> Bullets:
    return Bullets(items)


def N(*items: str) -> Bullets:
    return Bullets(items, numbered=True)


def L(*lines: str) -> Lines:
    return Lines(lines)


def T(header: tuple[str, ...], *rows: tuple[str, ...], caption: str = "") -> Table:
    return Table(header, rows, caption)


BREAK = PageBreak()

DEPARTMENT = "Department of Governance and Public Service Innovation"
PROVINCE = "Highveld North Province"
HEAD_OFFICE = "Tshwane Building, 14 Church Street"
DEPOT = "DGPSI Records Depot, 7 Kameeldoring Avenue"


def registry(cabinet: str, shelf: str) -> Location:
    """The basement registry of the head office."""
    return Location(HEAD_OFFICE, "B-07 Registry (basement)", cabinet, shelf)


def office(room: str, cabinet: str, shelf: str) -> Location:
    return Location(HEAD_OFFICE, room, cabinet, shelf)


def d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


# ==========================================================================
# Study tours
# ==========================================================================

CANADA_2008 = Document(
    meta=Meta(
        file="study-tours/study-tour-canada-2008.pdf",
        reference="DGPSI/MS/2008/011",
        title="Report of the Study Tour to Canada, 14–23 September 2008",
        type="study-tour report",
        date=d(2008, 10, 31),
        author="D. Mahlangu",
        location=registry("C4", "1"),
        keywords="study tour; Canada; Service Canada; one-stop centre; mobile service unit",
    ),
    header="DGPSI — Report of the Study Tour to Canada, September 2008",
    footer="Ref. DGPSI/MS/2008/011",
    cover_page=True,
    front=(
        L(
            "Ottawa and Toronto, 14–23 September 2008",
            "",
            "Submitted to the Head of Department",
            "Prepared by: Mr D. Mahlangu, Chief Director: Municipal Support (leader of the delegation)",
            "Contributors: Ms L. Dlamini, Mr S. Ndlovu, Mr P.J. van der Merwe",
            "Date: 31 October 2008",
            "Reference: DGPSI/MS/2008/011",
        ),
        "This report records what a four-person delegation of the Department saw and learnt "
        "during a ten-day study tour of public service delivery in Canada, and sets out the "
        "recommendations the delegation makes to the Executive Management Committee.",
    ),
    sections=(
        S(
            "1. Introduction",
            new_page=True,
        ),
        S(
            "1.1 Background",
            "Since 2006 the Department has been asked by the Provincial Executive to bring "
            "government services closer to residents of the rural municipalities, where a "
            "citizen may travel more than 60 km to reach a government office. The one-stop "
            "centre opened at Kwaggasrand in November 2007 showed that residents value having "
            "several services under one roof, but it also showed how little the Department knew "
            "about running such a centre: queues, duplicated forms and lost paper files were "
            "reported within the first three months.",
            "Canada was chosen because its federal government has, over a decade, combined the "
            "counter services of many departments into a single service organisation, Service "
            "Canada, and reaches remote communities with scheduled outreach. The tour was approved "
            "by the Head of Department on 4 August 2008 and funded from the Municipal Support budget.",
            level=2,
        ),
        S(
            "1.2 Delegation",
            "Delegation:",
            T(
                ("Name", "Designation", "Role on the tour"),
                ("Mr David Mahlangu", "Chief Director: Municipal Support", "Leader of the delegation"),
                (
                    "Ms Lerato Dlamini",
                    "Deputy Director: Service Delivery Innovation",
                    "Front-office design, service standards",
                ),
                ("Mr Sipho Ndlovu", "Director: ICT", "Systems, e-government"),
                ("Mr Pieter van der Merwe", "Director: Records Management", "Citizen files, records management"),
            ),
            "The delegation was hosted in Ottawa by Ms Claire Fontaine, Director of Regional "
            "Service Delivery Partnerships at Service Canada, who arranged the programme and "
            "accompanied the delegation on both site visits in Ottawa.",
            level=2,
        ),
        S(
            "1.3 Programme",
            T(
                ("Dates", "City", "Activity"),
                ("14–15 Sept", "Ottawa", "Arrival; briefing by the host on the Service Canada model"),
                ("16 Sept", "Ottawa", "Visit to a Service Canada Centre; counter observation"),
                ("17 Sept", "Ottawa", "Session on service standards and client feedback"),
                (
                    "18–19 Sept",
                    "Ottawa",
                    "Outreach programme for remote communities; records and information management briefing",
                ),
                ("20–21 Sept", "Toronto", "Travel; delegation working session"),
                ("22 Sept", "Toronto", "Municipal 311 contact centre; provincial service counter"),
                ("23 Sept", "Toronto", "Debriefing; departure"),
                caption="Table 1: Programme of the study tour",
            ),
            level=2,
        ),
        S(
            "2. What the delegation observed at Service Canada",
            "Service Canada was presented to the delegation as a single front door for federal "
            "services: pensions, employment insurance, passports in some centres, and information "
            "on the programmes of many departments. The delegation spent three days with Service "
            "Canada staff in Ottawa.",
            new_page=True,
        ),
        S(
            "2.1 Integrated service counters",
            "At the centre visited on 16 September, a single queue is managed by a greeter who "
            "asks the purpose of the visit and directs the citizen to a generalist officer. The "
            "officer can complete about 80% of transactions without referring the citizen "
            "elsewhere. Officers are supported by an internal knowledge base which gives scripted "
            "answers, forms and the latest policy changes. Ms Dlamini noted that the knowledge "
            "base is maintained by a small central team and that every officer can flag an "
            "answer that is out of date.",
            level=2,
        ),
        S(
            "2.2 Service standards and the citizen file",
            "Each service has a published standard (for example, a decision within a stated "
            "number of working days) and performance against the standards is reported publicly. "
            "The host explained that standards only became credible once all information about a "
            "citizen's request was held in one electronic case file rather than in paper files "
            "spread over several offices. Mr van der Merwe and Mr Ndlovu held a separate session "
            "with the records and information management team, who described how electronic files "
            "are classified against a single scheme and how retention periods are applied "
            "automatically.",
            level=2,
        ),
        S(
            "2.3 Outreach to remote communities",
            "Remote communities are served by scheduled outreach: officers travel to a community "
            "hall or a partner office on fixed days each month, with laptops and a satellite or "
            "mobile connection. The schedule is published well in advance and repeated on local "
            "radio. The delegation considered this the most directly relevant practice for the "
            "rural wards of Highveld North.",
            level=2,
        ),
        S(
            "3. Toronto: municipal and provincial service points",
            "In Toronto the delegation visited a municipal 311 contact centre, where residents "
            "report problems such as broken street lights or missed refuse collections by "
            "telephone or online. Every call receives a reference number and the resident can "
            "track progress. The centre resolves roughly 70% of enquiries at first contact and "
            "routes the rest to the responsible municipal division with a deadline.",
            "The delegation also observed a provincial service counter in a shopping centre, "
            "open in the evenings and on Saturdays. Staff explained that opening hours were "
            "chosen from an analysis of when residents actually visit, not from office hours.",
            "Mr Ndlovu noted that both services depend on a shared case-management system and on "
            "clean reference data (addresses, service catalogue). He estimated that the "
            "Department's current complaints register, kept in spreadsheets by each unit, could "
            "not support this kind of tracking.",
            new_page=True,
        ),
        S(
            "4. Lessons for Highveld North",
            N(
                "One door, one file. Citizens should not have to know which department is "
                "responsible. A one-stop centre only works if the information about a citizen's "
                "request follows the citizen, which requires electronic file management.",
                "Go to the people. Scheduled outreach with a published timetable is cheaper than "
                "building offices in every ward. Mobile service units could do this in "
                "Highveld North.",
                "Standards create accountability. Published service standards, reported on "
                "openly, change staff behaviour more than internal targets do.",
                "Complaints are information. A tracked complaint with a reference number tells "
                "management where services fail.",
                "Knowledge must be managed. The officers' knowledge base, and the way Service "
                "Canada captures what its staff learn, was the least visible but possibly the most "
                "important practice observed. The Department has no comparable arrangement: the "
                "learnings of this tour itself exist mainly in the heads of four people.",
            ),
            new_page=True,
        ),
        S(
            "5. Recommendations",
            "The delegation recommends that the Executive Management Committee:",
            B(
                "R1: approves the establishment of integrated one-stop centres in two pilot "
                "municipalities (Lekgalong and Sefateng) by March 2010, building on the "
                "Kwaggasrand centre;",
                "R2: approves a pilot of two mobile service units for rural wards in 2010/11, "
                "led by Service Delivery Innovation (Ms Dlamini), with a published monthly "
                "schedule;",
                "R3: requires every centre and mobile unit to display service standards, and "
                "Monitoring and Evaluation to report on them quarterly;",
                "R4: mandates Records Management and ICT (Mr van der Merwe and Mr Ndlovu) to "
                "prepare an electronic document and records management system (EDRMS) pilot for "
                "2010, so that citizen files can be shared between service points;",
                "R5: integrates the complaints registers of all units into one citizen complaints "
                "management system with reference numbers;",
                "R6: asks the Chief Director: Knowledge Management (Dr T. Mokoena) to develop a "
                "departmental knowledge management strategy that includes a standard way of "
                "capturing and sharing the learnings of study tours;",
                "R7: allows the delegation to present this report at the next management "
                "meeting and to the relevant staff forums.",
            ),
            new_page=True,
        ),
        S(
            "6. Cost of the tour",
            T(
                ("Item", "Amount (R)"),
                ("Air travel (4 delegates)", "214 800"),
                ("Accommodation (9 nights)", "118 300"),
                ("Daily allowances", "54 700"),
                ("Ground transport and visas", "24 800"),
                ("Total", "412 600"),
                caption="Table 2: Cost of the study tour",
            ),
        ),
        S(
            "7. Sign-off",
            L(
                "Signed: D. Mahlangu",
                "Mr D. Mahlangu",
                "Chief Director: Municipal Support",
                "Leader of the delegation",
                "Date: 31 October 2008",
            ),
        ),
    ),
)

SINGAPORE_2011 = Document(
    meta=Meta(
        file="study-tours/study-tour-singapore-2011.pdf",
        reference="DGPSI/ICT/2011/019",
        title="Report of the Study Tour to Singapore on E-Government, November 2011",
        type="study-tour report",
        date=d(2011, 12, 9),
        author="S. Ndlovu",
        location=registry("C4", "2"),
        keywords="study tour; Singapore; e-government; digital identity; records",
    ),
    header="DGPSI — Study Tour to Singapore (E-Government), 2011",
    footer="Ref. DGPSI/ICT/2011/019",
    front=(
        L(
            "Singapore, 6–12 November 2011",
            "Prepared by: Mr S. Ndlovu, Director: Information and Communication Technology",
            "Date: 9 December 2011",
        ),
    ),
    sections=(
        S(
            "1. Purpose",
            "The purpose of the tour was to learn how a small, highly connected public service "
            "organises e-government across agencies, and what this means for the Department's "
            "e-services, its EDRMS rollout and the protection of citizens' information. The tour "
            "follows the 2008 study tour to Canada, which recommended electronic file management "
            "as the basis of one-stop service.",
        ),
        S(
            "2. Delegation",
            "Delegation:",
            B(
                "Mr Sipho Ndlovu, Director: ICT (leader)",
                "Dr Thandiwe Mokoena, Chief Director: Knowledge Management",
                "Adv. Naledi Khumalo, Director: Legal Services",
            ),
            "The programme was arranged through the South African mission and included meetings "
            "with the central government technology agency, a ministry's records office, a "
            "citizen service centre and a public-sector training institute.",
        ),
        S(
            "3. Observations",
            "3.1 Whole-of-government ICT governance. Agencies do not buy or build systems "
            "alone. A central agency sets architecture standards, runs shared platforms (identity, "
            "payments, hosting) and reviews large projects before funding. Mr Ndlovu noted that "
            "three of the Department's systems duplicate functions that a shared provincial "
            "platform could offer.",
            "3.2 One digital identity. Citizens use a single login for hundreds of online "
            "services. This was the precondition for the 'no wrong door' principle online, in "
            "the same way that a single citizen file is the precondition at a physical counter.",
            "3.3 Electronic records and digital preservation. The records office showed how "
            "every electronic document is classified at creation against one classification "
            "scheme, and how records of long-term value are transferred in open formats. "
            "Dr Mokoena observed that classification at creation only works because staff are "
            "trained every year and because managers check compliance.",
            "3.4 Law and trust. Adv. Khumalo met officials responsible for personal data "
            "protection. Data sharing between agencies is allowed for defined purposes and is "
            "logged, and citizens can see which agency accessed their data.",
            "3.5 Learning organisation. The training institute runs short 'learning journeys' "
            "in which officials visit other agencies and must publish a two-page note afterwards. "
            "Dr Mokoena proposed that the Department adopt the same rule for all study tours.",
        ),
        S(
            "4. Recommendations",
            N(
                "Develop a citizen e-services portal with a single login, starting with "
                "complaints and appointment booking for one-stop centres (ICT, 2012/13).",
                "Adopt an ICT governance framework in which all system acquisitions above "
                "R500 000 are reviewed by the ICT Steering Committee.",
                "Require classification of all electronic records at creation in the EDRMS, "
                "using the file plan, as the EDRMS is rolled out beyond the pilot units.",
                "Ask Legal Services to review departmental practice on access to information and "
                "the protection of personal information in electronic systems (Adv. Khumalo).",
                "Adopt a rule that every study tour report is filed in the registry and "
                "summarised on the intranet within 30 days of return (Knowledge Management).",
            ),
        ),
        S(
            "5. Cost",
            "The total cost of the tour was R298 400, within the approved budget of R320 000.",
            L(
                "Signed: S. Ndlovu",
                "Mr S. Ndlovu",
                "Director: Information and Communication Technology",
                "9 December 2011",
            ),
        ),
    ),
)

RWANDA_2014 = Document(
    meta=Meta(
        file="study-tours/study-tour-rwanda-2014.docx",
        reference="DGPSI/SDI/2014/009",
        title="Study Tour Report: Rwanda, June 2014 — Mobile and Decentralised Service Delivery",
        type="study-tour report",
        date=d(2014, 7, 21),
        author="Lerato Dlamini",
        location=registry("C4", "3"),
        keywords="study tour; Rwanda; Kigali; mobile service delivery; one-stop centre",
    ),
    header="DGPSI | Study Tour Report: Rwanda 2014",
    footer="Ref. DGPSI/SDI/2014/009",
    front=(
        L(
            "Kigali and the Eastern Province, 8–14 June 2014",
            "Compiled by: Ms L. Dlamini, Deputy Director: Service Delivery Innovation (delegation leader)",
            "Date: 21 July 2014",
        ),
    ),
    sections=(
        S(
            "1. Purpose of the visit",
            "The Mobile Service Delivery Project Report of June 2013 recommended that the "
            "Department learn from countries that have taken services to rural residents at "
            "low cost. Rwanda was chosen because of its sector-level service centres, its "
            "agent-assisted online services and its use of public performance contracts for "
            "local leaders. The visit was approved by the Chief Director: Municipal Support, "
            "Mr D. Mahlangu, on 14 April 2014.",
        ),
        S(
            "2. Delegation and hosts",
            "Delegation:",
            B(
                "Ms Lerato Dlamini, Deputy Director: Service Delivery Innovation (leader)",
                "Mr Sipho Ndlovu, Director: ICT",
                "Ms Grace Mthembu, Deputy Director: Communications",
            ),
            "The programme was coordinated by Mr Jean-Paul Habimana, coordinator of district "
            "one-stop centres, who accompanied the delegation to two district offices and "
            "four sector offices.",
            T(
                ("Date", "Place", "Visit"),
                ("9 June 2014", "Kigali", "Briefing on decentralised service delivery"),
                ("10 June 2014", "Kigali", "Online services platform and agent network"),
                ("11–12 June 2014", "Eastern Province", "Two district offices and four sector offices"),
                ("13 June 2014", "Kigali", "Debriefing with the host"),
                caption="Table 1: Programme of the visit",
            ),
        ),
        S("3. What we learnt"),
        S(
            "3.1 Services close to the village",
            "Most routine services (certificates, land transfers, business registration "
            "enquiries) are available at sector offices that are within walking distance for "
            "most residents. Only complex cases travel to the district.",
            level=2,
        ),
        S(
            "3.2 Agents instead of offices",
            "Trained private agents, operating from small kiosks, submit online applications on "
            "behalf of citizens for a small regulated fee. The delegation saw an agent in a "
            "market complete a birth-certificate request in under ten minutes. Mr Ndlovu noted "
            "that the Department's Mobile Counter app, used on our mobile service units since "
            "2012, could support a similar model if it were connected to partner departments' "
            "systems.",
            level=2,
        ),
        S(
            "3.3 Public accountability",
            "District leaders sign annual performance contracts in public and report on them to "
            "residents. Ms Dlamini observed that the published schedule of our mobile units, "
            "recommended by the 2008 Canada study tour, is the nearest equivalent we have, and "
            "that it is often not kept.",
            level=2,
        ),
        S(
            "3.4 Communication with citizens",
            "Service schedules and changes are announced by SMS, community radio and at weekly "
            "community meetings. Ms Mthembu collected examples of plain-language notices for use "
            "in Highveld North.",
            level=2,
        ),
        S(
            "4. Recommendations",
            N(
                "Pilot agent-assisted e-services at two mobile service unit stops in 2015/16, "
                "using the Mobile Counter app (Service Delivery Innovation and ICT).",
                "Send the monthly schedule of each mobile unit to registered residents by SMS, "
                "and report every cancelled service day to the municipality (Communications).",
                "Agree service-level commitments with each municipality served by a mobile unit "
                "and publish results twice a year.",
                "Share this report through the Service Delivery Community of Practice and file it "
                "in the registry within 30 days, as required since the 2011 Singapore tour.",
            ),
        ),
        S(
            "5. Costs and sign-off",
            "The visit cost R231 900 against a budget of R250 000.",
            L(
                "Signed: L. Dlamini",
                "Ms Lerato Dlamini",
                "Deputy Director: Service Delivery Innovation",
                "21 July 2014",
            ),
        ),
    ),
)


# ==========================================================================
# Annual reports
# ==========================================================================

ANNUAL_REPORT_2008_09 = Document(
    meta=Meta(
        file="reports/annual-report-2008-09.pdf",
        reference="DGPSI/ME/2009/001",
        title="Annual Report 2008/09",
        type="report",
        date=d(2009, 8, 31),
        author="A. Patel",
        location=office("2-14 Library", "L1", "1"),
        keywords="annual report; performance; 2008/09; one-stop centre; complaints",
    ),
    header="DGPSI — Annual Report 2008/09",
    footer="Department of Governance and Public Service Innovation",
    cover_page=True,
    front=(
        L(
            DEPARTMENT,
            PROVINCE,
            "for the financial year ended 31 March 2009",
            "",
            "Compiled by: Ms A. Patel, Director: Monitoring and Evaluation",
            "Published: 31 August 2009",
            "Reference: DGPSI/ME/2009/001",
        ),
    ),
    sections=(
        S("Part A: General information", new_page=True),
        S(
            "1. Contact details",
            L(
                "Head office: Tshwane Building, 14 Church Street",
                "Registry and records enquiries: Basement, Room B-07",
                "Library and information services: Room 2-14",
                "Complaints line: 0800 347 774 (toll free)",
            ),
            level=2,
        ),
        S(
            "2. Message from the Head of Department",
            "The 2008/09 year was one of preparation. The Department opened no new centres, but "
            "it laid the foundations for the services citizens will see over the next five "
            "years. The one-stop centre at Kwaggasrand completed its first full year and served "
            "21 480 citizens. A delegation led by the Chief Director: Municipal Support visited "
            "Canada in September 2008 and returned with practical recommendations on one-stop "
            "centres, mobile service units and electronic file management, which the Executive "
            "Management Committee accepted in November 2008.",
            "The Department also recognised that its most valuable asset is the knowledge of its "
            "people. A Knowledge Management Steering Committee was established in March 2009 to "
            "oversee a departmental knowledge management strategy.",
            "Spending reached 97.2% of the adjusted appropriation. I thank the staff of the "
            "Department for their commitment.",
            L("Head of Department", "31 August 2009"),
            level=2,
        ),
        S(
            "3. Organisational structure",
            T(
                ("Unit", "Head of unit"),
                ("Knowledge Management", "Dr T. Mokoena, Chief Director"),
                ("Municipal Support", "Mr D. Mahlangu, Chief Director"),
                ("Records Management", "Mr P. van der Merwe, Director"),
                ("Information and Communication Technology", "Mr S. Ndlovu, Director"),
                ("Legal Services", "Adv. N. Khumalo, Director"),
                ("Monitoring and Evaluation", "Ms A. Patel, Director"),
                ("Service Delivery Innovation", "Ms L. Dlamini, Deputy Director (acting head)"),
                ("Human Resource Development", "Mr K. Molefe, Deputy Director"),
                ("Communications", "Ms G. Mthembu, Deputy Director"),
                caption="Table 1: Units and heads of units at 31 March 2009",
            ),
            level=2,
        ),
        S(
            "Part B: Programme performance",
            "The Department delivers its mandate through four budget programmes. This part "
            "reports on the main outputs of each programme against the targets in the 2008/09 "
            "annual performance plan.",
            new_page=True,
        ),
        S(
            "4. Programme 1: Administration",
            "Records Management completed the review of the departmental file plan, first "
            "approved in 2003, and obtained disposal authority PA/HN/2008/14 from the Provincial "
            "Archives in November 2008 for general correspondence. No records were destroyed in "
            "2008/09 because the basement registry inventory was incomplete; an estimated 4 100 "
            "paper files are stored in the basement of the Tshwane Building, many of them dating "
            "from 1998 to 2004. ICT replaced 140 desktop computers and connected the Kwaggasrand "
            "centre to the provincial network.",
            level=2,
        ),
        S(
            "5. Programme 2: Service Delivery Innovation",
            "The Kwaggasrand one-stop centre served 21 480 citizens in 2008/09, an average of "
            "87 per working day. Five departments and the municipality offered services at the "
            "centre. The citizen complaints management system (CCMS) was introduced in July 2008 "
            "and replaced the separate complaints spreadsheets of the units.",
            T(
                ("Indicator", "Target 2008/09", "Actual 2008/09"),
                ("Citizens served at one-stop centres", "18 000", "21 480"),
                ("Complaints registered on the CCMS", "n/a (new)", "4 812"),
                ("Complaints resolved within 30 days", "80%", "87%"),
                ("Study tour reports submitted", "1", "1 (Canada)"),
                ("Service standards published at centres", "1 centre", "0"),
                caption="Table 2: Programme 2 performance indicators",
            ),
            "The target for published service standards was not met because the standards are "
            "being revised in line with the recommendations of the Canada study tour.",
            level=2,
        ),
        S(
            "6. Programme 3: Municipal Support",
            "Municipal Support assisted eleven municipalities with service delivery improvement "
            "plans and led the study tour to Canada (14–23 September 2008). Two municipalities, "
            "Lekgalong and Sefateng, agreed to host pilot one-stop centres from 2009/10. "
            "Planning started for mobile service units for rural wards, as recommended by the "
            "study tour.",
            new_page=True,
            level=2,
        ),
        S(
            "7. Programme 4: Knowledge and Information Management",
            "The Chief Directorate: Knowledge Management drafted the Department's first "
            "knowledge management strategy in January to March 2009. The draft was tabled at the "
            "first meeting of the KM Steering Committee on 11 March 2009, chaired by Dr T. "
            "Mokoena; approval is expected in the first quarter of 2009/10. The library answered "
            "1 236 information requests and catalogued 418 new items, including the Canada study "
            "tour report.",
            T(
                ("Indicator", "Target 2008/09", "Actual 2008/09"),
                ("KM strategy drafted", "Draft by March 2009", "Achieved"),
                ("KM steering committee established", "By March 2009", "Achieved (11 March 2009)"),
                ("Information requests answered", "1 000", "1 236"),
                caption="Table 3: Programme 4 performance indicators",
            ),
            level=2,
        ),
        S(
            "Part C: Human resources",
            "At 31 March 2009 the Department had 412 approved posts, of which 371 were filled "
            "(vacancy rate 10.0%). Twenty-seven employees left the Department during the year. "
            "Only nine exit interviews were conducted, and the Human Resource Development unit "
            "(Mr K. Molefe) has been asked to make exit interviews compulsory for senior managers "
            "and employees with scarce skills.",
            T(
                ("Category", "Number"),
                ("Approved posts", "412"),
                ("Filled posts", "371"),
                ("Employees who left", "27"),
                ("Exit interviews conducted", "9"),
                ("Employees trained", "238"),
                caption="Table 4: Staff establishment and movement, 2008/09",
            ),
            new_page=True,
        ),
        S(
            "Part D: Financial information",
            T(
                ("Programme", "Adjusted budget (R million)", "Spent (R million)", "Spent (%)"),
                ("1. Administration", "96.8", "95.1", "98.2"),
                ("2. Service Delivery Innovation", "71.5", "68.2", "95.4"),
                ("3. Municipal Support", "92.3", "89.7", "97.2"),
                ("4. Knowledge and Information Management", "25.8", "25.3", "98.1"),
                ("Total", "286.4", "278.3", "97.2"),
                caption="Table 5: Expenditure per programme, 2008/09",
            ),
            "Under-spending in Programme 2 is explained by the delay in procuring furniture for "
            "the planned one-stop centres.",
            new_page=True,
        ),
    ),
)

ANNUAL_REPORT_2012_13 = Document(
    meta=Meta(
        file="reports/annual-report-2012-13.pdf",
        reference="DGPSI/ME/2013/001",
        title="Annual Report 2012/13",
        type="report",
        date=d(2013, 8, 30),
        author="Ayesha Patel",
        location=office("2-14 Library", "L1", "2"),
        keywords="annual report; performance; 2012/13; mobile service units; EDRMS",
    ),
    header="DGPSI — Annual Report 2012/13",
    footer="Department of Governance and Public Service Innovation",
    cover_page=True,
    front=(
        L(
            DEPARTMENT,
            PROVINCE,
            "for the financial year ended 31 March 2013",
            "",
            "Compiled by: Ms Ayesha Patel, Director: M&E",
            "Published: 30 August 2013",
            "Reference: DGPSI/ME/2013/001",
        ),
    ),
    sections=(
        S("Part A: General information", new_page=True),
        S(
            "1. Message from the Head of Department",
            "Five years ago a small delegation returned from Canada with the idea that the "
            "Department should take services to the people. In 2012/13 four mobile service units "
            "visited rural wards on 214 service days and served 38 600 citizens. The electronic "
            "document and records management system (EDRMS) now runs in nine of the twelve "
            "head office units, and six communities of practice meet regularly.",
            "The year also reminded us how fragile institutional knowledge is. Several "
            "experienced managers will reach retirement age in the next five years, and the "
            "Department has started a mentoring programme to make sure their knowledge stays "
            "with us.",
            L("Head of Department", "30 August 2013"),
            level=2,
        ),
        S(
            "2. Strategic overview",
            "The year 2012/13 was the fourth year of the Knowledge Management Strategy "
            "2009–2014, approved by the KM Steering Committee on 17 June 2009, and the third year "
            "of the five-year strategic plan. A new strategic plan will be tabled in 2014.",
            level=2,
        ),
        S(
            "Part B: Programme performance",
            new_page=True,
        ),
        S(
            "3. Programme 1: Administration",
            "The EDRMS rollout continued after the pilot closed in June 2011. By 31 March 2013 "
            "the system was live in nine of twelve head office units, with 512 active user "
            "accounts. Records Management destroyed 1 460 ephemeral files under disposal "
            "authority PA/HN/2008/14 and transferred 38 boxes to the DGPSI Records Depot. The "
            "basement registry still holds about 2 300 files from 1998 to 2004 that await a "
            "separate disposal authority.",
            T(
                ("Indicator", "Target 2012/13", "Actual 2012/13"),
                ("Head office units live on EDRMS", "12", "9"),
                ("Staff trained on EDRMS", "450", "391"),
                ("Files disposed of under a valid authority", "1 000", "1 460"),
                caption="Table 1: Programme 1 selected indicators",
            ),
            "The EDRMS target was not met because the Municipal Support, Communications and "
            "Human Resource Development units could not be migrated before the financial "
            "year-end; their migration is scheduled for 2013/14.",
            level=2,
        ),
        S(
            "4. Programme 2: Service Delivery Innovation",
            "Two mobile service units started in October 2010 (Lekgalong and Marula Heights) "
            "and two more in July 2012 (Sefateng and Mooiwater). Each unit is a converted bus "
            "with two service counters, a generator and a satellite link, staffed by officials "
            "of the Department and of partner departments.",
            T(
                ("Indicator", "Target 2012/13", "Actual 2012/13"),
                ("Mobile service units operating", "4", "4"),
                ("Service days", "220", "214"),
                ("Citizens served by mobile units", "35 000", "38 600"),
                ("Complaints registered on the CCMS (all channels)", "6 000", "6 150"),
                ("Complaints resolved within 30 days", "90%", "91%"),
                ("Citizen satisfaction (exit survey)", "80%", "84%"),
                caption="Table 2: Programme 2 performance indicators",
            ),
            "A full account is given in the Mobile Service Delivery Project Report (June 2013) "
            "prepared by Ms L. Dlamini, Deputy Director: Service Delivery Innovation.",
            level=2,
            new_page=True,
        ),
        S(
            "5. Programme 3: Municipal Support",
            "Municipal Support, under Mr D. Mahlangu, supported fourteen municipalities with "
            "service delivery improvement plans and coordinated the schedules of the mobile "
            "units with ward councillors. The one-stop centres at Kwaggasrand, Lekgalong and "
            "Sefateng together served 68 920 citizens.",
            level=2,
        ),
        S(
            "6. Programme 4: Knowledge and Information Management",
            "Six communities of practice met at least quarterly: Records and Information, "
            "Service Delivery, M&E Practitioners, Legal Drafting, ICT Champions and Municipal "
            "Support. The mentoring programme, run by HRD with Knowledge Management, had 24 "
            "active mentoring pairs. Since the 2011 study tour to Singapore every study tour "
            "report must be filed in the registry within 30 days; both reports due in 2012/13 "
            "were filed on time.",
            T(
                ("Indicator", "Target 2012/13", "Actual 2012/13"),
                ("Active communities of practice", "6", "6"),
                ("Active mentoring pairs", "20", "24"),
                ("Lessons-learnt reviews completed", "2", "1"),
                caption="Table 3: Programme 4 performance indicators",
            ),
            level=2,
            new_page=True,
        ),
        S(
            "Part C: Human resources",
            "At 31 March 2013 the Department had 436 approved posts, of which 398 were filled "
            "(vacancy rate 8.7%). Thirty-one employees left; exit interviews were held with 26 of "
            "them (84%), compared with nine out of 27 in 2008/09. An analysis by HRD shows that 17 "
            "of the Department's 41 senior managers will be eligible for retirement by 2019.",
            T(
                ("Category", "2008/09", "2012/13"),
                ("Approved posts", "412", "436"),
                ("Filled posts", "371", "398"),
                ("Employees who left", "27", "31"),
                ("Exit interviews conducted", "9", "26"),
                caption="Table 4: Staff establishment and movement",
            ),
            new_page=True,
        ),
        S(
            "Part D: Financial information",
            T(
                ("Programme", "Adjusted budget (R million)", "Spent (R million)", "Spent (%)"),
                ("1. Administration", "112.4", "111.0", "98.8"),
                ("2. Service Delivery Innovation", "94.6", "92.1", "97.4"),
                ("3. Municipal Support", "103.7", "101.9", "98.3"),
                ("4. Knowledge and Information Management", "31.2", "30.7", "98.4"),
                ("Total", "341.9", "335.7", "98.2"),
                caption="Table 5: Expenditure per programme, 2012/13",
            ),
            L(
                "Compiled by: Ms A. Patel",
                "Director: Monitoring and Evaluation",
            ),
        ),
    ),
)


# ==========================================================================
# Knowledge management strategy
# ==========================================================================

KM_STRATEGY = Document(
    meta=Meta(
        file="policies/km-strategy-2009-2014.pdf",
        reference="DGPSI/KM/2009/002",
        title="Knowledge Management Strategy 2009–2014",
        type="policy",
        date=d(2009, 6, 17),
        author="Dr T. Mokoena",
        location=office("3-02 Knowledge Management", "KM1", "1"),
        keywords="knowledge management; strategy; communities of practice; mentoring; knowledge audit",
    ),
    header="DGPSI — Knowledge Management Strategy 2009–2014",
    footer="Version 1.0 — approved 17 June 2009",
    cover_page=True,
    front=(
        L(
            DEPARTMENT,
            PROVINCE,
            "",
            "Version 1.0",
            "Prepared by: Dr Thandiwe Mokoena, Chief Director: Knowledge Management",
            "Assisted by: Ms Nomvula Sithole, Assistant Director: Knowledge Management",
            "Approved by the KM Steering Committee at its meeting of 17 June 2009",
            "Reference: DGPSI/KM/2009/002",
        ),
    ),
    sections=(
        S("1. Introduction", new_page=True),
        S(
            "1.1 Background",
            "The Department was established to help the province and its municipalities "
            "govern better and serve citizens more effectively. Almost everything it produces is "
            "knowledge: advice, plans, policies, reports and the experience of its staff. Yet "
            "the Department has never managed this knowledge deliberately. Documents are filed "
            "in personal folders, experience leaves with the people who retire or resign, and "
            "lessons from projects and study tours are seldom written down where others can "
            "find them.",
            "This strategy was drafted between January and April 2009 by the Chief Directorate: "
            "Knowledge Management after consultation with all units, and responds directly to "
            "recommendation R6 of the Report of the Study Tour to Canada (October 2008).",
            level=2,
        ),
        S(
            "1.2 Purpose",
            "The purpose of the strategy is to set out how, over five years, the Department "
            "will identify, capture, share and use its knowledge so that services to citizens "
            "improve and the Department does not lose what it has learnt.",
            level=2,
        ),
        S(
            "1.3 Definition",
            "For this strategy, knowledge management means the systematic way in which the "
            "Department makes sure that the right knowledge reaches the right people at the "
            "right time, and that knowledge created in one place is reused elsewhere. It covers "
            "both explicit knowledge (documents, records, data) and tacit knowledge (skills, "
            "experience and relationships).",
            level=2,
        ),
        S("2. Situation analysis", new_page=True),
        S(
            "2.1 Findings of the consultation",
            "Between January and March 2009 the KM team held 14 consultation sessions with 126 "
            "staff members. The main findings were:",
            B(
                "Twenty-seven employees left the Department in 2008/09, but only nine exit "
                "interviews were held; no knowledge handover is required when people leave.",
                "Critical knowledge is concentrated in a few people. The management of paper and "
                "electronic records, for example, depends almost entirely on the Director: "
                "Records Management, Mr P. van der Merwe, and one registry clerk.",
                "An estimated 4 100 paper files are kept in the basement registry of the Tshwane "
                "Building. Staff do not know what is there, so the same information is often "
                "collected again.",
                "Study tours produce reports, but the reports are not shared and the recommendations are not tracked.",
                "There is no intranet search and no register of the Department's documents.",
            ),
            level=2,
        ),
        S(
            "2.2 Strengths to build on",
            "The Department has a functioning library and registry, an information officer "
            "(Ms J. Pretorius) who already keeps a partial document register, an ICT unit that is "
            "planning an electronic document and records management system, and managers who "
            "support the idea of learning from one another.",
            level=2,
        ),
        S(
            "3. Vision, mission and principles",
            "Vision: A Department that learns, where knowledge flows freely to improve service "
            "to the people of Highveld North.",
            "Mission: To connect people with the knowledge they need, to capture what the "
            "Department learns, and to protect its institutional memory.",
            "Principles:",
            B(
                "Knowledge is a shared departmental asset, not the property of a unit or person.",
                "Knowledge management is part of everybody's work, led by managers.",
                "Start small, show results, then scale.",
                "Respect the law on records, access to information and privacy.",
            ),
            new_page=True,
        ),
        S(
            "4. Strategic pillars",
            "The strategy rests on four pillars. Each pillar has an owner who reports to the KM Steering Committee.",
            new_page=True,
        ),
        S(
            "4.1 People",
            "Communities of practice will be established around the Department's core "
            "disciplines, starting with records and information, service delivery and "
            "monitoring and evaluation. A mentoring programme, led by HRD (Mr K. Molefe), will "
            "pair experienced staff with younger colleagues, with priority for scarce skills. "
            "Exit interviews will become compulsory for senior managers and scarce-skills "
            "posts and will include a knowledge handover checklist.",
            level=2,
        ),
        S(
            "4.2 Process",
            "A baseline knowledge audit will be completed in 2009/10 and repeated within five "
            "years. Every project costing more than R1 million will hold a lessons-learnt "
            "review at close-out. Every study tour will produce a report, filed in the registry "
            "and summarised for staff, with recommendations tracked by the Steering Committee.",
            level=2,
        ),
        S(
            "4.3 Content",
            "The library will maintain a register of all departmental documents, with their "
            "reference, location and custodian, and will develop an intranet knowledge portal. "
            "The records management policy of 2005 will be revised to cover electronic records.",
            level=2,
        ),
        S(
            "4.4 Technology",
            "ICT (Mr S. Ndlovu) and Records Management will pilot an electronic document and "
            "records management system (EDRMS) in 2010/11 and roll it out to all head office "
            "units thereafter. The intranet will be upgraded with a search function.",
            level=2,
        ),
        S(
            "5. Implementation plan and targets",
            T(
                ("Output", "Owner", "Target", "Date"),
                ("Communities of practice", "KM", "3 active; 6 active", "March 2010; March 2012"),
                ("Baseline knowledge audit", "KM", "Report approved", "December 2009"),
                ("Mentoring programme", "HRD", "20 active pairs", "March 2012"),
                ("Exit interviews with handover", "HRD", "100% of SMS and scarce skills", "From 2010/11"),
                ("Records management policy revised", "Records Management", "Policy approved", "March 2010"),
                ("EDRMS pilot", "ICT / Records Management", "Pilot closed and evaluated", "June 2011"),
                ("EDRMS in all head office units", "ICT / Records Management", "12 of 12 units", "March 2013"),
                ("Document register", "Library", "All new documents registered", "From 2010"),
                ("Management workshop on KM", "KM", "Held", "March 2010"),
                caption="Table 1: Key outputs, owners and targets",
            ),
            "Budget: R2.4 million over five years, of which R0.9 million is for the knowledge "
            "audits and R0.6 million for the intranet knowledge portal. EDRMS costs are carried "
            "in the ICT budget.",
            new_page=True,
        ),
        S(
            "6. Governance, monitoring and review",
            "The KM Steering Committee, chaired by the Chief Director: Knowledge Management, "
            "oversees the strategy. Its members are the heads of Records Management, ICT, Legal "
            "Services, HRD, Monitoring and Evaluation, Service Delivery Innovation and Municipal "
            "Support, and the information officer. It meets at least three times a year. The "
            "Assistant Director: Knowledge Management is its secretariat.",
            "Progress will be reported in the annual report under Programme 4. The strategy "
            "will be reviewed in 2013/14 and replaced by a new strategy for 2014–2019.",
            new_page=True,
        ),
        S(
            "7. Approval",
            "This strategy was approved by the KM Steering Committee at its meeting of 17 June 2009.",
            L(
                "Signed: T. Mokoena",
                "Dr T. Mokoena",
                "Chief Director: Knowledge Management",
                "Chairperson: KM Steering Committee",
                "Date: 17 June 2009",
            ),
        ),
    ),
)


# ==========================================================================
# Project reports
# ==========================================================================

EDRMS_CLOSE_OUT = Document(
    meta=Meta(
        file="reports/edrms-pilot-close-out-report-2011.pdf",
        reference="DGPSI/RM/2011/006",
        title="EDRMS Pilot Project: Close-out Report",
        type="report",
        date=d(2011, 9, 29),
        author="P. van der Merwe; S. Ndlovu",
        location=registry("C2", "3"),
        keywords="EDRMS; electronic records; pilot; close-out; file plan; scanning",
    ),
    header="DGPSI — EDRMS Pilot Project Close-out Report 2011",
    footer="Ref. DGPSI/RM/2011/006",
    front=(
        L(
            "Pilot period: 1 June 2010 – 30 June 2011",
            "Prepared by: Mr P. van der Merwe, Director: Records Management (project sponsor)",
            "and Mr S. Ndlovu, Director: ICT (technical lead)",
            "Project administrator: Ms J. Pretorius",
            "Date: 29 September 2011",
        ),
    ),
    sections=(
        S(
            "1. Background",
            "The electronic document and records management system (EDRMS) pilot responds to "
            "recommendation R4 of the 2008 study tour to Canada and to the Technology pillar of "
            "the Knowledge Management Strategy 2009–2014. The Records Management Policy of 2010 "
            "provides the policy basis for electronic records. The pilot ran for thirteen "
            "months in four units: Knowledge Management, Records Management, Legal Services and "
            "Monitoring and Evaluation.",
        ),
        S(
            "2. Objectives",
            N(
                "Test whether staff will file documents electronically against the file plan.",
                "Test the technical platform on the departmental network and at one district office.",
                "Scan the active paper files of the pilot units.",
                "Establish the cost and effort of a department-wide rollout.",
            ),
        ),
        S(
            "3. Results",
            T(
                ("Measure", "Target", "Result"),
                ("Users trained", "140", "146"),
                ("Users active weekly at close", "75%", "62%"),
                ("Documents captured", "15 000", "21 340"),
                ("Paper files scanned", "2 500", "2 150"),
                ("System availability", "98%", "97.1%"),
                ("Budget (R million)", "3.40", "3.12 spent"),
                caption="Table 1: Pilot results against targets",
            ),
            "Legal Services had the highest use: 81% of its users filed at least one document a "
            "week by the end of the pilot. Monitoring and Evaluation had the lowest (44%), mainly "
            "because performance data is kept in spreadsheets outside the system.",
        ),
        S(
            "4. Issues encountered",
            "4.1 File plan. The 2003 file plan has 1 180 subject sub-files, many of them no "
            "longer used. Staff found it difficult to choose the right file. A simplified "
            "electronic file plan of 640 sub-files was introduced in January 2011 and "
            "improved filing rates.",
            "4.2 Scanning backlog. Scanning was slower than planned because many files in the "
            "basement registry had damaged or stapled pages. Mr J. Botha of the registry "
            "prepared all files for scanning by hand.",
            "4.3 Network. The district office link was too slow for documents above 5 MB; the "
            "district office was withdrawn from the pilot in March 2011.",
            "4.4 Dependence on key people. Configuration of the classification scheme and "
            "the retention rules was done almost entirely by the Director: Records Management. "
            "This knowledge must be documented before rollout.",
        ),
        S(
            "5. Recommendations",
            N(
                "Roll the EDRMS out to all twelve head office units in two phases between "
                "October 2011 and March 2013, for about 600 users.",
                "Appoint a records champion in each unit before it goes live.",
                "Adopt the simplified electronic file plan and submit it to the Provincial Archives for approval.",
                "Document the classification scheme and retention configuration (Records "
                "Management, by December 2011).",
                "Upgrade district office links before including districts.",
                "Hold a lessons-learnt review when the rollout is complete.",
            ),
            L(
                "Signed: P. van der Merwe, Director: Records Management",
                "Signed: S. Ndlovu, Director: ICT",
                "29 September 2011",
            ),
        ),
    ),
)

MOBILE_REPORT_2013 = Document(
    meta=Meta(
        file="reports/mobile-service-delivery-project-report-2013.pdf",
        reference="DGPSI/SDI/2013/007",
        title="Mobile Service Delivery Project Report 2013",
        type="report",
        date=d(2013, 6, 28),
        author="L. Dlamini",
        location=registry("C3", "2"),
        keywords="mobile service units; service delivery; rural wards; Mobile Counter app",
    ),
    header="DGPSI — Mobile Service Delivery Project Report, June 2013",
    footer="Ref. DGPSI/SDI/2013/007",
    front=(
        L(
            "Project period reported: October 2010 – March 2013",
            "Prepared by: Ms L. Dlamini, Deputy Director: Service Delivery Innovation (project manager)",
            "Submitted to: Mr D. Mahlangu, Chief Director: Municipal Support",
            "Date: 28 June 2013",
        ),
    ),
    sections=(
        S(
            "1. Introduction",
            "This report describes the results of the Department's mobile service units from "
            "their launch in October 2010 to 31 March 2013 and proposes next steps. The project "
            "implements recommendation R2 of the 2008 Canada study tour, which proposed "
            "scheduled outreach to rural wards modelled on what the delegation saw in Ottawa.",
        ),
        S(
            "2. How the mobile units work",
            "Each mobile service unit (MSU) is a converted 60-seat bus fitted with two service "
            "counters, a waiting area, a generator and a satellite link. A unit spends one or two "
            "days at a stop (a school, clinic or tribal office) and follows a monthly schedule "
            "agreed with the municipality and ward councillors. Officials of Home Affairs, the "
            "social security agency and the municipality work on the bus with a DGPSI "
            "coordinator.",
            "Since July 2012 the coordinators use the Mobile Counter app, developed by ICT under "
            "Mr S. Ndlovu, to register every visitor, log complaints into the citizen complaints "
            "management system (CCMS) and capture satisfaction ratings. The app works offline "
            "and synchronises when the satellite link is available.",
        ),
        S(
            "3. Results for 2012/13",
            T(
                (
                    "Unit",
                    "Municipality",
                    "Since",
                    "Service days",
                    "Citizens served",
                    "Complaints logged",
                    "Average wait",
                ),
                ("MSU-1", "Lekgalong", "Oct 2010", "61", "11 420", "612", "38 min"),
                ("MSU-2", "Marula Heights", "Oct 2010", "58", "10 960", "540", "41 min"),
                ("MSU-3", "Sefateng", "Jul 2012", "49", "8 830", "401", "46 min"),
                ("MSU-4", "Mooiwater", "Jul 2012", "46", "7 390", "355", "47 min"),
                ("Total", "", "", "214", "38 600", "1 908", "42 min"),
                caption="Table 1: Mobile service unit results, 1 April 2012 – 31 March 2013",
            ),
            "Since October 2010 the units have served 71 250 citizens in total. In an exit "
            "survey of 1 150 visitors, 84% were satisfied or very satisfied. The average wait "
            "of 42 minutes compares with about two hours and ten minutes at the fixed offices "
            "in the same municipalities.",
            "The cost per transaction was R118, against R74 at the one-stop centres. However, "
            "visitors saved an average of R85 in transport costs and most saved a day's work.",
        ),
        S(
            "4. Problems",
            B(
                "MSU-3 was off the road for 19 days in early 2013 because of gearbox failure; "
                "eleven scheduled service days were cancelled without notice to residents.",
                "Partner departments did not always send officials, especially on Fridays.",
                "Satellite connectivity failed on 9% of service days.",
                "Paper forms collected on the bus are still transported to head office and filed "
                "in the basement registry; they are not yet scanned into the EDRMS.",
            ),
        ),
        S(
            "5. Next steps",
            N(
                "Add two units in 2014/15: one for the rural wards of Kwaggasrand and one to be "
                "shared by Lekgalong and Marula Heights.",
                "Publish the monthly schedule by SMS and on community radio (Communications, Ms G. Mthembu).",
                "Sign service agreements with partner departments on staffing.",
                "Scan mobile unit forms into the EDRMS within five working days.",
                "Undertake a study visit to a country with low-cost rural service models (proposed: Rwanda, 2014).",
            ),
            L(
                "Signed: L. Dlamini",
                "Ms L. Dlamini",
                "Deputy Director: Service Delivery Innovation",
                "28 June 2013",
            ),
        ),
    ),
)


# ==========================================================================
# KM Steering Committee minutes
# ==========================================================================

ACTION_HEADER = ("No.", "Action", "Responsible", "Due date")


def minutes(
    *,
    file: str,
    reference: str,
    meeting: str,
    date: dt.date,
    venue: str,
    present: tuple[str, ...],
    apologies: tuple[str, ...],
    in_attendance: tuple[str, ...],
    items: tuple[Section, ...],
    actions: tuple[tuple[str, ...], ...],
    signed_date: str,
) -> Document:
    """Minutes of the KM Steering Committee, all in the same house style."""
    long_date = f"{date.day} {date:%B %Y}"
    return Document(
        meta=Meta(
            file=file,
            reference=reference,
            title=f"Minutes of the KM Steering Committee, {long_date}",
            type="minutes",
            date=date,
            author="N. Sithole",
            location=office("3-02 Knowledge Management", "KM1", "3"),
            keywords="KM steering committee; minutes; knowledge management",
        ),
        header=f"KM Steering Committee — Minutes of {long_date}",
        footer=f"Ref. {reference}",
        front=(
            L(
                f"Meeting {meeting}",
                f"Date: {long_date}",
                "Time: 10:00",
                f"Venue: {venue}",
                "Chairperson: Dr T. Mokoena, Chief Director: Knowledge Management",
                "Minutes taken by: Ms N. Sithole, Assistant Director: Knowledge Management",
            ),
        ),
        sections=(
            S("Attendance"),
            S("Present:", B(*present), level=2),
            S("Apologies:", B(*apologies), level=2),
            S("In attendance:", B(*in_attendance) if in_attendance else "None.", level=2),
            *items,
            S("Action items", T(ACTION_HEADER, *actions)),
            S(
                "Confirmation",
                L(
                    "Confirmed as a correct record.",
                    "Signed: T. Mokoena",
                    "Dr T. Mokoena, Chairperson",
                    f"Date: {signed_date}",
                ),
            ),
        ),
    )


MINUTES_2009_03 = minutes(
    file="minutes/km-steering-committee-2009-03-11.docx",
    reference="DGPSI/KM/2009/001",
    meeting="1/2009",
    date=d(2009, 3, 11),
    venue="Boardroom 3-01, Tshwane Building",
    present=(
        "Dr T. Mokoena, Chief Director: Knowledge Management (Chairperson)",
        "Mr D. Mahlangu, Chief Director: Municipal Support",
        "Mr P.J. van der Merwe, Director: Records Management",
        "Mr S. Ndlovu, Director: ICT",
        "Ms A. Patel, Director: Monitoring and Evaluation",
        "Mr K. Molefe, Deputy Director: HRD",
        "Ms J. Pretorius, Information Officer",
    ),
    apologies=(
        "Adv. N. Khumalo, Director: Legal Services",
        "Ms L. Dlamini, Deputy Director: Service Delivery Innovation (on leave)",
    ),
    in_attendance=("Ms N. Sithole, Assistant Director: Knowledge Management (secretariat)",),
    items=(
        S(
            "1. Opening and welcome",
            "The Chairperson welcomed members to the first meeting of the Knowledge Management "
            "Steering Committee. She explained that the committee was established to guide "
            "the development and implementation of the Department's first knowledge "
            "management strategy.",
        ),
        S(
            "2. Terms of reference",
            "The draft terms of reference were adopted with one amendment: the Director: Legal "
            "Services is added as a member. The quorum is half of the members plus one. The "
            "committee will meet at least three times a year.",
        ),
        S(
            "3. Draft KM strategy (version 0.3)",
            "Ms Sithole presented the results of the consultation: 14 sessions with 126 staff "
            "members between January and March 2009. Staff reported that they cannot find "
            "documents of other units and that knowledge leaves with people who resign.",
            "Mr van der Merwe cautioned that the Records Management Policy of 2005 requires "
            "electronic documents to be printed and filed, and must be revised before any "
            "electronic records system is introduced. Mr Ndlovu indicated that ICT will budget "
            "for an EDRMS pilot in 2010/11. Ms Patel asked that every target in the strategy be "
            "measurable so that it can be reported in the annual report. Mr Molefe supported "
            "compulsory exit interviews with a handover checklist.",
            "Resolved: Members submit written comments by 15 April 2009. The final draft is "
            "tabled for approval at the meeting of 17 June 2009.",
        ),
        S(
            "4. Report of the Study Tour to Canada",
            "Mr Mahlangu presented the seven recommendations of the study tour report "
            "(DGPSI/MS/2008/011). Recommendation R6 asks the Chief Director: Knowledge "
            "Management to develop a KM strategy that includes the capturing of study tour "
            "learnings. Members agreed that the report be placed in the library and the "
            "registry and presented at the next management meeting.",
        ),
        S(
            "5. Knowledge audit",
            "The committee agreed that a baseline knowledge audit be conducted between "
            "September and November 2009. Ms Sithole will draft the questionnaire.",
        ),
        S(
            "6. General",
            "Ms Pretorius reported that the document register holds 1 870 entries, almost all "
            "for paper documents, and that most units do not send copies of their reports to "
            "the library.",
        ),
        S("7. Next meeting", "17 June 2009 at 10:00."),
    ),
    actions=(
        ("1", "Submit written comments on draft KM strategy v0.3", "All members", "15 April 2009"),
        ("2", "Final draft KM strategy for approval", "Dr Mokoena / Ms Sithole", "17 June 2009"),
        ("3", "Draft knowledge audit questionnaire", "Ms N. Sithole", "31 July 2009"),
        ("4", "Proposal on revision of Records Management Policy 2005", "P. vd Merwe", "17 June 2009"),
    ),
    signed_date="17 June 2009",
)

MINUTES_2009_06 = minutes(
    file="minutes/km-steering-committee-2009-06-17.docx",
    reference="DGPSI/KM/2009/003",
    meeting="2/2009",
    date=d(2009, 6, 17),
    venue="Boardroom 3-01, Tshwane Building",
    present=(
        "Dr Thandiwe Mokoena, Chief Director: KM (Chairperson)",
        "Adv. Naledi Khumalo, Director: Legal Services",
        "Mr Pieter van der Merwe, Director: Records Management",
        "Mr Sipho Ndlovu, Director: ICT",
        "Ms Lerato Dlamini, Deputy Director: Service Delivery Innovation",
        "Mr Kabelo Molefe, Deputy Director: HRD",
        "Ms Johanna Pretorius, Information Officer",
    ),
    apologies=(
        "Ms Ayesha Patel, Director: M&E (Provincial Treasury meeting)",
        "Mr David Mahlangu, Chief Director: Municipal Support",
    ),
    in_attendance=("Ms Nomvula Sithole, Assistant Director: KM (secretariat)",),
    items=(
        S(
            "1. Opening",
            "The Chairperson opened the meeting at 10:05. The minutes of 11 March 2009 were "
            "confirmed without amendment.",
        ),
        S(
            "2. Matters arising",
            "Written comments on the draft strategy were received from nine units. Adv. "
            "Khumalo's comments on access to information and the protection of personal "
            "information have been incorporated in section 3 (principles) and section 4.3.",
        ),
        S(
            "3. Knowledge Management Strategy 2009–2014 (version 1.0)",
            "Dr Mokoena presented version 1.0 of the strategy, with four pillars (people, "
            "process, content and technology), an implementation plan with targets, and a "
            "budget of R2.4 million over five years. Adv. Khumalo confirmed that the strategy "
            "complies with the records and access to information legislation. Mr Ndlovu "
            "confirmed that the EDRMS pilot is included in the ICT budget bid for 2010/11.",
            "Resolved: The Knowledge Management Strategy 2009–2014 (version 1.0) is approved. "
            "The Chairperson will table it at the Executive Management Committee for noting.",
        ),
        S(
            "4. Communities of practice",
            "The committee agreed to start three communities of practice before the end of 2009: "
            "Records and Information (convenor: Ms Pretorius), Service Delivery (convenor: Ms "
            "Dlamini) and M&E Practitioners (convenor: Ms Patel, to be confirmed).",
        ),
        S(
            "5. Management workshop",
            "A two-day management workshop on knowledge management will be held in March 2010. "
            "Knowledge Management will approach a university to provide an external facilitator.",
        ),
        S(
            "6. Revision of the Records Management Policy",
            "Mr van der Merwe will prepare a revised records management policy covering "
            "electronic records by November 2009. Legal Services will vet the draft.",
        ),
        S("7. Next meeting", "To be confirmed; provisionally early February 2010."),
    ),
    actions=(
        ("1", "Table approved KM strategy at EXCO for noting", "Dr T. Mokoena", "6 July 2009"),
        ("2", "Establish three communities of practice", "Convenors / KM", "December 2009"),
        ("3", "Appoint external facilitator for management workshop", "Ms N. Sithole", "November 2009"),
        ("4", "Draft revised Records Management Policy", "Mr P. van der Merwe", "November 2009"),
        ("5", "Legal vetting of revised policy", "Adv. N. Khumalo", "January 2010"),
    ),
    signed_date="9 February 2010",
)

MINUTES_2010_02 = minutes(
    file="minutes/km-steering-committee-2010-02-09.docx",
    reference="DGPSI/KM/2010/001",
    meeting="1/2010",
    date=d(2010, 2, 9),
    venue="Boardroom 3-01, Tshwane Building",
    present=(
        "Dr T. Mokoena (Chairperson)",
        "Mr D. Mahlangu",
        "Mr P. van der Merwe",
        "Adv. N. Khumalo",
        "Ms A. Patel",
        "Ms L. Dlamini",
        "Mr K. Molefe",
        "Mrs J. Pretorius",
    ),
    apologies=("Mr S. Ndlovu (EDRMS tender evaluation committee)",),
    in_attendance=(
        "Ms N. Sithole (secretariat)",
        "Ms G. Mthembu, Deputy Director: Communications (item 5)",
    ),
    items=(
        S(
            "1. Opening and confirmation of minutes",
            "The minutes of 17 June 2009 were confirmed. The Chairperson reported that the "
            "Executive Management Committee noted the approved KM strategy on 6 July 2009.",
        ),
        S(
            "2. Communities of practice",
            "Three communities of practice have been launched: Records and Information (first "
            "meeting 12 November 2009), Service Delivery (20 November 2009) and M&E Practitioners "
            "(3 December 2009). Attendance averaged 14 members per meeting. Adv. Khumalo "
            "proposed a Legal Drafting community of practice for later in 2010.",
        ),
        S(
            "3. Baseline knowledge audit",
            "Ms Sithole reported that the baseline knowledge audit was completed in December "
            "2009 with 156 respondents. The main finding is that 61% of staff cannot easily find "
            "documents produced by other units. The report (DGPSI/KM/2009/009) is available in "
            "paper form from the library.",
        ),
        S(
            "4. Records Management Policy 2010 and EDRMS pilot",
            "Mr van der Merwe reported that the revised policy has been vetted by Legal "
            "Services and will be submitted for approval in March 2010. Once approved it will "
            "supersede the 2005 policy. The EDRMS tender is being evaluated; the pilot is "
            "planned to start in June 2010 in four units: Knowledge Management, Records "
            "Management, Legal Services and Monitoring and Evaluation.",
        ),
        S(
            "5. Management workshop, 23–24 March 2010",
            "The workshop will be held at the Kwalata Conference Centre. Prof. M. Venter of the "
            "School of Public Management, University of the Highveld, has agreed to facilitate. "
            "Dr Mokoena will present 'Knowledge Management: why it matters'. Ms Mthembu will "
            "send the invitations and prepare an article for the intranet.",
        ),
        S(
            "6. Mentoring",
            "Mr Molefe reported that draft mentoring guidelines are ready and that eight "
            "mentoring pairs will start as a pilot in April 2010.",
        ),
        S("7. Next meeting", "June 2010, date to be confirmed."),
    ),
    actions=(
        ("1", "Submit Records Management Policy 2010 for approval", "Mr P. van der Merwe", "March 2010"),
        ("2", "Workshop invitations and intranet article", "Ms G. Mthembu", "1 March 2010"),
        ("3", "Workshop programme and speakers", "Ms N. Sithole", "26 February 2010"),
        ("4", "Start mentoring pilot (8 pairs)", "Mr K. Molefe", "April 2010"),
    ),
    signed_date="15 June 2010",
)

MINUTES_2013_11 = minutes(
    file="minutes/km-steering-committee-2013-11-20.docx",
    reference="DGPSI/KM/2013/005",
    meeting="3/2013",
    date=d(2013, 11, 20),
    venue="Boardroom 3-01, Tshwane Building",
    present=(
        "Dr T. Mokoena, Chief Director: Knowledge Management (Chairperson)",
        "Mr D. Mahlangu, Chief Director: Municipal Support",
        "Mr P. van der Merwe, Director: Records Management",
        "Mr S. Ndlovu, Director: ICT",
        "Adv N. Khumalo, Director: Legal Services",
        "Ms A. Patel, Director: M&E",
        "Ms L. Dlamini, Deputy Director: Service Delivery Innovation",
        "Mr K. Molefe, Deputy Director: HRD",
        "Ms J. Pretorius, Information Officer",
    ),
    apologies=("Ms G. Mthembu, Deputy Director: Communications",),
    in_attendance=("Ms N. Sithole, Assistant Director: KM (secretariat)",),
    items=(
        S(
            "1. Opening",
            "The Chairperson noted that this is the last meeting before the KM Strategy "
            "2009–2014 enters its final year.",
        ),
        S(
            "2. Review of the KM Strategy 2009–2014",
            T(
                ("Target", "Status at 31 October 2013"),
                ("6 communities of practice by March 2012", "Achieved: 6 active"),
                ("20 mentoring pairs by March 2012", "Achieved: 24 pairs"),
                (
                    "EDRMS in 12 of 12 head office units by March 2013",
                    "Not achieved: 9 of 12; 11 expected by March 2014",
                ),
                ("100% exit interviews for SMS", "Achieved in 2012/13"),
                ("Second knowledge audit", "Planned for 2015"),
            ),
            "Resolved: Drafting of the KM Strategy 2014–2019 starts in January 2014.",
        ),
        S(
            "3. EDRMS rollout",
            "Mr Ndlovu reported that Municipal Support cannot go live until the district links "
            "are upgraded. Members agreed that a lessons-learnt review of the rollout be held "
            "once the remaining units are live, as required by the strategy for projects above "
            "R1 million. Ms Sithole will facilitate; report due May 2014.",
        ),
        S(
            "4. Mobile service delivery",
            "Ms Dlamini presented the Mobile Service Delivery Project Report of June 2013. The "
            "committee supported a study visit to Rwanda in 2014 and asked that the report of "
            "the visit be filed within 30 days.",
        ),
        S(
            "5. Knowledge retention",
            "Mr Molefe reported that 17 of the Department's 41 senior managers will be eligible "
            "for retirement by 2019. Mr van der Merwe informed the committee that he intends to "
            "retire in 2019. He offered to document the records disposal procedures and the "
            "EDRMS retention configuration. The committee asked HRD to pair him with a "
            "successor through the mentoring programme; Ms Pretorius was nominated.",
        ),
        S("6. Next meeting", "February 2014."),
    ),
    actions=(
        ("1", "Facilitate EDRMS lessons-learnt review", "Ms N. Sithole", "May 2014"),
        ("2", "Start drafting KM Strategy 2014–2019", "Dr T. Mokoena", "January 2014"),
        (
            "3",
            "Mentoring pair for records disposal knowledge",
            "Mr K. Molefe / P. vd Merwe / J. Pretorius",
            "March 2014",
        ),
        ("4", "Document disposal procedures and retention configuration", "P. vd Merwe", "June 2014"),
    ),
    signed_date="19 February 2014",
)


# ==========================================================================
# Records management policies
# ==========================================================================

RM_POLICY_2005 = Document(
    meta=Meta(
        file="policies/records-management-policy-2005.docx",
        reference="DGPSI/RM/2005/001",
        title="Records Management Policy (2005)",
        type="policy",
        date=d(2005, 6, 24),
        author="P.J. van der Merwe",
        location=registry("C1", "1"),
        keywords="records management; policy; registry; file plan; disposal",
    ),
    header="DGPSI — Records Management Policy, 2005",
    footer="Ref. DGPSI/RM/2005/001",
    front=(
        L(
            "Version 1.0",
            "Effective date: 1 July 2005",
            "Policy owner: Records Management",
            "Compiled by: Mr P.J. van der Merwe, Deputy Director: Records Management",
        ),
    ),
    sections=(
        S(
            "1. Purpose",
            "This policy sets out how the Department creates, files, stores, protects and "
            "disposes of its records, so that the records are reliable, can be found when "
            "needed and are kept only as long as the law requires.",
        ),
        S(
            "2. Scope",
            "The policy applies to all employees and to all records of the Department, in "
            "whatever form. In practice the Department's records are mainly paper files kept "
            "in the central registry in the basement of the Tshwane Building.",
        ),
        S(
            "3. Regulatory framework",
            "The policy is issued in terms of the provincial archives legislation, which "
            "requires every provincial department to manage its records according to a file "
            "plan approved by the Provincial Archivist, and to destroy or transfer records only "
            "with the written authority of the Provincial Archives.",
        ),
        S(
            "4. Responsibilities",
            B(
                "The Head of Department is accountable for records management.",
                "The Deputy Director: Records Management is the designated records manager and "
                "maintains the file plan.",
                "Registry staff open, file, track and store files.",
                "Every employee must file records on the correct file and return borrowed files.",
            ),
        ),
        S(
            "5. File plan",
            "The departmental file plan approved in 2003 is the only classification scheme to "
            "be used. Every file has a number from the file plan (for example 2/3/1/4) and a "
            "title. No unit may open its own files outside the file plan.",
        ),
        S(
            "6. Registry procedures",
            "6.1 Files are opened only by registry staff on written request from a manager.",
            "6.2 A file leaving the registry must be recorded on a file movement card. Files "
            "must be returned within 30 days.",
            "6.3 A file volume is closed when it is 5 cm thick or five years old, and a new volume is opened.",
            "6.4 Closed volumes are stored on the shelving bays of the basement store in file-plan order.",
        ),
        S(
            "7. Electronic documents",
            "Documents created on computers, including e-mail messages that are records, must "
            "be printed and placed on the correct paper file. The printed copy is the official "
            "record. Personal drives and e-mail folders are not records systems.",
        ),
        S(
            "8. Access and security",
            "Registry is open from 07:30 to 16:00. Only registry staff may enter the basement "
            "store. Personnel files and files marked confidential are kept in locked cabinets.",
        ),
        S(
            "9. Disposal",
            "No record may be destroyed, removed or transferred without a written disposal "
            "authority issued by the Provincial Archives. Destruction must be recorded in a "
            "destruction register signed by the records manager.",
        ),
        S(
            "10. Review",
            "This policy will be reviewed within five years of its effective date.",
            L(
                "Recommended: P.J. van der Merwe, Deputy Director: Records Management",
                "Approved: Head of Department",
                "Date: 24 June 2005",
            ),
        ),
    ),
)

RM_POLICY_2010 = Document(
    meta=Meta(
        file="policies/records-management-policy-2010.docx",
        reference="DGPSI/RM/2010/002",
        title="Records Management Policy 2010",
        type="policy",
        date=d(2010, 3, 26),
        author="Pieter van der Merwe",
        location=registry("C1", "1"),
        supersedes="DGPSI/RM/2005/001",
        keywords="records management; policy; electronic records; EDRMS; e-mail; disposal",
    ),
    header="DGPSI — Records Management Policy 2010",
    footer="Ref. DGPSI/RM/2010/002",
    front=(
        L(
            "Version 2.0",
            "Approved: 26 March 2010",
            "Effective date: 1 April 2010",
            "Compiled by: Mr P. van der Merwe, Director: Records Management",
            "Legal vetting: Adv. N. Khumalo, Director: Legal Services (18 February 2010)",
        ),
    ),
    sections=(
        S(
            "1. Purpose",
            "This policy governs the management of all records of the Department, paper and "
            "electronic, throughout their life: creation, capture, classification, use, storage, "
            "access and disposal.",
        ),
        S(
            "2. Status of this policy",
            "This policy supersedes the Records Management Policy of 2005 (reference "
            "DGPSI/RM/2005/001), which is withdrawn from 1 April 2010. In particular, the rule "
            "in the 2005 policy that electronic documents must be printed and filed on paper "
            "no longer applies to units that use the electronic document and records management "
            "system (EDRMS).",
        ),
        S(
            "3. Scope",
            "The policy applies to all employees, contractors and consultants, and to records in "
            "any format: paper files, electronic documents, e-mail, scanned images, databases, "
            "photographs and audio-visual material.",
        ),
        S(
            "4. Principles",
            B(
                "A record is captured once, in the right place, at the time it is created or received.",
                "Every record is classified against the approved file plan.",
                "Records are kept for as long as the disposal authority requires, and no longer.",
                "Access is open by default within the Department, and restricted only where the "
                "law or the sensitivity of the content requires it.",
            ),
        ),
        S(
            "5. File plan",
            "The 2003 file plan remains the approved classification scheme. A simplified "
            "electronic version will be used in the EDRMS and submitted to the Provincial "
            "Archives for approval.",
        ),
        S(
            "6. Electronic records and the EDRMS",
            "6.1 Units that have been migrated to the EDRMS must declare their records in the "
            "EDRMS. The electronic record is then the official record.",
            "6.2 E-mail messages that are records must be saved to the EDRMS within five "
            "working days. Personal drives and mailboxes are not records systems.",
            "6.3 Until a unit is migrated, the paper file remains the official record.",
        ),
        S(
            "7. Scanning",
            "Paper records may be scanned into the EDRMS. The paper original must be kept until "
            "a disposal authority allows its destruction. Scanned images must be legible and "
            "checked against the original by registry staff.",
        ),
        S(
            "8. Access to information",
            "Requests from the public for access to records are handled by the Information "
            "Officer, Ms J. Pretorius, with advice from Legal Services. Access restrictions in "
            "the EDRMS must follow the access groups defined by the records manager.",
        ),
        S(
            "9. Disposal",
            "Records may be destroyed or transferred only under a written disposal authority of "
            "the Provincial Archives. General correspondence is covered by disposal authority "
            "PA/HN/2008/14. Electronic records are disposed of in the EDRMS with an audit trail; "
            "paper records with a destruction certificate.",
        ),
        S(
            "10. Review",
            "This policy will be reviewed in 2015 or earlier if the EDRMS rollout requires it.",
        ),
        S(
            "Annexure A: Records management roles",
            T(
                ("Role", "Responsible person", "Main duties"),
                ("Accountable officer", "Head of Department", "Approves policy; ensures resources"),
                (
                    "Records manager",
                    "Director: Records Management (Mr P. van der Merwe)",
                    "File plan, disposal authorities, EDRMS configuration",
                ),
                ("EDRMS platform owner", "Director: ICT (Mr S. Ndlovu)", "Hosting, security, backups"),
                ("Legal adviser", "Director: Legal Services (Adv. N. Khumalo)", "Access to information, legal holds"),
                ("Information officer", "Ms J. Pretorius", "Document register, public access requests"),
                ("Registry", "Mr J. Botha, Records Clerk", "Paper files, basement store, file movement"),
                ("Records champions", "One per unit", "Filing support and training in units"),
            ),
            L(
                "Approved: Head of Department",
                "Date: 26 March 2010",
            ),
            new_page=True,
        ),
    ),
)


# ==========================================================================
# Reviews, HR and audits
# ==========================================================================

LESSONS_LEARNT_EDRMS = Document(
    meta=Meta(
        file="reports/lessons-learnt-edrms-rollout-2014.docx",
        reference="DGPSI/KM/2014/003",
        title="Lessons-learnt Review: EDRMS Rollout 2011–2014",
        type="report",
        date=d(2014, 5, 30),
        author="N. Sithole",
        location=office("3-02 Knowledge Management", "KM1", "2"),
        keywords="lessons learnt; EDRMS; rollout; records champions; key-person dependency",
    ),
    header="DGPSI — Lessons-learnt Review: EDRMS Rollout",
    footer="Ref. DGPSI/KM/2014/003",
    front=(
        L(
            "Facilitated by: Ms N. Sithole, Assistant Director: Knowledge Management",
            "Reviewed by: Dr T. Mokoena, Chief Director: Knowledge Management",
            "Review workshop: 6 May 2014, Boardroom 3-01",
            "Date of report: 30 May 2014",
        ),
    ),
    sections=(
        S(
            "1. Purpose",
            "The Knowledge Management Strategy 2009–2014 requires a lessons-learnt review for "
            "every project above R1 million. The KM Steering Committee requested this review on "
            "20 November 2013. The EDRMS rollout cost R6.8 million between October 2011 and "
            "March 2014, excluding the pilot.",
        ),
        S(
            "2. Method",
            "A half-day workshop was held on 6 May 2014 with 14 participants, followed by six "
            "interviews. Participants included Mr P. van der Merwe (Records Management), Mr S. "
            "Ndlovu (ICT), Ms J. Pretorius (Information Officer), Mr J. Botha (registry) and "
            "records champions from eight units.",
        ),
        S(
            "3. The rollout in brief",
            B(
                "11 of 12 head office units live by 31 March 2014; Municipal Support waits for "
                "district network upgrades.",
                "587 user accounts; 54% of users file at least one document a week.",
                "About 164 000 documents captured since the pilot began in June 2010.",
                "The simplified electronic file plan (640 sub-files) was approved by the "
                "Provincial Archives in August 2012.",
            ),
        ),
        S(
            "4. Lessons learnt",
            T(
                ("Lesson", "What happened", "Recommendation"),
                (
                    "File plan first",
                    "Units migrated before the simplified file plan was approved filed inconsistently.",
                    "Approve classification before migration.",
                ),
                (
                    "Champions make the difference",
                    "Units with an active records champion reached 70% weekly use; others 35%.",
                    "Appoint and train champions before go-live.",
                ),
                (
                    "Train at go-live, not before",
                    "Training given months before go-live was forgotten.",
                    "Train in the two weeks before go-live; refresher after 3 months.",
                ),
                (
                    "Paper does not go away",
                    "Mobile units and districts still send paper; the basement backlog grew.",
                    "Scan at source; fund scanning in operating budgets.",
                ),
                (
                    "One expert is a risk",
                    "Configuration of retention rules depended on one person.",
                    "Document configuration; name a deputy.",
                ),
                (
                    "Contract for knowledge transfer",
                    "Vendor support ended before ICT staff were skilled.",
                    "Include skills transfer in contracts.",
                ),
                caption="Table 1: Lessons learnt and recommendations",
            ),
        ),
        S(
            "5. Key-person dependency",
            "Participants were unanimous that the rollout would have failed without Mr van der "
            "Merwe's knowledge of the file plan, the disposal authorities and the EDRMS "
            "retention configuration. Much of this knowledge is not written down. The committee "
            "noted in November 2013 that he intends to retire in 2019. Mr Botha added that the "
            "layout of the basement store and the history of the 1998–2004 files are known only "
            "to the registry staff.",
        ),
        S(
            "6. Recommendations",
            N(
                "Records Management to document the retention configuration and disposal procedures by December 2014.",
                "HRD to confirm the mentoring pair for records disposal knowledge (Mr van der Merwe and Ms Pretorius).",
                "Include the EDRMS and registry knowledge areas in the second knowledge audit planned for 2015.",
                "Share this review at the Records and Information community of practice.",
            ),
            L(
                "Compiled by: Ms N. Sithole, Assistant Director: Knowledge Management",
                "Approved: Dr T. Mokoena, Chief Director: Knowledge Management",
                "30 May 2014",
            ),
        ),
    ),
)

EXIT_INTERVIEW_2019 = Document(
    meta=Meta(
        file="hr/exit-interview-summary-van-der-merwe-2019.docx",
        reference="DGPSI/HRD/2019/027",
        title="Exit Interview Summary: Mr P. van der Merwe, Director: Records Management",
        type="report",
        date=d(2019, 9, 16),
        author="K. Molefe",
        location=office("4-12 Human Resource Development", "HR2 (locked)", "1"),
        custodian="Mr K. Molefe",
        access_groups="hr",
        keywords="exit interview; knowledge retention; records disposal; EDRMS; handover",
    ),
    header="RESTRICTED — HR | Exit Interview Summary",
    footer="Ref. DGPSI/HRD/2019/027 — Restricted: HR",
    front=(
        L(
            "RESTRICTED: Human Resources. Not for general distribution.",
            "Employee: Mr Pieter Johannes van der Merwe",
            "Post: Director: Records Management",
            "Years of service: 31 (joined the Department on 1 April 1988 as a records clerk)",
            "Reason for leaving: Early retirement",
            "Last working day: 30 September 2019",
            "Interview date: 12 September 2019",
            "Interview conducted by: Mr K. Molefe, Deputy Director: Human Resource Development",
        ),
    ),
    sections=(
        S(
            "1. Purpose of the interview",
            "The exit interview was conducted in terms of the Department's knowledge retention "
            "practice, which has required exit interviews with a handover checklist for all "
            "senior managers since 2010/11. The interview lasted two and a half hours. This "
            "summary was confirmed by Mr van der Merwe on 16 September 2019.",
        ),
        S(
            "2. Reasons for leaving",
            "Mr van der Merwe had announced his intention to retire in 2019 at the KM Steering "
            "Committee in November 2013. He stated that he was leaving on good terms. He was "
            "disappointed that the EDRMS upgrade planned for 2018/19 was postponed, and that a "
            "deputy director post in Records Management was left vacant for three years.",
        ),
        S(
            "3. Knowledge at risk",
            T(
                ("Knowledge area", "Documented?", "Risk", "Proposed action"),
                (
                    "Records disposal procedures and history of disposal authorities",
                    "Partly (2014 procedure note)",
                    "High",
                    "Ms Pretorius to complete the note with the Provincial Archives",
                ),
                (
                    "Pending disposal authority for the 1998–2004 basement files "
                    "(about 2 300 files; applied for in March 2018)",
                    "Correspondence on file only",
                    "High",
                    "Follow up with the Provincial Archives",
                ),
                (
                    "EDRMS retention and classification configuration",
                    "Yes (2014), not updated since 2017",
                    "Medium",
                    "ICT and Records Management to update",
                ),
                (
                    "Working relationships at the Provincial Archives and with the EDRMS vendor",
                    "No",
                    "High",
                    "Introduce successor before 30 September",
                ),
                (
                    "Layout and history of the basement store",
                    "No (known to Mr Botha)",
                    "Medium",
                    "Mr J. Botha to prepare a shelf map",
                ),
                caption="Table 1: Knowledge at risk",
            ),
        ),
        S(
            "4. Handover",
            "Mr van der Merwe handed over the disposal authority files, the destruction "
            "registers from 2012 to 2019 and the EDRMS administrator credentials (handed to "
            "ICT). He noted that the mentoring arrangement with Ms Pretorius agreed in 2013 "
            "resulted in only four sessions in 2016 and 2017 because of workload on both sides, "
            "and that the 2015 knowledge audit had already identified his area as a high risk. "
            "Ms J. Pretorius has been appointed acting custodian of disposal matters until the "
            "post is filled. Mr J. Botha remains responsible for the basement store.",
        ),
        S(
            "5. Comments on the Department",
            "He described the study tour to Canada in 2008 as the turning point for records "
            "management in the Department, because it linked records to service delivery in "
            "the eyes of management. He considers the communities of practice the most useful "
            "knowledge management practice, and recommended that the Records and Information "
            "community of practice continue to meet monthly.",
        ),
        S(
            "6. HRD recommendations",
            N(
                "Record two knowledge-harvesting interviews (video) with Mr van der Merwe before "
                "30 September 2019, facilitated by Knowledge Management (Ms N. Sithole).",
                "Fill the post of Director: Records Management within six months.",
                "Offer Mr van der Merwe a short consulting contract if the disposal authority for "
                "the basement files is issued in 2020.",
                "Update the skills register to show his status as 'left'.",
            ),
            L(
                "Signed: K. Molefe",
                "Mr K. Molefe, Deputy Director: Human Resource Development",
                "16 September 2019",
            ),
        ),
    ),
)

KNOWLEDGE_AUDIT_2015 = Document(
    meta=Meta(
        file="reports/knowledge-audit-report-2015.docx",
        reference="DGPSI/KM/2015/006",
        title="Knowledge Audit Report 2015",
        type="report",
        date=d(2015, 11, 27),
        author="Nomvula Sithole",
        location=office("3-02 Knowledge Management", "KM1 (locked)", "4"),
        custodian="Ms N. Sithole",
        access_groups="executive",
        keywords="knowledge audit; key-person risk; knowledge map; skills register",
    ),
    header="DGPSI — Knowledge Audit Report 2015 (Executive)",
    footer="Ref. DGPSI/KM/2015/006 — Restricted: Executive",
    front=(
        L(
            "Second departmental knowledge audit",
            "Compiled by: Ms Nomvula Sithole, Assistant Director: Knowledge Management",
            "Approved by: Dr Thandiwe Mokoena, Chief Director: Knowledge Management",
            "Date: 27 November 2015",
            "Access: Executive Management only (contains named key-person risks)",
        ),
    ),
    sections=(
        S(
            "1. Introduction",
            "The first (baseline) knowledge audit was completed in December 2009 under the "
            "Knowledge Management Strategy 2009–2014. This second audit measures progress since "
            "then and identifies knowledge at risk, as required by the new KM Strategy "
            "2014–2019.",
        ),
        S(
            "2. Method",
            B(
                "Online and paper survey: 351 staff invited, 214 responses (61%), August to October 2015.",
                "23 interviews with senior managers and holders of specialist knowledge.",
                "A sample of 120 documents produced in 2014/15, checked against the document register.",
            ),
        ),
        S("3. Findings"),
        S(
            "3.1 Comparison with the 2009 baseline",
            T(
                ("Indicator", "2009", "2015"),
                ("Staff who can easily find documents of other units", "39%", "58%"),
                ("Staff who use the intranet at least weekly", "22%", "64%"),
                ("Staff who belong to a community of practice", "4%", "31%"),
                ("New documents entered in the document register", "35%", "71%"),
                caption="Table 1: Knowledge audit indicators, 2009 and 2015",
            ),
            level=2,
        ),
        S(
            "3.2 Key-person dependencies",
            "Five knowledge areas depend on one or two people and "
            "are not adequately documented (Table 2). The highest risk is records disposal: "
            "Mr P. van der Merwe, Director: Records Management, is the only person who "
            "understands the history of the disposal authorities and the EDRMS retention "
            "rules, and he will retire in 2019.",
            T(
                ("Knowledge area", "Held by", "Risk"),
                ("Records disposal and disposal authorities", "Mr P. van der Merwe", "High"),
                ("Basement store layout and 1998–2004 files", "Mr J. Botha", "High"),
                ("EDRMS retention and classification configuration", "Mr P. van der Merwe, Mr S. Ndlovu", "Medium"),
                ("Technical indicator descriptions for the annual report", "Ms A. Patel", "Medium"),
                ("Contacts and learnings from study tours", "Mr D. Mahlangu, Ms L. Dlamini", "Medium"),
                caption="Table 2: Key-person dependencies",
            ),
            level=2,
        ),
        S(
            "3.3 Lost knowledge",
            "No report could be found for the benchmarking visit to "
            "one-stop service centres in Nairobi in March 2015, although the rule adopted after "
            "the 2011 Singapore study tour requires reports to be filed within 30 days. The "
            "participants' learnings exist only in their memories and e-mails.",
            level=2,
        ),
        S(
            "3.4 Skills information",
            "The Department has no current record of who knows what. Staff asked for a searchable skills register.",
            level=2,
        ),
        S(
            "4. Recommendations",
            N(
                "Establish a departmental skills register (name, unit, role, skills, "
                "qualifications, trainings, status) maintained by HRD and Knowledge Management, "
                "and update it at least once a year.",
                "Renew the mentoring pair of Mr van der Merwe and Ms Pretorius with a written "
                "plan and quarterly reporting to the KM Steering Committee.",
                "Ask Mr Botha to prepare a shelf map of the basement store.",
                "Require a report on the Nairobi visit from its participants by February 2016.",
                "Include knowledge-at-risk questions in all exit interviews.",
            ),
        ),
        S(
            "Annexure A: Survey response by unit",
            T(
                ("Unit", "Invited", "Responses", "Rate"),
                ("Knowledge Management", "9", "9", "100%"),
                ("Records Management", "22", "17", "77%"),
                ("Service Delivery Innovation", "64", "35", "55%"),
                ("ICT", "31", "22", "71%"),
                ("Human Resource Development", "18", "14", "78%"),
                ("Monitoring and Evaluation", "15", "11", "73%"),
                ("Municipal Support", "142", "76", "54%"),
                ("Legal Services", "12", "10", "83%"),
                ("Communications", "11", "8", "73%"),
                ("Other", "27", "12", "44%"),
                ("Total", "351", "214", "61%"),
            ),
            new_page=True,
        ),
    ),
)


# ==========================================================================
# Presentations
# ==========================================================================

KM_DECK_2010 = Deck(
    meta=Meta(
        file="presentations/km-why-it-matters-2010.pptx",
        reference="DGPSI/KM/2010/004",
        title="Knowledge Management: why it matters",
        type="presentation",
        date=d(2010, 3, 23),
        author="Dr Thandiwe Mokoena",
        location=office("3-02 Knowledge Management", "KM1", "2"),
        keywords="knowledge management; management workshop; KM strategy; communities of practice",
    ),
    subtitle=(
        "Management Workshop, Kwalata Conference Centre, 23 March 2010\n"
        "Presented by: Dr Thandiwe Mokoena, Chief Director: Knowledge Management"
    ),
    footer="DGPSI Management Workshop 2010",
    slides=(
        Slide(
            "What we mean by knowledge management",
            (
                "Getting the right knowledge to the right people at the right time",
                "Explicit knowledge: documents, records, data",
                "Tacit knowledge: experience, judgement, relationships",
                "Not an IT project: people first, then process, then technology",
            ),
            "Start with a show of hands: who has looked for a document from another unit in the "
            "last month and given up? Use the answer to introduce the definition from the KM "
            "strategy, section 1.3.",
        ),
        Slide(
            "Why it matters for DGPSI",
            (
                "27 staff left in 2008/09; only 9 exit interviews",
                "About 4 100 paper files in the basement registry; few know what is there",
                "61% of staff cannot easily find other units' documents (baseline audit, Dec 2009)",
                "Study tour learnings are not shared or tracked",
            ),
            "The 61% comes from the baseline knowledge audit completed by Ms Sithole in "
            "December 2009 (156 respondents). Stress that these are our own numbers, not a "
            "consultant's.",
        ),
        Slide(
            "A story from Canada",
            (
                "September 2008: four colleagues, ten days, R412 600",
                "Learnt how Service Canada runs one door and one file",
                "Seven recommendations, including mobile units and an EDRMS",
                "Recommendation R6: manage what we learn",
                "Risk: the learning lives in four heads",
            ),
            "Acknowledge Mr Mahlangu, Ms Dlamini, Mr Ndlovu and Mr van der Merwe, who are in the "
            "room. Ask Mr Mahlangu to say in one sentence what surprised him most in Ottawa.",
        ),
        Slide(
            "What happens when an expert leaves?",
            (
                "Who knows our disposal authorities? Who configured the file plan?",
                "Who knows the provincial archivist by name?",
                "If the answer is one person, we have a risk, not a system",
                "Retention of knowledge must start years before retirement",
            ),
            "Light-hearted moment: 'Pieter, please do not retire before we have written it all "
            "down.' Then make the serious point: about one in three of our senior managers will "
            "reach retirement age within ten years.",
        ),
        Slide(
            "KM Strategy 2009–2014 at a glance",
            (
                "Approved by the KM Steering Committee on 17 June 2009",
                "Four pillars: people, process, content, technology",
                "Budget: R2.4 million over five years",
                "Reported annually under Programme 4",
            ),
            "Copies of the strategy are in the workshop pack. Reference DGPSI/KM/2009/002.",
        ),
        Slide(
            "Key targets",
            (),
            "Walk through the table quickly; come back to the mentoring and exit interview targets "
            "when Mr Molefe presents tomorrow.",
            table=T(
                ("Output", "Owner", "Target date"),
                ("3 communities of practice", "KM", "March 2010 (achieved)"),
                ("Records Management Policy 2010", "Records Management", "March 2010"),
                ("EDRMS pilot starts", "ICT / Records Management", "June 2010"),
                ("20 mentoring pairs", "HRD", "March 2012"),
                ("EDRMS in all head office units", "ICT / Records Management", "March 2013"),
            ),
        ),
        Slide(
            "Communities of practice: first results",
            (
                "Records and Information (since 12 Nov 2009), convenor Ms J. Pretorius",
                "Service Delivery (since 20 Nov 2009), convenor Ms L. Dlamini",
                "M&E Practitioners (since 3 Dec 2009), convenor Ms A. Patel",
                "Average attendance: 14 members per meeting",
            ),
            "Invite the convenors to the panel on day two. Adv. Khumalo has proposed a Legal "
            "Drafting community later this year.",
        ),
        Slide(
            "EDRMS pilot: from June 2010",
            (
                "Pilot units: KM, Records Management, Legal Services, M&E",
                "Records Management Policy 2010 replaces the 2005 'print and file' rule",
                "Scanning of active paper files from the registry",
                "Close-out and lessons after 12 months",
            ),
            "Mr van der Merwe and Mr Ndlovu will cover the detail after tea. Keep this slide short.",
        ),
        Slide(
            "What I ask of managers",
            (
                "Send every report and study tour report to the library",
                "Give staff time for communities of practice",
                "Hold exit interviews and plan handovers",
                "Name a records champion in your unit",
            ),
            "End with the four asks and write them on the flip chart for the action-planning "
            "session facilitated by Prof. Venter on day two.",
        ),
        Slide(
            "Discussion",
            (
                "Which knowledge in your unit would be lost tomorrow if one person left?",
                "What one thing will you do before the next steering committee?",
            ),
        ),
    ),
)

MOBILE_DECK_2013 = Deck(
    meta=Meta(
        file="presentations/mobile-service-units-results-2013.pptx",
        reference="DGPSI/SDI/2013/012",
        title="Mobile service units: results and next steps",
        type="presentation",
        date=d(2013, 8, 14),
        author="Lerato Dlamini",
        location=registry("C3", "2"),
        keywords="mobile service units; results; EXCO; service delivery",
    ),
    subtitle=(
        "Executive Management Committee, 14 August 2013\n"
        "Presented by: Ms Lerato Dlamini, Deputy Director: Service Delivery Innovation"
    ),
    footer="DGPSI Service Delivery Innovation",
    slides=(
        Slide(
            "Where it started",
            (
                "Study tour to Canada, September 2008: recommendation R2",
                "Two pilot units from October 2010 (Lekgalong, Marula Heights)",
                "Two more from July 2012 (Sefateng, Mooiwater)",
                "Full report: DGPSI/SDI/2013/007, June 2013",
            ),
            "Remind EXCO that the idea came from the outreach programme we saw in Ottawa; Mr "
            "Mahlangu led that delegation.",
        ),
        Slide(
            "How a mobile unit works",
            (
                "Converted bus: two counters, generator, satellite link",
                "Monthly schedule agreed with ward councillors",
                "Home Affairs, social security agency and municipality on board",
                "Mobile Counter app (ICT) registers visitors and complaints, also offline",
            ),
            "Thank Mr Ndlovu's team for the app; it went live in July 2012 and made the figures "
            "on the next slide possible.",
        ),
        Slide(
            "Results 2012/13",
            (),
            "All four units together: 214 service days and 38 600 citizens. MSU-1 and MSU-2 "
            "ran for the full year; MSU-3 and MSU-4 from July 2012.",
            table=T(
                ("Unit", "Municipality", "Service days", "Citizens", "Complaints"),
                ("MSU-1", "Lekgalong", "61", "11 420", "612"),
                ("MSU-2", "Marula Heights", "58", "10 960", "540"),
                ("MSU-3", "Sefateng", "49", "8 830", "401"),
                ("MSU-4", "Mooiwater", "46", "7 390", "355"),
                ("Total", "", "214", "38 600", "1 908"),
            ),
        ),
        Slide(
            "What citizens say",
            (
                "84% satisfied or very satisfied (1 150 exit interviews)",
                "Average wait 42 minutes, against about 2 h 10 min at fixed offices",
                "Average transport cost saved: R85 per visit",
            ),
            "Quote from a pensioner at Mooiwater: 'This is the first time government came to me.'",
        ),
        Slide(
            "What it costs",
            (
                "R118 per transaction on the bus",
                "R74 per transaction at one-stop centres",
                "The difference is paid back in citizens' time and transport",
            ),
            "Expect a question from the CFO on cost. The cost per transaction will drop as the "
            "Sefateng and Mooiwater units reach a full year.",
        ),
        Slide(
            "Problems we must fix",
            (
                "MSU-3 off the road for 19 days; 11 service days cancelled without notice",
                "Partner departments do not always send staff",
                "Satellite link failed on 9% of service days",
                "Paper forms still go to the basement registry, not to the EDRMS",
            ),
            "Be frank about the cancelled days; the Communications unit has agreed to help with SMS notices.",
        ),
        Slide(
            "Next steps 2014/15",
            (
                "Two more units: Kwaggasrand rural wards; Lekgalong and Marula Heights shared",
                "Schedules by SMS and community radio (Ms G. Mthembu)",
                "Service agreements with partner departments",
                "Study visit to Rwanda on low-cost rural service models",
            ),
            "The Rwanda visit is proposed for June 2014; the KM Steering Committee will be asked "
            "to support it in November.",
        ),
        Slide(
            "Decisions requested",
            (
                "Note the results for 2012/13",
                "Approve planning for two additional units in 2014/15",
                "Support service agreements with partner departments",
            ),
        ),
    ),
)


# ==========================================================================
# Intranet: newsletter article, guideline, workshop programme
# ==========================================================================

NEWSLETTER_2014 = Document(
    meta=Meta(
        file="intranet/newsletter-2014-10-shelves-to-servers.html",
        reference="DGPSI/COM/2014/031",
        title="From shelves to servers: the people who keep our memory",
        type="other",
        date=d(2014, 10, 1),
        author="Grace Mthembu",
        location=office("1-05 Communications", "CM1", "3"),
        keywords="newsletter; intranet; registry; EDRMS; records month",
    ),
    front=(
        "DGPSI Inside — Issue 31, October 2014 (Records Month)",
        "By Grace Mthembu, Deputy Director: Communications",
    ),
    sections=(
        S(
            "Twenty-five years underground",
            "Ask anyone in the Tshwane Building where a file from 1999 might be, and the answer "
            "is the same: ask Jan. Mr Johannes 'Jan' Botha joined the registry in 1989 and has "
            "worked in Room B-07, in the basement, ever since. He can walk to the right shelving "
            "bay with his eyes closed, and he remembers the winter of 2006, when a burst pipe "
            "soaked 38 boxes of files. 'I wrote a memo about it,' he says. 'It took four years "
            "before we had a proper policy for electronic records.'",
        ),
        S(
            "From paper to the EDRMS",
            "That policy, the Records Management Policy 2010, ended the old rule that every "
            "e-mail had to be printed and filed. Today 11 of our 12 head office units use the "
            "electronic document and records management system, with 587 users. 'A file that "
            "cannot be found is a file that does not exist,' says Mr Pieter van der Merwe, "
            "Director: Records Management, who has led the change since the pilot in 2010.",
            "Mr Sipho Ndlovu of ICT reminds colleagues that the system only helps if documents "
            "are filed in the right place: 'Search cannot find what was never saved.'",
        ),
        S(
            "What we learnt",
            "In May the Knowledge Management team ran a lessons-learnt review of the rollout. "
            "Ms Nomvula Sithole, who facilitated it, says the clearest lesson is that units "
            "with a committed records champion did twice as well as those without. The review "
            "also warned that too much of our records knowledge sits with a few people, and "
            "recommended that it be written down.",
        ),
        S(
            "Find it in the register",
            "Ms Johanna Pretorius, our Information Officer, keeps the document register, which "
            "now lists where every report, policy and set of minutes is kept, both on the shelf "
            "and in the EDRMS. 'If you write a report, send it to the library,' she says. 'If it "
            "is not in the register, your successor will never know it existed.'",
        ),
        S(
            "Records Month events",
            B(
                "Open day in the basement registry, Thursday 16 October, 10:00–12:00 (Room B-07).",
                "Records and Information community of practice: 'Scanning at source', Thursday 2 October.",
                "EDRMS refresher training: book with your records champion.",
            ),
        ),
    ),
)

COP_GUIDELINE = Document(
    meta=Meta(
        file="intranet/communities-of-practice-guideline.md",
        reference="DGPSI/KM/2012/002",
        title="Guideline for Communities of Practice",
        type="policy",
        date=d(2012, 3, 5),
        author="N. Sithole",
        location=office("3-02 Knowledge Management", "KM1", "2"),
        keywords="communities of practice; guideline; knowledge sharing; convenor",
    ),
    front=(
        L(
            "Version 1.1, March 2012",
            "Compiled by: Ms N. Sithole, Assistant Director: Knowledge Management",
            "Approved by: Dr T. Mokoena, Chief Director: KM, on 5 March 2012",
            "Reference: DGPSI/KM/2012/002",
        ),
    ),
    sections=(
        S(
            "1. Purpose",
            "This guideline explains how communities of practice (CoPs) are started, run and "
            "supported in the Department. It implements the People pillar of the Knowledge "
            "Management Strategy 2009–2014 and replaces version 1.0 of November 2009.",
        ),
        S(
            "2. What is a community of practice?",
            "A community of practice is a group of colleagues who share a discipline or a "
            "problem and meet regularly to learn from one another. Membership is voluntary and "
            "open across units and levels. A CoP is not a committee: it takes no decisions for "
            "the Department and has no budget of its own, but it may make recommendations to "
            "management.",
        ),
        S(
            "3. Current communities",
            T(
                ("Community", "Convenor", "Since", "Meets"),
                ("Records and Information", "Ms J. Pretorius", "November 2009", "Monthly, first Thursday"),
                ("Service Delivery", "Ms L. Dlamini", "November 2009", "Every two months"),
                ("M&E Practitioners", "Ms A. Patel", "December 2009", "Quarterly"),
                ("Legal Drafting", "Adv. N. Khumalo", "August 2010", "Quarterly"),
                ("ICT Champions", "Mr S. Ndlovu", "February 2011", "Monthly"),
                ("Municipal Support", "Mr D. Mahlangu", "October 2011", "Quarterly"),
            ),
        ),
        S(
            "4. Starting a community",
            N(
                "Find at least six colleagues from two or more units who want to take part.",
                "Agree on a convenor and a sponsor at director level or above.",
                "Send a one-page proposal to Knowledge Management (purpose, members, meeting plan).",
                "Knowledge Management registers the community and opens an EDRMS folder for it.",
            ),
        ),
        S(
            "5. Roles",
            B(
                "Convenor: plans meetings, keeps the member list, reports twice a year to Knowledge Management.",
                "Sponsor: gives the community a voice in management and removes obstacles.",
                "Members: share experience, documents and questions; attend at least half of the meetings.",
                "Knowledge Management: training for convenors, venues, the intranet page, and an annual CoP forum.",
            ),
        ),
        S(
            "6. Meetings and records",
            "Meetings should last no more than two hours and include at least one story from "
            "practice, for example a member's account of a study tour or a project that went "
            "wrong. A short note of each meeting, with documents shared, is filed in the EDRMS "
            "folder of the community. Notes are open to all staff unless they contain personal "
            "information.",
        ),
        S(
            "7. Evaluation",
            "Knowledge Management reports on the number of active communities and average "
            "attendance in the annual report. A community that has not met for six months is "
            "closed after consultation with its convenor and sponsor.",
        ),
    ),
)

WORKSHOP_PROGRAMME_2010 = RawText(
    meta=Meta(
        file="intranet/management-workshop-programme-2010.txt",
        reference="DGPSI/KM/2010/003",
        title="Management Workshop Programme, 23–24 March 2010",
        type="other",
        date=d(2010, 3, 1),
        author="N. Sithole",
        location=office("3-02 Knowledge Management", "KM1", "2"),
        keywords="management workshop; programme; speakers",
    ),
    text="""\
DEPARTMENT OF GOVERNANCE AND PUBLIC SERVICE INNOVATION
HIGHVELD NORTH PROVINCE

MANAGEMENT WORKSHOP: MANAGING KNOWLEDGE FOR BETTER SERVICE
Dates:       23-24 March 2010
Venue:       Kwalata Conference Centre
Facilitator: Prof. Marianne Venter, School of Public Management, University of the Highveld
Enquiries:   Ms N. Sithole, Assistant Director: Knowledge Management
Reference:   DGPSI/KM/2010/003

DAY 1: TUESDAY 23 MARCH 2010
08:30 - 09:00  Registration and coffee
09:00 - 09:20  Welcome and opening ........................ Head of Department
09:20 - 09:40  Purpose of the workshop and programme ...... Prof. M. Venter (facilitator)
09:40 - 10:30  Knowledge Management: why it matters ....... Dr T. Mokoena, Chief Director: KM
10:30 - 10:50  Tea
10:50 - 11:40  Lessons from Canada: one door, one file .... Mr D. Mahlangu and Ms L. Dlamini
11:40 - 12:30  Records Management Policy 2010 and the
               EDRMS pilot ................................ Mr P. van der Merwe (Records Management)
                                                            and Mr S. Ndlovu (ICT)
12:30 - 13:30  Lunch
13:30 - 14:20  Access to information and records:
               what every manager must know ............... Adv. N. Khumalo, Director: Legal Services
14:20 - 15:30  Group work: mapping knowledge at risk ...... Facilitated by Prof. M. Venter
15:30 - 16:00  Report back and close of day 1

DAY 2: WEDNESDAY 24 MARCH 2010
08:30 - 08:45  Recap of day 1 ............................. Prof. M. Venter
08:45 - 09:30  Mentoring and exit interviews .............. Mr K. Molefe, Deputy Director: HRD
09:30 - 10:15  Baseline knowledge audit: findings ......... Ms N. Sithole, Assistant Director: KM
10:15 - 10:35  Tea
10:35 - 11:30  Panel: communities of practice, first
               experiences ................................ Ms J. Pretorius, Ms L. Dlamini, Ms A. Patel
11:30 - 12:00  Telling our story: internal communication .. Ms G. Mthembu, Deputy Director: Communications
12:00 - 13:00  Action planning per unit ................... Facilitated by Prof. M. Venter
13:00 - 13:15  Closing remarks ............................ Dr T. Mokoena
13:15          Lunch and departure

Notes for participants
- Bring the KM Strategy 2009-2014 (DGPSI/KM/2009/002); copies are in the workshop pack.
- Each unit head must come with one example of knowledge that would be lost if a
  staff member left tomorrow.
- Transport leaves the Tshwane Building, 14 Church Street, at 07:30 on 23 March.
""",
)


# ==========================================================================
# Scanned document (image only)
# ==========================================================================

REGISTRY_MEMO_2006 = Scan(
    meta=Meta(
        file="scans/registry-memo-basement-files-2006.pdf",
        reference="DGPSI/RM/2006/014",
        title="Memo: Condition of paper files in the basement registry",
        type="other",
        date=d(2006, 8, 3),
        author="J.H. Botha",
        location=registry("C1", "4"),
        custodian="Mr J. Botha",
        keywords="memo; registry; basement; water damage; paper files; disposal",
    ),
    pages=(
        """\
DEPARTMENT OF GOVERNANCE AND PUBLIC SERVICE INNOVATION
HIGHVELD NORTH PROVINCE

INTERNAL MEMORANDUM

File ref:  2/3/1/4
To:        Mr P.J. van der Merwe, Deputy Director: Records Management
From:      J.H. Botha, Records Clerk, Registry (Basement, Room B-07)
Copy:      Mrs J. Pretorius, Librarian
Date:      3 August 2006

SUBJECT: CONDITION OF PAPER FILES IN THE BASEMENT REGISTRY

1. On Monday 24 July 2006 water from a burst pipe entered the basement
   store next to the registry. Shelving bays E and F were affected before
   the water was switched off at 10:40.

2. I counted 38 boxes with wet files, about 410 files in total. The boxes
   were moved to the registry floor to dry. On some files from 1998 to
   2001 (Municipal Support and housing liaison) the first pages can no
   longer be read.

3. The registry and the basement store now hold about 3 600 files on 24
   shelving bays. All the shelves are full and new closed volumes are
   being stacked on the floor, which is a fire risk.

4. Many closed files from 1998 to 2004 could be destroyed, but we do not
   have a disposal authority from the Provincial Archives for them, so
   under the Records Management Policy (2005) we may not destroy them.

5. Units do not return files. At present 112 files are out on movement
   cards that are older than six months.
""",
        """\
6. I request the following:
   (a) that the pipe be repaired and a dehumidifier be bought for the
       basement store;
   (b) that off-site storage be found for closed files older than five
       years;
   (c) that the Department apply to the Provincial Archives for a
       disposal authority for the 1998-2004 files;
   (d) that directors be reminded in writing to return files on
       movement cards.

7. Annexure: list of damaged boxes

   Box no.   Series                          Years        Condition
   B-114     Municipal Support: general      1998-1999    Wet, readable
   B-115     Municipal Support: general      1999-2000    Wet, pages lost
   B-131     Housing liaison                 2000-2001    Wet, mould
   B-160     Finance: creditors              2001-2002    Damp, readable
   B-171     Personnel: leave (closed)       2002-2003    Damp, readable
   (33 further boxes listed on the registry copy)

Signed: J.H. Botha
Records Clerk: Registry

Received: 4/8/06   PvdM
""",
    ),
)


# ==========================================================================
# Registers
# ==========================================================================


def email(initial: str, surname: str) -> str:
    return f"{initial}.{surname.lower().replace(' ', '')}@dgpsi.example.gov.za"


PEOPLE: tuple[Person, ...] = (
    Person(
        "Dr Thandiwe Mokoena",
        "Knowledge Management",
        "Chief Director: Knowledge Management",
        email("t", "Mokoena"),
        ("knowledge management strategy", "communities of practice", "change management", "facilitation"),
        ("PhD Information Science", "MPhil Knowledge Management"),
        ("Executive Development Programme (2011)", "KM Certification (2008)"),
        "active",
    ),
    Person(
        "Mr Pieter van der Merwe",
        "Records Management",
        "Director: Records Management",
        email("p", "van der Merwe"),
        ("electronic file management", "EDRMS configuration", "file plans", "records disposal", "disposal authorities"),
        ("BA Honours Archival Studies", "National Diploma Records Management"),
        ("EDRMS administrator training (2010)", "Provincial Archives records manager course (2004)"),
        "left",
    ),
    Person(
        "Ms Lerato Dlamini",
        "Service Delivery Innovation",
        "Deputy Director: Service Delivery Innovation",
        email("l", "Dlamini"),
        ("mobile service delivery", "one-stop centres", "service standards", "project management"),
        ("Master of Public Administration", "BSocSc"),
        ("Project management (PRINCE2 Foundation, 2011)", "Study tour Canada (2008)", "Study tour Rwanda (2014)"),
        "active",
    ),
    Person(
        "Mr Sipho Ndlovu",
        "ICT",
        "Director: ICT",
        email("s", "Ndlovu"),
        ("e-government", "mobile apps", "EDRMS platform", "ICT governance"),
        ("MSc Information Systems", "BSc Computer Science"),
        ("Study tour Canada (2008)", "Study tour Singapore (2011)", "ICT governance framework training (2012)"),
        "active",
    ),
    Person(
        "Adv. Naledi Khumalo",
        "Legal Services",
        "Director: Legal Services",
        email("n", "Khumalo"),
        ("access to information", "records legislation", "policy vetting", "legislative drafting"),
        ("LLB", "LLM Administrative Law", "Admitted Advocate"),
        ("Protection of personal information (2012)", "Study tour Singapore (2011)"),
        "active",
    ),
    Person(
        "Ms Johanna Pretorius",
        "Records Management",
        "Information Officer / Departmental Librarian",
        email("j", "Pretorius"),
        ("document register", "cataloguing", "access to information requests", "registry"),
        ("BInf Library and Information Science",),
        ("EDRMS user and champion training (2011)", "Records disposal mentoring (2016-2017)"),
        "active",
    ),
    Person(
        "Mr Kabelo Molefe",
        "Human Resource Development",
        "Deputy Director: HRD",
        email("k", "Molefe"),
        ("mentoring", "exit interviews", "knowledge retention", "skills development"),
        ("BCom Human Resource Management", "Postgraduate Diploma Labour Relations"),
        ("Mentor training (2010)", "Skills development facilitator (2007)"),
        "active",
    ),
    Person(
        "Ms Ayesha Patel",
        "Monitoring and Evaluation",
        "Director: Monitoring and Evaluation",
        email("a", "Patel"),
        ("annual reports", "performance indicators", "evaluation design", "data analysis"),
        ("MCom Economics", "Certificate in Monitoring and Evaluation"),
        ("Performance information management (2009)",),
        "moved",
    ),
    Person(
        "Mr David Mahlangu",
        "Municipal Support",
        "Chief Director: Municipal Support",
        email("d", "Mahlangu"),
        ("municipal support", "one-stop service", "intergovernmental relations", "study tour leadership"),
        ("Master of Development Studies", "BA Public Administration"),
        ("Study tour Canada, leader (2008)", "Executive Development Programme (2009)"),
        "active",
    ),
    Person(
        "Ms Grace Mthembu",
        "Communications",
        "Deputy Director: Communications",
        email("g", "Mthembu"),
        ("newsletters", "presentations", "internal communication", "community media"),
        ("BA Journalism",),
        ("Study tour Rwanda (2014)", "Plain language writing (2013)"),
        "active",
    ),
    Person(
        "Mr Johannes Botha",
        "Records Management",
        "Records Clerk: Registry",
        email("j", "Botha"),
        ("physical file storage", "registry procedures", "file movement control", "scanning preparation"),
        ("National Senior Certificate",),
        ("Registry clerk course (1990)", "EDRMS scanning operator (2010)"),
        "active",
    ),
    Person(
        "Ms Nomvula Sithole",
        "Knowledge Management",
        "Assistant Director: Knowledge Management",
        email("n", "Sithole"),
        ("knowledge audits", "skills register", "lessons-learnt facilitation", "survey design"),
        ("BA Honours Information Science",),
        ("Knowledge audit methods (2009)", "Facilitation skills (2012)"),
        "active",
    ),
)

EVENTS: tuple[Event, ...] = (
    Event(
        "Study tour to Canada (Service Canada, one-stop service)",
        d(2008, 9, 14),
        d(2008, 9, 23),
        "Ottawa and Toronto, Canada",
        ("Mr David Mahlangu", "Ms Lerato Dlamini", "Mr Sipho Ndlovu", "Mr Pieter van der Merwe"),
        CANADA_2008.meta.reference,
    ),
    Event(
        "Management workshop: Managing knowledge for better service",
        d(2010, 3, 23),
        d(2010, 3, 24),
        "Kwalata Conference Centre, Highveld North",
        (
            "Dr Thandiwe Mokoena",
            "Mr David Mahlangu",
            "Ms Lerato Dlamini",
            "Mr Pieter van der Merwe",
            "Mr Sipho Ndlovu",
            "Adv. Naledi Khumalo",
            "Mr Kabelo Molefe",
            "Ms Nomvula Sithole",
            "Ms Johanna Pretorius",
            "Ms Ayesha Patel",
            "Ms Grace Mthembu",
        ),
        "DGPSI/KM/2010/006",
    ),
    Event(
        "Study tour to Singapore (e-government)",
        d(2011, 11, 6),
        d(2011, 11, 12),
        "Singapore",
        ("Mr Sipho Ndlovu", "Dr Thandiwe Mokoena", "Adv. Naledi Khumalo"),
        SINGAPORE_2011.meta.reference,
    ),
    Event(
        "Study tour to Rwanda (mobile and decentralised service delivery)",
        d(2014, 6, 8),
        d(2014, 6, 14),
        "Kigali and Eastern Province, Rwanda",
        ("Ms Lerato Dlamini", "Mr Sipho Ndlovu", "Ms Grace Mthembu"),
        RWANDA_2014.meta.reference,
    ),
    Event(
        "Benchmarking visit to one-stop service centres",
        d(2015, 3, 9),
        d(2015, 3, 13),
        "Nairobi, Kenya",
        ("Mr David Mahlangu", "Ms Lerato Dlamini"),
        "",
    ),
)

# Documents that exist only on paper (no file in the corpus).
PAPER_ONLY: tuple[Meta, ...] = (
    Meta(
        file="",
        reference="DGPSI/RM/2003/001",
        title="Departmental File Plan (approved by the Provincial Archives)",
        type="policy",
        date=d(2003, 5, 12),
        author="Records Management",
        location=registry("C1", "1"),
        custodian="Mr J. Botha",
    ),
    Meta(
        file="",
        reference="DGPSI/RM/2008/009",
        title="Disposal Authority PA/HN/2008/14: general correspondence",
        type="other",
        date=d(2008, 11, 20),
        author="Provincial Archives",
        location=registry("C1", "2"),
        custodian="Mr J. Botha",
    ),
    Meta(
        file="",
        reference="DGPSI/KM/2009/009",
        title="Baseline Knowledge Audit Report 2009",
        type="report",
        date=d(2009, 12, 15),
        author="N. Sithole",
        location=office("2-14 Library", "L2", "3"),
    ),
    Meta(
        file="",
        reference="DGPSI/KM/2010/006",
        title="Report on the Management Workshop, 23–24 March 2010",
        type="report",
        date=d(2010, 4, 16),
        author="Prof. M. Venter",
        location=office("2-14 Library", "L2", "3"),
    ),
)


# ==========================================================================
# Everything that becomes a file, in register order
# ==========================================================================

DOCUMENTS: tuple[Document | Deck | Scan | RawText, ...] = (
    RM_POLICY_2005,
    REGISTRY_MEMO_2006,
    CANADA_2008,
    MINUTES_2009_03,
    MINUTES_2009_06,
    KM_STRATEGY,
    ANNUAL_REPORT_2008_09,
    MINUTES_2010_02,
    WORKSHOP_PROGRAMME_2010,
    KM_DECK_2010,
    RM_POLICY_2010,
    EDRMS_CLOSE_OUT,
    SINGAPORE_2011,
    COP_GUIDELINE,
    MOBILE_REPORT_2013,
    ANNUAL_REPORT_2012_13,
    MOBILE_DECK_2013,
    MINUTES_2013_11,
    LESSONS_LEARNT_EDRMS,
    RWANDA_2014,
    NEWSLETTER_2014,
    KNOWLEDGE_AUDIT_2015,
    EXIT_INTERVIEW_2019,
)

# The registers themselves are documents of the Department too.
REGISTER_METAS: tuple[Meta, ...] = (
    Meta(
        file="registers/people.csv",
        reference="DGPSI/HRD/2016/004",
        title="Skills Register",
        type="register",
        date=d(2019, 10, 15),
        author="K. Molefe; N. Sithole",
        location=office("4-12 Human Resource Development", "HR1", "1"),
        custodian="Mr K. Molefe",
    ),
    Meta(
        file="registers/documents.csv",
        reference="DGPSI/RM/2019/003",
        title="Document Register",
        type="register",
        date=d(2019, 10, 31),
        author="J. Pretorius",
        location=office("2-14 Library", "L1", "4"),
    ),
    Meta(
        file="registers/events.csv",
        reference="DGPSI/KM/2019/004",
        title="Register of Study Tours, Workshops and Events",
        type="register",
        date=d(2019, 10, 31),
        author="N. Sithole",
        location=office("3-02 Knowledge Management", "KM1", "1"),
        custodian="Ms N. Sithole",
    ),
)
