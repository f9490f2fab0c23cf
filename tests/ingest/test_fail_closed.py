"""Register mistakes fail closed (issue 15, point 1): a register that cannot be read, a row that does not parse,
a blank cell, a misspelt file, a reference given twice or an odd `.kmsearch-groups` never lowers a document's
protection, and ingest says so and exits non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.cli import cli
from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.registers import load_documents
from kmsearch.search import Filters, Searcher
from kmsearch.search.facets import facets
from kmsearch.search.where import where_is
from tests.helpers import HEADER, write_register

RESTRICTED = "edrms-pilot.pdf"  # restricted to hr by documents.csv; the only document dated 2011
ROWS = ("reports/edrms-pilot.pdf,RM/2011/3,EDRMS pilot close-out report,report,2011-11-30,HQ,B-07,C2,3,"
        "Ms Pretorius,hr,\n"
        "minutes/km-committee-2009-06.docx,KM/2009/7,KM minutes,minutes,2009-06-17,HQ,3-02,KM1,1,Ms Sithole,,\n")
QUERY = "EDRMS pilot retrieval file plan records champions"
OUTSIDER = frozenset()  # a reader key with no groups


def documents_csv(corpus: Path) -> Path:
    return corpus / "registers" / "documents.csv"


def break_register(corpus: Path, how: str) -> None:
    """documents.csv saved the ways a librarian gets it wrong."""
    path = documents_csv(corpus)
    if how == "bad-date":
        path.write_text(HEADER + ROWS.replace("2011-11-30", "16/09/2019"), encoding="utf-8")
    elif how == "cp1252":  # Excel's "CSV (Comma delimited)" on a Western Windows
        path.write_bytes((HEADER + ROWS.replace("KM minutes", "KM minutes – comité")).encode("cp1252"))
    elif how == "renamed-header":  # read as meant, but reported
        path.write_text(HEADER.replace("access_groups", "access groups") + ROWS, encoding="utf-8")
    elif how == "unknown-header":
        path.write_text(HEADER.replace("access_groups", "restricted to") + ROWS, encoding="utf-8")
    elif how == "shifted-cells":  # an unquoted comma in the title moves access_groups one cell right
        path.write_text(HEADER + ROWS.replace("EDRMS pilot close-out report", "EDRMS pilot, close-out report"),
                        encoding="utf-8")
    else:
        raise ValueError(how)


def paths(hits) -> set[str]:
    return {Path(h.path).name for h in hits}


def assert_hidden_from_outsiders(settings, embedder, name: str = RESTRICTED) -> None:
    """No trace of the document for a reader without hr: search, facets, where-is, and the API with a reader key;
    an admin (groups None) still finds it, so the check can fail."""
    index = Index.open(settings, embedder)
    searcher = Searcher(index)
    outsider = Filters(groups=OUTSIDER)
    found = paths(searcher.search(QUERY, k=10, filters=outsider))
    assert found and name not in found
    assert name in paths(searcher.search(QUERY, k=10, filters=Filters(groups=None)))
    assert "2011" not in facets(index, QUERY, outsider)["year"] and "2011" not in facets(index, "", outsider)["year"]
    located = where_is(index, "EDRMS pilot close-out report", groups=OUTSIDER)
    assert all(d.reference != "RM/2011/3" and not (d.path or "").endswith(name) for d in located)

    app = create_app(settings, embedder=embedder)
    key = app.state.keys.add("Front desk", "reader")[1]
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {key}"}
    hits = client.get("/api/v1/search", params={"q": QUERY}, headers=headers).json()["hits"]
    assert hits and not any(h["path"].endswith(name) for h in hits)
    counts = client.get("/api/v1/facets", params={"q": ""}, headers=headers).json()["facets"]
    assert "2011" not in counts["year"]
    docs = client.get("/api/v1/where-is", params={"q": "EDRMS pilot close-out report"}, headers=headers).json()
    assert all(d["reference"] != "RM/2011/3" for d in docs["documents"])
    doc_id = next(d.doc_id for d in index.catalog.iter_documents() if d.path.endswith(name))
    assert client.get(f"/api/v1/documents/{doc_id}", headers=headers).status_code == 404


@pytest.fixture
def run(monkeypatch, embedder):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda settings: embedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("how", ["bad-date", "cp1252", "renamed-header", "unknown-header", "shifted-cells"])
def test_a_broken_register_keeps_the_restriction_and_ingest_exits_non_zero(run, corpus, settings, embedder, how):
    write_register(corpus, ROWS)
    first = run("ingest", str(corpus), "--index", str(settings.index_dir), "--model", "fake-hash-256", "-q")
    assert first.exit_code == 2, first.output  # broken.pdf failed; the register is fine
    assert_hidden_from_outsiders(settings, embedder)

    break_register(corpus, how)
    again = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q")
    assert_hidden_from_outsiders(settings, embedder)
    assert again.exit_code == 3, again.output
    if how in ("bad-date", "cp1252", "unknown-header", "shifted-cells"):  # the register row stays as it was
        entry = Index.open(settings, embedder).catalog.register_entry("RM/2011/3")
        assert entry is not None and list(entry.access_groups) == ["hr"] and entry.date == "2011-11-30"


def test_the_report_names_the_file_line_and_fix(run, corpus, settings):
    write_register(corpus, ROWS)
    run("ingest", str(corpus), "--index", str(settings.index_dir), "--model", "fake-hash-256", "-q")
    break_register(corpus, "cp1252")
    output = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q").output
    assert "documents.csv: is not UTF-8 (looks like cp1252" in output and "save it as 'CSV UTF-8'" in output
    break_register(corpus, "bad-date")
    output = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q").output
    assert "documents.csv line 2: date '16/09/2019' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)" in output
    break_register(corpus, "unknown-header")
    output = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q").output
    assert "missing column(s) access_groups (the header has 'restricted to'" in output
    break_register(corpus, "renamed-header")
    output = run("ingest", str(corpus), "--index", str(settings.index_dir), "-q").output
    assert "'access groups' as access_groups; rename them to the exact names" in output


def test_new_documents_under_an_unreadable_register_are_not_published(corpus, settings, embedder):
    """With nothing from before to keep, a document the register may restrict is left out, with the reason."""
    write_register(corpus, ROWS)
    break_register(corpus, "cp1252")
    report = ingest([corpus], settings, embedder)
    outcome = {Path(f.path).name: f for f in report.files}
    assert outcome[RESTRICTED].status == "failed" and "not published" in outcome[RESTRICTED].reason
    assert "documents.csv cannot be read" in outcome[RESTRICTED].reason
    assert outcome["documents.csv"].reason and report.register_problems == 1
    index = Index.open(settings, embedder)
    assert RESTRICTED not in paths(Searcher(index).search(QUERY, k=10, filters=Filters(groups=None)))
    # fixed: published, restricted
    write_register(corpus, ROWS)
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 0
    assert_hidden_from_outsiders(settings, embedder)


def test_a_register_that_is_gone_keeps_its_rows_until_dropped_on_purpose(corpus, settings, embedder):
    write_register(corpus, ROWS)
    ingest([corpus], settings, embedder)
    documents_csv(corpus).rename(corpus / "registers" / "documents-draft.csv")  # being edited
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 1
    assert any(f.path.endswith("documents.csv") and f.reason.startswith("is gone") for f in report.files if f.reason)
    assert_hidden_from_outsiders(settings, embedder)
    documents_csv(corpus).write_text(HEADER, encoding="utf-8")  # dropped on purpose: the header only
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 0 and groups_of(settings, embedder, RESTRICTED) == []
    assert Index.open(settings, embedder).catalog.register_entry("RM/2011/3") is None


def test_a_bad_row_for_a_new_document_still_restricts_it(corpus, settings, embedder):
    write_register(corpus, ROWS.replace("2011-11-30", "16/09/2019"))
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 1
    assert_hidden_from_outsiders(settings, embedder)


def test_a_row_that_names_no_readable_file_holds_back_new_documents_without_a_row(corpus, settings, embedder):
    (corpus / "reports" / "pay,scales.md").write_text("# Pay scales\n\nSalary notches of the directors.\n")
    write_register(corpus, ROWS + "reports/pay,scales.md,HR/1,Pay scales,report,2012,,,,,,hr,\n")  # unquoted
    report = ingest([corpus], settings, embedder)
    outcome = {Path(f.path).name: f for f in report.files}
    assert outcome["pay,scales.md"].status == "failed" and "line 4" in outcome["pay,scales.md"].reason
    assert outcome["mobile-units.pptx"].status == "failed"  # new, no row of its own: it may be the one meant
    assert outcome["km-committee-2009-06.docx"].status == "added"  # its own row says it is open
    assert_hidden_from_outsiders(settings, embedder)


def test_a_register_with_a_byte_order_mark_is_read(corpus, settings, embedder):
    write_register(corpus, ROWS)
    documents_csv(corpus).write_bytes(("\ufeff" + HEADER + ROWS).encode("utf-8"))
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 0
    assert Index.open(settings, embedder).catalog.register_entry("RM/2011/3").access_groups == ("hr",)
    assert_hidden_from_outsiders(settings, embedder)


def test_header_variants_and_unknown_columns(tmp_path):
    path = tmp_path / "documents.csv"
    header = "File,Reference,Title,Type,Date,Building,Room,Cabinet,Shelf,Custodian,Access Groups,Supersedes,Notes\n"
    path.write_text(header + "a.pdf,R1,T,report,2009,,,,,,HR;Finance,,see me\n", encoding="utf-8")
    docs, problems = load_documents(path)
    assert docs[0].access_groups == ("hr", "finance")  # group names are case-folded
    messages = [str(p) for p in problems]
    assert "documents.csv line 1: unknown column(s) 'Notes' ignored" in messages
    assert any("'Access Groups' as access_groups" in m for m in messages)
    twice = header.replace("Access Groups", "Access_Groups").replace("Title", "access groups")
    path.write_text(twice, encoding="utf-8")
    _, problems = load_documents(path)
    assert "column(s) access_groups given twice" in str(problems[0])


# --- register against folder ------------------------------------------------------------------------------
def groups_of(settings, embedder, name: str) -> list[str] | None:
    catalog = Index.open(settings, embedder).catalog
    for row in catalog.iter_documents():
        if Path(row.path).name == name:
            return list(row.access_groups)
    return None


def test_a_blank_cell_leaves_the_folders_groups_in_force(corpus, settings, embedder):
    (corpus / "minutes" / ".kmsearch-groups").write_text("executive\n", encoding="utf-8")
    write_register(corpus, ROWS)  # the minutes' row has a blank access_groups cell
    ingest([corpus], settings, embedder)
    assert groups_of(settings, embedder, "km-committee-2009-06.docx") == ["executive"]
    assert Index.open(settings, embedder).catalog.register_entry("KM/2009/7").access_groups == ("executive",)


def test_register_and_folder_groups_intersect_and_disagreement_withholds(corpus, settings, embedder):
    (corpus / "minutes" / ".kmsearch-groups").write_text("executive\nkm\n", encoding="utf-8")
    (corpus / "reports" / ".kmsearch-groups").write_text("finance\n", encoding="utf-8")
    write_register(corpus, ROWS.replace("Ms Sithole,,", "Ms Sithole,km;hr,"))
    report = ingest([corpus], settings, embedder)
    assert groups_of(settings, embedder, "km-committee-2009-06.docx") == ["km"]  # in both
    outcome = {Path(f.path).name: f for f in report.files}[RESTRICTED]  # register: hr; folder: finance
    assert outcome.status == "failed" and "name no group in common" in outcome.reason
    assert groups_of(settings, embedder, RESTRICTED) is None


# --- rows, files and references ---------------------------------------------------------------------------
def test_a_row_whose_file_is_misspelt_names_the_near_file_and_protects_it(corpus, settings, embedder):
    write_register(corpus, ROWS.replace("reports/edrms-pilot.pdf", "reports\\EDRMS-Pilot.pdf"))
    report = ingest([corpus], settings, embedder)
    warnings = [w for f in report.files for w in f.warnings]
    assert any("documents.csv line 2: file reports\\EDRMS-Pilot.pdf not found; did you mean reports/edrms-pilot.pdf?"
               in w for w in warnings), warnings
    assert_hidden_from_outsiders(settings, embedder)


def test_two_folders_giving_one_reference_warn_and_neither_replaces_the_other(corpus, settings, embedder):
    write_register(corpus / "reports", "edrms-pilot.pdf,REF/1,EDRMS pilot,report,2011,,,,,,hr,\n")
    write_register(corpus / "decks", "mobile-units.pptx,REF/1,Mobile units,presentation,2013,,,,,,comms,\n")
    report = ingest([corpus / "reports", corpus / "decks"], settings, embedder)
    warnings = [w for f in report.files for w in f.warnings]
    assert any("reference REF/1 is also given by" in w and "this row is not used" in w for w in warnings), warnings
    entry = Index.open(settings, embedder).catalog.register_entry("REF/1")
    assert entry.source == str(corpus / "reports") and entry.title == "EDRMS pilot"
    assert groups_of(settings, embedder, "mobile-units.pptx") == ["comms"]  # its row still protects its file
    ingest([corpus / "decks", corpus / "reports"], settings, embedder)  # in the other order: the holder stays
    assert Index.open(settings, embedder).catalog.register_entry("REF/1").source == str(corpus / "reports")


# --- .kmsearch-groups --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data, warned", [
    (b"\xef\xbb\xbfhr\n", False),  # UTF-8 with a byte-order mark (Notepad)
    ("# équipe RH\nhr\n".encode("latin-1"), True),
    ("hr\n".encode("utf-16"), False),
])
def test_groups_files_in_other_encodings_are_read(corpus, settings, embedder, data, warned):
    (corpus / "reports" / ".kmsearch-groups").write_bytes(data)
    report = ingest([corpus], settings, embedder)
    assert groups_of(settings, embedder, RESTRICTED) == ["hr"]
    warnings = [w for f in report.files if f.path.endswith(".kmsearch-groups") for w in f.warnings]
    assert any("is not UTF-8; read as cp1252 (save it as UTF-8)" in w for w in warnings) is warned


def test_an_unreadable_groups_file_keeps_documents_closed(corpus, settings, embedder):
    marker = corpus / "reports" / ".kmsearch-groups"
    marker.write_text("hr\n", encoding="utf-8")
    ingest([corpus], settings, embedder)
    marker.unlink()
    marker.mkdir()  # not a file: what it said cannot be known
    report = ingest([corpus], settings, embedder)
    assert groups_of(settings, embedder, RESTRICTED) == ["hr"]  # kept from before
    notice = next(f for f in report.files if f.path == str(marker))
    assert notice.status == "register" and "not a regular file (a folder)" in notice.reason
    assert report.register_problems == 1


# --- people and events -------------------------------------------------------------------------------------
def test_unreadable_people_and_events_registers_keep_their_rows(corpus, settings, embedder):
    from tests.helpers import write_registers

    write_registers(corpus, people="Dr Thandiwe Mokoena,KM,Chief Director,,km strategy,,,active\n",
                    events="Study tour to Canada,2008-09-14,2008-09-23,Ottawa,Ms Lerato Dlamini,\n")
    ingest([corpus], settings, embedder)
    folder = corpus / "registers"
    (folder / "people.csv").write_bytes("name,unit\nMs Zoë Naidoo,KM\n".encode("cp1252"))
    (folder / "events.csv").write_text("name,begins\nWorkshop,2010\n", encoding="utf-8")
    report = ingest([corpus], settings, embedder)
    assert report.register_problems == 2
    catalog = Index.open(settings, embedder).catalog
    assert [e.name for e in catalog.register_events()] == ["Study tour to Canada"]
    assert any(p.name == "Dr Thandiwe Mokoena" and p.in_register for p in catalog.people().values())


# --- where registers live ------------------------------------------------------------------------------------
def test_registers_below_the_ingested_folder_apply_and_are_never_indexed(corpus, settings, embedder):
    write_register(corpus / "reports", "edrms-pilot.pdf,RM/2011/3,EDRMS pilot close-out report,report,2011,,,,,,hr,\n")
    report = ingest([corpus], settings, embedder)
    assert "documents.csv" not in {Path(f.path).name for f in report.files if f.status != "register"}
    assert_hidden_from_outsiders(settings, embedder)
    hits = Searcher(Index.open(settings, embedder)).search("RM/2011/3 close-out report hr", k=10)
    assert hits and "documents.csv" not in paths(hits)


def test_a_registers_folder_spelt_with_capitals_is_read(corpus, settings, embedder):
    write_register(corpus, ROWS)
    (corpus / "registers").rename(corpus / "Registers")
    (corpus / "Registers" / "documents.csv").rename(corpus / "Registers" / "Documents.CSV")
    ingest([corpus], settings, embedder)
    assert_hidden_from_outsiders(settings, embedder)


def test_a_register_or_groups_file_given_as_the_path_is_not_indexed(corpus, settings, embedder):
    write_register(corpus, ROWS)
    (corpus / "reports" / ".kmsearch-groups").write_text("hr\n", encoding="utf-8")
    report = ingest([documents_csv(corpus), corpus / "reports" / ".kmsearch-groups"], settings, embedder)
    assert [f.status for f in report.files] == ["failed", "failed"]
    assert report.files[0].reason == f"is kmsearch's catalogue data, never a document; ingest {corpus} to apply it"


def test_ignoring_the_registers_folder_does_not_switch_them_off(corpus, settings, embedder):
    write_register(corpus, ROWS)
    (corpus / ".kmsearchignore").write_text("registers\n", encoding="utf-8")
    ingest([corpus], settings, embedder)
    assert_hidden_from_outsiders(settings, embedder)


def test_ingesting_one_file_or_a_subfolder_keeps_its_register_restriction(corpus, settings, embedder):
    write_register(corpus, ROWS)
    ingest([corpus], settings, embedder)
    pdf = corpus / "reports" / RESTRICTED
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed\n")  # a new version: replaced in the index
    report = ingest([pdf], settings, embedder)
    assert {Path(f.path).name: f.status for f in report.files}[RESTRICTED] == "updated"
    assert_hidden_from_outsiders(settings, embedder)
    pdf.write_bytes(pdf.read_bytes() + b"\n% again\n")
    ingest([corpus / "reports"], settings, embedder)
    assert_hidden_from_outsiders(settings, embedder)


# --- group names -------------------------------------------------------------------------------------------
def test_key_groups_follow_the_one_case_rule(tmp_path):
    from kmsearch.api.keys import KeyStore

    store = KeyStore(tmp_path / "keys.sqlite")
    key, secret = store.add("HR team", "reader", ("HR", " Finance "))
    assert key.groups == {"hr", "finance"} and store.verify(secret).groups == {"hr", "finance"}
    with store.conn:  # a key stored before the rule
        store.conn.execute("UPDATE keys SET groups = ? WHERE key_id = ?", ("\ufeffHR;Finance", key.key_id))
    assert store.verify(secret).groups == {"hr", "finance"} and store.list()[0].groups == {"hr", "finance"}
    with pytest.raises(Exception, match="cannot be empty or contain"):
        store.add("Bad", "reader", ("human resources",))


def test_mixed_case_groups_in_register_folder_and_key_are_one_group(corpus, settings, embedder):
    (corpus / "reports" / ".kmsearch-groups").write_text("\ufeffHR\n", encoding="utf-8")
    write_register(corpus, ROWS.replace(",hr,", ",Hr;KM,"))
    ingest([corpus], settings, embedder)
    assert groups_of(settings, embedder, RESTRICTED) == ["hr"]
    app = create_app(settings, embedder=embedder)
    key = app.state.keys.add("HR team", "reader", ("hR",))[1]
    hits = TestClient(app).get("/api/v1/search", params={"q": QUERY}, headers={"X-API-Key": key}).json()["hits"]
    assert any(h["path"].endswith(RESTRICTED) for h in hits)
