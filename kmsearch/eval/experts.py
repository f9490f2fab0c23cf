"""Evaluate who-knows: rank people for each topic and score the ranking against graded judgements with ranx.

Inputs:
- a BEIR-style `corpus.jsonl` whose lines may carry `metadata.authors`, a list of person ids or names; they
  become the documents' authors (names are merged as at ingest; an id such as "a17" stays as it is);
- `topics.tsv`: topic id, tab, topic text (a header line `qid<TAB>text` or `query-id<TAB>text` is skipped);
- `qrels.trec`: `topic-id 0 person grade` per line (TREC format); a person is a person id or a name.

Unjudged candidates are left out of each ranking before scoring (a condensed list: Sakai 2007), so a sparse
judgement set does not count them wrong. A returned person matches a judged one by id or by any alias.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any, Iterator

from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.index.embed import Embedder
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest_documents
from kmsearch.search.experts import who_knows
from kmsearch.eval.beir import text_document
from kmsearch.types import Document

log = logging.getLogger(__name__)
METRICS = ("map", "mrr", "precision@5")
DEPTH = 100


def load_corpus(path: Path) -> Iterator[Document]:
    """Documents from a BEIR-style corpus.jsonl, with `metadata.authors` as their authors."""
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                doc_id = str(row["_id"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InvalidParameterError(f"{path}:{n}: not a corpus line with an _id ({exc})") from exc
            title, text = row.get("title") or "", row.get("text") or ""
            authors = (row.get("metadata") or {}).get("authors") or []
            if isinstance(authors, str):
                authors = [authors]
            authors = tuple(str(a).strip() for a in authors if str(a).strip())
            yield text_document(f"experts:{path.parent.name}/{doc_id}", doc_id, title, text, authors, explicit=True)


def load_topics(path: Path) -> dict[str, str]:
    topics: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
            if not row or not row[0].strip():
                continue
            if len(row) < 2:
                raise InvalidParameterError(f"{path}:{n}: expected 'topic-id<TAB>text'")
            if n == 1 and row[0].strip().lower() in ("qid", "query-id", "id", "topic", "topic-id"):
                continue
            topics[row[0].strip()] = row[1].strip()
    return topics


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: 'topic 0 person grade'; a person with spaces in the name is everything between."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 4:
                raise InvalidParameterError(f"{path}:{n}: expected 'topic-id 0 person grade'")
            try:
                grade = int(parts[-1])
            except ValueError:
                raise InvalidParameterError(f"{path}:{n}: grade {parts[-1]!r} is not a whole number") from None
            qrels.setdefault(parts[0], {})[" ".join(parts[2:-1])] = grade
    return qrels


def rank_people(index: Index, topics: dict[str, str], qrels: dict[str, dict[str, int]],
                depth: int = DEPTH) -> dict[str, dict[str, float]]:
    """For each judged topic, the judged people who-knows returns, with their scores (condensed run)."""
    run: dict[str, dict[str, float]] = {}
    for qid, judged in qrels.items():
        if qid not in topics:
            raise InvalidParameterError(f"topic {qid} is judged in the qrels but missing from the topics")
        ranking: dict[str, float] = {}
        for expert in who_knows(index, topics[qid], k=depth, evidence=0):
            names = [expert.person_id, expert.name, *expert.aliases]
            match = next((n for n in names if n in judged), None)
            if match is not None and match not in ranking:
                ranking[match] = expert.score
        run[qid] = ranking or {"__none__": 0.0}  # ranx needs one entry; it counts as a miss
    return run


def evaluate_index(index: Index, topics: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict[str, Any]:
    """MAP, MRR and P@5 of who-knows on an open index."""
    from ranx import Qrels, Run, evaluate

    if not qrels:
        raise InvalidParameterError("the qrels judge no topic")
    run = rank_people(index, topics, qrels)
    relevant = {q: {p: g for p, g in people.items() if g > 0} for q, people in qrels.items()}
    scored = {q: people for q, people in relevant.items() if people}
    if not scored:
        raise InvalidParameterError("no topic has a relevant person (grade above 0)")
    scores = evaluate(Qrels(scored), Run({q: run[q] for q in scored}), list(METRICS))
    return {m: round(float(scores[m]), 4) for m in METRICS} | {"topics": len(scored)}


def evaluate_corpus(corpus: Path, topics_path: Path, qrels_path: Path, settings: Settings,
                    embedder: Embedder | None = None, show_progress: bool = False) -> dict[str, Any]:
    """Index a BEIR-style corpus with authors into `settings.index_dir` and evaluate who-knows on it."""
    for path in (corpus, topics_path, qrels_path):
        if not Path(path).is_file():
            raise InvalidParameterError(f"{path} does not exist")
    topics, qrels = load_topics(topics_path), load_qrels(qrels_path)
    report = ingest_documents(load_corpus(corpus), settings, embedder, show_progress=show_progress)
    log.info("scratch index: %s", report.summary())
    index = Index.open(settings, embedder)
    try:
        return evaluate_index(index, topics, qrels)
    finally:
        index.close()
