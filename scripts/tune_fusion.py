"""Choose the fusion method and weight on a BEIR collection's train split, then report both on test.

Run by hand: python scripts/tune_fusion.py [--beir ../shared/eval/scifact] [--workdir indexes/eval/scifact].
The collection is ingested once into the scratch index (cached between runs); each setting costs only queries.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kmsearch.config import Settings
from kmsearch.eval.beir import evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact")
    parser.add_argument("--workdir", type=Path, default=Path("indexes/eval/scifact"))
    args = parser.parse_args()
    base = Settings(index_dir=args.workdir)
    results: dict[str, dict] = {}
    for split in ("train", "test"):
        results[f"{split} rrf k=60"] = evaluate(args.beir, base, [("hybrid", "rrf")], split=split)["hybrid-rrf"]
        for alpha in (0.3, 0.4, 0.5, 0.6, 0.7):
            scores = evaluate(args.beir, base.replace(fusion_alpha=alpha), [("hybrid", "score")], split=split)
            results[f"{split} score alpha={alpha}"] = scores["hybrid-score"]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
