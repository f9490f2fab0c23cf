"""Who-knows on the real documents: the judged set in tests/data/judged/real/, scored on an ingested corpus-real.

    python scripts/eval_people_real.py --index indexes/corpus-real [--ingest ../shared/corpus-real] [--out FILE]

With --ingest the folder is ingested (incrementally) first. Prints MAP, MRR, P@3 and the share of topics with a
right person in the top three, for the tune split, the held-out split and all topics, and each topic's top three.
Weights were tuned on the tune split only; the held-out split is what docs/benchmarks.md reports.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.eval.judged import evaluate_judged
from kmsearch.index.store import Index

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--ingest", type=Path, default=None, help="ingest this folder into --index first")
    parser.add_argument("--judged", type=Path, default=ROOT / "tests" / "data" / "judged" / "real")
    parser.add_argument("--out", type=Path, default=None, help="also write the full result as JSON here")
    args = parser.parse_args()
    settings = Settings.load(index_dir=args.index)
    if args.ingest:
        from kmsearch.ingest.pipeline import ingest

        ingest([args.ingest], settings)
    index = Index.open(settings)
    started = time.perf_counter()
    result = evaluate_judged(index, args.judged)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "topics"}, indent=2))


if __name__ == "__main__":
    main()
