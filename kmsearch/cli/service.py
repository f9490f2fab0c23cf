"""`kmsearch serve` and `kmsearch keys`: the service's commands, which `kmsearch.cli.main` adds to the group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kmsearch.analytics.trail import KEY_ADDED, KEY_REVOKED, AuditTrail, AuditTrailError, cli_actor

from kmsearch.api.keys import ROLES, KeyStore, keys_path
from kmsearch.cli.common import Context, _run, index_option


@click.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--open", "open_mode", is_flag=True, help="No API keys: everyone sees everything (single-user desktop).")
@click.pass_obj
@_run
def serve(obj: Context, index_dir: Path | None, host: str, port: int, open_mode: bool) -> None:
    """Serve the JSON API (/api/v1, docs at /docs) and the staff search page.

    Requests need an API key (`kmsearch keys add`) unless --open is given.

    \b
    Example:
        kmsearch keys add "Front desk" --role reader
        kmsearch serve --index indexes/default --port 8000
    """
    import uvicorn

    from kmsearch.api import create_app

    settings = obj.settings(index_dir=index_dir)
    app = create_app(settings, open_mode=open_mode)
    app.state.holder.current()  # load the index and model now, not on the first request
    click.echo(f"serving {settings.index_dir} on http://{host}:{port}/ ({'open mode' if open_mode else 'API keys required'})")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group()
def keys() -> None:
    """Manage API keys (stored hashed beside the index)."""


@keys.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.option("--group", "groups", multiple=True, help="Access group (repeatable); documents restricted to it become readable.")
@index_option
@click.pass_obj
@_run
def keys_add(obj: Context, name: str, role: str, groups: tuple[str, ...], index_dir: Path | None) -> None:
    """Create a key and print its secret once (it is stored only as a hash).

    \b
    Example:
        kmsearch keys add "HR team" --role reader --group hr
    """
    settings = obj.settings(index_dir=index_dir)
    key, secret = KeyStore(keys_path(settings.index_dir)).add(name, role, groups)
    _trail(settings, KEY_ADDED, key.key_id, {"name": name, "role": role, "groups": sorted(key.groups)})
    click.echo(secret)
    click.echo(f"key {key.key_id} ({key.role}; groups: {', '.join(sorted(key.groups)) or 'none'}) — keep the secret safe",
               err=True)


@keys.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def keys_list(obj: Context, index_dir: Path | None, as_json: bool) -> None:
    """List keys (never their secrets).

    \b
    Example:
        kmsearch keys list
    """
    found = KeyStore(keys_path(obj.settings(index_dir=index_dir).index_dir)).list()
    if as_json:
        click.echo(json.dumps([{**k.__dict__, "groups": sorted(k.groups)} for k in found], indent=2))
        return
    for k in found:
        state = f"revoked {k.revoked}" if k.revoked else "active"
        click.echo(f"{k.key_id}  {k.role:<9} {state:<8} {k.name}  groups: {', '.join(sorted(k.groups)) or '-'}")


@keys.command("revoke")
@click.argument("key_id")
@index_option
@click.pass_obj
@_run
def keys_revoke(obj: Context, key_id: str, index_dir: Path | None) -> None:
    """Revoke a key by its id (from `keys list`); requests with it get 401 at once.

    \b
    Example:
        kmsearch keys revoke 3f9a1c2e
    """
    settings = obj.settings(index_dir=index_dir)
    if not KeyStore(keys_path(settings.index_dir)).revoke(key_id):
        raise click.ClickException(f"no active key {key_id!r}")
    _trail(settings, KEY_REVOKED, key_id, {})
    click.echo(f"revoked {key_id}")


def _trail(settings: Any, action: str, target: str, detail: dict[str, Any]) -> None:
    """Record a key change in the audit trail, as the person at this terminal; a trail that cannot be written
    is said, and the change stands (it is already made)."""
    try:
        trail = AuditTrail.for_settings(settings)
        try:
            trail.record(action, cli_actor(), target, detail)
        finally:
            trail.close()
    except AuditTrailError as exc:
        click.echo(f"warning: {exc}", err=True)
