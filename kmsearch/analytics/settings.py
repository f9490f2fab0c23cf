"""The analytics settings, read from `Settings` without changing it.

Until config.py has fields of its own for them, they are read from `settings.extra` (in kmsearch.toml, a
`[kmsearch.extra]` table), falling back to the defaults below. A field of the same name on `Settings`, once it
exists, wins, so nothing here changes when the fields are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kmsearch.errors import InvalidParameterError

CALLER_MODES = ("off", "anonymous", "key")
LOG_FILE = "analytics.sqlite"  # in the index folder, beside the generations (which re-indexing replaces)


@dataclass(frozen=True)
class AnalyticsSettings:
    # off: no query log at all; anonymous: queries and opens without who asked; key: with the key's name and groups
    query_log: str = "anonymous"
    query_log_retention_days: int = 365
    # Government records of administrative actions are commonly kept for years; the trail is small.
    audit_trail_retention_days: int = 2557  # seven years
    # Cosine distance under which two unanswered queries are one gap (kmsearch/analytics/clustering.py)
    gap_distance: float = 0.6
    # Whether a reader's key may see the knowledge audit (counting only what it may read); librarians always may
    audit_for_readers: bool = False
    index_dir: Path = Path("indexes/default")

    def __post_init__(self) -> None:
        if self.query_log not in CALLER_MODES:
            raise InvalidParameterError(f"setting query_log must be one of {', '.join(CALLER_MODES)}, "
                                        f"got {self.query_log!r}")
        for name in ("query_log_retention_days", "audit_trail_retention_days"):
            if getattr(self, name) < 1:
                raise InvalidParameterError(f"setting {name} must be at least 1 day, got {getattr(self, name)}")
        if not 0 < self.gap_distance < 2:
            raise InvalidParameterError(f"setting gap_distance must be between 0 and 2, got {self.gap_distance}")

    @property
    def log_path(self) -> Path:
        return Path(self.index_dir) / LOG_FILE

    @property
    def trail_path(self) -> Path:
        """Beside the index folder, like the API keys, so that deleting or rebuilding the index keeps it."""
        index_dir = Path(self.index_dir)
        return index_dir.parent / f"{index_dir.name}-audit.sqlite"


def analytics_settings(settings: Any) -> AnalyticsSettings:
    """The analytics settings in force for a kmsearch `Settings` (fields first, then `extra`, then defaults)."""
    extra = getattr(settings, "extra", None) or {}
    values: dict[str, Any] = {"index_dir": Path(getattr(settings, "index_dir", AnalyticsSettings.index_dir))}
    kinds = {"query_log": str, "query_log_retention_days": int, "audit_trail_retention_days": int,
             "gap_distance": float, "audit_for_readers": _boolean}
    for name, kind in kinds.items():
        value = getattr(settings, name, None)
        if value is None:
            value = extra.get(name)
        if value is None:
            continue
        try:
            values[name] = kind(value).lower() if kind is str else kind(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"setting {name}: expected {kind.__name__}, got {value!r}") from None
    return AnalyticsSettings(**values)


def _boolean(value: Any) -> bool:
    """A setting's true or false, from TOML (a boolean) or the environment ("true", "0" ...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(value)


_boolean.__name__ = "bool"
