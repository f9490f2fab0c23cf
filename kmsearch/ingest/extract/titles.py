"""A document's title: the best of its printed cover title, its properties, its first heading and its file name.

Real files make every single source unreliable (scripts/bench_titles.py, on 109 hand-judged real files):
- properties are often a template's or an older edition's ("Milburn Parish Council - 6th March 2012" on a 2019
  Newbiggin minute, "Word Document", "NLDTF Annual Report 2007.cdr") or empty;
- the first heading is often a logo line or a stamp ("THE PRESIDENCY REPUBLIC OF SOUTH AFRICA", "DO NOT DESTROY");
- the printed title is the largest text on the first page, which PDFium measures (`cover_title` in pdf.py).
So each candidate is cleaned (ftfy for mojibake), junk is rejected (too short, one or two words in capitals,
boilerplate, file names), a property title whose words the opening pages do not contain is taken as stale, and
the first candidate left wins: properties, cover title, first heading, cleaned file name. Properties first or
the cover title first measured 25 and 26 of the 60 tune files right; properties go first because an author who
set one meant it (the sample corpus's files all have good ones).
"""

from __future__ import annotations

import re
from pathlib import Path

import ftfy

from kmsearch.types import Document

MAX_TITLE = 200  # characters; a longer "title" is a paragraph that lost its line breaks
_BOILERPLATE = re.compile(
    r"^(?:untitled|word document|microsoft (?:word|powerpoint)\b.*|powerpoint presentation|presentation\d*|"
    r"document\d*|slide \d+|page \d+(?: of \d+)?|contents|table of contents|do not destroy|confidential|draft|"
    r"final(?: report)?|(?:the )?presidency|(?:the )?republic of \w+(?: \w+)?|highview image|instructions|"
    r"roll call|statistical release|annual report|research division report|isbn [\d-]+|.*\.(?:exe|cdr|docx?|"
    r"pptx?|pdf|xlsx?|tiff?|jpe?g|png|indd|qxd|ai)|[\W\d_]*)$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\S)")  # "1. Introduction" as a title is "Introduction"
_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+\S")
_YEAR = re.compile(r"(?:19|20)\d\d")
_WORD = re.compile(r"[^\W_]+")


def clean_title(text: str) -> str:
    """One line, mojibake repaired (ftfy), a stray non-ASCII symbol in ASCII text dropped ("GSA ï OCSIT": a dash
    in a symbol font), underscores as spaces, at most MAX_TITLE characters."""
    text = ftfy.fix_text(text or "", uncurl_quotes=False).replace("_", " ")
    words = text.split()
    odd = [w for w in words if len(w) == 1 and not w.isascii()]
    if len(odd) == 1 and all(w.isascii() for w in words if w is not odd[0]):
        words.remove(odd[0])
    return " ".join(words)[:MAX_TITLE].strip(" -–—:;,.|")


def is_boilerplate(line: str) -> bool:
    """A stamp, logo line, page label, file name or numbered section heading ("1. Introduction"), never a
    document's title."""
    line = line.strip()
    if _YEAR.search(line) and not re.search(r"[^\W\d_]", line):  # "2025-2030" under a cover's title belongs to it
        return False
    return bool(_BOILERPLATE.match(line) or _SECTION.match(line))


def is_junk(title: str) -> bool:
    """Not a title: under 3 characters, boilerplate, a file name, a numbered section heading, or one or two words
    all in capitals."""
    words = _WORD.findall(title)
    if len(title) < 3 or not words or _BOILERPLATE.match(title.strip()) or _SECTION.match(title.strip()):
        return True
    letters = [c for c in title if c.isalpha()]
    return len(words) <= 2 and bool(letters) and all(c.isupper() for c in letters)


def is_stale(title: str, opening: str) -> bool:
    """A property title of another edition or a template: it names a year that the opening pages do not
    ("Milburn Parish Council - 6th March 2012" on a Newbiggin minute of 2019). A rule on the share of its words
    in the opening pages was tried and dropped: running heads, where a title's words often stand, are cut."""
    text = {w.casefold() for w in _WORD.findall(opening)}
    return any(w not in text for w in _WORD.findall(title) if _YEAR.fullmatch(w))


def file_name_title(path: str) -> str:
    return re.sub(r"[-_]+", " ", Path(path).stem).strip().capitalize()


def choose_title(doc: Document) -> str:
    """The first of properties (unless stale), cover title, first heading and file name that is not junk."""
    opening = "\n".join(p.text for p in doc.pages[:3])
    properties = clean_title(doc.title)
    candidates = [
        "" if is_stale(properties, opening) else properties,
        clean_title(doc.cover_title),
        *(clean_title(_NUMBER.sub("", b.text)) for p in doc.pages[:2] for b in p.blocks if b.kind == "heading"),
    ]
    return next((c for c in candidates if c and not is_junk(c)), file_name_title(doc.path))
