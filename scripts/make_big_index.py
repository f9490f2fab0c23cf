"""Build a large index (default ~100k passages) for load and latency benchmarks, without an hour of embedding.

Run by hand after `kmsearch eval beir ../shared/eval/scifact` (whose scratch index and embedding cache it reads):
    python scripts/make_big_index.py --out indexes/big-100k [--copies 9]

Each SciFact abstract is copied `copies` times under a marked title ("... [copy 3]"). A copy's passages get the
original passage's real vector plus small Gaussian noise (renormalised), written into the new index's embedding
cache under the copy's own cache key, so the ordinary ingest finds every vector cached and embeds nothing. The
vectors keep the structure of real embeddings (unlike uniform random ones), which matters for ANN recall.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import numpy as np

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.eval.beir import load_documents
from kmsearch.index.cache import EmbeddingCache
from kmsearch.index.catalog import embed_text
from kmsearch.index.embed import cache_key
from kmsearch.index.store import read_manifest
from kmsearch.ingest.pipeline import ingest_documents
from kmsearch.types import Document
import dataclasses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact")
    parser.add_argument("--source", type=Path, default=Path("indexes/eval/scifact"))
    parser.add_argument("--out", type=Path, default=Path("indexes/big-100k"))
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--noise", type=float, default=0.02)
    args = parser.parse_args()
    manifest = read_manifest(args.source)
    if manifest is None:
        raise SystemExit(f"no index at {args.source}: run `kmsearch eval beir {args.beir}` first")
    catalog = sqlite3.connect(f"file:{args.source / manifest['generation'] / 'catalog.sqlite'}?mode=ro", uri=True)
    rows = catalog.execute("SELECT d.doc_id, d.title, c.heading, c.text FROM chunks c JOIN documents d USING (doc_id)")
    source_cache = sqlite3.connect(args.source / "embeddings.sqlite")
    rng = np.random.default_rng(0)
    args.out.mkdir(parents=True, exist_ok=True)
    target = EmbeddingCache(args.out / "embeddings.sqlite", DEFAULT_MODEL)
    batch = []
    for doc_id, title, heading, text in rows:
        key = cache_key(DEFAULT_MODEL, embed_text(title, heading, text))
        found = source_cache.execute("SELECT vector FROM vectors WHERE key = ?", (key,)).fetchone()
        if found is None:
            continue
        vector = np.frombuffer(found[0], dtype=np.float32)
        batch.append((key, vector.tobytes()))  # the originals, under their own keys
        for copy in range(1, args.copies):
            noisy = vector + rng.normal(0, args.noise, vector.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy)
            batch.append((cache_key(DEFAULT_MODEL, embed_text(f"{title} [copy {copy}]", heading, text)), noisy.tobytes()))
        if len(batch) > 20_000:
            with target.conn:
                target.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", batch)
            batch.clear()
    with target.conn:
        target.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", batch)
    target.close()

    def documents() -> "list[Document]":
        for doc in load_documents(args.beir):
            yield doc
            for copy in range(1, args.copies):
                yield dataclasses.replace(doc, path=f"{doc.path}#copy{copy}", doc_id=f"{doc.doc_id}-c{copy}",
                                          title=f"{doc.title} [copy {copy}]")

    report = ingest_documents(documents(), Settings(index_dir=args.out, model=DEFAULT_MODEL), show_progress=True)
    print(f"{args.out}: {report.summary()['added']} documents; embedded {report.embedded}, from cache {report.cached}")


if __name__ == "__main__":
    main()
