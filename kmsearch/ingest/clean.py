"""Text cleaning: repeated headers and footers, page numbers, hyphenation, whitespace, and line-to-paragraph joining.

PDF text arrives as lines per page; the functions here turn it into headings and paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from kmsearch.types import Block

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\u00ad\ufeff]")
_SOFT_HYPHEN = re.compile(r"(?<=[a-z])\ufffe(?=[a-z])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_LEADERS = re.compile(r"(?:\s?[.·…_]){4,}\s?")  # table-of-contents dot leaders
_PAGE_LINE = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-Z].*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")

HEADER_ZONE = 3  # lines at the top and bottom of a page where headers, footers and page numbers live
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
    """A header or footer line shaped "N | TITLE" or "TITLE | N" (at most 100 characters)."""
    return len(line) <= 100 and bool(_RUNNING_HEAD.match(line))


def strip_repeated_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop lines near the top or bottom of a page that recur (digits aside) on at least half of the pages, and
    running heads ("4 | TITLE", "TITLE | 5") that recur on at least two pages wherever they stand: a PDF's text
    order often puts the running head in the middle of the page's lines."""
    if len(pages) < 3:
        return pages
    counts: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for lines in pages:
        zone = lines[:HEADER_ZONE] + lines[-HEADER_ZONE:]
        counts.update({_line_key(line) for line in zone if line})
        heads.update({_line_key(line) for line in lines if line and is_running_head(line)})
    threshold = max(2, len(pages) // 2)
    repeated = {key for key, n in counts.items() if n >= threshold}
    running = {key for key, n in heads.items() if n >= 2}
    out = []
    for lines in pages:
        n = len(lines)
        out.append(
            [
                line
                for i, line in enumerate(lines)
                if not ((i < HEADER_ZONE or i >= n - HEADER_ZONE) and _line_key(line) in repeated)
                and not (_line_key(line) in running and is_running_head(line))
            ]
        )
    return out


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
