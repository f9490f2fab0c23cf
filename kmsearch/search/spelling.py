"""Did you mean: each word of a request that the collection does not hold, corrected to the likeliest word it does.

symspellpy (SymSpell's symmetric-delete lookup) over the index's own vocabulary (kmsearch/index/catalog/
vocabulary.py): a correction is always a word some passage holds, so "recrods managment" becomes "records
management", and a name or acronym the documents use is never "corrected" away. Among candidates within
MAX_EDITS (Damerau-Levenshtein; one for words under LONG_WORD letters, so that "xqzv blorft" stays
nonsense) the nearest wins, then the commonest. Words of fewer than MIN_LENGTH letters, and
words with digits, are left as they are. The speller is built once per generation, on first use, from the
vocabulary the ingest wrote (about a second for 50,000 words).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from symspellpy import SymSpell, Verbosity

from kmsearch.index.store import Index

MAX_EDITS = 2
MIN_LENGTH = 4  # "IDP", "KM", "the": too short to correct with any confidence
LONG_WORD = 7  # words this long may have two slips corrected, shorter ones one
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]+|\w+|\s+")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Suggestion:
    text: str  # the request with its unknown words corrected
    changed: tuple[tuple[str, str], ...]  # (as written, corrected)


class Speller:
    def __init__(self, vocabulary: dict[str, int]):
        self.known = vocabulary
        self.symspell = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        for word, count in vocabulary.items():
            self.symspell.create_dictionary_entry(word, count)

    def correct_word(self, word: str) -> str | None:
        """The correction of one word, or None when it is known, too short, or has no near neighbour."""
        lowered = word.casefold()
        if len(lowered) < MIN_LENGTH or not lowered.isalpha() or lowered in self.known:
            return None
        allowed = 1 if len(lowered) < LONG_WORD else MAX_EDITS  # two slips in a short word: another word
        found = self.symspell.lookup(lowered, Verbosity.CLOSEST, max_edit_distance=allowed, transfer_casing=False)
        if not found:
            return None
        best = min(found, key=lambda s: (s.distance, -s.count, s.term))
        return best.term if best.term != lowered else None

    def suggest(self, request: str) -> Suggestion | None:
        """The request with every unknown word corrected, or None when there is nothing to correct."""
        out, changed = [], []
        for token in _TOKEN.findall(request):
            fixed = self.correct_word(token) if token.isalpha() else None
            if fixed is None:
                out.append(token)
            else:
                out.append(fixed.capitalize() if token[:1].isupper() else fixed)
                changed.append((token, out[-1]))
        return Suggestion("".join(out), tuple(changed)) if changed else None


def speller(index: Index) -> Speller:
    """The generation's speller, built on first use and kept with the generation."""
    with _LOCK:
        found = index.derived.get("speller")
        if found is None:
            found = index.derived["speller"] = Speller(index.catalog.vocabulary())
        return found


__all__ = ["Speller", "Suggestion", "speller"]
