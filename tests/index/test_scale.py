"""Scale machinery: tantivy BM25 updated in place across generations, the dense index type chosen by size,
and filters resolved once per generation into what each retriever takes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from kmsearch.errors import IndexError_, InvalidParameterError
from kmsearch.index import dense
from kmsearch.index.lexical import DocFilter, Lexical, LexicalWriter, query_terms
from kmsearch.index.store import FORMAT_VERSION, Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Searcher
from kmsearch.search.filters import Filters
from tests.helpers import catalog_sql


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


# --- BM25 ------------------------------------------------------------------------------------------------------
def test_bm25_generation_links_and_leaves_the_previous_one_untouched(tmp_path):
    first = LexicalWriter(tmp_path / "g1")
    first.add([(0, "a", "Mobile service delivery in rural municipalities"), (1, "a", "Minutes of the council"),
               (2, "b", "Electronic file management and records retention")])
    assert first.commit() == 3
    before = snapshot(tmp_path / "g1")
    second = LexicalWriter(tmp_path / "g2", tmp_path / "g1")
    second.delete_document("a")
    second.add([(3, "a", "Mobile units visited twelve villages"), (4, "c", "Records management study tour")])
    assert second.commit() == 3
    assert snapshot(tmp_path / "g1") == before  # hard links, and tantivy wrote only new files
    old, new = Lexical.load(tmp_path / "g1"), Lexical.load(tmp_path / "g2")
    assert [c for c, _ in old.search("mobile", 10)] == [0]
    assert [c for c, _ in new.search("mobile", 10)] == [3]  # the old version is gone, the re-added one stays
    assert {c for c, _ in new.search("records", 10)} == {2, 4}


def test_bm25_document_filters_apply_inside_the_query(tmp_path):
    writer = LexicalWriter(tmp_path / "g1")
    writer.add([(i, f"d{i % 3}", f"records retention schedule number {i}") for i in range(30)])
    writer.commit()
    lexical = Lexical.load(tmp_path / "g1")
    only = lexical.search("records", 100, DocFilter(frozenset({"d1"}), include=True))
    assert len(only) == 10 and all(c % 3 == 1 for c, _ in only)
    without = lexical.search("records", 100, DocFilter(frozenset({"d1"}), include=False))
    assert len(without) == 20 and all(c % 3 != 1 for c, _ in without)
    assert lexical.search("records", 100, DocFilter(frozenset(), include=True)) == []
    plain = dict(lexical.search("records", 100))
    assert all(plain[c] == pytest.approx(s) for c, s in only)  # the filter adds nothing to the score
    mask = np.zeros(30, dtype=bool)
    mask[1::3] = True
    top = lexical.search("records", 4, mask=mask)
    assert len(top) == 4 and all(mask[c] for c, _ in top)
    assert [s for _, s in top] == pytest.approx(sorted((s for _, s in only), reverse=True)[:4])
    assert len(lexical.search("records", 100, mask=mask)) == 10  # deepened until every allowed one is found


def test_query_terms_are_stemmed_without_stop_words():
    assert query_terms("The Records of the records-management unit") == ["record", "manag", "unit"]
    assert query_terms("the of and") == []


# --- dense -----------------------------------------------------------------------------------------------------
def clustered(n: int, dim: int = 32, clusters: int = 50, seed: int = 0) -> np.ndarray:
    """Vectors with structure (normalised points around cluster centres), unlike uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.3 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_index_type_follows_size_and_settings(settings):
    assert dense.spec_for(1_000, settings) == {"type": "flat"}
    big = dense.spec_for(1_000_000, settings)
    assert big["type"] == "ivf" and big["nlist"] == 4096 and 1 <= big["nprobe"] <= big["nlist"]
    assert dense.spec_for(500, settings.replace(dense_index="ivf", ivf_nlist=16, ivf_nprobe=4)) == {
        "type": "ivf", "nlist": 12, "nprobe": 4}  # no more lists than the vectors can train
    with pytest.raises(InvalidParameterError, match="dense_index"):
        dense.spec_for(10, settings.replace(dense_index="hnsw-maybe"))


def test_ivf_recall_and_filters_against_exact_search():
    vectors = clustered(20_000)
    ids = np.arange(5, 20_005, dtype=np.int64)  # ids need not start at 0
    exact = dense.build({"type": "flat"}, 32, vectors, ids)
    ivf = dense.build({"type": "ivf", "nlist": 128, "nprobe": 16}, 32, vectors, ids)
    assert dense.describe(ivf) == {"type": "ivf", "factory": "IVF128,SQ8", "nlist": 128, "nprobe": 16}
    queries = clustered(50, seed=1)
    recall = np.mean([
        len({c for c, _ in dense.search(ivf, q, 10)} & {c for c, _ in dense.search(exact, q, 10)}) / 10
        for q in queries
    ])
    assert recall >= 0.9
    mask = np.zeros(20_005, dtype=bool)
    mask[ids[::200]] = True  # 100 of 20,000 allowed: narrow enough to search every list
    for q in queries[:5]:
        hits = dense.search(ivf, q, 10, mask)
        assert len(hits) == 10 and all(mask[c] for c, _ in hits)
        assert [c for c, _ in hits][:3] == [c for c, _ in dense.search(exact, q, 10, mask)][:3]


def test_fits_decides_between_adding_and_rebuilding():
    ivf = dense.build({"type": "ivf", "nlist": 64, "nprobe": 8}, 32, clustered(4_000), np.arange(4_000))
    assert dense.fits(ivf, {"type": "ivf", "nlist": 64, "nprobe": 8})
    assert dense.fits(ivf, {"type": "ivf", "nlist": 100, "nprobe": 8})
    assert not dense.fits(ivf, {"type": "ivf", "nlist": 256, "nprobe": 8})  # grown 16x: retrain
    assert not dense.fits(ivf, {"type": "flat"})
    assert not dense.fits(None, {"type": "flat"})


# --- the index as a whole ----------------------------------------------------------------------------------------
def test_ingest_switches_to_ivf_when_the_collection_outgrows_exact_search(corpus, settings, embedder):
    small = settings.replace(dense_exact_max=1_000)
    ingest([corpus], small, embedder)
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["dense"]["type"] == "flat" and manifest["lexical"]["library"] == "tantivy"
    chunks = manifest["counts"]["chunks"]
    calls = embedder.calls
    tight = settings.replace(dense_exact_max=chunks - 1, ivf_nlist=2, ivf_nprobe=2)
    (corpus / "minutes" / "extra.txt").write_text("Registry memo: retention schedules for building plans.")
    ingest([corpus], tight, embedder)
    index = Index.open(tight, embedder)
    assert index.manifest["dense"]["type"] == "ivf"  # (one list: a handful of passages cannot train more)
    assert index.manifest["dense"]["built_for"] == chunks + 1
    assert index.faiss_index.ntotal == len(index.lexical) == chunks + 1
    assert embedder.calls == calls + 1  # the rebuild read every other vector from the cache
    hits = Searcher(index).search("retention schedules building plans", mode="dense")
    assert hits[0].path.endswith("extra.txt")


def test_filtered_search_is_the_same_on_flat_and_ivf(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    flat = Searcher(Index.open(settings, embedder))
    filters = Filters(doc_type=("minutes",))
    expected = [h.doc_id for h in flat.search("records", k=5, filters=filters, mode="dense")]
    assert expected
    ivf_settings = settings.replace(index_dir=settings.index_dir.parent / "ivf", dense_index="ivf", ivf_nlist=2)
    ingest([corpus], ivf_settings, embedder)
    ivf = Searcher(Index.open(ivf_settings, embedder))
    assert [h.doc_id for h in ivf.search("records", k=5, filters=filters, mode="dense")] == expected


def test_selection_is_none_when_the_caller_reads_everything(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    assert Filters(groups=frozenset({"anyone"})).selection(index) is None  # nothing here is restricted
    selection = Filters(doc_type=("minutes",)).selection(index)
    assert selection is not None and selection.docs is not None and selection.docs.include  # few: a term set
    assert Filters(doc_type=("minutes",)).selection(index) is selection  # cached for the generation
    with closing(catalog_sql(index)) as conn:
        kept = {r[0] for r in conn.execute(
            "SELECT chunk_id FROM chunks JOIN documents USING (doc_id) WHERE doc_type = 'minutes'")}
    assert set(np.flatnonzero(selection.mask)) == kept


def test_an_index_from_before_tantivy_is_upgraded_by_the_next_ingest(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    manifest_path = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    gen = settings.index_dir / manifest["generation"]
    for path in (gen / "lexical").iterdir():
        path.unlink()
    (gen / "lexical").rmdir()
    manifest["format_version"] = 2
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexError_, match="upgrade it in place"):
        Index.open(settings, embedder)
    calls = embedder.calls
    report = ingest([corpus], settings, embedder)
    assert report.summary()["unchanged"] == 4 and embedder.calls == calls
    index = Index.open(settings, embedder)
    assert index.manifest["format_version"] == FORMAT_VERSION and len(index.lexical) == index.catalog.counts()["chunks"]
    assert Searcher(index).search("retrieval times file plan", mode="bm25")


def test_facets_and_document_lookups_do_not_pass_every_id_as_a_parameter(corpus, settings, embedder):
    """At a million passages there are hundreds of thousands of documents: more ids than SQLite takes in one
    statement. Lookups are batched, and the no-query facets are counted in one pass and kept per generation."""
    from kmsearch.search.facets import facets

    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    real = index.catalog.document_ids()
    # stock SQLite's cap (Debian: 250k), set on the catalogue's own connection: white-box, as the test is about it
    index.catalog._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    many = [f"missing-{i}" for i in range(40_000)] + real
    assert set(index.catalog.documents(many)) == set(real)
    everything = facets(index)
    assert sum(everything["type"].values()) == len(real)
    minutes = facets(index, filters=Filters(doc_type=("minutes",)))
    assert set(minutes["type"]) == {"minutes"} and minutes["type"]["minutes"] == everything["type"]["minutes"]
    assert facets(index) is everything  # kept for the generation
