"""`kmsearch export`: the catalogue, its people, events and failing files as CSV, JSON or XLSX for a records audit
(the library: kmsearch/analytics/export.py). Added to the main group by kmsearch/cli/__init__.py; the library
loads inside the command. Like the other librarian commands it reads everything: it is for whoever runs the
service, not for a reader's key."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kmsearch.cli.common import Context, _run, index_option

EXPORTS = ("documents", "people", "events", "failures")  # kmsearch.analytics.export.EXPORTS, without loading it
FORMATS = ("csv", "json", "xlsx")


@click.command("export")
@click.argument("what", type=click.Choice(EXPORTS))
@index_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv (UTF-8; with a byte-order mark in a file, for Excel), json, or xlsx (needs --output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="File to write [default: standard output].")
@click.pass_obj
@_run
def export_command(obj: Context, what: str, index_dir: Path | None, fmt: str, output: Path | None) -> None:
    """Export WHAT for a records audit: documents, people, events or failures.

    documents: every record, indexed or only in a register (held: file, paper, or missing when the register's
    file is not indexed), with its reference, type, date, location, custodian, access groups and file facts.
    people: everyone the skills register and the documents name, with the documents naming them. events: the
    events register, with where each report stands. failures: the files that fail now and the registers that
    could not be used as written, with the reason (from the ingest history). A csv or xlsx cell that starts
    like a formula (=, +, -, @) gets a leading apostrophe, so a spreadsheet shows it and never runs it.

    \b
    Example:
        kmsearch export documents --format xlsx --output catalogue.xlsx
        kmsearch export failures > failures.csv
        kmsearch export people --format json --index indexes/default
    """
    from kmsearch.analytics import export
    from kmsearch.errors import IndexError_, KmsearchError
    from kmsearch.index.store import Index

    if fmt == "xlsx" and output is None:
        raise click.UsageError("xlsx needs --output FILE (it is a binary file)")
    settings = obj.settings(index_dir=index_dir)
    if what != "failures":
        index = Index.open(settings)
    elif not Path(settings.index_dir).is_dir():
        raise IndexError_(f"no index at {settings.index_dir}: run `kmsearch ingest PATH --index "
                          f"{settings.index_dir}` first")
    else:  # the failures come from the ingest history: an index that cannot be opened has them too
        try:
            index = Index.open(settings)
        except KmsearchError:
            index = None
    table = export.table(what, Path(settings.index_dir), index)
    if fmt == "json":
        data = export.json_export(table, index.generation if index else None)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        rows = len(data[what])
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    elif fmt == "xlsx":
        rows = export.write_xlsx(table, output)
    elif output is None:
        rows = export.write_csv(table, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as out:
            rows = export.write_csv(table, out, bom=True)
    if output is not None:
        click.echo(f"wrote {rows} rows of {what} to {output}", err=True)
