"""`kmsearch export` through click's runner, on a real index of the small corpus with registers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kmsearch.cli import cli
from kmsearch.config import Settings
from kmsearch.ingest.pipeline import ingest
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.helpers import HOSTILE_TITLE, write_audit_registers, write_corpus


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-export")
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    ingest([write_audit_registers(write_corpus(root / "corpus"))], settings, FakeEmbedder())
    return settings.index_dir


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: FakeEmbedder())
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_documents_as_csv_on_stdout_are_defused(run, indexed):
    result = run("export", "documents", "--index", indexed)
    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith("\ufeff")  # no byte-order mark in a pipe
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    titles = [r["title"] for r in rows]
    assert "'" + HOSTILE_TITLE in titles and HOSTILE_TITLE not in titles and len(rows) == 6
    km = next(r for r in rows if r["title"] == "KM committee minutes")
    assert (km["access_groups"], km["custodian"], km["building"]) == ("km", "Ms Sithole", "Tshwane Building")


def test_csv_file_has_a_byte_order_mark_for_excel(run, indexed, tmp_path):
    out = tmp_path / "people.csv"
    result = run("export", "people", "--index", indexed, "-o", out)
    assert result.exit_code == 0 and f"to {out}" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffperson_id,name,")
    assert "Dr Thandiwe Mokoena" in text


def test_json_and_xlsx(run, indexed, tmp_path):
    result = run("export", "events", "--index", indexed, "--format", "json")
    data = json.loads(result.stdout)
    assert data["generation"] and {e["name"]: e["report"] for e in data["events"]} == {
        "Canada study tour": "not in register", "KM strategy workshop": "file", "Records audit visit": "paper",
        "Mobile units launch": None}
    out = tmp_path / "catalogue.xlsx"
    result = run("export", "documents", "--index", indexed, "--format", "xlsx", "--output", out)
    assert result.exit_code == 0 and "wrote 6 rows of documents" in result.stderr
    sheet = load_workbook(out).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value))
    assert cell.value == "'" + HOSTILE_TITLE and cell.data_type == "s"


def test_failures_come_out_of_an_index_that_cannot_open(run, indexed, monkeypatch):
    from kmsearch.errors import DamagedIndexError

    def refuse(*args, **kwargs):
        raise DamagedIndexError("damaged")

    monkeypatch.setattr("kmsearch.index.store.Index.open", refuse)  # the ingest history still says what fails
    rows = list(csv.DictReader(io.StringIO(run("export", "failures", "--index", indexed).stdout)))
    assert [(r["kind"], r["path"].rsplit("/", 1)[-1]) for r in rows] == [("file", "broken.pdf"),
                                                                        ("register", "people.csv")]


@pytest.mark.parametrize("args, message", [
    (("export", "documents", "--format", "xlsx"), "xlsx needs --output FILE"),
    (("export", "things"), "Invalid value for '{documents|people|events|failures}'"),
])
def test_usage_errors(run, indexed, args, message):
    result = run(*args, "--index", indexed)
    assert result.exit_code == 2 and message in result.output


def test_a_missing_index_is_one_line(run, tmp_path):
    for what in ("failures", "documents"):
        result = run("export", what, "--index", tmp_path / "nowhere")
        assert result.exit_code == 1 and "no index at" in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_the_command_lists_what_the_library_exports():
    from kmsearch.analytics import export
    from kmsearch.cli import export as command

    assert command.EXPORTS == export.EXPORTS and command.FORMATS == export.FORMATS
