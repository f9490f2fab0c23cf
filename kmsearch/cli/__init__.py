"""The `kmsearch` command: a thin layer that parses, calls the library, and prints.

Library errors (KmsearchError) become one line on stderr and exit code 1; `-v` shows tracebacks.
"""

from __future__ import annotations

import html
import json
import logging
import re
import signal
import sys
from pathlib import Path
from typing import Any

import click

from kmsearch import __version__
from kmsearch.cli.common import Context, _run, index_option, model_option
from kmsearch.cli.export import export_command
from kmsearch.cli.library import edit, history, remove, repair, status, watch
from kmsearch.cli.tools import eval_group, model_group
from kmsearch.config import FUSIONS
from kmsearch.types import DOC_TYPES

log = logging.getLogger("kmsearch")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="Settings file [default: kmsearch.toml].")
@click.option("-v", "--verbose", is_flag=True, help="Log progress and show tracebacks.")
@click.version_option(__version__)
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """Semantic search over a department's documents.

    \b
    Example:
        kmsearch ingest corpus/
        kmsearch search "mobile service delivery"
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(config, verbose)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@model_option
@click.option("--no-ocr", is_flag=True, help="Do not OCR pages without a text layer.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display (on a terminal) or per-file lines (in a log).")
@click.option("--json", "as_json", is_flag=True, help="Print the ingest report as JSON.")
@click.option("--dry-run", is_flag=True, help="List what would be added, updated, removed and left out, and why.")
@click.option("--ray", "ray_address", metavar="auto|local|ADDRESS", default=None,
              help="Extract and embed on a Ray cluster: auto (the one this machine is part of), local (a throwaway "
                   "one here), or the head's HOST:6379 or ray://HOST:10001. The index is still written here.")
@click.pass_obj
@_run
def ingest(obj: Context, paths: tuple[Path, ...], index_dir: Path | None, model: str | None, no_ocr: bool,
           quiet: bool, as_json: bool, dry_run: bool, ray_address: str | None) -> None:
    """Add, update and remove documents so the index matches PATHS (folders or files).

    Unchanged files are skipped; files gone from a folder are removed from the index; a file that cannot be
    read is reported with the reason and the rest goes on. Exits 2 when some files failed, 3 when a register or
    .kmsearch-groups could not be used as written (its documents kept their protection, or were not published).

    \b
    Example:
        kmsearch ingest corpus/ --index indexes/default
        kmsearch ingest /shares/archive --ray head-node:6379
        kmsearch ingest corpus/ --dry-run
    """
    from kmsearch.ingest.pipeline import ingest as run_ingest

    settings = obj.settings(index_dir=index_dir, model=model, ocr=False if no_ocr else None, ray=ray_address)
    if dry_run:
        from kmsearch.ingest.plan import plan, summary

        planned = plan(paths, settings)
        shown = [p for p in planned if p.action != "unchanged" or obj.verbose]
        click.echo(json.dumps([p.to_json() for p in planned], indent=2) if as_json else "\n".join(
            [f"{p.action:<10} {p.path}: {p.reason}" for p in shown] + [summary(planned)]))
        return
    logged = not quiet and not sys.stderr.isatty() and not as_json  # a log's lines per file (the JSON has them)
    report = _interruptible(run_ingest, paths, settings, show_progress=not quiet and (logged or sys.stderr.isatty()))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for f in report.files:
            if f.status == "failed" or (f.status == "register" and f.reason):
                click.secho(f"{f.status:<10} {f.path}: {f.reason}", fg="red", err=True)
            elif (f.status != "unchanged" or obj.verbose) and not (logged and f.status in ("added", "updated")):
                extra = f" ({f.pages} pages, {f.chunks} chunks)" if f.status in ("added", "updated") else ""
                click.echo(f"{f.status:<10} {f.path}{extra}")
            for e in f.errors:
                click.secho(f"error      {f.path}: {e}", fg="red", err=True)
            for w in f.warnings:
                click.secho(f"warning    {f.path}: {w}", fg="yellow", err=True)
        parts = ", ".join(f"{n} {s}" for s, n in report.summary().items() if n)
        where = f"generation {report.generation}" if report.generation else "no change"
        click.echo(
            f"{parts or 'no files'}; {report.embedded} passages embedded, {report.cached} from cache; "
            f"{where} in {report.seconds:.1f}s"
        )
    if report.register_problems:
        sys.exit(3)  # a register or .kmsearch-groups could not be used as written; no protection was lowered
    if report.count("failed"):
        sys.exit(2)  # some files failed; what could be indexed was


def _interruptible(run_ingest: Any, *args: Any, **kwargs: Any) -> Any:
    """Run an ingest; Ctrl-C (or SIGTERM) stops it within seconds, says what was kept, and exits 130."""
    from kmsearch.ingest.pipeline import IngestInterrupted

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return run_ingest(*args, **kwargs)
    except IngestInterrupted as exc:
        click.secho(str(exc), fg="yellow", err=True)
        sys.exit(130)  # 128 + SIGINT, as a shell reports a process that Ctrl-C stopped
    finally:
        signal.signal(signal.SIGTERM, previous)


def _highlight(snippet: str) -> str:
    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    return "".join(click.style(html.unescape(p), bold=True, fg="yellow") if i % 2 else html.unescape(p)
                   for i, p in enumerate(parts))


@cli.command()
@click.argument("query")
@index_option
@model_option
@click.option("--k", "-k", default=10, show_default=True, help="Number of documents.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True)
@click.option("--fusion", type=click.Choice(FUSIONS), default=None, help="Hybrid fusion [default: score].")
@click.option("--type", "doc_types", multiple=True, type=click.Choice(DOC_TYPES), help="Document type (repeatable).")
@click.option("--from", "date_from", default=None, help="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Latest date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--author", default=None, help="Author name contains this.")
@click.option("--source", default=None, help="Only documents under this folder.")
@click.option("--language", default=None, help="ISO 639-1 language code, e.g. en.")
@click.option("--passages", default=3, show_default=True, help="Passages shown per document.")
@click.option("--json", "as_json", is_flag=True, help='Print {"hits": [...]} as JSON.')
@click.pass_obj
@_run
def search(obj: Context, query: str, index_dir: Path | None, model: str | None, k: int, mode: str,
           fusion: str | None, doc_types: tuple[str, ...], date_from: str | None, date_to: str | None,
           author: str | None, source: str | None, language: str | None, passages: int, as_json: bool) -> None:
    """Find the documents and passages that answer QUERY, best first.

    \b
    Example:
        kmsearch search "what do we know about mobile service delivery?" --type report --from 2010
    """
    from kmsearch.index.store import Index
    from kmsearch.search import Filters, Searcher

    settings = obj.settings(index_dir=index_dir, model=model)
    filters = Filters(doc_types, date_from, date_to, author, source, language)
    index = Index.open(settings)
    hits = Searcher(index).search(query, k=k, mode=mode, filters=filters, fusion=fusion, passages=passages)
    if as_json:
        click.echo(json.dumps({"hits": [h.to_json() for h in hits]}, indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("No documents match.")
    for rank, hit in enumerate(hits, 1):
        meta = " · ".join(x for x in (hit.doc_type, hit.date) if x)
        click.secho(f"{rank}. {hit.title}", bold=True, nl=False)
        click.echo(f"  [{meta}]  {hit.score:.4f}")
        click.secho(f"   {hit.path}", dim=True)
        for p in hit.passages:
            where = f"p. {p.page}" + (f" · {p.heading}" if p.heading else "")
            click.echo(f"   {where}: {_highlight(p.snippet)}")
        click.echo()


@cli.command("who-knows")
@click.argument("query")
@index_option
@model_option
@click.option("--k", "-k", default=10, show_default=True, help="Number of people.")
@click.option("--evidence", default=3, show_default=True, help="Passages shown per person.")
@click.option("--json", "as_json", is_flag=True, help='Print {"people": [...]} as JSON.')
@click.pass_obj
@_run
def who_knows_command(obj: Context, query: str, index_dir: Path | None, model: str | None, k: int, evidence: int,
                      as_json: bool) -> None:
    """Rank the people who know about QUERY, with the passages that show it.

    People come from document authors, presenters, delegates and attendees, and from the skills register.
    People who have left are shown and flagged: their knowledge is at risk.

    \b
    Example:
        kmsearch who-knows "records disposal and disposal authorities"
    """
    from kmsearch.index.store import Index
    from kmsearch.search.experts import who_knows

    index = Index.open(obj.settings(index_dir=index_dir, model=model))
    experts = who_knows(index, query, k=k, evidence=evidence)
    if as_json:
        click.echo(json.dumps({"people": [e.to_json() for e in experts]}, indent=2, ensure_ascii=False))
        return
    if not experts:
        click.echo("Nobody found.")
    for rank, e in enumerate(experts, 1):
        flag = click.style("  LEFT: knowledge at risk", fg="red", bold=True) if e.at_risk else ""
        status = f" · {e.status}" if e.status and e.status != "active" else ""
        click.secho(f"{rank}. {e.name}", bold=True, nl=False)
        click.echo(f"  [{' · '.join(x for x in (e.role, e.unit) if x) or 'not in the skills register'}{status}]"
                   f"  {e.score:.3f}{flag}")
        if e.email:
            click.secho(f"   {e.email}", dim=True)
        if e.register_score and e.skills:
            click.echo(f"   skills: {'; '.join(e.skills)}")
        for ev in e.evidence:
            click.echo(f"   {ev.role} · {ev.title}, p. {ev.page}: {_highlight(ev.snippet)}")
        click.echo()


@cli.command("where-is")
@click.argument("query")
@index_option
@model_option
@click.option("--k", "-k", default=5, show_default=True, help="Number of documents.")
@click.option("--json", "as_json", is_flag=True, help='Print {"documents": [...]} as JSON.')
@click.pass_obj
@_run
def where_is_command(obj: Context, query: str, index_dir: Path | None, model: str | None, k: int,
                     as_json: bool) -> None:
    """Find the document QUERY describes: its file, best pages, and where the paper copy is kept.

    \b
    Example:
        kmsearch where-is "the report of the 2008 Canada study tour"
    """
    from kmsearch.index.store import Index
    from kmsearch.search.where import where_is

    index = Index.open(obj.settings(index_dir=index_dir, model=model))
    found = where_is(index, query, k=k)
    if as_json:
        click.echo(json.dumps({"documents": [d.to_json() for d in found]}, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No document matches.")
    for rank, d in enumerate(found, 1):
        meta = " · ".join(x for x in (d.doc_type, d.date, d.reference) if x)
        click.secho(f"{rank}. {d.title}", bold=True, nl=False)
        click.echo(f"  [{meta}]  {d.score:.3f}")
        click.echo(f"   file: {d.path}" + (f", pages {', '.join(map(str, d.pages))}" if d.pages else "")
                   if d.path else "   paper only (no file)")
        if d.location:
            click.echo("   shelf: " + ", ".join(f"{k} {v}" for k, v in d.location.items())
                       + (f"; custodian {d.custodian}" if d.custodian else ""))
        if d.superseded_by:
            click.secho(f"   superseded by {d.superseded_by['reference']}: {d.superseded_by['title']}", fg="yellow")
        click.echo()


@cli.group(name="registers")
def registers_group() -> None:
    """Check the registers kept beside the documents."""


@registers_group.command("gaps")
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def registers_gaps(obj: Context, index_dir: Path | None, as_json: bool) -> None:
    """List events with no report filed, and event reports that no event in the register points at.

    \b
    Example:
        kmsearch registers gaps --json
    """
    from kmsearch.index.store import Index
    from kmsearch.search.gaps import register_gaps

    gaps = register_gaps(Index.open(obj.settings(index_dir=index_dir)))
    if as_json:
        click.echo(json.dumps(gaps.to_json(), indent=2, ensure_ascii=False))
        return
    click.secho(f"Events with no report filed ({len(gaps.events_without_report)})", bold=True)
    for e in gaps.events_without_report:
        click.echo(f"   {e['start']}  {e['name']} ({e['place'] or 'place unknown'}): {e['reason']}")
        if e["participants"]:
            click.secho(f"      ask: {'; '.join(e['participants'])}", dim=True)
    click.secho(f"Reports that cite no event ({len(gaps.reports_without_event)})", bold=True)
    for r in gaps.reports_without_event:
        click.echo(f"   {r['date'] or '?'}  {r['title']} ({r['reference'] or r['path']})")


for command in (status, history, repair, remove, edit, watch):
    cli.add_command(command)
cli.add_command(eval_group)
cli.add_command(model_group)
cli.add_command(export_command)


def add_service_commands() -> None:
    """Add `serve` and `keys` (kmsearch/cli/service.py). Not done on import: they load the API package (FastAPI),
    which the other commands, and every extraction worker that runs the `kmsearch` script again, never need."""
    from kmsearch.cli.service import keys, serve

    cli.add_command(serve)
    cli.add_command(keys)


def add_analytics_commands() -> None:
    """Add `analytics` and `audit` (kmsearch/cli/analytics.py): loaded on demand like the service commands."""
    from kmsearch.cli import analytics

    for command in analytics.COMMANDS:
        cli.add_command(command)


def main() -> None:
    add_service_commands()
    add_analytics_commands()
    cli(prog_name="kmsearch")

