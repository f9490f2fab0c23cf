"""Did-you-mean on generated typos of real query words: how often the speller gives back the word as written.

    python scripts/bench_spelling.py --index /work/idx/real

The words: the distinct words of at least five letters in the judged real queries
(tests/data/judged/real/who_knows_topics.tsv, and search_queries.tsv when present) that the index's passages hold,
50 of them drawn with a fixed seed. Each gets one typo (a letter dropped, doubled, swapped with its neighbour, or
replaced by a neighbour on the keyboard); words of LONG_WORD letters or more also get a second typo in a second
run. A correction is right when it is the word itself. Prints a line for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.search.spelling import LONG_WORD, speller

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "tests" / "data" / "judged" / "real"
KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbour(ch: str, rng: random.Random) -> str:
    for row in KEYS:
        if ch in row:
            i = row.index(ch)
            return rng.choice([row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)])
    return ch


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # not the first letter: people rarely get that wrong
    kind = rng.choice(["drop", "double", "swap", "key"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + neighbour(word[i], rng) + word[i + 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--words", type=int, default=50)
    args = parser.parse_args()
    index = Index.open(Settings(index_dir=args.index))
    spell = speller(index)
    text = []
    for name, column in (("who_knows_topics.tsv", 2), ("search_queries.tsv", 2)):
        path = JUDGED / name
        if path.exists():
            text += [line.split("\t")[column] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    words = sorted({w.lower() for t in text for w in re.findall(r"[A-Za-z]{5,}", t)} & spell.known.keys())
    rng = random.Random(20261202)
    chosen = rng.sample(words, min(args.words, len(words)))
    for edits in (1, 2):
        pool = chosen if edits == 1 else [w for w in chosen if len(w) >= LONG_WORD]
        right, wrong = 0, []
        for word in pool:
            typed = word
            for _ in range(edits):
                typed = typo(typed, rng)
            fixed = spell.correct_word(typed)
            if typed in spell.known:  # the typo is itself a word of the collection: nothing to correct
                wrong.append(f"{word}->{typed} (a word here)")
            elif fixed == word:
                right += 1
            else:
                wrong.append(f"{word}->{typed}->{fixed}")
        print(f"{edits} typo(s): {right}/{len(pool)} corrected right ({right / max(1, len(pool)):.0%}); "
              f"missed: {', '.join(wrong) or 'none'}")


if __name__ == "__main__":
    main()
