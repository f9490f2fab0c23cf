"""A register row outlives its file: when the file is deleted, the row stays findable as a paper copy with its
location, ingest warns by line, and the paper copy is never more open than the file was (issue 17, point 6)."""

from __future__ import annotations

from kmsearch.index.store import Index
from kmsearch.ingest.pipeline import ingest
from kmsearch.search.where import where_is
from tests.helpers import write_register

ROWS = (
    "reports/edrms-pilot.pdf,DGPSI/REP/2011/07,EDRMS Pilot Close-out Report,report,2011-11-30,Head Office,4-12,"
    "C3,2,Records Manager,,\n"
    "minutes/km-committee-2009-06.docx,DGPSI/MIN/2009/06,KM Steering Committee minutes June 2009,minutes,"
    "2009-06-17,Head Office,3-02,B1,4,Committee Secretary,,\n"
)


def warnings_of(report) -> list[str]:
    return [w for f in report.files for w in f.warnings]


def test_a_deleted_files_row_is_found_as_a_paper_copy(corpus, settings, embedder):
    write_register(corpus, ROWS)
    ingest([corpus], settings, embedder)
    (corpus / "reports" / "edrms-pilot.pdf").unlink()
    report = ingest([corpus], settings, embedder)

    assert report.count("removed") == 1
    (warning,) = [w for w in warnings_of(report) if "edrms-pilot.pdf" in w]
    assert "line 2" in warning and "paper copy" in warning

    index = Index.open(settings, embedder)
    by_reference = where_is(index, "DGPSI/REP/2011/07")
    by_title = where_is(index, "EDRMS pilot close-out report")  # (the fake embedder's content scores lead too)
    assert by_reference[0].reference == "DGPSI/REP/2011/07"
    assert "DGPSI/REP/2011/07" in [f.reference for f in by_title[:2]]
    paper = by_reference[0]
    assert paper.doc_id is None and paper.path is None  # no file to open: the shelf is the answer
    assert paper.title == "EDRMS Pilot Close-out Report" and paper.custodian == "Records Manager"
    assert paper.location == {"building": "Head Office", "room": "4-12", "cabinet": "C3", "shelf": "2"}


def test_a_paper_copy_is_never_more_open_than_its_file_was(corpus, settings, embedder):
    """The minutes are restricted by their folder's .kmsearch-groups; the row names no group. Deleting the file
    (and with it, here, the folder's groups file) must not publish the row's title to everyone, then or later."""
    write_register(corpus, ROWS)
    groups_file = corpus / "minutes" / ".kmsearch-groups"
    groups_file.write_text("executive\n", encoding="utf-8")
    ingest([corpus], settings, embedder)
    (corpus / "minutes" / "km-committee-2009-06.docx").unlink()
    groups_file.unlink()

    for _ in range(2):  # the generation after the deletion, and the one after that
        ingest([corpus], settings, embedder)
        index = Index.open(settings, embedder)
        outsider = where_is(index, "KM Steering Committee minutes June 2009", groups=frozenset({"staff"}))
        assert "DGPSI/MIN/2009/06" not in {f.reference for f in outsider}
        insider = where_is(index, "KM Steering Committee minutes June 2009", groups=frozenset({"executive"}))
        assert insider and insider[0].reference == "DGPSI/MIN/2009/06" and insider[0].location["room"] == "3-02"
