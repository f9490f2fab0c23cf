"""Files that describe a folder rather than belong to it (issue 17, point 4): READMEs, licences, MANIFEST and
loose CSV/TSV tables, Office lock files and Thumbs.db are not ingested unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from tests.helpers import REAL_CORPUS

DESCRIBING = ("README.md", "LICENSE", "pombola_LICENSE.txt", "Winnipeg-Hansard-Parser_UNLICENSE.txt", "MANIFEST.tsv",
              "readings.csv", "Thumbs.db", "~$report.docx", "COPYING")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "policy.txt").write_text("The records policy of the department.", encoding="utf-8")
    for name in DESCRIBING:
        (folder / name).write_text(f"{name}: about this folder, not a document of it.", encoding="utf-8")
    return folder


def _names(settings, embedder) -> set[str]:
    return {Path(d.path).name for d in Index.open(settings, embedder).catalog.iter_documents()}


def test_files_that_describe_a_folder_are_not_documents(tmp_path, settings, embedder):
    ingest([_folder(tmp_path)], settings, embedder)
    assert _names(settings, embedder) == {"policy.txt"}


def test_an_ignore_file_takes_one_back_and_the_setting_takes_them_all(tmp_path, settings, embedder):
    folder = _folder(tmp_path)
    (folder / ".kmsearchignore").write_text("!README.md\n", encoding="utf-8")
    ingest([folder], settings, embedder)
    assert _names(settings, embedder) == {"policy.txt", "README.md"}
    everything = settings.replace(not_documents=[])
    ingest([folder], everything, embedder)
    assert {"policy.txt", "README.md", "LICENSE", "pombola_LICENSE.txt", "MANIFEST.tsv"} <= _names(everything, embedder)


def test_a_file_named_on_the_command_line_is_ingested_whatever_its_name(tmp_path, settings, embedder):
    folder = _folder(tmp_path)
    ingest([folder / "README.md"], settings, embedder)
    assert _names(settings, embedder) == {"README.md"}


def test_an_index_that_held_them_drops_them_at_the_next_ingest(tmp_path, settings, embedder):
    folder = _folder(tmp_path)
    ingest([folder], settings.replace(not_documents=[]), embedder)
    assert "MANIFEST.tsv" in _names(settings, embedder)
    report = ingest([folder], settings, embedder)
    assert _names(settings, embedder) == {"policy.txt"} and report.summary()["removed"] >= 5


@pytest.mark.skipif(not (REAL_CORPUS / "MANIFEST.tsv").is_file(), reason=f"real corpus not found at {REAL_CORPUS}")
def test_the_real_corpus_is_its_manifests_documents():
    from kmsearch.ingest.pipeline import walk

    listed = {line.split("\t")[0] for line in (REAL_CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:]}
    walked = {p.relative_to(REAL_CORPUS).as_posix() for p in walk(REAL_CORPUS)}
    assert walked == listed  # the 14 READMEs, licences and the MANIFEST itself are left out


def test_a_dry_run_says_what_an_ingest_would_do_and_does_nothing(tmp_path, settings, embedder):
    import json
    import os

    from click.testing import CliRunner

    from kmsearch.cli import cli

    folder = _folder(tmp_path)
    (folder / "minutes.txt").write_text("Minutes of the records committee.", encoding="utf-8")
    ingest([folder], settings, embedder)
    generation = Index.open(settings, embedder).generation
    (folder / "policy.txt").write_text("The records policy of the department, revised.", encoding="utf-8")
    os.utime(folder / "policy.txt", (1, 1))
    (folder / "minutes.txt").unlink()
    (folder / "new-plan.txt").write_text("The new file plan.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--index", str(settings.index_dir), "--dry-run",
                                      "--json"])
    assert result.exit_code == 0, result.output
    planned = {Path(p["path"]).name: (p["action"], p["reason"]) for p in json.loads(result.output)}
    assert planned["policy.txt"][0] == "update" and planned["new-plan.txt"][0] == "add"
    assert planned["minutes.txt"] == ("remove", "no longer in the folder")
    assert planned["README.md"] == ("ignore", "not a document (readme*; not_documents setting)")
    text = CliRunner().invoke(cli, ["ingest", str(folder), "--index", str(settings.index_dir), "--dry-run"])
    assert "dry run: 1 to add, 1 to update, 1 to remove, 9 to ignore" in text.output
    assert Index.open(settings, embedder).generation == generation  # nothing was written
