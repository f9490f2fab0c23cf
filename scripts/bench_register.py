"""A national skills register: linking and who-knows with a 100,000-row people.csv (issue 14, point 5).

    python scripts/bench_register.py [--rows 100000] [--queries 50] [--work /tmp/bench-register] [--write]

Copies the sample corpus, replaces its registers/people.csv by the sample's own people plus `--rows` generated
ones (given names and surnames combined from short lists, skills drawn from a vocabulary of 400 phrases), ingests
it with the deterministic test embedder (the register path is what is measured, not the model), then times
who-knows over topics drawn from the skill vocabulary. Prints the ingest's link time and who-knows p50/p95.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIVEN = ("Thabo Lerato Sipho Naledi Pieter Anna Johan Zanele Bongani Ayanda Karabo Lindiwe Musa Palesa Ruan Elsa "
         "Themba Nomsa Kagiso Refilwe Sello Dineo Tumelo Zodwa Andile Mpho Lwazi Nandi Vusi Busisiwe").split()
SURNAMES = ("Mokoena Dlamini Nkosi Ndlovu Khumalo Botha Pretorius Naidoo Mahlangu Sithole Molefe Mthembu Zulu "
            "Van der Merwe Venter Jacobs Mabaso Radebe Maseko Shabalala Tshabalala Ngcobo Cele Mazibuko Baloyi "
            "Chauke Mathebula Nel Smit Coetzee Ferreira Kruger Meyer Le Roux Du Plessis").split()
AREAS = ("records disposal; file plans; archives; procurement; supply chain; fleet management; vehicle tracking; "
         "payroll; labour relations; skills development; bursaries; internal audit; risk management; ICT security; "
         "network support; water services; sanitation; housing subsidies; land use planning; building control; "
         "roads maintenance; stormwater; electricity metering; revenue collection; indigent support; public "
         "participation; ward committees; IDP review; performance management; disaster management; fire services; "
         "library services; heritage; tourism; local economic development; SMME support; youth programmes; "
         "environmental health; waste collection; air quality").split("; ")
ASPECTS = ("policy", "systems", "training", "contracts", "reporting", "compliance", "planning", "budgeting",
           "monitoring", "community liaison")


def skill_vocabulary() -> list[str]:
    return [f"{area} {aspect}" for area in AREAS for aspect in ASPECTS]


def write_register(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, encoding="utf-8") as fh:
        existing = list(csv.DictReader(fh))
    fields = list(existing[0].keys())
    vocab = skill_vocabulary()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(existing)
        for n in range(rows):
            name = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)[0]}. {rng.choice(SURNAMES)} {n:06d}"
            writer.writerow({f: "" for f in fields} | {
                "name": name.replace(f" {n:06d}", "") + f"-{n}", "unit": rng.choice(AREAS).title(),
                "role": rng.choice(("Director", "Deputy Director", "Assistant Director", "Officer")),
                "skills": "; ".join(rng.sample(vocab, 3)), "trainings": rng.choice(vocab) + " course",
                "status": rng.choice(("active",) * 8 + ("moved", "left"))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-register"))
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()

    from kmsearch.config import Settings
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest
    from kmsearch.search.experts import who_knows
    from kmsearch.testing import FAKE_MODEL, FakeEmbedder

    rng = random.Random(5)
    shutil.rmtree(args.work, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", args.work / "corpus")
    write_register(args.work / "corpus" / "registers" / "people.csv", args.rows, rng)
    settings = Settings.load(index_dir=args.work / "index", model=FAKE_MODEL)
    embedder = FakeEmbedder()
    started = time.perf_counter()
    ingest([args.work / "corpus"], settings, embedder)
    ingest_s = time.perf_counter() - started
    manifest = json.loads((args.work / "index" / "manifest.json").read_text())
    index = Index.open(settings, embedder)
    topics = rng.sample(skill_vocabulary(), args.queries)
    who_knows(index, topics[0])  # warm
    times, found = [], 0
    for topic in topics:
        t = time.perf_counter()
        found += bool(who_knows(index, f"who knows about {topic}?"))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    result = {"rows": args.rows, "people": len(index.catalog.people(None)), "ingest_s": round(ingest_s, 1),
              "link_s": manifest.get("commit_seconds", {}), "who_knows_p50_ms": round(statistics.median(times), 1),
              "who_knows_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "queries_answered": found}
    print(json.dumps(result, indent=2))
    if args.write:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
            fh.write(f"\n### A 100,000-row skills register ({date.today().isoformat()})\n\n"
                     f"`python scripts/bench_register.py --write` on {platform.machine()}, Python "
                     f"{platform.python_version()}, test embedder (the register path is measured, not the model). "
                     f"{args.rows:,} generated register rows on top of the sample corpus; {args.queries} topics.\n\n"
                     f"| people | ingest (s) | commit laps (s) | who-knows p50 (ms) | p95 (ms) | answered |\n"
                     f"|---|---|---|---|---|---|\n"
                     f"| {result['people']:,} | {result['ingest_s']} | {json.dumps(result['link_s'])} | "
                     f"{result['who_knows_p50_ms']} | {result['who_knows_p95_ms']} | "
                     f"{result['queries_answered']}/{args.queries} |\n")


if __name__ == "__main__":
    main()
