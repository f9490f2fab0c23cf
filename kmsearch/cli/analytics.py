"""`kmsearch analytics ...`: the query log's report and purge, and the audit trail's export, on the main CLI.

Registered by `kmsearch.cli.add_analytics_commands` (called from `main`). The commands read everything: they are
for whoever runs the service, not for a reader's key.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from kmsearch.analytics.querylog import QueryLog
from kmsearch.analytics.settings import analytics_settings
from kmsearch.cli.common import Context, _run, index_option


@click.group(name="analytics")
def analytics_group() -> None:
    """Search analytics: knowledge gaps and usage from the query log; the audit trail."""


def _index_inputs(settings: Any, people: bool) -> tuple[Any, Any, Any, list[str]]:
    """The document list, embedder and who-knows of the index, or Nones with the reason when it cannot open."""
    from kmsearch.analytics.run import documents_of, people_finder
    from kmsearch.errors import KmsearchError
    from kmsearch.index.store import Index

    try:
        index = Index.open(settings)
    except KmsearchError as exc:
        return None, None, None, [f"index not opened ({exc})"]
    return documents_of(index), index.embedder.embed, people_finder(index) if people else None, []


@analytics_group.command("report")
@index_option
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3660), help="The window, in days.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1000), help="Gaps and topics listed.")
@click.option("--no-people", is_flag=True, help="Do not run who-knows on each gap (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
@_run
def report_command(obj: Context, index_dir: Path | None, days: int, top: int, no_people: bool, as_json: bool) -> None:
    """Print knowledge gaps (unanswered questions grouped by meaning, with the person to ask) and usage (most
    asked, most opened, never found or opened, click-through, per unit and per week).

    \b
    Example:
        kmsearch analytics report --days 90
        kmsearch analytics report --days 30 --json > gaps.json
    """
    from kmsearch.analytics.report import build_report, format_report

    settings = obj.settings(index_dir=index_dir)
    config = analytics_settings(settings)
    documents, embed, knows, notes = _index_inputs(settings, people=not no_people)
    report = build_report(config.log_path, datetime.now(timezone.utc), days, documents, embed, knows,
                          config.gap_distance, top)
    report["notes"] = notes + report["notes"]
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for line in format_report(report):
        click.echo(line)


@analytics_group.command("purge")
@index_option
@click.option("--days", default=None, type=click.IntRange(1, None),
              help="Keep this many days [default: the query_log_retention_days setting, 365].")
@click.pass_obj
@_run
def purge_command(obj: Context, index_dir: Path | None, days: int | None) -> None:
    """Delete logged queries and opens older than the retention period (the log also does this by itself,
    at most once a day, as it writes).

    \b
    Example:
        kmsearch analytics purge
        kmsearch analytics purge --days 30
    """
    settings = obj.settings(index_dir=index_dir)
    config = analytics_settings(settings)
    if not config.log_path.exists():
        click.echo(f"no query log at {config.log_path}")
        return
    qlog = QueryLog(config.log_path, "anonymous", config.query_log_retention_days, background=False)
    try:
        deleted = qlog.purge(days)
    finally:
        qlog.close()
    click.echo(f"deleted {deleted} records older than {days or config.query_log_retention_days} days "
               f"from {config.log_path}")


@analytics_group.group(name="trail")
def trail_group() -> None:
    """The audit trail of admin actions and restricted-document access (beside the index, append-only)."""


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


@trail_group.command("export")
@index_option
@click.option("--since", callback=_since, default=None, help="From this date (YYYY-MM-DD, UTC) [default: all].")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (appended to) [default: standard output].")
@click.pass_obj
@_run
def trail_export(obj: Context, index_dir: Path | None, since: datetime | None, output: Path | None) -> None:
    """Print the audit trail as JSON lines (one record a line, oldest first), e.g. for a SIEM.

    \b
    Example:
        kmsearch analytics trail export --since 2024-01-01 -o /var/log/kmsearch-audit.jsonl
    """
    from kmsearch.analytics.trail import AuditTrail

    trail = AuditTrail.for_settings(obj.settings(index_dir=index_dir))
    try:
        if output is None:
            trail.export_jsonl(sys.stdout, since)
            return
        with open(output, "a", encoding="utf-8") as fh:
            n = trail.export_jsonl(fh, since)
        click.echo(f"{n} records written to {output}", err=True)
    finally:
        trail.close()


@trail_group.command("verify")
@index_option
@click.pass_obj
@_run
def trail_verify(obj: Context, index_dir: Path | None) -> None:
    """Check the trail's hash chain: exit 1 if a record was changed or removed behind its back.

    \b
    Example:
        kmsearch analytics trail verify
    """
    from kmsearch.analytics.trail import AuditTrail

    trail = AuditTrail.for_settings(obj.settings(index_dir=index_dir))
    try:
        intact, checked, problem = trail.verify()
    finally:
        trail.close()
    if not intact:
        raise click.ClickException(f"{trail.path}: broken after {checked} records: {problem}")
    click.echo(f"{trail.path}: intact: {checked} records")


@trail_group.command("purge")
@index_option
@click.pass_obj
@_run
def trail_purge(obj: Context, index_dir: Path | None) -> None:
    """Delete trail records older than audit_trail_retention_days (seven years by default); the purge is
    itself recorded.

    \b
    Example:
        kmsearch analytics trail purge
    """
    from kmsearch.analytics.trail import AuditTrail, cli_actor

    trail = AuditTrail.for_settings(obj.settings(index_dir=index_dir))
    try:
        deleted = trail.purge(cli_actor())
    finally:
        trail.close()
    click.echo(f"deleted {deleted} records older than {trail.retention_days} days from {trail.path}")


@click.command("audit")
@index_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="csv: one row per topic.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3660),
              help="Unanswered queries from this many days mark topics 'asked for but thin'.")
@click.option("--group", "groups", multiple=True,
              help="Count only what a key with this access group may read (repeatable); without it: everything.")
@click.option("--overrides", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A librarian's topic renames and merges [default: <index>/topic-overrides.json].")
@click.pass_obj
@_run
def audit_command(obj: Context, index_dir: Path | None, fmt: str, days: int, groups: tuple[str, ...],
                  overrides: Path | None) -> None:
    """The knowledge audit: the collection's topics with their documents, people and flags (one person holds
    this, everyone who knows has left, no document since YEAR, asked for but thin); each person's topics
    against the skills register; events with no report, study tours whose recommendations never recur,
    register entries with no location or custodian, and exit interviews of people who left.

    \b
    Example:
        kmsearch audit
        kmsearch audit --format csv > topics.csv
        kmsearch audit --group hr --format json
    """
    import csv

    from kmsearch.access import caller_groups
    from kmsearch.analytics.run import AUDIT_CSV_COLUMNS, audit_csv_rows, audit_report
    from kmsearch.index.store import Index

    settings = obj.settings(index_dir=index_dir)
    index = Index.open(settings)
    result = audit_report(index, settings, caller_groups(groups) if groups else None, days, overrides)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        out = csv.writer(sys.stdout)
        out.writerow(AUDIT_CSV_COLUMNS)
        out.writerows(audit_csv_rows(result))
    else:
        for line in _audit_lines(result):
            click.echo(line)


def _audit_lines(result: dict[str, Any]) -> list[str]:
    lines = ["Topics"]
    for t in result["topics"]:
        years = f"{t['years'][0]}-{t['years'][1]}" if t["years"] else "undated"
        lines.append(f"  {t['name']}  [{t['documents']} documents, {years}]")
        lines += [f"      ! {f['text']}" for f in t["flags"]]
        if t["people"]:
            lines.append("      people: " + "; ".join(f"{p['name']} ({p['status'] or '-'})" for p in t["people"]))
    lines += ["", "People: findings"]
    lines += [f"  {p['name']}: {f}" for p in result["people"] for f in p["findings"]]
    r = result["registers"]
    lines += ["", f"Events with no report ({len(r['events_without_report'])})"]
    lines += [f"  {e.get('start', '')}  {e['name']}: {e['reason']}" for e in r["events_without_report"]]
    lines += ["", "Study tours: what did we bring back"]
    lines += [f"  {t['title']}: {t['finding']}" for t in r["study_tours"]]
    lines += ["", f"Register entries with no location or custodian ({len(r['without_location_or_custodian'])})"]
    lines += [f"  {e['reference']}  {e['title']}: no {' or '.join(e['missing'])}"
              for e in r["without_location_or_custodian"]]
    x = r["exit_interviews"]
    lines += ["", f"Exit interviews: {x['with_exit_interview']} of {x['left']} people who left"]
    lines += [f"  none on file for {name}" for name in x["without"]]
    if result["overrides_unmatched"]:
        lines += ["", "Topic overrides that match no topic now: " + ", ".join(result["overrides_unmatched"])]
    return lines
COMMANDS = (analytics_group, audit_command)
