"""Text cleaning: repeated headers and footers, page numbers, hyphenation, whitespace, and line-to-paragraph joining.

PDF text arrives as lines per page; the functions here turn it into headings and paragraphs.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from kmsearch.types import Block

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\u00ad\ufeff]")
_SOFT_HYPHEN = re.compile(r"(?<=[a-z])\ufffe(?=[a-z])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_LEADERS = re.compile(r"(?:\s?[.·…_]){4,}\s?")  # table-of-contents dot leaders
_PAGE_LINE = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_PAGE_OF = re.compile(r"^page\s+\d{1,4}\s*(?:of|/)\s*\d{1,4}$", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-Z].*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")

HEADER_ZONE = 3  # lines at the top and bottom of a page where headers, footers and page numbers live
Box = tuple[float, float]  # a line's top and bottom, as fractions of the page's height from its top edge
MARGIN_TOLERANCE = 0.012  # a header's height may vary by this much (10 pt on A4), and bands are widened by it
MARGIN_MIN_PAGES = 3
MARGIN_BAND = 0.2  # a header ends in the top fifth of the page, a footer starts in the bottom fifth
MARGIN_BODY_SHARE = 1 / 3  # at most this share of the pages (or one page) may have other text in a header's band
# A running head that carries the page number beside the title, "4 | THE PRESIDENTIAL EMPLOYMENT STIMULUS" or
# "FEBRUARY 2024 | 5". Reports set them on alternate pages (title on the left page, date on the right), so each
# form recurs on only half of the pages or fewer and escapes the repeated-line rule.
_RUNNING_HEAD = re.compile(
    r"^(?:\d{1,4}\s*[|│•·]\s*[^|│]*[^\W\d_][^|│]*|[^|│]*[^\W\d_][^|│]*[|│•·]\s*\d{1,4})$"
)


def normalise(text: str) -> str:
    """Unicode NFKC (ligatures, odd spaces), control characters out, runs of spaces collapsed."""
    # PDFium returns a hyphen at a line end as U+FFFE with the line break already removed: heal the word, as
    # join_hyphenated does ("manage-" + "ment"), and keep a real hyphen anywhere else ("Covid-19").
    text = _SOFT_HYPHEN.sub("", text).replace("\ufffe", "-")
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _LEADERS.sub(" … ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def is_running_head(line: str) -> bool:
    """A header or footer line shaped "N | TITLE", "TITLE | N" (at most 100 characters) or "Page N of M"."""
    return len(line) <= 100 and bool(_RUNNING_HEAD.match(line) or _PAGE_OF.match(line))


def strip_repeated_lines(pages: list[list[str]], boxes: list[list[Box | None]] | None = None) -> list[list[str]]:
    """Drop the pages' running headers and footers.

    Where the lines' places on the page are known (`boxes`, from a PDF's text layer), a header or footer is a line
    that recurs at one height in a band of the page that the text of few other pages reaches (`margin_lines`).
    Lines without a place (OCR'd pages) go when they stand near the top or bottom of a page and recur, digits
    aside, on at least half of the pages. Either way, running heads ("4 | TITLE", "TITLE | 5", "Page 2 of 9") that
    recur on at least two pages go wherever they stand: a PDF's text order often puts them amid the page's lines.
    """
    if len(pages) < 2:
        return pages
    drop = running_heads(pages)
    if boxes is not None:
        drop |= margin_lines(pages, boxes)
    if len(pages) >= 3:  # half of two pages is one: too little to tell a header from a line that happens to repeat
        drop |= _repeated_in_zone(pages, boxes)
    return [[line for i, line in enumerate(lines) if (p, i) not in drop] for p, lines in enumerate(pages)]


def running_heads(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) of the running heads ("4 | TITLE", "Page 2 of 9") whose text, digits aside, is on two pages."""
    heads: Counter[str] = Counter()
    for lines in pages:
        heads.update({_line_key(line) for line in lines if line and is_running_head(line)})
    return {(p, i) for p, lines in enumerate(pages) for i, line in enumerate(lines)
            if line and is_running_head(line) and heads[_line_key(line)] >= 2}


def _repeated_in_zone(pages: list[list[str]], boxes: list[list[Box | None]] | None) -> set[tuple[int, int]]:
    """Lines among the first or last HEADER_ZONE of a page that recur, digits aside, on half of the pages; only
    those without a known place when `boxes` are given (the margin rule judges the others, and better: digits
    aside, a table's rows of numbers or dates look alike here)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        zone = lines[:HEADER_ZONE] + lines[-HEADER_ZONE:]
        counts.update({_line_key(line) for line in zone if line})
    threshold = max(2, len(pages) // 2)
    drop = set()
    for p, lines in enumerate(pages):
        n = len(lines)
        for i, line in enumerate(lines):
            edge = i < HEADER_ZONE or i >= n - HEADER_ZONE
            if edge and line and counts[_line_key(line)] >= threshold and (boxes is None or boxes[p][i] is None):
                drop.add((p, i))
    return drop


def margin_lines(pages: list[list[str]], boxes: list[list[Box | None]]) -> set[tuple[int, int]]:
    """(page, line) of the headers and footers among lines whose places are known: a line goes when its text
    (digits aside) stands at one height on several pages (`_placed_groups`), in the top or bottom fifth of the
    page, in a band that the text of at most MARGIN_BODY_SHARE of the other pages reaches, and on its own page
    above all other text (a header) or below it (a footer). A table's header row repeated on each page of a long table
    stands where other pages have text, or under the table's title; a chapter's running head stands above every
    page's text, in a band that only pages without a running head (a cover, a chapter's first page) reach."""
    groups = _placed_groups(pages, boxes)
    placed = {(p, i) for group in groups for p, i in group}
    body: list[tuple[int, float, float]] = []  # page, top, bottom of each line that is no header candidate
    for p, lines in enumerate(pages):
        for i, line in enumerate(lines):
            box = boxes[p][i]
            if box is not None and (p, i) not in placed and any(c.isalpha() for c in line):
                body.append((p, *box))
    drop: set[tuple[int, int]] = set()
    for group in groups:
        places = [boxes[p][i] for p, i in group]
        top = min(t for t, _ in places)  # type: ignore[misc]
        bottom = max(b for _, b in places)  # type: ignore[misc]
        header = bottom < MARGIN_BAND
        if not header and top <= 1 - MARGIN_BAND:
            continue
        # Text beside a title on its own line (a logo's words, a date) does not make its band the body's; beside a
        # number it does: a table's column of dates or counts is no page number.
        p, i = group[0]
        beside = {p for p, _ in group} if any(c.isalpha() for c in pages[p][i]) else set()
        reached = {p for p, t, b in body if t < bottom and b > top and p not in beside}
        if len(reached) > max(1, MARGIN_BODY_SHARE * len(pages)):
            continue
        for p, i in group:
            t, b = boxes[p][i]  # type: ignore[misc]
            # Text beside the header, on its line, is no text above it
            if all((bb > t if header else bt < b) for bp, bt, bb in body if bp == p):
                drop.add((p, i))
    return drop


def _placed_groups(pages: list[list[str]], boxes: list[list[Box | None]]) -> list[list[tuple[int, int]]]:
    """Lines with the same text, digits aside, at the same height (within MARGIN_TOLERANCE of the page's height)
    on at least MARGIN_MIN_PAGES pages (2 in a document of under 6 pages): one group per text and height."""
    places: dict[str, list[tuple[float, int, int]]] = {}
    for p, lines in enumerate(pages):
        for i, line in enumerate(lines):
            box = boxes[p][i]
            if line and box is not None:
                places.setdefault(_line_key(line), []).append((box[0], p, i))
    least = MARGIN_MIN_PAGES if len(pages) > 2 * MARGIN_MIN_PAGES - 1 else 2  # a short report's alternate heads
    groups = []
    for found in places.values():
        if len({p for _, p, _ in found}) < least:
            continue
        found.sort()
        run = [found[0]]
        for place in found[1:] + [(math.inf, -1, -1)]:
            if place[0] - run[-1][0] > MARGIN_TOLERANCE:
                if len({p for _, p, _ in run}) >= least:
                    groups.append([(p, i) for _, p, i in run])
                run = []
            run.append(place)
    return groups


def strip_page_number(lines: list[str], number: int) -> list[str]:
    """Remove a page number standing alone at the top or bottom, or glued to the first or last line ("41. Intro")."""
    lines = list(lines)
    n = str(number)
    for idx in (0, -1):
        if lines and _PAGE_LINE.match(lines[idx]):
            lines.pop(idx)
    if lines and lines[0].startswith(n):
        rest = lines[0][len(n) :]
        # Glued to a numbered heading ("41. The case" on page 4) or a word ("4Introduction"); not a count
        # ("16 Days of Activism", "100 Days"), a "10. Financing" heading or a "155. Specific ..." paragraph on page 1.
        numbered = re.match(r"^[1-9]\d?(\.\d{1,2})*\.\s+[A-Z]|^[1-9]\d?(\.\d{1,2})+\s+[A-Z]", rest)
        if (numbered and heading_level(rest)) or re.match(r"^[A-Z][a-z]", rest):
            lines[0] = rest
    if lines and lines[-1].endswith(n):
        rest = lines[-1][: -len(n)]
        if re.search(r"(?<!\d)[.!?]\s?$", rest):  # "country.11" yes; "section 2.1" or "30.2" on page 1/2 no
            lines[-1] = rest.rstrip()
    return lines


def _broken_word(first: str, second: str) -> bool:
    """A lower-case word broken by a hyphen at the end of `first` and continued at the start of `second`."""
    return len(first) >= 2 and first[-1] == "-" and "a" <= first[-2] <= "z" and "a" <= second[:1] <= "z"


def join_hyphenated(first: str, second: str) -> str:
    """Join two lines, healing a word broken across them ("manage-" + "ment" -> "management")."""
    if _broken_word(first, second):
        return first[:-1] + second
    return f"{first} {second}" if first else second


def join_lines(lines: list[str]) -> str:
    """`join_hyphenated` over many lines, in time linear in their length (a text file may hold a million lines)."""
    parts: list[str] = []
    previous = ""
    for line in lines:
        if not parts:
            parts.append(line)
        elif _broken_word(previous, line):
            parts[-1] = parts[-1][:-1]
            parts.append(line)
        else:
            parts.extend((" ", line))
        previous = line
    return "".join(parts)


def heading_level(line: str) -> int:
    """Guess whether a line of PDF text is a heading: return its level (1-3), or 0 for body text."""
    if len(line) > 90 or len(line.split()) > 12 or _SENTENCE_END.search(line) or line.endswith(","):
        return 0
    m = _NUMBERED_HEADING.match(line)
    if m and not re.search(r"\d\s*$", line):
        return min(3, m.group(1).count(".") + 1)
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return 1
    return 0


def lines_to_blocks(lines: list[str]) -> list[Block]:
    """Join the lines of a page into paragraphs, keeping headings apart.

    A paragraph ends at a blank line, a heading, or a line that ends a sentence and is clearly shorter
    than the page's full lines (the last line of a paragraph rarely reaches the margin).
    """
    widths = sorted(len(line) for line in lines if line)
    full = widths[int(len(widths) * 0.8)] if widths else 0
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        text = join_lines(current).strip()
        if text:
            blocks.append(Block(text))
        current.clear()

    for line in lines:
        if not line:
            flush()
            continue
        level = heading_level(line)
        if level:
            flush()
            blocks.append(Block(line, "heading", level))
            continue
        current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.75 * full:
            flush()
    flush()
    return blocks


def text_to_blocks(text: str, markdown: bool = False) -> list[Block]:
    """Paragraphs separated by blank lines; Markdown `#` lines become headings."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block(join_lines(para).strip()))
            para.clear()

    for line in normalise(text).split("\n"):
        m = _MD_HEADING.match(line) if markdown and len(line) <= 500 else None  # a long line is no heading
        if m:
            flush()
            blocks.append(Block(m.group(2), "heading", len(m.group(1))))
        elif not line:
            flush()
        else:
            para.append(line)
    flush()
    return blocks
