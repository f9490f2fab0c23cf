"""People extraction on the real documents: recall against people listed by reading, precision on a hand-checked
sample of the people kmsearch extracted.

    python scripts/eval_people_extract_real.py --index DIR                 # score both, print JSON
    python scripts/eval_people_extract_real.py --index DIR --draw 150      # draw a new precision sample to judge

DIR is an ingested `../shared/corpus-real/` (see scripts/eval_people_real.py). The files are in
tests/data/judged/real/ (README there says how each was made):

- `recall_people.tsv`: people listed from reading 19 documents, page by page. A row is found when a person the
  index made (a linked mention) on that document and page has a compatible name (kmsearch.people.names).
- `precision_people.tsv`: people drawn at random (seeded) from the index's people, one mention each, judged by
  reading the page: P a person, named right; B a person, the name cut wrong (counted wrong); N not a person.
  Precision is P over all judged rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import defaultdict
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.index.store import Index
from kmsearch.people.names import compatible, parse_name

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "tests" / "data" / "judged" / "real"
FIELDS = ["person_id", "name", "role", "path", "page", "judgement", "note"]


def _relative(path: str) -> str:
    marker = "corpus-real/"
    return path.split(marker, 1)[1] if marker in path else path


def _linked(index: Index) -> tuple[dict[str, str], list]:
    catalog = index.catalog
    mentions = catalog.mentions(linked=True)
    docs = catalog.documents(sorted({m.doc_id for m in mentions}), None)
    return {d: _relative(r.path) for d, r in docs.items()}, mentions


def recall(index: Index, rows: list[dict[str, str]]) -> dict[str, object]:
    paths, mentions = _linked(index)
    by_page: dict[tuple[str, int], list] = defaultdict(list)
    for m in mentions:
        if m.page is not None and (parsed := parse_name(m.name)) is not None:
            by_page[(paths.get(m.doc_id, ""), m.page)].append(parsed)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for row in rows:
        wanted = parse_name(row["name"])
        hit = wanted is not None and any(compatible(wanted, p) for p in by_page.get((row["path"], int(row["page"])), []))
        for split in (row["split"], "all"):
            found[split][0] += hit
            found[split][1] += 1
        if not hit:
            missed.append(f'{row["split"]} {row["path"]} p.{row["page"]}: {row["name"]}')
    return {s: {"recall": round(f / n, 4), "found": f"{f}/{n}"} for s, (f, n) in sorted(found.items())} | {
        "missed": missed}


def precision(rows: list[dict[str, str]]) -> dict[str, object]:
    judged = [r for r in rows if r["judgement"] in ("P", "B", "N")]
    counts = {k: sum(1 for r in judged if r["judgement"] == k) for k in "PBN"}
    return {"precision": round(counts["P"] / len(judged), 4) if judged else None, "judged": len(judged)} | counts


def draw(index: Index, n: int, seed: int = 14, leave_out: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """n people at random, each shown by one mention (a certain one on a page where there is one), leaving out
    the people `leave_out` names (those an earlier sample's index already had)."""
    paths, mentions = _linked(index)
    by_person: dict[str, list] = defaultdict(list)
    for m in mentions:
        if m.page is not None and m.source == "text" and m.person_id not in leave_out:
            by_person[m.person_id].append(m)
    people = sorted(by_person)
    random.Random(seed).shuffle(people)
    out = []
    for pid in people[:n]:
        m = sorted(by_person[pid], key=lambda m: (not m.certain, paths.get(m.doc_id, ""), m.page))[0]
        out.append({"person_id": pid, "name": m.name, "role": m.role, "path": paths.get(m.doc_id, ""),
                    "page": str(m.page), "judgement": "", "note": ""})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--draw", type=int, default=0, help="write a new precision sample of this many people")
    parser.add_argument("--sample", type=Path, default=JUDGED / "precision_people.tsv")
    parser.add_argument("--new-since", type=Path, default=None,
                        help="with --draw: only people this older index of the same folder did not have")
    parser.add_argument("--also", type=Path, nargs="*", default=[JUDGED / "precision_people_added.tsv"],
                        help="further judged samples to score")
    args = parser.parse_args()
    index = Index.open(Settings.load(index_dir=args.index))
    if args.draw:
        with open(args.sample, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, FIELDS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            old = frozenset()
            if args.new_since:
                old = frozenset(Index.open(Settings.load(index_dir=args.new_since)).catalog.people(None))
            writer.writerows(draw(index, args.draw, leave_out=old))
        print(f"wrote {args.draw} people to judge to {args.sample}")
        return
    with open(JUDGED / "recall_people.tsv", encoding="utf-8", newline="") as fh:
        result = {"recall": recall(index, list(csv.DictReader(fh, delimiter="\t")))}
    for sample in (args.sample, *args.also):
        if sample.exists():
            with open(sample, encoding="utf-8", newline="") as fh:
                result[f"precision ({sample.name})"] = precision(list(csv.DictReader(fh, delimiter="\t")))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
