"""Helpers shared by test modules (fixtures live in conftest.py, file builders in fixtures.py)."""

from __future__ import annotations

import sqlite3

from kmsearch.index.catalog import connect_readonly


def catalog_sql(index) -> sqlite3.Connection:
    """An independent read-only connection to an open index's live catalogue, for tests that check the stored
    rows themselves (the library reaches them only through kmsearch.index.catalog). Close it when done."""
    return connect_readonly(index.directory / index.generation / "catalog.sqlite")
