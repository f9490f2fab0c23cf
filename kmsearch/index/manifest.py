"""An index folder's `manifest.json`: which generation is live, and what it was built with.

    {"format_version": 3, "generation": "g000003", "model": {"name", "dimension", "max_tokens", "backend"},
     "chunking": {...}, "dense": {...}, "lexical": {...}, "counts": {...}, "embedding": {...}, ...}

Read here, and only here; written by `IndexWriter.commit` (kmsearch/index/store.py) through `files.atomic_write_json`.
The rule that an index is searched and extended only with the model it was built with is `index_model`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kmsearch.config import DEFAULT_MODEL, Settings
from kmsearch.errors import DamagedIndexError, IndexError_, ModelMismatchError

FORMAT_VERSION = 4  # 2: register references and access groups in the catalogue; 3: tantivy BM25, IVF above a size
# 4: BM25 terms analysed per passage language, and the passage language (`lang`)
UPGRADABLE = (2, 3)  # formats an ingest brings up to date in place (the next generation is written in the new one)
MANIFEST = "manifest.json"


def read_manifest(index_dir: Path, for_writing: bool = False) -> dict[str, Any] | None:
    """The live generation's manifest, or None for a new index. Readers need the current format; a writer may
    also take an older one it knows how to upgrade."""
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        if any(p.is_dir() for p in Path(index_dir).glob("g[0-9]*")):  # generations without a live one: damaged
            raise DamagedIndexError(f"{path} is missing")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("generation"), str):
            raise ValueError("no generation named")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise DamagedIndexError(f"{path}: unreadable manifest ({exc})") from exc
    version = manifest.get("format_version")
    if version != FORMAT_VERSION and not (for_writing and version in UPGRADABLE):
        hint = (
            "run `kmsearch ingest` on it once to upgrade it in place" if version in UPGRADABLE
            else "re-ingest into a new folder"
        )
        raise IndexError_(f"{path}: index format {version} is not {FORMAT_VERSION}; {hint}")
    return dict(manifest)


def recorded_model(index_dir: Path) -> dict[str, Any] | None:
    """What an existing index records of its model (name, dimension, max_tokens), or None when there is no index
    or its manifest cannot be used; whoever opens it for writing then says what is wrong."""
    try:
        manifest = read_manifest(index_dir, for_writing=True)
        model = manifest["model"] if manifest else None
        return None if model is None else {"name": str(model["name"]), "dimension": int(model["dimension"]),
                                           "max_tokens": int(model["max_tokens"]), **prefixes(model)}
    except (IndexError_, KeyError, TypeError, ValueError):
        return None


def prefixes(model: dict[str, Any]) -> dict[str, str]:
    """The query and passage prefixes a manifest's model was used with ("" before kmsearch recorded them, which
    is all it could then be built with unless set in kmsearch.toml)."""
    return {"query_prefix": str(model.get("query_prefix", "")), "passage_prefix": str(model.get("passage_prefix", ""))}


def index_model(settings: Settings, manifest: dict[str, Any] | None, embedder_model: str | None = None) -> str:
    """The embedding model of the index at `settings.index_dir`: the one its manifest records; for a new index,
    `settings.model` or DEFAULT_MODEL. Another model, asked for in the settings or brought as an embedder's
    `model_id`, is refused: vectors of two models in one index would rank by nonsense. So are other query or
    passage prefixes (an E5 model's "query: " and "passage: "): a model's vectors are only comparable when each
    side is embedded as the index's passages were."""
    built_with = str(manifest["model"]["name"]) if manifest else None
    if manifest:
        for name, recorded in prefixes(manifest["model"]).items():
            if getattr(settings, name) != recorded:
                raise ModelMismatchError(
                    f"index {settings.index_dir} was built with {name} {recorded!r}, not {getattr(settings, name)!r}; "
                    f"set {name} = {recorded!r} in kmsearch.toml (or KMSEARCH_{name.upper()}), or ingest into a new "
                    "--index folder"
                )
    model = built_with or settings.model or DEFAULT_MODEL
    for other in (settings.model, embedder_model):
        if other and other != model:
            done = "was built with" if built_with else "is being built with"
            raise ModelMismatchError(
                f"index {settings.index_dir} {done} model {model!r}, not {other!r}; use --model {model!r} (or leave "
                "it out), or ingest into a new --index folder"
            )
    return model


def resolve_model_setting(settings: Settings, manifest: dict[str, Any] | None) -> Settings:
    """`settings` naming the index's model (see `index_model`)."""
    return settings.replace(model=index_model(settings, manifest))
