"""The collection's own words with their counts, for did-you-mean (kmsearch/search/spelling.py): rebuilt from the
passages at each commit, so a correction always names a word the index holds (names, places and acronyms
included, which no general dictionary has)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

WORD = re.compile(r"[^\W\d_]{3,30}")  # letters only, 3 to 30 of them


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text)]


def rebuild(conn: sqlite3.Connection) -> int:
    """Count every word of every passage again; returns how many distinct words there are. About a second for
    17,000 passages; the caller (CatalogWriter.sync_vocabulary) holds the transaction."""
    counts: Counter[str] = Counter()
    for (text,) in conn.execute("SELECT text FROM chunks"):
        counts.update(words(text))
    conn.execute("DELETE FROM vocabulary")
    conn.executemany("INSERT INTO vocabulary VALUES (?, ?)", counts.items())
    return len(counts)
