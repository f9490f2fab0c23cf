"""Evaluate retrieval on a BEIR collection (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv) with ranx.

The collection is ingested into a scratch index that persists between runs (with its embedding cache), so a
second run, or a run of another mode, costs only the queries.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Iterator

from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.index.embed import Embedder
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest_documents
from kmsearch.search import Searcher
from kmsearch.search.hybrid import MAX_QUERY_CHARS
from kmsearch.types import Block, Document, Page

log = logging.getLogger(__name__)
METRICS = ("ndcg@10", "recall@100", "mrr@10")


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidParameterError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc


def text_document(key: str, doc_id: str, title: str, text: str, authors: tuple[str, ...] = (),
                  explicit: bool = False) -> Document:
    """A one-page document from a collection line (not a file); `key` stands for its path. `explicit`: the authors
    are the collection's own ids or names, kept verbatim (see Document.authors_explicit)."""
    # explicit authors change the version, so that a scratch index made before they were kept is re-read
    version = [title, text, list(authors)] + (["explicit"] if explicit else [])
    return Document(
        path=key,
        format="text",
        title=title or doc_id,
        pages=(Page(1, (Block(text),)),),
        authors=authors,
        doc_id=doc_id,
        content_hash=hashlib.sha1(json.dumps(version).encode()).hexdigest(),
        authors_explicit=explicit,
    )


def load_documents(folder: Path) -> Iterator[Document]:
    for row in _jsonl(folder / "corpus.jsonl"):
        doc_id = str(row["_id"])
        yield text_document(f"beir:{folder.name}/{doc_id}", doc_id, row.get("title") or "", row.get("text") or "")


def load_queries(folder: Path) -> dict[str, str]:
    return {str(row["_id"]): row["text"] for row in _jsonl(folder / "queries.jsonl")}


def load_qrels(folder: Path, split: str) -> dict[str, dict[str, int]]:
    path = folder / "qrels" / f"{split}.tsv"
    if not path.exists():
        raise InvalidParameterError(f"split {split!r}: {path} does not exist")
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return qrels


def evaluate(
    folder: Path,
    settings: Settings,
    runs: list[tuple[str, str]],
    split: str = "test",
    embedder: Embedder | None = None,
    show_progress: bool = False,
) -> dict[str, dict[str, float]]:
    """Metrics per run; `runs` are (mode, fusion) pairs, e.g. [("bm25", "rrf"), ("hybrid", "score")]."""
    from ranx import Qrels, Run, evaluate as ranx_evaluate

    folder = Path(folder)
    for name in ("corpus.jsonl", "queries.jsonl"):
        if not (folder / name).exists():
            raise InvalidParameterError(f"{folder} is not a BEIR collection: {name} is missing")
    qrels = load_qrels(folder, split)
    queries = load_queries(folder)
    report = ingest_documents(load_documents(folder), settings, embedder, show_progress=show_progress)
    log.info("scratch index: %s", report.summary())
    index = Index.open(settings, embedder)
    searcher = Searcher(index)
    long = [qid for qid in qrels if len(" ".join(queries[qid].split())) > MAX_QUERY_CHARS]
    if long:  # a collection's own queries are never refused: the longest are cut at the service's limit
        log.warning("%d queries are over %d characters; each is searched by its first %d", len(long),
                    MAX_QUERY_CHARS, MAX_QUERY_CHARS)
    results: dict[str, dict[str, float]] = {}
    for mode, fusion in runs:
        run: dict[str, dict[str, float]] = {}
        for qid in qrels:
            query = " ".join(queries[qid].split())[:MAX_QUERY_CHARS]
            hits = searcher.search(query, k=100, mode=mode, fusion=fusion, passages=1)
            run[qid] = {h.doc_id: h.score for h in hits} or {"__none__": 0.0}
        scores = ranx_evaluate(Qrels(qrels), Run(run), list(METRICS))
        name = f"{mode}-{fusion}" if mode == "hybrid" else mode
        results[name] = {m: round(float(scores[m]), 4) for m in METRICS} | {"queries": len(qrels)}
    index.close()
    return results
