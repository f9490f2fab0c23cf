"""Build a large index (10k to 1M+ passages) for latency, memory and recall benchmarks, without days of embedding.

Run by hand after `kmsearch eval beir ../shared/eval/scifact` (whose scratch index and embedding cache it reads):
    python scripts/make_big_index.py --copies 9  --out indexes/big-100k    # ~103k passages
    python scripts/make_big_index.py --copies 90 --out indexes/big-1m      # ~1.03M passages

Each SciFact abstract is copied `copies` times under a marked title ("[copy 3] ..."); copy 0 is the original.
Passages are the SciFact index's own chunks. A copy's vector is the original passage's real all-MiniLM-L6-v2
vector plus small Gaussian noise, renormalised, so the collection keeps the structure of real embeddings (which
matters for ANN recall; uniform random vectors have none). Everything else is the ordinary IndexWriter: the
catalogue, tantivy BM25, the FAISS type chosen by size, the manifest. A share of the documents (`--restricted`)
is given an access group, so access filtering can be measured too.

Beside the index it writes `bench-queries.npz`: the 300 SciFact test queries' real vectors and, for each, the
exact top-10 passages over the whole collection (brute force over the float vectors), for measuring the
approximate index's recall.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import time
from pathlib import Path

import numpy as np

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.eval.beir import load_queries, load_qrels, text_document
from kmsearch.index.catalog import Catalog, embed_text
from kmsearch.index.embed import cache_key
from kmsearch.index.store import IndexWriter
from kmsearch.ingest.pipeline import DERIVED
from kmsearch.people.extract import EXTRACTOR_VERSION, find_mentions
from kmsearch.types import Chunk

COPY = re.compile(r"^\[copy (\d+)\] ")  # at the front: the model sees only a title's first 200 characters


class NoisyCopies:
    """Stands in for the model while building: a copy's passage gets its original's vector plus noise."""

    model_id = DEFAULT_MODEL
    cache_id = f"{DEFAULT_MODEL}|noisy-copies"  # never mixes with real vectors in a cache
    backend = "noisy-copies"
    dimension = 384
    max_tokens = 256
    tokenizer = None

    def __init__(self, originals: dict[str, np.ndarray], noise: float):
        self.originals = originals
        self.noise = noise

    def vector(self, text: str) -> np.ndarray:
        found = COPY.match(text)
        copy = int(found.group(1)) if found else 0
        original = text.split("\n", 1)[-1]  # the passage without its (cut) title line
        vector = self.originals[original]
        if copy == 0:
            return vector
        rng = np.random.default_rng([copy, int.from_bytes(cache_key("", original)[:8], "little")])
        noisy = vector + rng.normal(0, self.noise, vector.shape).astype(np.float32)
        return noisy / np.linalg.norm(noisy)

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        return np.vstack([self.vector(t) for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        raise NotImplementedError("build only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact")
    parser.add_argument("--source", type=Path, default=Path("indexes/eval/scifact"))
    parser.add_argument("--out", type=Path, default=Path("indexes/big-100k"))
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--restricted", type=float, default=0.05, help="share of documents given an access group")
    args = parser.parse_args()
    started = time.perf_counter()
    source_manifest = json.loads((args.source / "manifest.json").read_text())
    catalog = Catalog.open(args.source / source_manifest["generation"] / "catalog.sqlite")
    cache = sqlite3.connect(f"file:{args.source / 'embeddings.sqlite'}?mode=ro", uri=True)  # the cache's own file
    docs: dict[str, tuple[str, list[tuple[int, int, str | None, str, int]]]] = {}
    originals: dict[str, np.ndarray] = {}
    titles = {doc_id: doc.title for doc_id, doc in catalog.documents(catalog.document_ids()).items()}
    for row in catalog.iter_chunks():
        doc_id, title, ordinal, page, heading, text, n_tokens = (
            row.doc_id, titles[row.doc_id], row.ordinal, row.page, row.heading, row.text, row.n_tokens)
        text_for_model = embed_text(title, heading, text)
        found = cache.execute("SELECT vector FROM vectors WHERE key = ?", (cache_key(DEFAULT_MODEL, text_for_model),)).fetchone()
        if found is None:
            raise SystemExit(f"{args.source}: no cached vector for a passage of {doc_id}; run the BEIR eval first")
        originals[text_for_model.split("\n", 1)[-1]] = np.frombuffer(found[0], dtype=np.float32)
        docs.setdefault(doc_id, (title, []))[1].append((ordinal, page, heading, text, n_tokens))
    pages = {doc_id: page.text for doc_id in titles for page in catalog.pages(doc_id)}  # BEIR: one page each
    print(f"{len(docs)} source documents, {len(originals)} passages; building {args.copies} copies")

    settings = Settings(index_dir=args.out, model=DEFAULT_MODEL, embedding_cache=args.out / "noisy-copies.sqlite")
    embedder = NoisyCopies(originals, args.noise)
    rng = np.random.default_rng(0)
    with IndexWriter(settings, embedder, derive=DERIVED) as writer:
        writer.catalog.set_durable(False)  # a scratch build: one fsync at the end is enough
        mentions = {doc_id: find_mentions([(1, pages.get(doc_id, ""))], ()) for doc_id in docs}  # once, not per copy
        for copy in range(args.copies):
            for doc_id, (title, chunks) in docs.items():
                marked = f"[copy {copy}] {title}" if copy else title
                key = f"beir:scifact/{doc_id}" + (f"#copy{copy}" if copy else "")
                new_id = f"{doc_id}-c{copy}" if copy else doc_id
                doc = text_document(key, new_id, marked, pages.get(doc_id, ""))
                writer.add(doc, [Chunk(new_id, o, p, h.replace(title, marked, 1) if h else h, t, n)
                                 for o, p, h, t, n in chunks])
                writer.add_mentions(new_id, mentions[doc_id], EXTRACTOR_VERSION)
                if rng.random() < args.restricted:
                    writer.set_access(new_id, None, ("finance",))
            print(f"copy {copy + 1}/{args.copies} added, {writer.pending_count} passages, {time.perf_counter() - started:.0f} s")
        manifest = writer.commit()
    print(f"{args.out}: {manifest['counts']} dense {manifest['dense']} in {time.perf_counter() - started:.0f} s")
    (args.out / "noisy-copies.sqlite").unlink(missing_ok=True)
    write_ground_truth(args, settings, embedder)


def write_ground_truth(args: argparse.Namespace, settings: Settings, embedder: NoisyCopies) -> None:
    """The test queries' real vectors and their exact top-10 over every vector in the collection (brute force
    over the float vectors, rebuilt as the build made them: the index itself keeps only SQ8 codes)."""
    from kmsearch.index.embed import SentenceTransformerEmbedder

    manifest = json.loads((args.out / "manifest.json").read_text())
    catalog = Catalog.open(args.out / manifest["generation"] / "catalog.sqlite")
    queries = load_queries(args.beir)
    test = sorted(q for q in load_qrels(args.beir, "test") if q in queries)
    model = SentenceTransformerEmbedder(Settings(model=DEFAULT_MODEL))
    vectors = np.vstack([model.embed_query(queries[q]) for q in test])
    best = np.full((len(test), 10), -np.inf, dtype=np.float32)
    best_ids = np.full((len(test), 10), -1, dtype=np.int64)
    rows = catalog.iter_embed_texts()
    while part := [row for _, row in zip(range(50_000), rows)]:
        sims = vectors @ embedder.embed([t for _, t in part]).T
        part_ids = np.broadcast_to(np.asarray([c for c, _ in part], dtype=np.int64), sims.shape)
        merged, merged_ids = np.hstack([best, sims]), np.hstack([best_ids, part_ids])
        top = np.argsort(-merged, axis=1, kind="stable")[:, :10]
        best, best_ids = np.take_along_axis(merged, top, axis=1), np.take_along_axis(merged_ids, top, axis=1)
    np.savez(args.out / "bench-queries.npz", query_ids=np.asarray(test), vectors=vectors, exact_ids=best_ids,
             exact_scores=best)
    print(f"exact top-10 of {len(test)} test queries written to {args.out / 'bench-queries.npz'}")


if __name__ == "__main__":
    main()
