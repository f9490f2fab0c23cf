"""Registers: row validation with clear errors, register rows in the catalogue, and access groups."""

from __future__ import annotations

from pathlib import Path

from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.registers import check_date, load_documents
from kmsearch.search import Filters, Searcher
from tests.helpers import write_register


def test_bad_rows_are_named_and_skipped(tmp_path):
    path = write_register(
        tmp_path,
        "a.pdf,REF/1,Good,report,2009-06-17,HQ,B-07,C1,2,Ms Pretorius,,\n"
        "b.pdf,REF/2,Bad date,report,2009-13-01,,,,,,,\n"
        "c.pdf,REF/3,Bad type,memo,2009,,,,,,,\n"
        "d.pdf,,No reference,report,2009,,,,,,,\n"
        "e.pdf,REF/1,Duplicate,report,2009,,,,,,,\n",
    )
    docs, problems = load_documents(path)
    assert [d.reference for d in docs] == ["REF/1"]
    assert docs[0].location == {"building": "HQ", "room": "B-07", "cabinet": "C1", "shelf": "2"}
    messages = [str(p) for p in problems]
    assert "documents.csv line 3: date '2009-13-01' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)" in messages
    assert any("line 4: type 'memo' is not one of report" in m for m in messages)
    assert any("line 5: reference is empty" in m for m in messages)
    assert any("REF/1 appears twice" in m for m in messages)


def test_missing_column_is_one_clear_problem(tmp_path):
    path = tmp_path / "documents.csv"
    path.write_text("file,reference,title\nx.pdf,R1,T\n")
    docs, problems = load_documents(path)
    assert docs == [] and "missing column(s) type, date" in str(problems[0])


def test_check_date():
    assert check_date("2008") == "2008" and check_date("") is None


def test_access_groups_from_register_and_folder_default(corpus, settings, embedder):
    write_register(corpus, "minutes/km-committee-2009-06.docx,KM/2009/7,KM minutes,minutes,2009-06-17,"
                           "HQ,3-02,KM1,1,Ms Sithole,executive;km,\n")
    (corpus / "decks" / ".kmsearch-groups").write_text("# decks are for communications staff\ncomms\n")
    report = ingest([corpus], settings, embedder)
    assert [Path(f.path).name for f in report.files if f.status == "register"] == ["documents.csv"]
    index = Index.open(settings, embedder)
    docs = {Path(r.path).name: r for r in index.catalog.documents(index.catalog.document_ids()).values()}
    assert "documents.csv" not in docs  # a register is catalogue data, not a searchable document
    assert docs["km-committee-2009-06.docx"].access_groups == ("executive", "km")
    assert docs["km-committee-2009-06.docx"].reference == "KM/2009/7"
    assert docs["mobile-units.pptx"].access_groups == ("comms",)
    assert docs["edrms-pilot.pdf"].access_groups == ()
    assert index.catalog.register_entry("KM/2009/7").location.room == "3-02"

    searcher = Searcher(index)
    query = "mobile service units wards committee"
    def names(groups):
        return {Path(h.path).name for h in searcher.search(query, k=10, filters=Filters(groups=groups))}
    assert {"km-committee-2009-06.docx", "mobile-units.pptx"} <= names(None)
    outsider = names(frozenset({"finance"}))
    assert not outsider & {"km-committee-2009-06.docx", "mobile-units.pptx"} and outsider
    assert "km-committee-2009-06.docx" in names(frozenset({"km"}))
    assert names(frozenset()) == outsider  # no groups: open documents only


def test_register_change_alone_makes_a_generation_without_embedding(corpus, settings, embedder):
    write_register(corpus, "reports/edrms-pilot.pdf,RM/2011/3,EDRMS pilot,report,2011,,,,,,,\n")
    ingest([corpus], settings, embedder)
    calls = embedder.calls
    write_register(corpus, "reports/edrms-pilot.pdf,RM/2011/3,EDRMS pilot,report,2011,,,,,,hr,\n")
    report = ingest([corpus], settings, embedder)
    assert report.generation == "g000002" and embedder.calls == calls
    index = Index.open(settings, embedder)
    hits = Searcher(index).search("EDRMS pilot retrieval", filters=Filters(groups=frozenset({"staff"})))
    assert all(not h.path.endswith("edrms-pilot.pdf") for h in hits)
    assert ingest([corpus], settings, embedder).generation is None  # nothing changed now
