"""Export a sentence-transformers model folder to ONNX (fp32 and dynamic int8) for torch-free CPU embedding.

    ~/.cache/kmsearch/onnx/all-MiniLM-L6-v2-3f2a9c0d1e4b5a6c/
      model.onnx          the encoder with pooling and normalisation inside: ids and mask in, unit vectors out
      model-int8.onnx     the same, weights quantised to int8 (onnxruntime dynamic quantisation)
      tokenizer.json      the model's fast tokenizer as sentence-transformers runs it, so the folder stands alone
      export.json         what the embedder needs (max_seq_length, pooling, inputs) and how it was made

The folder's name carries a hash of the model's files and of the export recipe, so a changed model or recipe
gets a new folder and an old one is never used by mistake. An export is built in a `.tmp-*` folder beside it and
renamed into place when whole: a killed export leaves only a temporary folder, which lookups ignore and the
next export removes. Exporting needs torch and sentence-transformers; using the result needs neither.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from kmsearch.errors import KmsearchError
from kmsearch.index.files import fsync_path

log = logging.getLogger(__name__)

# Bump when the export or quantisation recipe changes: existing exports are then left alone and a new one made.
EXPORT_VERSION = 1
FILES = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
META = "export.json"
TMP_PREFIX = ".tmp-"
STALE_TMP_S = 3600.0  # a temporary folder older than this whose process is gone is a killed export's leftovers
# Files that decide what the model computes; anything else in the folder (README, other exports) is not hashed.
_HASHED_SUFFIXES = {".json", ".txt", ".safetensors", ".bin", ".model"}
_SKIPPED_DIRS = {"onnx", "openvino", ".cache", ".git"}
# Dynamic int8 recipe, chosen by agreement with torch on SciFact and sample-corpus passages (docs/benchmarks.md,
# "Embedding backends"). Per-channel weight scales are what keep agreement near 0.99 (per-tensor scales fell to
# 0.90); the 7-bit range avoids the 16-bit saturation of u8s8 products on AVX2 machines without VNNI. Dynamic
# quantisation gives each activation one scale per batch, and a few MatMuls cannot take that: the first encoder
# layer (the embeddings' outliers) and the feed-forward output of layers 1 and 2 (the GELU's long tail) stay fp32,
# as does the token-embedding table (a Gather: no time saved). With all of them quantised the worst passage fell
# to 0.986; kept fp32 they lift it to 0.993 for 8 of 36 MatMuls in fp32 and no measurable loss of speed.
INT8_RECIPE: dict[str, Any] = {
    "per_channel": True,
    "reduce_range": True,
    "ops": ["MatMul"],
    "fp32_nodes": [r"/layers?\.0/", r"/layers?\.[12]/output/dense/"],  # node-name patterns (BERT's names)
}
# Sentences checked after an export: the ONNX model must agree with the torch model it came from.
CHECK_TEXTS = [
    "Mobile service delivery units bring home affairs services to rural communities.",
    "Records disposal authority",
    "The delegation visited Ottawa and Toronto to study the Service Canada model of integrated service points, "
    "citizen call centres and the governance arrangements that make one-stop government work.",
]


def default_root() -> Path:
    """`$KMSEARCH_ONNX_DIR`, else `$XDG_CACHE_HOME/kmsearch/onnx` (`~/.cache/kmsearch/onnx`)."""
    env = os.environ.get("KMSEARCH_ONNX_DIR")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "kmsearch" / "onnx"


def model_hash(model_path: str | Path) -> str:
    """sha256 over the model's weights, configs and tokenizer files (names and contents) and the recipe."""
    root = Path(model_path)
    digest = hashlib.sha256(json.dumps({"export_version": EXPORT_VERSION, "int8": INT8_RECIPE}).encode())
    files = sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix in _HASHED_SUFFIXES and not _SKIPPED_DIRS & set(p.relative_to(root).parts[:-1])
    )
    if not files:
        raise KmsearchError(f"{root}: no model files to export (expected config.json and weights)")
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\x00")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def export_dir(model_path: str | Path, model_id: str, root: Path | None = None) -> Path:
    """Where the export of this model (these exact files) lives, whether or not it exists yet."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model_id.rstrip("/")).name or "model")
    return Path(root or default_root()) / f"{name}-{model_hash(model_path)[:16]}"


def is_complete(folder: Path) -> bool:
    return (folder / META).is_file() and all((folder / f).is_file() for f in FILES.values())


# How an export is checked before it is used: (model folder, export folder, export.json's data) -> the agreement
# found per backend, raising when it is too low. `kmsearch.index.embed.check_export` compares the ONNX embedder
# with torch; it is passed in because the embedder, in turn, makes the export on first use.
Check = Callable[[Path, Path, dict[str, Any]], dict[str, float]]


def ensure_export(model_path: str | Path, model_id: str, root: Path | None = None, *, check: Check) -> Path:
    """The export folder for this model, exporting it first if it is missing or incomplete."""
    folder = export_dir(model_path, model_id, root)
    if is_complete(folder):
        return folder
    return export(model_path, model_id, root, folder=folder, check=check)


def export(model_path: str | Path, model_id: str, root: Path | None = None, folder: Path | None = None, *,
           check: Check) -> Path:
    """Export the model to ONNX (fp32 and int8) and `check` it; returns the finished folder."""
    model_path = Path(model_path)
    folder = folder or export_dir(model_path, model_id, root)
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent)
    tmp = folder.parent / f"{TMP_PREFIX}{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    started = time.perf_counter()
    try:
        meta = _export_fp32(model_path, model_id, tmp)
        meta["int8"] = _quantise(tmp / FILES["onnx"], tmp / FILES["onnx-int8"])
        meta["check"] = check(model_path, tmp, meta)
        (tmp / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        for path in tmp.iterdir():
            fsync_path(path)
        if folder.exists():  # incomplete (a file was deleted by hand): replace it
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not is_complete(folder):  # another process finished first: theirs is as good as ours
                raise
            shutil.rmtree(tmp, ignore_errors=True)
        fsync_path(folder.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("exported %s to %s in %.1fs", model_id, folder, time.perf_counter() - started)
    return folder


def clean_stale(root: Path) -> list[Path]:
    """Remove temporary folders left by killed exports (their process is gone, or they are over an hour old)."""
    removed = []
    for path in Path(root).glob(f"{TMP_PREFIX}*"):
        match = re.search(r"-(\d+)-[0-9a-f]{8}$", path.name)
        pid = int(match.group(1)) if match else None
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            continue
        if pid is None or not _alive(pid) or age > STALE_TMP_S:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_for_export(model_path: Path) -> Any:
    """The sentence-transformers model as the export reads it (on the CPU, eager attention)."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        # Eager attention traces to plain MatMul/Softmax, which dynamic quantisation handles and every
        # onnxruntime build runs; SDPA's traced graph carries extra masking ops for nothing.
        return SentenceTransformer(str(model_path), device="cpu", model_kwargs={"attn_implementation": "eager"})
    except (OSError, ValueError, TypeError) as exc:
        raise KmsearchError(f"cannot load {model_path} for ONNX export ({exc})") from exc


def _export_fp32(model_path: Path, model_id: str, out: Path) -> dict[str, Any]:
    """Trace encoder + pooling + normalisation into out/model.onnx; copy the tokenizer; return the metadata."""
    import inspect

    import torch

    st = load_for_export(model_path)
    modules = list(st.children())
    transformer, pooling = modules[0], modules[1] if len(modules) > 1 else None
    hf_model = getattr(transformer, "auto_model", None) or getattr(transformer, "model", None)
    if hf_model is None or not hasattr(hf_model, "forward"):
        raise KmsearchError(f"{model_id}: ONNX export supports transformer encoders only")
    mode = getattr(pooling, "pooling_mode", None)  # sentence-transformers >= 6; before, a method
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    if mode not in ("mean", "cls"):
        raise KmsearchError(f"{model_id}: ONNX export supports mean or CLS pooling, not {mode!r}; use --backend torch")
    backend_tokenizer = getattr(st.tokenizer, "backend_tokenizer", None)
    if backend_tokenizer is None:
        raise KmsearchError(f"{model_id}: no fast tokenizer (tokenizer.json) to export with; use --backend torch")
    inputs = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(hf_model.forward).parameters:
        inputs.append("token_type_ids")

    class Encoder(torch.nn.Module):
        def __init__(self, model: Any):
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            kwargs = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, **kwargs).last_hidden_state
            if mode == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    encoder = Encoder(hf_model).eval()
    ids = torch.ones(2, 8, dtype=torch.long)
    sample = (ids, torch.ones_like(ids)) + ((torch.zeros_like(ids),) if len(inputs) == 3 else ())
    axes = {name: {0: "batch", 1: "sequence"} for name in inputs} | {"sentence_embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter; the export is checked against torch below
        # The TorchScript exporter (dynamo=False) needs only torch and onnx; the dynamo one would need onnxscript.
        torch.onnx.export(encoder, sample, str(out / FILES["onnx"]), input_names=inputs,
                          output_names=["sentence_embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    # The tokenizer exactly as sentence-transformers runs it (it adds a lowercasing step for do_lower_case models);
    # the embedder sets its own truncation and padding.
    backend_tokenizer.save(str(out / "tokenizer.json"))
    return {
        "model_id": model_id,
        "source": str(model_path),
        "hash": model_hash(model_path),
        "export_version": EXPORT_VERSION,
        "dimension": int((getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension)()),
        "max_seq_length": int(st.max_seq_length),
        "pooling": mode,
        "normalize": True,
        "inputs": inputs,
        "versions": _versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _quantise(source: Path, target: Path) -> dict[str, Any]:
    """Dynamic int8 quantisation of the weights, per INT8_RECIPE; returns the recipe as applied."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    weights = {w.name for w in graph.initializer}
    keep = [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights
            and any(re.search(pattern, n.name) for pattern in INT8_RECIPE["fp32_nodes"])]
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "please consider pre-processing": shape inference, which the session does itself
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=INT8_RECIPE["per_channel"],
                         reduce_range=INT8_RECIPE["reduce_range"], nodes_to_exclude=keep,
                         op_types_to_quantize=INT8_RECIPE["ops"])
    finally:
        quiet.setLevel(level)
    return dict(INT8_RECIPE, kept_fp32=keep)


def _versions() -> dict[str, str]:
    import onnx
    import onnxruntime
    import torch

    return {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__}
