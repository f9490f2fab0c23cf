"""The librarian's commands on the index itself: `status`, `history`, `repair` and `remove`. Added to the main
group by kmsearch/cli/__init__.py; the index loads inside each command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kmsearch.cli.common import Context, _run, index_option


@click.command()
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def status(obj: Context, index_dir: Path | None, as_json: bool) -> None:
    """Show the index: generation, model, counts, document types and the last ingest.

    \b
    Example:
        kmsearch status --index indexes/default
    """
    from kmsearch.index.store import Index
    from kmsearch.ingest import history

    index = Index.open(obj.settings(index_dir=index_dir))
    types = index.catalog.doc_type_counts()
    last, failing = history.last(index.directory), history.failing_now(index.directory)
    info = {
        "index": str(index.directory),
        "generation": index.generation,
        "created": index.manifest["created"],
        "model": index.manifest["model"],
        "chunking": index.manifest["chunking"],
        "counts": index.manifest["counts"],
        "types": types,
        "last_ingest": last.to_json() if last else None,
        "failing": failing,
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    c = info["counts"]
    click.echo(f"index       {info['index']} (generation {info['generation']}, {info['created']})")
    click.echo(f"model       {info['model']['name']} ({info['model']['dimension']} dimensions)")
    click.echo(f"contents    {c['documents']} documents, {c['pages']} pages, {c['chunks']} passages")
    click.echo("types       " + ", ".join(f"{n} {t}" for t, n in types.items()))
    if last:
        click.echo(f"last ingest {_run_line(last)}")
    click.echo(f"failing     {len(failing) or 'none'}")
    for f in failing:
        click.secho(f"  {f['path']}: {f['reason']} (since {f['since']})", fg="red")


def _run_line(run: Any) -> str:
    """One ingest in a line: when, who, how it ended, counts, generation."""
    counts = ", ".join(f"{n} {s}" for s, n in run.summary.items() if n) or "no files"
    ended = "" if run.outcome == "done" else f" {run.outcome.upper()}: {run.error}"
    made = f"; generation {run.generation}" if run.generation else ""
    return f"{run.started} by {run.who}, {run.seconds:.0f}s{ended}; {counts}{made}"


@click.command()
@index_option
@click.option("--limit", "-n", default=20, show_default=True, help="How many of the latest ingests.")
@click.option("--json", "as_json", is_flag=True, help="Print the ingests, newest first, as a JSON list.")
@click.pass_obj
@_run
def history(obj: Context, index_dir: Path | None, limit: int, as_json: bool) -> None:
    """List past ingests, newest first: when, who, sources, counts, and each failed or warned file.

    \b
    Example:
        kmsearch history --index indexes/default -n 5
    """
    from kmsearch.ingest import history as ingest_history

    runs = list(ingest_history.runs(obj.settings(index_dir=index_dir).index_dir))[::-1][:max(limit, 0)]
    if as_json:
        click.echo(json.dumps([r.to_json() for r in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        click.echo("no ingest recorded yet")
    for run in runs:
        click.echo(_run_line(run))
        click.echo(f"  sources  {', '.join(run.sources)}")
        for p in run.problems:
            notes = [p["reason"]] if p["reason"] else []
            click.echo(f"  {p['status']:<8} {p['path']}: {'; '.join(notes + p['warnings'] + p['errors'])}")


@click.command()
@index_option
@click.pass_obj
@_run
def repair(obj: Context, index_dir: Path | None) -> None:
    """Make the newest whole generation live when the live one is lost or damaged (a torn manifest.json, a
    deleted generation, a truncated catalogue, a missing dense.faiss), and say which. Every ingest does the same
    before it starts; the service keeps refusing a damaged generation until one of them has run.

    \b
    Example:
        kmsearch repair --index indexes/default
    """
    from kmsearch.index.recovery import repair as repair_index

    click.echo(repair_index(obj.settings(index_dir=index_dir).index_dir))


@click.command()
@click.argument("refs", nargs=-1, required=True)
@index_option
@click.pass_obj
@_run
def remove(obj: Context, refs: tuple[str, ...], index_dir: Path | None) -> None:
    """Remove documents from the index by id, path, the end of a path, or a glob ("minutes/2009-*.docx").

    Exits 1 when some reference matched nothing (the others are still removed). A file still in its folder comes
    back at the next ingest of that folder: each such file is named, with how to keep it out.

    \b
    Example:
        kmsearch remove minutes/km-steering-committee-2009-06-17.docx
        kmsearch remove "drafts/*.docx"
    """
    from fnmatch import fnmatch

    from kmsearch.index.store import IndexWriter
    from kmsearch.ingest.pipeline import DERIVED

    missing, back = [], []
    with IndexWriter(obj.settings(index_dir=index_dir), derive=DERIVED) as writer:
        removed = 0
        for ref in refs:
            docs = writer.catalog.find_documents(ref)
            if not docs and any(c in ref for c in "*?["):
                docs = [d for d in writer.catalog.iter_documents()
                        if fnmatch(d.path, ref) or fnmatch(d.path, "*/" + ref.lstrip("/"))]
            if not docs:
                click.secho(f"not found  {ref}: no document has this id, path or path ending", fg="red", err=True)
                missing.append(ref)
            for doc in docs:
                writer.remove(doc.doc_id)
                click.echo(f"removed    {doc.path}")
                removed += 1
                back += [doc.path] if Path(doc.path).exists() else []
        manifest = writer.commit()
    click.echo(f"{removed} removed" + (f"; generation {manifest['generation']}" if manifest else ""))
    for path in back:
        click.secho(f"note       {path} is still in its folder: the next ingest of that folder adds it back; "
                    f"list it in that folder's .kmsearchignore to keep it out", fg="yellow", err=True)
    if missing:
        sys.exit(1)


@click.command()
@click.argument("ref", required=False)
@index_option
@click.option("--title", default=None, help="The document's title.")
@click.option("--type", "doc_type", default=None, help="Its type (see `kmsearch search --help` for the list).")
@click.option("--date", default=None, help="Its date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--authors", default=None, help='Its authors, ";"-separated.')
@click.option("--groups", default=None, help='Access groups, ";"-separated: restricts further, never opens up.')
@click.option("--clear", "cleared", multiple=True, type=click.Choice(["title", "type", "date", "authors", "groups",
              "all"]), help="Drop a correction (repeatable); the file's or register's value comes back.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def edit(obj: Context, ref: str | None, index_dir: Path | None, title: str | None, doc_type: str | None,
         date: str | None, authors: str | None, groups: str | None, cleared: tuple[str, ...], as_json: bool) -> None:
    """Correct a document's title, type, date, authors or groups without editing its file; with no change given,
    show its catalogue entry and corrections (with no REF, every correction). Corrections are kept outside the
    index's generations and applied at every ingest, so they survive re-indexing; a register row still gives the
    shelf, and where-is shows the register's title for a document that has one.

    \b
    Example:
        kmsearch edit reports/ward-13.pdf --title "Know your neighbourhood: Ward 13" --type brochure
        kmsearch edit 6488db0317fd8153 --clear title
    """
    from kmsearch.ingest.overrides import Overrides
    from kmsearch.index.store import Index, IndexWriter
    from kmsearch.ingest.edits import apply_edits
    from kmsearch.ingest.history import cli_user
    from kmsearch.ingest.pipeline import DERIVED

    settings = obj.settings(index_dir=index_dir)
    if ref is None:
        with Overrides(settings.index_dir) as store:
            edits = store.edits()
        click.echo(json.dumps([e.to_json() for e in edits], indent=2, ensure_ascii=False) if as_json else "\n".join(
            f"{e.path}  {e.field} = {e.value!r}  ({e.who}, {e.at})" for e in edits) or "no corrections")
        return
    docs: list[Any] = Index.open(settings).catalog.find_documents(ref)
    if not docs:  # a document its correction withheld is not in the catalogue, but can still be corrected
        with Overrides(settings.index_dir) as store:
            docs = list({e.doc_id: e for e in store.edits() if ref in (e.doc_id, e.path) or
                         e.path.endswith("/" + ref)}.values())
    if len(docs) != 1:
        why = "no document has this id, path or path ending" if not docs else "it matches " + ", ".join(
            d.path for d in docs[:5]) + ("..." if len(docs) > 5 else "") + "; give more of the path or the id"
        click.secho(f"not edited {ref}: {why}", fg="red", err=True)
        sys.exit(1)
    doc = docs[0]
    changes = {k: v for k, v in (("title", title), ("type", doc_type), ("date", date), ("authors", authors),
                                 ("groups", groups)) if v is not None}
    with Overrides(settings.index_dir) as store:
        for field in cleared:
            store.clear(doc.doc_id, None if field == "all" else field)
        made = [store.set(doc.doc_id, doc.path, k, v, cli_user()) for k, v in changes.items()]
        current = store.edits(doc.doc_id)
    manifest = None
    again = bool(cleared) or "groups" in changes  # the file's own values, or its registers' groups, are needed
    if changes or cleared:
        with IndexWriter(settings, derive=DERIVED) as writer:
            if again:  # the catalogue holds corrected values: the file and its registers are read again
                writer.remove(doc.doc_id)
            withheld = apply_edits(writer).withheld
            manifest = writer.commit()
        if again and Path(doc.path).exists():
            from kmsearch.ingest.pipeline import ingest

            report = ingest([doc.path], settings, who=cli_user())
            withheld.update({f.path: f.reason for f in report.files if f.status == "failed"})
            manifest = {"generation": report.generation} if report.generation else manifest
        for path, why in withheld.items():
            click.secho(f"withheld   {path}: {why}", fg="red", err=True)
    if as_json:
        click.echo(json.dumps({"doc_id": doc.doc_id, "path": doc.path, "corrections": [e.to_json() for e in current],
                               "generation": manifest["generation"] if manifest else None}, indent=2))
        return
    for e in made:
        click.echo(f"corrected  {doc.path}: {e.field} = {e.value!r}")
    for field in cleared:
        click.echo(f"cleared    {doc.path}: {field}")
    if not (changes or cleared) and hasattr(doc, "title"):
        click.echo(f"{doc.path}\n  title {doc.title!r}, type {doc.doc_type}, date {doc.date}, authors "
                   f"{list(doc.authors)}, groups {list(doc.access_groups) or 'open'}")
        for e in current:
            click.echo(f"  corrected {e.field} = {e.value!r} ({e.who}, {e.at})")
    if manifest:
        click.echo(f"generation {manifest['generation']}")


@click.command()
@click.argument("names", nargs=-1)
@index_option
@click.option("--debounce-ms", default=1600, show_default=True, help="Wait this long after a change for more.")
@click.pass_obj
@_run
def watch(obj: Context, names: tuple[str, ...], index_dir: Path | None, debounce_ms: int) -> None:
    """Keep the named sources (settings `sources`; all of them when none is named) current: ingest each once,
    then again whenever its files change, one ingest at a time, until Ctrl-C.

    \b
    Example:
        kmsearch watch registry minutes --index indexes/default
    """
    from kmsearch.ingest.watch import watch as watch_sources

    def done(source: Any, report: Any, error: str | None) -> None:
        if error:
            click.secho(f"{source.name}: ingest failed: {error}", fg="red", err=True)
            return
        counts = ", ".join(f"{n} {s}" for s, n in report.summary().items() if n and s != "unchanged") or "no change"
        made = f"; generation {report.generation}" if report.generation else ""
        click.echo(f"{source.name}: {counts}{made}", err=False)
        for f in report.files:
            if f.status == "failed":
                click.secho(f"  failed {f.path}: {f.reason}", fg="red", err=True)

    try:
        watch_sources(obj.settings(index_dir=index_dir), names, debounce_ms=debounce_ms, done=done)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)
        sys.exit(130)
