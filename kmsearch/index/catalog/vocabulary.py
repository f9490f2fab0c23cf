"""The collection's own words and acronyms, rebuilt from the passages at each commit.

- Words with their counts, for did-you-mean (kmsearch/search/spelling.py): a correction always names a word the
  index holds (names, places and acronyms included, which no general dictionary has).
- Acronyms with the expansions the documents themselves give, for query expansion on the BM25 side
  (kmsearch/search/acronyms.py): "Integrated Development Plan (IDP)", "IDP: Integrated Development Plan", or an
  abbreviations table's row "IDP Integrated Development Plan". An expansion is accepted when the acronym's
  letters match the starts of its words, in order (after Schwartz and Hearst 2003, "A simple algorithm for
  identifying abbreviation definitions in biomedical text").
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

VERSION = 2  # 1: words; 2: and acronyms
WORD = re.compile(r"[^\W\d_]{3,30}")  # letters only, 3 to 30 of them
ACRONYM = r"[A-Z][A-Za-z]{0,2}[A-Z][A-Za-z]{0,6}"  # IDP, PLWHIV, UPass, BATUK: at least two capitals
_BEFORE = re.compile(r"((?:[A-Za-z][\w'’&-]*[ \t]+){1,12})\((" + ACRONYM + r")\)")  # Long Form (LF)
# "LF: Long Form", "LF - Long Form", or an abbreviations table's row "LF Long Form" (cleaning joins a table's
# lines into one paragraph, so a row is found anywhere in the text, not only at a line's start)
_AFTER = re.compile(r"(?<![\w(])(" + ACRONYM + r")([ \t]*[:–—=][ \t]*|[ \t]+)(?=[A-Za-z])")
_SMALL = {"of", "and", "the", "for", "in", "on", "to", "a", "an", "&", "de", "du", "la", "with"}


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text)]


def long_form(acronym: str, phrase: str) -> str | None:
    """Schwartz and Hearst's match: the shortest tail of `phrase` in which the acronym's letters occur in order,
    right to left, its first letter starting a word; None when there is none, or it is not a plausible form."""
    s, i = len(acronym) - 1, len(phrase) - 1
    while s >= 0:
        c = acronym[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (phrase[i].lower() != c or (s == 0 and i > 0 and phrase[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i, s = i - 1, s - 1
    tail = " ".join(phrase[phrase.rfind(" ", 0, i + 2) + 1:].split()).strip(" ,;:")
    tokens = tail.split()
    if not tokens or tokens[0].lower() in _SMALL or len(tokens) > len(acronym) + 4 or len(tail) <= len(acronym):
        return None
    return tail


def acronyms_in(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs the text defines."""
    found = []
    for phrase, acronym in _BEFORE.findall(text):
        tokens = phrase.split()[-(min(len(acronym) + 5, 2 * len(acronym))):]  # Schwartz and Hearst's window
        long = long_form(acronym, " ".join(tokens))
        if long:
            found.append((acronym, long))
    for match in _AFTER.finditer(text):
        acronym, separator = match.group(1), match.group(2)
        tokens = text[match.end():match.end() + 200].split()[: len(acronym) + 4]
        heads = [" ".join(tokens[:n]) for n in range(1, min(len(tokens), len(acronym) + 4) + 1)]
        letters = [c.lower() for c in acronym if c.isupper()]
        exact = [h for h in heads if _initials(h) == letters or _initials(h, keep_caps=True) == letters]
        if exact:  # the words' starts spell it: "TFR total fertility rate"
            found.append((acronym, exact[-1]))
        elif separator.strip():  # "LF: ...": the shortest head that spells it out letter by letter
            head = next((h for h in heads if tokens[0][0].lower() == acronym[0].lower() and len(h.split()) > 1
                         and long_form(acronym, h) == h), None)
            if head:
                found.append((acronym, head))
    return found


def _initials(phrase: str, keep_caps: bool = False) -> list[str]:
    """The words' first letters, small words left out; with `keep_caps`, every word counts and a word in capitals
    gives all its letters ("People living with HIV" -> p l w h i v)."""
    if not keep_caps:
        return [w[0].lower() for w in phrase.split() if w.lower() not in _SMALL]
    return [c.lower() for w in phrase.split() for c in (w if w.isupper() and len(w) > 1 else w[0])]


def rebuild(conn: sqlite3.Connection) -> int:
    """Count every word of every passage again, and find its acronym definitions; returns how many distinct words
    there are. About a second for 17,000 passages; the caller (CatalogWriter.sync_vocabulary) holds the
    transaction."""
    counts: Counter[str] = Counter()
    defined: Counter[tuple[str, str]] = Counter()
    for (text,) in conn.execute("SELECT text FROM chunks"):
        counts.update(words(text))
        defined.update((a, " ".join(e.split())) for a, e in acronyms_in(text))
    conn.execute("DELETE FROM vocabulary")
    conn.executemany("INSERT INTO vocabulary VALUES (?, ?)", counts.items())
    conn.execute("DELETE FROM acronyms")
    conn.executemany("INSERT INTO acronyms VALUES (?, ?, ?)", [(a, e, n) for (a, e), n in defined.items()])
    conn.execute("DELETE FROM vocabulary_version")
    conn.execute("INSERT INTO vocabulary_version VALUES (?)", (VERSION,))
    return len(counts)
