"""Text cleaning: normalisation, headers and footers, page numbers, hyphenation, headings and paragraphs."""

from __future__ import annotations

import pytest

from kmsearch.ingest.clean import (
    heading_level,
    is_running_head,
    join_hyphenated,
    lines_to_blocks,
    margin_lines,
    normalise,
    strip_page_number,
    strip_repeated_lines,
    text_to_blocks,
)
from kmsearch.types import Block
from tests.helpers import REAL_CORPUS

# --- normalise -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the ﬁle and the ﬂow", "the file and the flow"),  # ligatures
        ("R\u00a0500\u2003000", "R 500 000"),  # NBSP and an em space become plain spaces
        ("bell\x07 zero\u200bwidth soft\u00adhyphen\ufeff", "bell zerowidth softhyphen"),
        ("  too    many \t spaces  ", "too many spaces"),
        ("windows\r\nline\rends", "windows\nline\nends"),
        ("Introduction ........ 4", "Introduction … 4"),  # table-of-contents dot leaders
        ("Findings . . . . . . 12", "Findings … 12"),
        ("Wait... what", "Wait... what"),  # an ellipsis is not a leader
        ("version 1.2.3.4", "version 1.2.3.4"),
        ("differ\ufffeences", "differences"),  # PDFium's marker for a hyphen at a line end: word healed
        ("Covid\ufffe19 and Mexican\ufffeAmerican", "Covid-19 and Mexican-American"),  # a hyphen kept
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# --- strip_repeated_lines --------------------------------------------------------------------------------------


def paged(bodies: list[list[str]], header: str | None = "DGPSI EDRMS Pilot", footer: bool = True) -> list[list[str]]:
    n = len(bodies)
    return [
        ([header] if header else []) + body + ([f"Page {i} of {n}"] if footer else [])
        for i, body in enumerate(bodies, start=1)
    ]


def test_header_and_footer_on_every_page_are_removed() -> None:
    words = ["Registry", "Scanning", "Training", "Budget"]
    bodies = [[f"{w} is covered here.", f"More on {w.lower()}."] for w in words]
    assert strip_repeated_lines(paged(bodies)) == bodies


def test_header_on_half_of_the_pages_is_removed() -> None:
    pages = [["Draft for comment", "Alpha."], ["Beta."], ["Draft for comment", "Gamma."], ["Delta."]]
    assert strip_repeated_lines(pages) == [["Alpha."], ["Beta."], ["Gamma."], ["Delta."]]


def test_line_on_fewer_than_half_of_the_pages_stays() -> None:
    pages = [["Annex A", "One."], ["Two."], ["Three."], ["Four."], ["Five."], ["Annex A", "Six."]]
    assert strip_repeated_lines(pages) == pages  # 2 of 6 pages < threshold 3


def test_repeated_line_in_the_middle_of_pages_stays() -> None:
    body = ["l1", "l2", "l3", "The same sentence in the body.", "l5", "l6", "l7"]
    pages = [list(body) for _ in range(4)]
    out = strip_repeated_lines(pages)
    assert all("The same sentence in the body." in lines for lines in out)
    assert all("l1" not in lines and "l7" not in lines for lines in out)  # the zones' repeats do go


def test_running_heads_on_alternate_pages_are_removed_wherever_they_stand() -> None:
    # A report's left pages carry "N | TITLE" and its right pages "DATE | N": each form is on half the pages or
    # fewer, and the PDF's text order may put it in the middle of the page.
    words = ["Registry", "Scanning", "Training", "Budget", "Wages", "Schools", "Clinics", "Roads", "Housing"]
    pages = []
    for n, word in enumerate(words, start=2):
        head = f"{n} | THE PRESIDENTIAL EMPLOYMENT STIMULUS" if n % 2 == 0 else f"FEBRUARY 2024 | {n}"
        body = [f"{word} {k}." for k in ("one", "two", "three", "four", "five", "six", "seven", "eight")]
        pages.append(body[:4] + [head] + body[4:])
    out = strip_repeated_lines(pages)
    assert all(not is_running_head(line) for lines in out for line in lines)
    assert all(len(lines) == 8 for lines in out)


@pytest.mark.parametrize(("line", "head"), [
    ("4 | THE PRESIDENTIAL EMPLOYMENT STIMULUS", True),
    ("FEBRUARY 2024 | 5", True),
    ("Annual Report 2023 · 12", True),
    ("Page | 15", True),
    ("Page 2 of 9", True),
    ("page 12/40", True),
    ("See page 2 of the report", False),
    ("2 | 3", False),  # no title: a table row
    ("Name | Designation | 4", False),
    ("Revenue rose by 4 | see table", False),
])
def test_is_running_head(line: str, head: bool) -> None:
    assert is_running_head(line) is head


def test_a_single_running_head_shaped_line_stays() -> None:
    pages = [["Intro."], ["7 | Budget lines", "Two."], ["Three."], ["Four."]]
    assert strip_repeated_lines(pages) == pages


# --- margin_lines: headers and footers known by their place on the page -----------------------------------------

LINE = 0.012  # a line's height, as a share of the page's


def placed(pages: list[list[tuple[str, float]]]) -> tuple[list[list[str]], list[list[tuple[float, float]]]]:
    """Pages of (line, top) pairs as the PDF extractor gives them: lines, and each line's top and bottom."""
    return [[line for line, _ in page] for page in pages], [[(top, top + LINE) for _, top in page] for page in pages]


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
         "mike", "november", "oscar", "papa"]


def body(page: int, start: float = 0.12, n: int = 5) -> list[tuple[str, float]]:
    """A page's own lines of text, from `start` down: no two pages share one, digits aside."""
    return [(f"The {WORDS[page]} text goes on, {WORDS[k]} of it.", start + 0.03 * k) for k in range(n)]


def kept(pages: list[list[tuple[str, float]]]) -> list[list[str]]:
    lines, boxes = placed(pages)
    return strip_repeated_lines(lines, boxes)


def test_chapter_running_heads_are_removed_though_each_is_on_few_pages() -> None:
    # 12 pages, three chapters of four: each head is on a third of the pages, so the half-of-pages rule misses it
    chapters = ["Chapter 1: Records", "Chapter 2: Training", "Chapter 3: Budget"]
    pages = []
    for n in range(12):
        head = chapters[n // 4]
        first = [(head.split(":")[0].upper(), 0.12)] if n % 4 == 0 else []  # the chapter's own heading, once
        pages.append([(head, 0.05), *first, *body(n, 0.16 if first else 0.12), (str(n + 1), 0.95)])
    out = kept(pages)
    assert not any(line.startswith("Chapter") or line.isdigit() for lines in out for line in lines)
    assert [lines[0] for lines in out[::4]] == ["CHAPTER 1", "CHAPTER 2", "CHAPTER 3"]
    assert [len(lines) for lines in out] == [6, 5, 5, 5] * 3


def test_a_table_header_row_where_other_pages_have_text_stays() -> None:
    # A long table's header row repeats at the top of its pages, at the height where the prose pages start
    prose = [[("ANNUAL REPORT 2010", 0.04), *body(n)] for n in range(5)]
    table = [[("ANNUAL REPORT 2010", 0.04), ("Region Units Cost", 0.12), (f"{WORDS[n].title()} 4 R2m", 0.15)]
             for n in range(4)]
    out = kept(prose + table)
    assert [lines[0] for lines in out[5:]] == ["Region Units Cost"] * 4
    assert not any("ANNUAL REPORT" in line for lines in out for line in lines)


def test_a_table_header_row_under_its_tables_title_stays() -> None:
    titles = ["Enrolment by region", "Teachers by region", "Schools by region", "Learners by grade"]
    pages = [[(f"Table {n}. {title}", 0.05), ("Region Public Private", 0.08), (f"{WORDS[n].title()} 3 4", 0.11)]
             for n, title in enumerate(titles)]
    assert kept(pages) == placed(pages)[0]


def test_a_column_of_numbers_beside_text_is_no_page_number() -> None:
    # Counts at the same height on every page, beside the names they count; the page number stands alone
    pages = [[*body(n, 0.05, 3), (WORDS[n].title(), 0.85), ("35", 0.85), (WORDS[n + 5].title(), 0.88), ("12", 0.88),
              (str(n + 1), 0.95)] for n in range(4)]
    assert [lines[-4:] for lines in kept(pages)] == [[WORDS[n].title(), "35", WORDS[n + 5].title(), "12"]
                                                     for n in range(4)]


def test_text_beside_a_header_on_its_line_does_not_keep_it() -> None:
    pages = [[("PROGRESS REPORT: MARCH 2021", 0.04), *body(n)] for n in range(5)]
    pages[1].append(("PRESIDENTIAL EMPLOYMENT STIMULUS", 0.04))  # a logo's words on the header's line
    pages[0] = [("A stimulus for jobs", 0.03), *body(0)]  # a cover's title in the header's band
    out = kept(pages)
    assert not any("PROGRESS REPORT" in line for lines in out for line in lines)
    assert out[0][0] == "A stimulus for jobs" and "PRESIDENTIAL EMPLOYMENT STIMULUS" in out[1]


def test_an_agenda_shown_again_before_each_part_stays() -> None:
    # Slides as a PDF: the agenda slide's lines repeat at one place, where the other slides have their text
    agenda = [("Outline", 0.15), ("Part 1: The epidemic", 0.3), ("Part 2: The response", 0.4)]
    pages = [agenda if n % 3 == 0 else body(n, 0.1, 8) for n in range(15)]
    lines, boxes = placed(pages)
    assert margin_lines(lines, boxes) == set()


def test_a_two_page_letter_loses_its_letterhead() -> None:
    pages = [[("Lincoln Square Special Service Area #21", 0.03), *body(0)],
             [("Lincoln Square Special Service Area #21", 0.03), *body(1)]]
    assert kept(pages) == [[line for line, _ in body(0)], [line for line, _ in body(1)]]


def test_lines_without_a_place_fall_back_to_the_half_of_pages_rule() -> None:
    pages = [[("Draft for comment", 0.05), *body(n)] for n in range(4)]
    lines, boxes = placed(pages)
    boxes[2] = [None] * len(boxes[2])  # an OCR'd page: no places
    out = strip_repeated_lines(lines, boxes)
    assert not any("Draft" in line for page in out for line in page)
    assert [len(page) for page in out] == [5] * 4


CORPUS = REAL_CORPUS
PES = CORPUS / "za-openup" / "presidential-employment-stimulus" / "February_2024_Update.pdf"


@pytest.mark.skipif(not PES.is_file(), reason=f"real corpus not found at {CORPUS}")
def test_real_report_loses_its_running_heads_and_keeps_its_text() -> None:
    from kmsearch.config import Settings
    from kmsearch.ingest.extract import extract

    doc = extract(PES, Settings(ocr=False))
    blocks = [(p.number, b.text) for p in doc.pages for b in p.blocks]
    heads = [text for _, text in blocks
             if "| THE PRESIDENTIAL EMPLOYMENT STIMULUS" in text or text.startswith("FEBRUARY 2024 |")]
    assert heads == []
    assert any("Basic Education Employment Initiative" in text for number, text in blocks if number == 8)
    assert any("Compiled by" in text for number, text in blocks if number == 35)


def test_two_pages_without_places_keep_a_repeated_line_and_lose_page_n_of_m() -> None:
    # Half of two pages is one page: a line on both is no evidence of a header, but "Page 1 of 2" is one by shape
    pages = paged([["First."], ["Second."]])
    assert strip_repeated_lines(pages) == [["DGPSI EDRMS Pilot", "First."], ["DGPSI EDRMS Pilot", "Second."]]
    assert strip_repeated_lines([["Only page.", "DGPSI EDRMS Pilot"]]) == [["Only page.", "DGPSI EDRMS Pilot"]]


# --- strip_page_number -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "number", "expected"),
    [
        (["4", "Body text."], 4, ["Body text."]),
        (["Body text.", "4"], 4, ["Body text."]),
        (["- 4 -", "Body text."], 4, ["Body text."]),
        (["Body text.", "Page 4 of 10"], 4, ["Body text."]),
        (["Body text.", "page 4/10"], 4, ["Body text."]),
        (["41. The case for KM", "Body text."], 4, ["1. The case for KM", "Body text."]),
        (["41.2 Scope of the work", "Body text."], 4, ["1.2 Scope of the work", "Body text."]),
        (["2Introduction to records", "Body text."], 2, ["Introduction to records", "Body text."]),
        (["Body text.", "The pilot ended in March.7"], 7, ["Body text.", "The pilot ended in March."]),
        (["Body text.", "The pilot ended in March. 7"], 7, ["Body text.", "The pilot ended in March."]),
    ],
)
def test_strip_page_number(lines: list[str], number: int, expected: list[str]) -> None:
    assert strip_page_number(lines, number) == expected


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("1990 was a year of change.", 1),
        ("16 Days of Activism for No Violence", 1),  # a count, not a page number glued to "6 Days"
        ("100 Days of Service", 1),
        ("10. Financing: investment in people", 1),  # section 10 on page 1, not "0. Financing"
        ("155. Specific events and factors were of particular importance to the committee in that year", 1),
        ("Growth rose to 3.4", 4),  # a decimal at the end of the page, not "3." and page 4
        ("See section 2.1", 1),
        ("Rates rose by 7", 7),  # no sentence end before the number
    ],
)
def test_numbers_that_belong_to_the_text_stay(line: str, number: int) -> None:
    lines = ["Body text.", line] if line[-1].isdigit() else [line, "Body text."]
    assert strip_page_number(lines, number) == lines


def test_strip_page_number_does_not_change_its_input() -> None:
    lines = ["4", "Body text."]
    strip_page_number(lines, 4)
    assert lines == ["4", "Body text."]


# --- join_hyphenated, heading_level ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("records manage-", "ment works", "records management works"),
        ("the pilot", "ended", "the pilot ended"),
        ("", "start", "start"),
        ("Covid-", "19 cases", "Covid- 19 cases"),  # not a broken word: no lower-case letter follows
        ("north-", "West province", "north- West province"),
    ],
)
def test_join_hyphenated(first: str, second: str, expected: str) -> None:
    assert join_hyphenated(first, second) == expected


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("1. Introduction", 1),
        ("2 Background", 1),
        ("2.3 Findings of the pilot", 2),
        ("2.3.1 Retrieval times", 3),
        ("EXECUTIVE SUMMARY", 1),
        ("Introduction", 0),  # mixed case without a number: indistinguishable from body text
        ("1. Introduction ........ 4", 0),  # a table-of-contents line ends in a page number
        ("3 March 2009", 0),
        ("ANC", 0),  # too few letters to call it a heading
        ("The committee met.", 0),
        ("Records, files,", 0),
        ("A VERY LONG LINE IN CAPITALS THAT GOES ON AND ON FOR MANY WORDS AND IS NOT A HEADING", 0),
    ],
)
def test_heading_level(line: str, level: int) -> None:
    assert heading_level(line) == level


# --- lines_to_blocks, text_to_blocks ---------------------------------------------------------------------------


def test_lines_to_blocks_joins_paragraphs_and_keeps_headings_apart() -> None:
    lines = [
        "1. Introduction",
        "The electronic records management pilot moved paper registry files into the",
        "new system during the first half of the year, and records officers classi-",
        "fied every active file against the approved file plan.",
        "It ended well.",
        "",
        "A second paragraph starts after a blank line and is long enough to reach the",
        "margin of the page.",
        "2.1 Findings",
        "Retrieval times fell.",
    ]
    assert lines_to_blocks(lines) == [
        Block("1. Introduction", "heading", 1),
        Block(
            "The electronic records management pilot moved paper registry files into the new system during the "
            "first half of the year, and records officers classified every active file against the approved file "
            "plan."
        ),
        Block("It ended well."),
        Block("A second paragraph starts after a blank line and is long enough to reach the margin of the page."),
        Block("2.1 Findings", "heading", 2),
        Block("Retrieval times fell."),
    ]


def test_lines_to_blocks_empty() -> None:
    assert lines_to_blocks([]) == []
    assert lines_to_blocks(["", ""]) == []


def test_text_to_blocks_markdown() -> None:
    text = (
        "# Study tour to Canada\n\nThe delegation visited\nOttawa in 2008.\n\n"
        "## Recommendations ##\n\nOpen ser-\nvice centres.\n"
    )
    assert text_to_blocks(text, markdown=True) == [
        Block("Study tour to Canada", "heading", 1),
        Block("The delegation visited Ottawa in 2008."),
        Block("Recommendations", "heading", 2),
        Block("Open service centres."),
    ]


def test_text_to_blocks_plain_text_keeps_hashes() -> None:
    text = "# not a heading\nin plain text\n\nsecond para-\ngraph"
    assert text_to_blocks(text) == [Block("# not a heading in plain text"), Block("second paragraph")]
