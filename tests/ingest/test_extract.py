"""`extract(path, settings) -> Document` on small real files of every supported format, and on broken ones."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.errors import ExtractionError
from kmsearch.ingest.extract import extract, first_date, guess_type
from kmsearch.types import Block, Document
from tests.fixtures import make_docx, make_pdf, make_pptx, make_scanned_pdf

NO_OCR = Settings(ocr=False)

INTRO = (
    "The electronic records pilot moved the paper registry files of the branch into the new system. "
    "Records officers scanned every active file and classified it against the approved file plan, "
    "and the registry clerks checked each classification before the paper file was closed. The records manage-\n"
    "ment programme was approved by the committee in 2009."
)


def blocks_of(doc: Document) -> list[Block]:
    return [b for page in doc.pages for b in page.blocks]


def headings_of(doc: Document) -> list[tuple[int, str, int]]:
    return [(p.number, b.text, b.level) for p in doc.pages for b in p.blocks if b.kind == "heading"]


# --- PDF -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pdf(
        tmp_path_factory.mktemp("pdf") / "edrms-pilot.pdf",
        [
            ["# 1. Introduction", INTRO],
            ["# 2. Findings", "Retrieval times for registry files fell from two days to ten minutes."],
            ["# 3. Recommendations", "Roll the system out to every regional office by 2012."],
            ["# ANNEX A: FILE PLAN", "The file plan has nine main series and one hundred and twelve subjects."],
        ],
        title="EDRMS Pilot Close-out Report",
        author="Pieter van der Merwe; Lerato Dlamini",
        created=datetime(2011, 11, 30),
        header="DGPSI EDRMS Pilot",
        footer=True,
    )


@pytest.fixture(scope="module")
def report(report_pdf: Path) -> Document:
    return extract(report_pdf, NO_OCR)


def test_pdf_pages_are_numbered_and_hold_their_own_text(report: Document) -> None:
    assert report.format == "pdf"
    assert [p.number for p in report.pages] == [1, 2, 3, 4]
    for page, words in zip(report.pages, ["file plan,", "ten minutes", "regional office", "nine main series"]):
        assert words in page.text
    assert "ten minutes" not in report.pages[0].text


def test_pdf_header_footer_and_page_numbers_are_gone(report: Document) -> None:
    for page in report.pages:
        assert "DGPSI" not in page.text
        assert "Page" not in page.text and " of 4" not in page.text
        assert all(block.text.strip() != str(page.number) for block in page.blocks)


def test_pdf_headings_are_heading_blocks(report: Document) -> None:
    assert headings_of(report) == [
        (1, "1. Introduction", 1),
        (2, "2. Findings", 1),
        (3, "3. Recommendations", 1),
        (4, "ANNEX A: FILE PLAN", 1),
    ]
    assert all(page.blocks[0].kind == "heading" for page in report.pages)


def test_pdf_lines_join_into_one_paragraph_and_hyphenation_heals(report: Document) -> None:
    body = report.pages[0].blocks[1]
    assert body.kind == "paragraph"
    assert body.text.startswith("The electronic records pilot moved")
    assert body.text.endswith("approved by the committee in 2009.")  # one block, though it spans several lines
    assert "records management programme" in body.text
    assert "\ufffe" not in report.text and "manage-" not in report.text


def test_pdf_properties(report: Document) -> None:
    assert report.title == "EDRMS Pilot Close-out Report"
    assert report.authors == ("Pieter van der Merwe", "Lerato Dlamini")
    assert report.created == "2011-11-30"
    assert report.language == "en"
    assert report.doc_type == "report"  # "Close-out Report" in the title


def test_pdf_title_falls_back_to_first_heading(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "draft.pdf", [["Some words before.", "# 1. Knowledge Audit", "Text follows here."]])
    assert extract(path, NO_OCR).title == "Knowledge Audit"  # a section's number is not part of a title


def test_pdf_placeholder_title_is_ignored(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "draft.pdf", [["# 1. Knowledge Audit", "Text."]], title="Microsoft Word - draft.doc")
    assert extract(path, NO_OCR).title == "Knowledge Audit"  # a section's number is not part of a title


def test_pdf_title_falls_back_to_file_name(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "mobile_units-2013.pdf", [["Only a plain sentence of body text, no heading."]])
    doc = extract(path, NO_OCR)
    assert doc.title == "Mobile units 2013"
    assert doc.authors == () and doc.created is None


def test_pdf_date_from_text_when_properties_have_none(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "memo.pdf", [["The meeting of 17 June 2009 approved the strategy."]])
    assert extract(path, NO_OCR).created == "2009-06-17"


def test_pdf_without_text_and_ocr_off(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["Nothing here is text"])
    with pytest.raises(ExtractionError) as info:
        extract(path, NO_OCR)
    assert info.value.reason == "no text found"
    assert str(path) in str(info.value)


def encrypted_copy(src: Path, dst: Path, **passwords: str) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(src))
    writer.encrypt(**passwords)
    with open(dst, "wb") as fh:
        writer.write(fh)
    return dst


def test_encrypted_pdf_needs_password(report_pdf: Path, tmp_path: Path) -> None:
    path = encrypted_copy(report_pdf, tmp_path / "locked.pdf", user_password="secret")
    with pytest.raises(ExtractionError) as info:
        extract(path, NO_OCR)
    assert "password" in info.value.reason
    assert info.value.path == str(path)


def test_encrypted_pdf_with_empty_user_password_is_read(report_pdf: Path, tmp_path: Path) -> None:
    path = encrypted_copy(report_pdf, tmp_path / "owner-only.pdf", user_password="", owner_password="x")
    doc = extract(path, NO_OCR)
    assert len(doc.pages) == 4
    assert "ten minutes" in doc.pages[1].text


def test_truncated_pdf(report_pdf: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(report_pdf.read_bytes()[:300])
    with pytest.raises(ExtractionError) as info:
        extract(path, NO_OCR)
    assert info.value.reason.startswith("corrupt or unreadable PDF")


def test_file_over_max_file_mb(report_pdf: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(report_pdf, Settings(ocr=False, max_file_mb=0.0001))
    assert "max_file_mb=0.0001" in info.value.reason


def test_max_pages_reads_the_first_pages_with_a_warning(report_pdf: Path) -> None:
    doc = extract(report_pdf, Settings(ocr=False, max_pages=2))
    assert [p.number for p in doc.pages] == [1, 2]
    assert any("max_pages" in w for w in doc.warnings)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(tmp_path / "gone.pdf", NO_OCR)
    assert info.value.reason.startswith("cannot read file")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    words = ["Quarterly", "warehouse", "inventory", "Pelican", "harbour", "lighthouse", "Marmalade", "telescope"]
    path = make_scanned_pdf(tmp_path / "scan.pdf", [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)])
    doc = extract(path, Settings(ocr=True, ocr_dpi=200))
    assert [p.ocr for p in doc.pages] == [True]
    found = [w for w in words if w.lower() in doc.text.lower()]
    assert len(found) >= len(words) - 1, doc.text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_white_on_black_text_needs_the_inverted_pass(tmp_path: Path) -> None:
    banner = ["Pelican harbour lighthouse", "Marmalade telescope"]
    path = make_scanned_pdf(tmp_path / "cover.pdf", ["Quarterly warehouse inventory"], inverted=banner)
    read = extract(path, Settings(ocr=True, ocr_invert=True)).text.lower()
    assert "quarterly warehouse inventory" in read and "pelican harbour lighthouse" in read, read
    skipped = extract(path, Settings(ocr=True, ocr_invert=False)).text.lower()
    assert "quarterly warehouse inventory" in skipped
    assert "pelican" not in skipped and "telescope" not in skipped, skipped


# --- DOCX ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minutes(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = make_docx(
        tmp_path_factory.mktemp("docx") / "km-committee.docx",
        [
            [
                "# Minutes of the KM Steering Committee",
                "Present: T. Mokoena, L. Dlamini",
                "Apologies: A. Patel",
                "## Matters arising",
                "The committee approved the knowledge management strategy.",
            ],
            ["# Mobile units", "Two mobile service units visited twelve rural wards."],
        ],
        title="KM Steering Committee, 17 June 2009",
        author="Nomvula Sithole, Thabo Mokoena",
        created=datetime(2009, 6, 17, 9, 30),
        table=[["Action", "Owner", "Due"], ["Publish the strategy", "Mokoena", "July 2009"]],
    )
    return extract(path, NO_OCR)


def test_docx_headings_and_levels(minutes: Document) -> None:
    assert headings_of(minutes) == [
        (1, "Minutes of the KM Steering Committee", 1),
        (1, "Matters arising", 2),
        (2, "Mobile units", 1),
    ]


def test_docx_table_rows(minutes: Document) -> None:
    texts = [b.text for b in minutes.pages[0].blocks]
    assert texts[-2:] == ["Action | Owner | Due", "Publish the strategy | Mokoena | July 2009"]


def test_docx_page_break_starts_page_two(minutes: Document) -> None:
    assert [p.number for p in minutes.pages] == [1, 2]
    assert "twelve rural wards" in minutes.pages[1].text
    assert "twelve rural wards" not in minutes.pages[0].text


def test_docx_core_properties(minutes: Document) -> None:
    assert minutes.format == "docx"
    assert minutes.title == "KM Steering Committee, 17 June 2009"
    assert minutes.authors == ("Nomvula Sithole", "Thabo Mokoena")
    assert minutes.created == "2009-06-17"
    assert minutes.doc_type == "minutes"


def test_docx_without_properties(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "notes.docx", [["# Records audit", "Plain words only."]])
    doc = extract(path, NO_OCR)
    assert doc.title == "Records audit"
    assert doc.authors == () and doc.created is None


# --- PPTX ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = make_pptx(
        tmp_path_factory.mktemp("pptx") / "mobile-units.pptx",
        [
            ("Mobile service units", ["Results of the 2013 rollout", "Twelve wards visited"], "Presented by Lerato"),
            ("What citizens asked for", ["Identity documents", "Social grants"], None),
            ("Next steps", ["Four more units in 2014"], "Budget still to be approved"),
        ],
        title="Mobile service units: results",
        author="Lerato Dlamini",
    )
    return extract(path, NO_OCR)


def test_pptx_one_page_per_slide(deck: Document) -> None:
    assert deck.format == "pptx"
    assert [p.number for p in deck.pages] == [1, 2, 3]


def test_pptx_slide_title_bullets_and_notes(deck: Document) -> None:
    assert deck.pages[0].blocks == (
        Block("Mobile service units", "heading", 1),
        Block("Results of the 2013 rollout"),
        Block("Twelve wards visited"),
        Block("Speaker notes: Presented by Lerato"),
    )
    assert not any(b.text.startswith("Speaker notes") for b in deck.pages[1].blocks)
    assert deck.pages[2].blocks[-1] == Block("Speaker notes: Budget still to be approved")


def test_pptx_properties_and_type(deck: Document) -> None:
    assert deck.title == "Mobile service units: results"
    assert deck.authors == ("Lerato Dlamini",)
    assert deck.doc_type == "presentation"


def test_pptx_table_rows(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = "Budget by region"
    rows = [["Region", "Units", "Cost"], ["Limpopo", "4", "R2m"]]
    table = slide.shapes.add_table(2, 3, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    prs.save(str(tmp_path / "budget.pptx"))
    doc = extract(tmp_path / "budget.pptx", NO_OCR)
    assert doc.pages[0].blocks == (
        Block("Budget by region", "heading", 1),
        Block("Region | Units | Cost"),
        Block("Limpopo | 4 | R2m"),
    )


# --- HTML, Markdown, text, CSV ---------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="fr-CA">
<head>
  <title>Rapport annuel du service des archives</title>
  <meta name="author" content="Marie Tremblay; Jean Roy">
  <meta name="date" content="2015-03-02T10:00:00">
  <script>var tracking = "SECRET-SCRIPT-TEXT";</script>
  <style>p { color: red }</style>
</head>
<body>
  <nav>Accueil | Contact</nav>
  <h1>Introduction</h1>
  <p>Le comité a approuvé le budget des archives municipales pour l'année.</p>
  <h2>Les priorités</h2>
  <ul><li>Numériser les registres</li><li>Former le personnel</li></ul>
  <table><tr><td>Région</td><td>Coût</td></tr></table>
</body>
</html>
"""


def test_html(tmp_path: Path) -> None:
    path = tmp_path / "rapport"  # no suffix: found by content
    path.write_text(HTML, encoding="utf-8")
    doc = extract(path, NO_OCR)
    assert doc.format == "html"
    assert doc.title == "Rapport annuel du service des archives"
    assert blocks_of(doc) == [
        Block("Introduction", "heading", 1),
        Block("Le comité a approuvé le budget des archives municipales pour l'année."),
        Block("Les priorités", "heading", 2),
        Block("Numériser les registres"),
        Block("Former le personnel"),
        Block("Région | Coût"),
    ]
    assert "SECRET-SCRIPT-TEXT" not in doc.text and "color" not in doc.text and "Accueil" not in doc.text
    assert doc.authors == ("Marie Tremblay", "Jean Roy")
    assert doc.created == "2015-03-02"
    assert doc.language == "fr"


def test_markdown_headings(tmp_path: Path) -> None:
    path = tmp_path / "study-tour-canada.md"
    path.write_text(
        "# Report of the study tour to Canada\n\nThe delegation visited Service Canada in Ottawa in September 2008."
        "\n\n## Recommendations\n\nEstablish one-stop centres in every district.\n",
        encoding="utf-8",
    )
    doc = extract(path, NO_OCR)
    assert doc.format == "markdown"
    assert headings_of(doc) == [(1, "Report of the study tour to Canada", 1), (1, "Recommendations", 2)]
    assert doc.title == "Report of the study tour to Canada"
    assert doc.doc_type == "study-tour report"


def test_text_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Le café – naïve façade, déjà vu à Genève.".encode("cp1252"))
    assert extract(path, NO_OCR).text == "Le café – naïve façade, déjà vu à Genève."


def test_short_text_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("café – naïve".encode("cp1252"))
    assert extract(path, NO_OCR).text == "café – naïve"


def test_text_in_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Minister’s speech — “Batho Pele” first.".encode("utf-16"))
    assert extract(path, NO_OCR).text == "Minister’s speech — “Batho Pele” first."


def test_text_form_feeds_are_pages(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("First page text.\fSecond page text.", encoding="utf-8")
    doc = extract(path, NO_OCR)
    assert [(p.number, p.text) for p in doc.pages] == [(1, "First page text."), (2, "Second page text.")]


def test_csv_rows_become_column_value_blocks(tmp_path: Path) -> None:
    path = tmp_path / "file-register.csv"
    path.write_text(
        "Reference,Subject,Owner\n2/3/1,EDRMS pilot,Records office\n2/3/2,,Registry\n,,\n", encoding="utf-8"
    )
    doc = extract(path, NO_OCR)
    assert doc.format == "csv"
    assert blocks_of(doc) == [
        Block("Reference: 2/3/1; Subject: EDRMS pilot; Owner: Records office"),
        Block("Reference: 2/3/2; Owner: Registry"),  # empty cells and empty rows left out
    ]
    assert doc.doc_type == "register"


def test_empty_text_file_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n\n   \n", encoding="utf-8")
    with pytest.raises(ExtractionError, match="no text found"):
        extract(path, NO_OCR)


# --- language and document type --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The committee approved the knowledge management strategy and asked the branch to report back.", "en"),
        ("Le conseil municipal a adopté le procès-verbal de la séance précédente et le budget de l'année.", "fr"),
    ],
)
def test_language(tmp_path: Path, text: str, language: str) -> None:
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    assert extract(path, NO_OCR).language == language


def test_minutes_from_present_and_apologies(tmp_path: Path) -> None:
    path = tmp_path / "meeting-2009-06.txt"
    path.write_text("Meeting of the committee\n\nPresent: A. Dube, B. Nel\nApologies: C. Khumalo\n\nIt opened.")
    assert extract(path, NO_OCR).doc_type == "minutes"


@pytest.mark.parametrize(
    ("fmt", "name", "title", "text", "expected"),
    [
        ("pptx", "minutes.pptx", "Minutes", "", "presentation"),  # format first
        ("docx", "notes.docx", "", "Present: A, B\nApologies: C", "minutes"),
        ("docx", "notes.docx", "", "Present: A, B\nAgenda: 1. Welcome", "minutes"),
        ("pdf", "exco-minutes-2009.pdf", "", "", "minutes"),
        ("pdf", "canada.pdf", "Report on the Study Tour to Canada", "", "study-tour report"),
        ("docx", "benchmarking_visit_kenya.docx", "", "", "study-tour report"),
        ("csv", "files.csv", "", "", "register"),
        ("pdf", "risk-register.pdf", "", "", "register"),
        ("pdf", "km-policy.pdf", "", "", "policy"),
        ("docx", "x.docx", "Records Management Strategy 2009-2014", "", "policy"),
        ("pdf", "x.pdf", "Annual Report 2012/13", "", "annual report"),
        ("pdf", "federal-register-2020-17221.pdf", "Airworthiness Directives", "", "notice"),  # not a register
        ("pdf", "x.pdf", "", "Internal question paper\nQuestions for written reply", "questions and replies"),
        ("pdf", "x.pdf", "Government Gazette", "", "gazette"),
        ("pdf", "x.pdf", "", "In the High Court of South Africa\nJudgment", "judgment"),
        ("pdf", "x.pdf", "Milburn Parish Council Agenda", "", "agenda"),
        ("pdf", "x.pdf", "Know your neighbourhood: Ward 13", "", "brochure"),
        ("pdf", "x.pdf", "Handbook for Chapter 13 Standing Trustees", "", "guideline"),
        ("pdf", "x.pdf", "Tracer Study Report", "", "research report"),
        ("pdf", "x.pdf", "Mid-term review of the EDRMS", "", "report"),
        ("pdf", "x.pdf", "Notes", "We went on a study visit to Kenya in 2010.", "study-tour report"),
        ("pdf", "x.pdf", "Notes", "Nothing telling here.", "other"),
        ("pdf", "contract.pdf", "", "", "other"),  # "act" only as a word, not inside "contract"
    ],
)
def test_guess_type(fmt: str, name: str, title: str, text: str, expected: str) -> None:
    assert guess_type(fmt, name, title, text.lower()) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Signed on 3 March 2009 in Pretoria.", "2009-03-03"),
        ("Between 1 July 2010 and 30 June 2011.", "2010-07-01"),
        ("In March 2009.", None),
        ("On 31 February 2009.", None),
    ],
)
def test_first_date(text: str, expected: str | None) -> None:
    assert first_date(text) == expected
