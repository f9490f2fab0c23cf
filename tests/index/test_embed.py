"""Embedding backends: the choice of backend, cache ids, the ONNX export (atomic, checked), the ONNX embedder's
agreement with torch on real passages, its tokenizer's chunks, and a torch-free query path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import InvalidParameterError
from kmsearch.index import embed as embed_module
from kmsearch.index import onnx_export
from kmsearch.index.catalog import embed_text
from kmsearch.index.embed import (
    CPU_DEFAULT,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    cache_key,
    check_export,
    choose_backend,
    make_embedder,
    model_folder,
    resolve_model,
)
from kmsearch.ingest.chunk import Chunker
from tests.helpers import REPO

ROOT = REPO
CORPUS = ROOT / "corpus"
# The sample corpus's documents with a text layer (scans/ would need OCR, which adds nothing here)
DOCUMENTS = sorted(
    str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
    if p.suffix in {".pdf", ".docx", ".pptx", ".html", ".md", ".txt"} and p.name != "README.md" and "scans" not in p.parts
)


# --- choosing a backend (no model loaded) -------------------------------------------------------------------


def test_bad_backend_value_is_a_clear_error_naming_the_setting() -> None:
    with pytest.raises(InvalidParameterError, match=r"setting backend: 'gpu' is not one of auto, torch, onnx"):
        make_embedder(Settings(backend="gpu"))


def test_backend_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMSEARCH_BACKEND", "onnx")
    assert Settings.load().backend == "onnx"
    assert make_embedder(Settings.load()).backend == "onnx"
    monkeypatch.setenv("KMSEARCH_BACKEND", "int4")
    with pytest.raises(InvalidParameterError, match="backend"):
        make_embedder(Settings.load())


def test_cli_refuses_an_unknown_backend() -> None:
    from click.testing import CliRunner

    from kmsearch.cli import cli

    result = CliRunner().invoke(cli, ["search", "x", "--backend", "gpu"])
    assert result.exit_code == 2 and "--backend" in result.output


def test_cache_id_separates_backends() -> None:
    settings = Settings()
    torch_, fp32, int8 = (SentenceTransformerEmbedder(settings), OnnxEmbedder(settings, "onnx"),
                          OnnxEmbedder(settings, "onnx-int8"))
    assert (torch_.backend, fp32.backend, int8.backend) == ("torch", "onnx", "onnx-int8")
    assert torch_.cache_id == DEFAULT_MODEL  # caches filled before the backends existed stay valid for torch
    assert len({torch_.cache_id, fp32.cache_id, int8.cache_id}) == 3
    assert len({cache_key(e.cache_id, "same text") for e in (torch_, fp32, int8)}) == 3
    assert {torch_.model_id, fp32.model_id, int8.model_id} == {DEFAULT_MODEL}  # one model: the same index


def test_auto_is_torch_on_a_gpu_and_the_cpu_default_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert choose_backend(Settings(device="cuda")) == "torch"
    assert choose_backend(Settings(device="cpu")) == CPU_DEFAULT
    assert choose_backend(Settings(device="cpu", backend="torch")) == "torch"
    monkeypatch.setattr(embed_module, "gpu_usable", lambda settings: False)
    assert choose_backend(Settings()) == CPU_DEFAULT
    assert isinstance(make_embedder(Settings()), OnnxEmbedder if CPU_DEFAULT != "torch" else SentenceTransformerEmbedder)
    # A model family the export was never measured on stays on torch
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5"}))
    (tmp_path / "tokenizer.json").write_text("{}")
    assert choose_backend(Settings(model=str(tmp_path))) == "torch"


def test_gpu_check_does_not_import_torch_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.path.exists("/dev/nvidiactl"):
        pytest.skip("this machine has an NVIDIA driver")
    code = ("import sys; from kmsearch.config import Settings; from kmsearch.index.embed import gpu_usable; "
            "import shutil; assert shutil.which('nvidia-smi') or not gpu_usable(Settings()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# --- the export ---------------------------------------------------------------------------------------------


def test_a_killed_exports_temporary_folder_is_ignored_and_cleaned(tmp_path: Path) -> None:
    path = model_folder(resolve_model(DEFAULT_MODEL))
    final = onnx_export.export_dir(path, DEFAULT_MODEL, tmp_path)
    dead = _dead_pid()
    stale = tmp_path / f"{onnx_export.TMP_PREFIX}{final.name}-{dead}-0123abcd"
    stale.mkdir()
    (stale / "model.onnx").write_bytes(b"\x08\x07half a protobuf")  # what a kill mid-write leaves
    live = tmp_path / f"{onnx_export.TMP_PREFIX}{final.name}-{os.getpid()}-89abcdef"  # an export under way
    live.mkdir()
    assert not final.exists() and not onnx_export.is_complete(final)
    assert onnx_export.clean_stale(tmp_path) == [stale]
    assert live.exists() and not stale.exists()
    # A finished folder that lost a file is not used as it is
    final.mkdir()
    (final / onnx_export.META).write_text("{}")
    assert not onnx_export.is_complete(final)


def test_export_folder_is_keyed_by_the_models_files(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "bert"}')
    (model / "model.safetensors").write_bytes(b"weights v1")
    (model / "README.md").write_text("not part of the model")
    first = onnx_export.export_dir(model, "my/model", tmp_path / "onnx")
    (model / "README.md").write_text("edited")
    assert onnx_export.export_dir(model, "my/model", tmp_path / "onnx") == first
    (model / "model.safetensors").write_bytes(b"weights v2")
    second = onnx_export.export_dir(model, "my/model", tmp_path / "onnx")
    assert second != first and second.parent == tmp_path / "onnx" and second.name.startswith("model-")


@pytest.mark.slow
def test_export_killed_midway_leaves_no_finished_folder(tmp_path: Path) -> None:
    """SIGKILL an export once its fp32 file is being written: only a temporary folder is left, which lookups
    ignore and the next export removes."""
    code = ("from kmsearch.index.embed import check_export, model_folder, resolve_model; "
            "from kmsearch.index import onnx_export; "
            f"onnx_export.export(model_folder(resolve_model({DEFAULT_MODEL!r})), {DEFAULT_MODEL!r}, "
            f"__import__('pathlib').Path({str(tmp_path)!r}), check=check_export)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 300
        while not list(tmp_path.glob(".tmp-*/model.onnx")):
            assert proc.poll() is None and time.monotonic() < deadline, "the export ended before it could be killed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [p.name[:5] for p in tmp_path.iterdir()] == [".tmp-"]
    final = onnx_export.export_dir(model_folder(resolve_model(DEFAULT_MODEL)), DEFAULT_MODEL, tmp_path)
    assert not final.exists()
    assert len(onnx_export.clean_stale(tmp_path)) == 1 and not any(tmp_path.iterdir())


# --- the ONNX embedder against torch (real model) -----------------------------------------------------------


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export of the default model for this module (about half a minute)."""
    root = tmp_path_factory.mktemp("onnx")
    onnx_export.ensure_export(model_folder(resolve_model(DEFAULT_MODEL)), DEFAULT_MODEL, root, check=check_export)
    return root


@pytest.fixture(scope="module")
def documents() -> list:
    from kmsearch.ingest.extract import extract

    return [extract(CORPUS / name, Settings(ocr=False)) for name in DOCUMENTS]


@pytest.fixture(scope="module")
def passages(documents: list) -> list[str]:
    """The sample corpus's passages as the model sees them, plus one far past max_seq_length."""
    tokenizer = SentenceTransformerEmbedder(Settings()).tokenizer
    chunker = Chunker(tokenizer, Settings().chunk_tokens, Settings().chunk_overlap)
    texts = [embed_text(doc.title, c.heading, c.text) for doc in documents for c in chunker.chunk(doc)]
    return texts + [" ".join(texts)[:20_000]]


@pytest.mark.slow
def test_onnx_agrees_with_torch_on_real_passages(onnx_dir: Path, passages: list[str]) -> None:
    assert len(passages) >= 100
    reference = SentenceTransformerEmbedder(Settings()).embed(passages)
    for backend, floor in (("onnx", 0.999), ("onnx-int8", 0.99)):
        embedder = make_embedder(Settings(backend=backend, onnx_dir=onnx_dir))
        vectors = embedder.embed(passages)
        assert vectors.shape == reference.shape and vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        cosine = np.sum(vectors * reference, axis=1)
        assert cosine.min() >= floor, f"{backend}: passage {int(cosine.argmin())} at cosine {cosine.min():.4f}"
        assert embedder.dimension == 384 and embedder.max_tokens == 256


@pytest.mark.slow
def test_onnx_queries_prefixes_and_batches(onnx_dir: Path) -> None:
    plain = OnnxEmbedder(Settings(onnx_dir=onnx_dir, batch_size=3), "onnx")
    prefixed = OnnxEmbedder(Settings(onnx_dir=onnx_dir, query_prefix="query: ", passage_prefix="passage: "), "onnx")
    torch_query = SentenceTransformerEmbedder(Settings()).embed_query("records disposal")
    query = plain.embed_query("records disposal")
    assert query.shape == (1, 384) and float(query[0] @ torch_query[0]) > 0.999
    np.testing.assert_allclose(prefixed.embed_query("x"), plain.embed_query("query: x"), atol=1e-5)
    texts = ["a short one", "a somewhat longer passage about records", "x", "mobile units " * 40, "", "last"]
    np.testing.assert_allclose(prefixed.embed(texts), plain.embed(["passage: " + t for t in texts]), atol=1e-5)
    one_by_one = np.vstack([plain.embed([t]) for t in texts])
    np.testing.assert_allclose(plain.embed(texts), one_by_one, atol=1e-5)  # batching and padding change nothing
    assert plain.embed([]).shape == (0, 384)
    # queries run on a one-thread session of their own; same vectors as the batch session's
    np.testing.assert_allclose(plain.embed_query("records disposal"), plain.embed(["records disposal"]), atol=1e-5)
    assert plain.query_session is not plain.session


@pytest.mark.slow
def test_query_path_imports_no_torch(onnx_dir: Path) -> None:
    """A serving process with the ONNX backend never loads torch, transformers or sentence-transformers."""
    code = f"""
import re, sys
from kmsearch.config import Settings
from kmsearch.index.embed import make_embedder
embedder = make_embedder(Settings(backend="onnx-int8", onnx_dir={str(onnx_dir)!r}))
vector = embedder.embed_query("who knows about records disposal?")
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
peak = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read())  # ru_maxrss would count pytest's
print(vector.shape, heavy, int(peak.group(1)) // 1024 if peak else 0)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.startswith("(1, 384) [] "), out.stdout + out.stderr
    peak_mb = int(out.stdout.split()[-1])
    assert peak_mb < 250, f"the query process peaked at {peak_mb} MB"  # torch alone would be ~500 MB


@pytest.mark.slow
def test_onnx_tokenizer_gives_the_same_chunks(documents: list) -> None:
    """The tokenizers-only tokenizer chunks the sample corpus exactly as transformers' tokenizer does."""
    fast = OnnxEmbedder(Settings(), "onnx-int8").tokenizer
    reference = SentenceTransformerEmbedder(Settings()).tokenizer
    assert type(fast).__module__ == "kmsearch.index.embed"
    for doc in documents:
        for tokens, overlap in ((200, 32), (64, 16)):
            assert Chunker(fast, tokens, overlap).chunk(doc) == Chunker(reference, tokens, overlap).chunk(doc)
    texts = [b.text for doc in documents for page in doc.pages for b in page.blocks]
    texts += ["Ünïcödé café — “quotes” 2008/09 R1,5m", "", "   spaces   ", "x" * 3000]
    for kwargs in ({}, {"add_special_tokens": False, "return_offsets_mapping": True}):
        ours, theirs = fast(texts, **kwargs), reference(texts, **kwargs)
        assert ours["input_ids"] == theirs["input_ids"]
        if "return_offsets_mapping" in kwargs:
            assert [list(map(tuple, o)) for o in ours["offset_mapping"]] == \
                   [list(map(tuple, o)) for o in theirs["offset_mapping"]]
    assert fast("one text", add_special_tokens=False)["input_ids"] == reference("one text", add_special_tokens=False)["input_ids"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
