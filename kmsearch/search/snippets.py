"""Snippets: the densest window of query terms in a passage, HTML-escaped, with the terms in <mark>."""

from __future__ import annotations

import html
import re

from kmsearch.index.stems import query_stems, stem_words

__all__ = ["make_snippet", "query_stems"]  # query_stems lives with the index, which needs it for titles

_WORD = re.compile(r"\w+", re.UNICODE)


def make_snippet(text: str, stems: set[str], width: int = 40) -> str:
    """About `width` words around the best cluster of query terms (or the start), ready to put in HTML.

    The best window is the one with the most distinct query words (first wins), tried every 4 words."""
    words = list(_WORD.finditer(text))
    if not words:
        return html.escape(text[:300])
    lowered = [m.group().lower() for m in words]
    hits = [s in stems for s in stem_words(lowered)] if stems else [False] * len(words)
    best = 0
    if any(hits):
        hit_at = [i for i, h in enumerate(hits) if h]
        best_score = -1
        for start in range(0, max(1, len(words) - width + 1), 4):
            window = {lowered[i] for i in hit_at if start <= i < start + width}
            if len(window) > best_score:
                best, best_score = start, len(window)
    # begin a little before the first hit in the window, so the match has context
    first = next((i for i in range(best, min(len(words), best + width)) if hits[i]), best)
    start = max(0, min(best, first - 8))
    end = min(len(words), start + width)
    begin_char, end_char = words[start].start(), words[end - 1].end()
    out = ["… " if begin_char > 0 else ""]
    pos = begin_char
    for i in range(start, end):  # escape the text between marked words in one piece
        if hits[i]:
            m = words[i]
            out.append(html.escape(text[pos : m.start()]))
            out.append(f"<mark>{html.escape(m.group())}</mark>")
            pos = m.end()
    out.append(html.escape(text[pos:end_char]))
    out.append(" …" if end_char < len(text.rstrip()) else html.escape(text[end_char:].rstrip()))
    return "".join(out).strip()
