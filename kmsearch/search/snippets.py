"""Snippets: the densest window of query terms in a passage, HTML-escaped, with the terms in <mark>."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = set(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def query_stems(query: str) -> set[str]:
    words = [w.lower() for w in _WORD.findall(query) if w.lower() not in _STOP]
    return set(_stemmer().stemWords(words))


def make_snippet(text: str, stems: set[str], width: int = 40) -> str:
    """About `width` words around the best cluster of query terms (or the start), ready to put in HTML."""
    words = list(_WORD.finditer(text))
    if not words:
        return html.escape(text[:300])
    lowered = [m.group().lower() for m in words]
    hits = [s in stems for s in _stemmer().stemWords(lowered)] if stems else [False] * len(words)
    best, best_score = 0, -1
    for start in range(0, max(1, len(words) - width + 1), 4):
        window = {lowered[i] for i in range(start, min(len(words), start + width)) if hits[i]}
        if len(window) > best_score:
            best, best_score = start, len(window)
    # begin a little before the first hit in the window, so the match has context
    first = next((i for i in range(best, min(len(words), best + width)) if hits[i]), best)
    start = max(0, min(best, first - 8))
    end = min(len(words), start + width)
    begin_char, end_char = words[start].start(), words[end - 1].end()
    out = ["… " if begin_char > 0 else ""]
    pos = begin_char
    for i in range(start, end):
        m = words[i]
        out.append(html.escape(text[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>" if hits[i] else html.escape(m.group()))
        pos = m.end()
    out.append(" …" if end_char < len(text.rstrip()) else html.escape(text[pos:].rstrip()))
    return "".join(out).strip()
