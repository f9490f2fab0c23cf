"""API keys: random secrets shown once, stored only as SHA-256 hashes, each with a role and access groups.

Keys are 192-bit random tokens, so a plain SHA-256 (as for GitHub tokens) is enough; a slow password hash
would only slow every request.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kmsearch.access import group_name
from kmsearch.errors import InvalidParameterError

ROLES = ("reader", "librarian", "admin")  # each can do what the ones before it can


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: str
    groups: frozenset[str]
    created: str
    revoked: str | None = None

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def keys_path(index_dir: Path) -> Path:
    """Keys live beside the index folder (indexes/default-keys.sqlite), so rebuilding an index keeps them."""
    index_dir = Path(index_dir)
    return index_dir.parent / f"{index_dir.name}-keys.sqlite"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS keys (key_id TEXT PRIMARY KEY, hash TEXT UNIQUE NOT NULL, name TEXT NOT NULL, "
            "role TEXT NOT NULL, groups TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)"
        )

    def add(self, name: str, role: str = "reader", groups: tuple[str, ...] = ()) -> tuple[ApiKey, str]:
        """Create a key; returns it and its secret, which is not stored and cannot be shown again."""
        if role not in ROLES:
            raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        bad = [g for g in groups if not group_name(g) or any(c in group_name(g) for c in ";, \t")]
        if bad:
            raise InvalidParameterError(f"group names cannot be empty or contain ';', ',' or spaces: {bad}")
        groups = tuple(group_name(g) for g in groups)  # the one case rule (kmsearch.access): "HR" is hr
        key_id = secrets.token_hex(4)
        secret = f"kms_{key_id}_{secrets.token_urlsafe(24)}"
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.conn:
            self.conn.execute(
                "INSERT INTO keys VALUES (?,?,?,?,?,?,NULL)",
                (key_id, _hash(secret), name, role, ";".join(sorted(set(groups))), created),
            )
        return ApiKey(key_id, name, role, frozenset(groups), created), secret

    def list(self) -> list[ApiKey]:
        rows = self.conn.execute("SELECT key_id, name, role, groups, created, revoked FROM keys ORDER BY created")
        return [ApiKey(r[0], r[1], r[2], _groups(r[3]), r[4], r[5]) for r in rows]

    def revoke(self, key_id: str) -> bool:
        with self.conn:
            cur = self.conn.execute(
                "UPDATE keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                (datetime.now(timezone.utc).isoformat(timespec="seconds"), key_id),
            )
        return cur.rowcount > 0

    def get(self, key_id: str) -> ApiKey | None:
        """The active key with this id; None when there is none or it was revoked (a session checks this on
        every request, so revoking a key ends its sessions at once)."""
        row = self.conn.execute(
            "SELECT key_id, name, role, groups, created FROM keys WHERE key_id = ? AND revoked IS NULL", (key_id,)
        ).fetchone()
        return None if row is None else ApiKey(row[0], row[1], row[2], frozenset(filter(None, row[3].split(";"))), row[4])

    def verify(self, secret: str | None) -> ApiKey | None:
        if not secret or not secret.startswith("kms_") or len(secret) > 100:
            return None
        row = self.conn.execute(
            "SELECT key_id, name, role, groups, created, revoked FROM keys WHERE hash = ?", (_hash(secret),)
        ).fetchone()
        if row is None or row[5] is not None:
            return None
        return ApiKey(row[0], row[1], row[2], _groups(row[3]), row[4])


def _groups(stored: str) -> frozenset[str]:
    """A key's groups as stored, in canonical form: keys made before the case rule may hold "HR"."""
    return frozenset(g for g in map(group_name, stored.split(";")) if g)
