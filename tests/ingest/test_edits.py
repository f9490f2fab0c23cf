"""Librarians' corrections (`kmsearch edit`): kept outside the generations, applied at every ingest, shown by the
page and the API, cleared back to the file's own values; groups restrict and never open up (issue 17, point 8)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.cli import cli
from kmsearch.index.store import Index
from kmsearch.search.where import where_is


@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def indexed(run, corpus, settings):
    (corpus / "reports" / "broken.pdf").unlink()
    assert run("ingest", str(corpus), "--index", str(settings.index_dir), "--model", "fake-hash-256", "-q"
               ).exit_code == 0
    return settings.index_dir


def doc_of(settings, embedder, ending):
    return Index.open(settings, embedder).catalog.find_documents(ending)[0]


def test_a_correction_is_shown_and_survives_reingest(run, indexed, corpus, settings, embedder):
    index = str(indexed)
    done = run("edit", "edrms-pilot.pdf", "--index", index, "--title", "EDRMS pilot: close-out report 2011",
               "--type", "research report", "--date", "2011-12", "--authors", "Pieter van der Merwe; Lerato Dlamini")
    assert done.exit_code == 0, done.output
    assert "corrected" in done.output and "generation g000002" in done.output
    doc = doc_of(settings, embedder, "edrms-pilot.pdf")
    assert (doc.title, doc.doc_type, doc.date) == ("EDRMS pilot: close-out report 2011", "research report", "2011-12")
    assert list(doc.authors) == ["Pieter van der Merwe", "Lerato Dlamini"]

    # the file changes and is ingested again: the correction stays
    (corpus / "reports" / "edrms-pilot.pdf").write_bytes((corpus / "reports" / "edrms-pilot.pdf").read_bytes() + b"\n")
    run("ingest", str(corpus), "--index", index, "-q")
    doc = doc_of(settings, embedder, "edrms-pilot.pdf")
    assert doc.title == "EDRMS pilot: close-out report 2011" and doc.doc_type == "research report"

    # the page, the API and where-is show it
    client = TestClient(create_app(settings, open_mode=True, embedder=embedder))
    assert client.get(f"/api/v1/documents/{doc.doc_id}").json()["title"] == "EDRMS pilot: close-out report 2011"
    page = client.get(f"/documents/{doc.doc_id}")
    assert page.status_code == 200 and "EDRMS pilot: close-out report 2011" in page.text
    assert where_is(Index.open(settings, embedder), "close-out report 2011")[0].doc_id == doc.doc_id

    listed = json.loads(run("edit", "--index", index, "--json").output)
    assert {e["field"] for e in listed} == {"title", "type", "date", "authors"} and all(e["who"] for e in listed)

    cleared = run("edit", "edrms-pilot.pdf", "--index", index, "--clear", "title", "--clear", "type")
    assert cleared.exit_code == 0, cleared.output
    doc = doc_of(settings, embedder, "edrms-pilot.pdf")
    assert doc.title == "EDRMS Pilot Close-out Report" and doc.doc_type == "report"  # the file's own values
    assert doc.date == "2011-12"  # the date correction stays


def test_groups_restrict_and_never_open_up(run, indexed, corpus, settings, embedder):
    index = str(indexed)
    assert run("edit", "km-committee-2009-06.docx", "--index", index, "--groups", "executive").exit_code == 0
    doc = doc_of(settings, embedder, "km-committee-2009-06.docx")
    assert list(doc.access_groups) == ["executive"]
    staff = Index.open(settings, embedder).catalog.documents([doc.doc_id], groups=frozenset({"staff"}))
    assert doc.doc_id not in staff

    # the folder restricts to km; a correction naming km and staff cannot widen that, one naming staff withholds
    (corpus / "minutes" / ".kmsearch-groups").write_text("km\n", encoding="utf-8")
    run("edit", "km-committee-2009-06.docx", "--index", index, "--groups", "km; staff")
    assert list(doc_of(settings, embedder, "km-committee-2009-06.docx").access_groups) == ["km"]
    withheld = run("edit", "km-committee-2009-06.docx", "--index", index, "--groups", "staff")
    assert "name no group in common" in withheld.output
    assert Index.open(settings, embedder).catalog.find_documents("km-committee-2009-06.docx") == []
    run("ingest", str(corpus), "--index", index, "-q")  # and it stays withheld at the next ingest
    assert Index.open(settings, embedder).catalog.find_documents("km-committee-2009-06.docx") == []
    assert run("edit", "km-committee-2009-06.docx", "--index", index, "--clear", "groups").exit_code == 0
    assert list(doc_of(settings, embedder, "km-committee-2009-06.docx").access_groups) == ["km"]  # back, as before


def test_bad_corrections_are_refused_by_name(run, indexed):
    index = str(indexed)
    bad = run("edit", "edrms-pilot.pdf", "--index", index, "--type", "memo")
    assert bad.exit_code == 1 and "type 'memo' is not one of" in bad.output
    bad = run("edit", "edrms-pilot.pdf", "--index", index, "--date", "2011-13-01")
    assert bad.exit_code == 1 and "date" in bad.output
    missing = run("edit", "nothing.pdf", "--index", index, "--title", "X")
    assert missing.exit_code == 1 and "no document has this id" in missing.output
    ambiguous = run("edit", "km-committee-2009-06.docx", "--index", index)  # one match: shows it
    assert ambiguous.exit_code == 0 and "title" in ambiguous.output
