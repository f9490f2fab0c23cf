"""Small helpers for document properties shared by the extractors."""

from __future__ import annotations

import re
from datetime import date, datetime


def pdf_date(value: str | None) -> str | None:
    """PDF dates look like D:20080923101500+02'00'; return the ISO date or None."""
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", (value or "").strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def split_authors(value: str | None) -> tuple[str, ...]:
    parts = re.split(r"[;,]| and ", value or "")
    return tuple(p.strip() for p in parts if p.strip())
