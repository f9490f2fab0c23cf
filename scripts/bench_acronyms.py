"""Acronyms on the real documents: are the judged acronyms learned with the documents' own expansion, and does a
search for the acronym alone find a document that defines or uses it, with and without the expansion?

    python scripts/bench_acronyms.py --index /work/idx/real

The judged set is tests/data/judged/real/acronym_queries.tsv (written by reading the documents; three acronyms
there are absent from the corpus, and an honest search finds nothing for them). Prints a table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.search import Searcher, acronyms

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus-real"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args()
    index = Index.open(Settings(index_dir=args.index))
    rel = {Path(d.path).resolve().relative_to(CORPUS.resolve()).as_posix(): d.doc_id
           for d in index.catalog.iter_documents() if Path(d.path).resolve().is_relative_to(CORPUS.resolve())}
    rows = [line.split("\t") for line in (ROOT / "tests/data/judged/real/acronym_queries.tsv").read_text(
        encoding="utf-8").splitlines()[1:]]
    plain = acronyms.expanded
    print("| acronym | learned as | judged | top-3 with expansion | top-3 without | results (absent ones) |")
    print("|---|---|---|---|---|---|")
    for qid, acronym, expansion, relevant, *_ in rows:
        wanted = {rel[i.split("#")[0]] for i in relevant.split(";") if i and i.split("#")[0] in rel}
        learned = acronyms.named(index, acronym).get(acronym, "–")
        found = [h.doc_id for h in Searcher(index).search(acronym, k=10)]
        acronyms.expanded = lambda index, request: request  # the same search without the expansion
        try:
            without = [h.doc_id for h in Searcher(index).search(acronym, k=10)]
        finally:
            acronyms.expanded = plain
        if wanted:
            print(f"| {acronym} | {learned} | {expansion} | {'yes' if wanted & set(found[:3]) else 'no'} | "
                  f"{'yes' if wanted & set(without[:3]) else 'no'} | |")
        else:
            print(f"| {acronym} | {learned} | (absent) | | | {len(found)} |")


if __name__ == "__main__":
    main()
