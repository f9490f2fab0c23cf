"""The audit trail: append-only in SQLite, hash-chained, purged only past retention, exported as JSON lines."""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from kmsearch.cli import add_analytics_commands

add_analytics_commands()  # registers the commands, as main() does
from kmsearch.analytics.trail import KEY_ADDED, REINDEX, AuditTrail, AuditTrailError
from kmsearch.cli import cli
from kmsearch.config import Settings


@dataclass(frozen=True)
class Key:
    key_id: str
    name: str
    groups: frozenset[str]


ADMIN = Key("3f9a1c2e", "Records admin", frozenset({"hr"}))


class Clock:
    def __init__(self, when: datetime):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def test_records_admin_actions_and_restricted_access(tmp_path):
    trail = AuditTrail.for_settings(Settings(index_dir=tmp_path / "index"))
    assert trail.path == tmp_path / "index-audit.sqlite"  # beside the index, like the keys
    added = trail.record(KEY_ADDED, ADMIN, "a1b2c3d4", {"name": "HR team", "role": "reader", "groups": ["hr"]})
    trail.record(REINDEX, "cli:root", None, {"paths": ["corpus/"]})
    trail.record_access(ADMIN, "doc42", "hr/exit-interview.docx", {"hr"}, download=True)
    assert added.actor == "Records admin (3f9a1c2e)" and added.actor_groups == ("hr",) and added.seq == 1
    out = io.StringIO()
    assert trail.export_jsonl(out) == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [x["action"] for x in lines] == ["key.add", "index.reindex", "document.download-restricted"]
    assert lines[2]["target"] == "doc42" and lines[2]["detail"] == {"access_groups": ["hr"],
                                                                     "path": "hr/exit-interview.docx"}
    assert lines[1]["prev"] == lines[0]["hash"] and lines[0]["prev"] == ""
    assert trail.verify() == (True, 3, "")
    with pytest.raises(AuditTrailError, match="area.verb"):
        trail.record("deleted everything", ADMIN)


def test_sql_cannot_change_or_delete_recent_records(tmp_path):
    trail = AuditTrail(tmp_path / "t.sqlite")
    trail.record(KEY_ADDED, ADMIN, "k1")
    conn = sqlite3.connect(tmp_path / "t.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE trail SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM trail")
    with pytest.raises(sqlite3.DatabaseError, match="only moves forward"):
        conn.execute("UPDATE trail_meta SET value = '9999' WHERE name = 'purge_before'")


def test_verify_finds_a_record_changed_or_removed_behind_the_triggers(tmp_path):
    trail = AuditTrail(tmp_path / "t.sqlite")
    for i in range(4):
        trail.record(KEY_ADDED, ADMIN, f"k{i}")
    conn = sqlite3.connect(tmp_path / "t.sqlite")
    conn.execute("DROP TRIGGER trail_no_update")
    conn.execute("DROP TRIGGER trail_no_delete")
    conn.execute("UPDATE trail SET target = 'nothing to see' WHERE seq = 2")
    conn.commit()
    assert trail.verify() == (False, 1, "record 2 was changed after it was written")
    conn.execute("DELETE FROM trail WHERE seq = 2")
    conn.commit()
    assert trail.verify() == (False, 1, "record 3 does not follow the record before it (one removed?)")


def test_purge_removes_only_what_is_past_retention_and_keeps_the_chain(tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    clock = Clock(now - timedelta(days=400))
    trail = AuditTrail(tmp_path / "t.sqlite", retention_days=365, clock=clock)
    trail.record(KEY_ADDED, ADMIN, "old")
    clock.when = now - timedelta(days=10)
    trail.record(KEY_ADDED, ADMIN, "recent")
    clock.when = now
    assert trail.purge("cli:root") == 1
    assert [e.target for e in trail.entries()] == ["recent", None]
    assert trail.entries()[-1].action == "trail.purge" and trail.entries()[-1].detail["deleted"] == 1
    assert trail.verify() == (True, 2, "")  # the first kept record follows the anchor
    assert trail.purge("cli:root") == 0


def test_an_unwritable_trail_raises_so_the_action_is_refused(tmp_path, monkeypatch):
    trail = AuditTrail(tmp_path / "t.sqlite")
    trail.conn.close()
    with pytest.raises(AuditTrailError, match="cannot record key.add"):
        trail.record(KEY_ADDED, ADMIN)
    (tmp_path / "bad.sqlite").write_bytes(b"not a database" * 200)
    with pytest.raises(AuditTrailError, match="cannot open"):
        AuditTrail(tmp_path / "bad.sqlite")


def test_cli_export_verify_purge(tmp_path):
    index = tmp_path / "index"
    trail = AuditTrail.for_settings(Settings(index_dir=index))
    trail.record(KEY_ADDED, ADMIN, "k1")
    trail.close()
    runner = CliRunner()
    out = runner.invoke(cli, ["analytics", "trail", "export", "--index", str(index)])
    assert out.exit_code == 0 and json.loads(out.output.splitlines()[0])["target"] == "k1"
    target = tmp_path / "siem.jsonl"
    out = runner.invoke(cli, ["analytics", "trail", "export", "--index", str(index), "--output", str(target),
                              "--since", "2000-01-01"])
    assert out.exit_code == 0 and len(target.read_text().splitlines()) == 1
    assert "intact: 1 records" in runner.invoke(cli, ["analytics", "trail", "verify", "--index", str(index)]).output
    out = runner.invoke(cli, ["analytics", "trail", "purge", "--index", str(index)])
    assert out.exit_code == 0 and "deleted 0 records" in out.output
    bad = runner.invoke(cli, ["analytics", "trail", "export", "--index", str(index), "--since", "last week"])
    assert bad.exit_code != 0 and "--since" in bad.output
