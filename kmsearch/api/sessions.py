"""The staff page's sign-in session: a signed cookie that names a key by its id, never holds the key itself.

The cookie is `itsdangerous`'s timed signature over `{"k": key_id}`: it cannot be forged without the secret, it
expires after SESSION_HOURS whatever the browser keeps, and on every request the key id is looked up again in
the key store, so a revoked key's sessions stop on the next request. itsdangerous rather than Starlette's
SessionMiddleware: that middleware signs the same way (it uses itsdangerous) but runs on every request, API
calls included, and rewrites the cookie on each answer; here only the page's sign-in sets it.

The secret comes from the `session_secret` setting, or is made once and kept beside the index and its key
store (`indexes/default-session.key`, mode 0600): beside, not inside, so a read-only index can still be served
and a rebuilt index keeps its sessions, as it keeps its keys.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kmsearch.api.keys import ApiKey, KeyStore
from kmsearch.config import Settings
from kmsearch.errors import InvalidParameterError

log = logging.getLogger(__name__)
SESSION_COOKIE = "kmsearch_session"
OLD_KEY_COOKIE = "kmsearch_key"  # held the raw key before sessions; cleared on sign-in and sign-out
SESSION_HOURS = 8
COOKIE_SECURE = ("auto", "true", "false")


def secret_path(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    return index_dir.parent / f"{index_dir.name}-session.key"


def load_secret(settings: Settings) -> str:
    """The configured secret, else the one kept beside the index, made now (0600) if there is none yet."""
    if settings.session_secret:
        return settings.session_secret
    path = secret_path(settings.index_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # O_EXCL: two services never race
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s can be read by other users; anyone who reads it can sign in as any key id "
                        "(run `chmod 600 %s`)", path, path)
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < 32:
            raise InvalidParameterError(f"{path}: session secret is too short; delete the file to make a new one")
        return secret
    except OSError as exc:  # a read-only folder: the secret must come from elsewhere
        raise InvalidParameterError(f"cannot keep the session secret at {path} ({exc.strerror or exc}); make "
                                    "that folder writable, copy the file there, or set session_secret") from exc
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return secret


def cookie_secure_mode(value: object) -> str:
    """The `cookie_secure` setting as auto, true or false (TOML gives a bool, the environment a string)."""
    mode = str(value).strip().lower()
    if mode not in COOKIE_SECURE:
        raise InvalidParameterError(f"setting cookie_secure: expected auto, true or false, got {value!r}")
    return mode


class Sessions:
    """Issues and checks the page's session cookies for one key store."""

    def __init__(self, settings: Settings, keys: KeyStore):
        self.keys = keys
        self.secure_mode = cookie_secure_mode(settings.cookie_secure)
        self.signer = URLSafeTimedSerializer(load_secret(settings), salt="kmsearch-session")

    def key(self, token: str | None) -> ApiKey | None:
        """The active key a session cookie names; None when it is missing, forged, expired or revoked."""
        if not token or len(token) > 500:
            return None
        try:
            data = self.signer.loads(token, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # also SignatureExpired
            return None
        key_id = data.get("k") if isinstance(data, dict) else None
        return self.keys.get(key_id) if isinstance(key_id, str) else None

    def sign_in(self, request: Request, response: Response, key: ApiKey) -> None:
        secure = self.secure_mode == "true" or (self.secure_mode == "auto" and request.url.scheme == "https")
        response.set_cookie(SESSION_COOKIE, self.signer.dumps({"k": key.key_id}), max_age=SESSION_HOURS * 3600,
                            httponly=True, samesite="strict", secure=secure, path="/")
        response.delete_cookie(OLD_KEY_COOKIE)

    @staticmethod
    def sign_out(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(OLD_KEY_COOKIE)
