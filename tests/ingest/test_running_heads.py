"""Running headers and footers leave extraction's text: on files the tests write, on the sample corpus and on real
documents from ../shared/corpus-real (skipped when it is absent), while repeated lines that are content stay."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.ingest.extract import extract
from kmsearch.types import Block, Document
from tests.fixtures import make_pdf
from tests.helpers import REAL_CORPUS, REPO

NO_OCR = Settings(ocr=False)
SAMPLE = REPO / "corpus"
TEXT = ("{} The registry moved its files into the new system over the year, and the records officers checked "
        "each classification before the paper file was closed. The work went on in every unit.")


def texts(doc: Document) -> list[str]:
    return [b.text for p in doc.pages for b in p.blocks]


# --- files the tests write --------------------------------------------------------------------------------------


def test_pdf_chapter_running_heads_and_page_numbers_go_and_the_chapters_headings_stay(tmp_path: Path) -> None:
    # Three chapters of three pages: each chapter's running head is on a third of the pages
    topics = ["Records", "Training", "Budget"]
    pages, heads = [], []
    for n in range(9):
        topic = topics[n // 3]
        first = [f"# {n // 3 + 1}. {topic.upper()}"] if n % 3 == 0 else []
        pages.append([*first, TEXT.format(f"Page {n + 1} is about {topic.lower()}, part {'abc'[n % 3]}.")])
        heads.append(f"Chapter {n // 3 + 1}: {topic}")
    doc = extract(make_pdf(tmp_path / "report.pdf", pages, header=heads, footer=True), NO_OCR)
    assert not [t for t in texts(doc) if "Chapter" in t or re.search(r"Page \d of 9", t)]
    assert [(p.number, b.text) for p in doc.pages for b in p.blocks if b.kind == "heading"] == [
        (1, "1. RECORDS"), (4, "2. TRAINING"), (7, "3. BUDGET")]
    assert all(f"Page {p.number} is about" in p.text for p in doc.pages)


def test_pdf_table_header_row_at_the_top_of_its_pages_stays(tmp_path: Path) -> None:
    # The row stands where the prose pages' text starts, so it is no header
    prose = [[TEXT.format(f"Page {n + 1} is about {region}.")] for n, region in enumerate(["Gauteng", "Limpopo", "Free State"])]
    table = [["Region Units Cost", f"{region} 4 R2m"] for region in ["Mpumalanga", "North West", "Northern Cape"]]
    doc = extract(make_pdf(tmp_path / "table.pdf", prose + table, header="DGPSI Annual Report", footer=True), NO_OCR)
    assert [p.blocks[0].text.startswith("Region Units Cost") for p in doc.pages] == [False] * 3 + [True] * 3
    assert not [t for t in texts(doc) if "DGPSI" in t]


def _deck(path: Path) -> Path:
    """Four slides, each with the layout's footer, date and slide number filled in, a confidentiality line typed
    into a text box at the bottom, and a 'Questions?' box in the middle of the last three slides."""
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.util import Inches

    prs = Presentation()
    layout = prs.slide_layouts[1]  # Title and Content, with date, footer and slide-number placeholders
    typed = {PP_PLACEHOLDER.FOOTER: "Department of Records", PP_PLACEHOLDER.DATE: "14 August 2013"}
    titles = ["Agenda", "Scanning", "Agenda", "Training"]
    for n, title in enumerate(titles, start=1):
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text_frame.text = f"Point {n}: the registry's {title.lower()} work"
        for placeholder in layout.placeholders:
            kind = placeholder.placeholder_format.type
            if kind in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.SLIDE_NUMBER):
                slide.shapes.clone_placeholder(placeholder)
                slide.placeholders[placeholder.placeholder_format.idx].text = typed.get(kind, str(n))
        box = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(9.0), Inches(0.3))
        box.text_frame.text = "CONFIDENTIAL: for internal use only"
        if n > 1:
            middle = slide.shapes.add_textbox(Inches(3), Inches(4.5), Inches(4), Inches(0.5))
            middle.text_frame.text = "Questions?"
    prs.save(str(path))
    return path


def test_pptx_footer_date_and_slide_number_placeholders_and_a_typed_footer_go(tmp_path: Path) -> None:
    doc = extract(_deck(tmp_path / "deck.pptx"), NO_OCR)
    assert [list(p.blocks) for p in doc.pages] == [
        [Block("Agenda", "heading", 1), Block("Point 1: the registry's agenda work")],
        [Block("Scanning", "heading", 1), Block("Point 2: the registry's scanning work"), Block("Questions?")],
        [Block("Agenda", "heading", 1), Block("Point 3: the registry's agenda work"), Block("Questions?")],
        [Block("Training", "heading", 1), Block("Point 4: the registry's training work"), Block("Questions?")],
    ]


# --- the sample corpus ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (SAMPLE / "presentations").is_dir(), reason="sample corpus not generated")
@pytest.mark.parametrize("path", [p for p in sorted(SAMPLE.rglob("*.p*")) if p.suffix in (".pdf", ".pptx")
                                  and p.parent.name != "scans"], ids=lambda p: p.name)  # the scan has no text layer
def test_sample_corpus_documents_keep_no_header_or_footer(path: Path) -> None:
    # PDFs: "DGPSI — <title> Highveld North Province" above and "<ref or unit> Page N of M" below every page;
    # decks: "DGPSI <unit or event> | N" in a text box at the foot of every slide after the first
    doc = extract(path, NO_OCR)
    footers = [t for t in texts(doc)
               if t.startswith("DGPSI —") or re.search(r"Page \d+ of \d+", t) or re.match(r"DGPSI .*\|\s*\d+$", t)]
    assert footers == []
    assert sum(len(t) for t in texts(doc)) > 1000


# --- real documents ---------------------------------------------------------------------------------------------

needs_real = pytest.mark.skipif(not (REAL_CORPUS / "MANIFEST.tsv").is_file(),
                                reason=f"real corpus not found at {REAL_CORPUS}")


@cache
def real(name: str) -> Document:
    return extract(next(REAL_CORPUS.rglob(name)), NO_OCR)


def count(name: str, words: str) -> int:
    return sum(words in t for t in texts(real(name)))


@needs_real
def test_real_chapter_running_heads_go_and_chapter_headings_stay() -> None:
    # The Afrikaans Constitution heads each page with its chapter ("Hoofstuk 4: Parlement", on 24 of 188 pages)
    name = "constitution__SAConstitution-web-afr.pdf"
    assert count(name, "Hoofstuk 4: Parlement") == 0 and count(name, "Hoofstuk 6: Provinsies") == 0
    assert [t for t in texts(real(name)) if t in ("HOOFSTUK 4", "PARLEMENT")] == ["HOOFSTUK 4", "PARLEMENT"]


@needs_real
@pytest.mark.parametrize(("name", "words"), [
    ("annual-reports__annual_report_2007.pdf", "NATIONAL LOTTERIES BOARD annual report 2007"),  # "2 NAT... 2007"
    ("government-gazette-ZA-vol-607-no-39579-dated-2016-01-08-liquor-licenses.pdf", "STAATSKOERANT, 8 JANUARIE"),
    ("government-gazette-ZA-vol-607-no-39579-dated-2016-01-08-liquor-licenses.pdf", "GAZETTE, 8 JANUARY 2016"),
    ("hansard-tales__hansard__hansard_20251119_P.pdf", "can be obtained from the Hansard Editor"),  # 2-line footer
    ("chelsea_pdta.pdf", "Rapport final_2021"),
    ("eu-026.pdf", "Working Paper Series No 1299"),
])
def test_real_headers_and_footers_are_gone(name: str, words: str) -> None:
    assert count(name, words) == 0


@needs_real
def test_real_report_loses_its_section_running_heads() -> None:
    # The 2010 National Lotteries Board report puts "National Lotteries Board" and its section ("Activities of the
    # Board", "continued") above the text of most pages: 16 blocks began with the board's name, 26 held "continued"
    name = "annual-reports__annual_report_2010.pdf"
    assert sum(t.lower().startswith("national lotteries board") for t in texts(real(name))) <= 5
    assert sum("continued" in t.lower() for t in texts(real(name))) <= 4


@needs_real
@pytest.mark.parametrize(("name", "words", "times"), [
    # a table's header row on each of its four pages
    ("Skills-Plan__FASSET_Sector_Skills_Plan_Update_2024-25.pdf", "Rank FASSET Occupation Group", 4),
    ("chelsea_pdta.pdf", "Totalement en accord En accord", 23),  # a survey chart's legend
    ("pombola__hansard__2013-07-31-senate-sample.pdf", "Teller of the Ayes", 23),  # each division's tellers
    ("za_hansard__questions__184530_1.pdf", "what are the relevant details", 153),  # the same question, to many
    ("covid19-ministerial-briefing-2020-04-13-presentation.pdf", "Outline", 6),  # the agenda slide, shown again
    ("Skills-Plan__FASSET_Sector_Skills_Plan_Update_2024-25.pdf", "INTRODUCTION", 12),  # "N.1", and contents
])
def test_real_repeated_content_stays(name: str, words: str, times: int) -> None:
    assert count(name, words) == times


@needs_real
def test_real_deck_keeps_every_block() -> None:
    doc = real("NASA-GSFC_Sciences-and-Exploration-Directorate__science-exploration-1p.pptx")
    assert [t[:42] for t in texts(doc)] == ["Code 600: Sciences and Exploration Directo",
                                            "GSFC: Sciences and Exploration Directorate",
                                            "Virtual Machine Environment Scorecard"]
