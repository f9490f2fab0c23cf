"""The knowledge audit on a fake source (each flag and finding, exactly) and on the sample corpus through the
catalogue adapter (access: a reader's audit leaves restricted documents out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kmsearch.analytics.audit import (
    ALL_LEFT,
    ASKED_THIN,
    ONE_PERSON,
    STALE,
    LaterMatch,
    RegisterPerson,
    TourReport,
    audit_people,
    brought_back,
    exit_coverage,
    gaps_for,
    holders,
    knowledge_audit,
    location_gaps,
    recommendations,
    topic_flags,
)
from kmsearch.analytics.gaps import KnowledgeGap
from kmsearch.analytics.topics import AuditDocument, Overrides, Topic, apply_overrides, discover_topics
from kmsearch.testing import FakeEmbedder
from tests.helpers import REPO

ROOT = REPO


@dataclass(frozen=True)
class P:
    person_id: str
    name: str
    status: str | None = "active"
    unit: str | None = None
    role: str | None = None
    score: float = 1.0
    register_score: float = 0.0


def doc(doc_id: str, title: str, year: int | None, text: str = "", doc_type: str = "report") -> AuditDocument:
    return AuditDocument(doc_id, title, f"{doc_id}.pdf", doc_type, year, text)


def topic(name: str, years: list[int | None], terms: tuple[str, ...] = ()) -> Topic:
    docs = tuple(doc(f"{name}{i}", name, y) for i, y in enumerate(years))
    return Topic(name, name, terms or tuple(name.split()), docs)


def gap(label: str, count: int = 3) -> KnowledgeGap:
    return KnowledgeGap(label, count, ((label, count),), count, 0, "2024-06-01T00:00:00Z", {"search": count}, False)


def test_topic_flags():
    disposal = topic("records disposal", [2005, 2010])
    flags = topic_flags(disposal, [P("pvdm", "Mr P. van der Merwe", "left")], [], 2024)
    assert [f["flag"] for f in flags] == [ALL_LEFT, STALE]
    assert flags[1]["text"] == "no document since 2010"
    flags = topic_flags(topic("mobile units", [2013, 2022]), [P("ld", "Ms L. Dlamini"), P("x", "Mr X", "left")],
                        [gap("mobile units in rural wards", 4)], 2024)
    assert [(f["flag"], f["text"]) for f in flags] == [
        (ONE_PERSON, "only Ms L. Dlamini holds this"),
        (ASKED_THIN, "asked for but thin: 4 unanswered queries, e.g. 'mobile units in rural wards'")]
    assert topic_flags(topic("km", [2023]), [P("a", "A"), P("b", "B", "moved")], [], 2024) == []
    assert topic_flags(topic("km", [None]), [], [], 2024) == []  # nobody linked and no dates: nothing to say


def test_only_people_near_the_top_hold_a_topic():
    ranked = [P("pvdm", "Mr P. van der Merwe", "left", score=9.3), P("jp", "Ms J. Pretorius", score=4.6),
              P("jb", "Mr J. Botha", score=4.3)]
    assert [p.person_id for p in holders(ranked)] == ["pvdm"]
    assert [f["flag"] for f in topic_flags(topic("records disposal", [2023]), holders(ranked), [], 2024)] == [ALL_LEFT]
    assert holders([]) == []


def test_gaps_match_topics_by_stemmed_words():
    t = topic("mobile service units", [2013])
    assert [g.label for g in gaps_for(t, [gap("mobile unit schedules"), gap("fleet tracking")])] == [
        "mobile unit schedules"]


class FakeSource:
    """An AuditSource in a few lines: what the lead's wiring must provide, and nothing more."""

    def __init__(self) -> None:
        self.docs = [doc("a", "Records disposal schedule", 2005, "records disposal authority archive"),
                     doc("b", "Records disposal audit", 2009, "records disposal archive backlog"),
                     doc("c", "Mobile units rollout", 2023, "mobile units wards schedule"),
                     doc("r", "People register", None, "names", doc_type="register")]
        self.register = [RegisterPerson("pvdm", "Mr Pieter van der Merwe", "left", "Records", None,
                                        ("records disposal", "fleet contracts")),
                         RegisterPerson("ld", "Ms Lerato Dlamini", "active", "Service delivery", None,
                                        ("mobile service delivery",))]

    def documents(self):
        return self.docs

    def who_knows(self, topic: str, k: int):
        if "disposal" in topic or "records" in topic:
            return [P("pvdm", "Mr Pieter van der Merwe", "left", score=3.0, register_score=1.0)]
        if "mobile" in topic:
            return [P("ld", "Ms Lerato Dlamini", score=2.0, register_score=0.0)]
        if "fleet" in topic:
            return [P("pvdm", "Mr Pieter van der Merwe", "left", score=1.0, register_score=1.0)]  # register only
        return []

    def people(self):
        return self.register

    def register_entries(self):
        return [{"reference": "R/1", "title": "File plan", "path": None, "location": {"room": "B-07"},
                 "custodian": "Mr J. Botha"},
                {"reference": "R/2", "title": "Old minutes", "path": None, "location": {"room": "", "shelf": ""},
                 "custodian": ""},
                {"reference": "R/3", "title": "Tour report", "path": "t.pdf", "location": {"room": "B-07"},
                 "custodian": None}]

    def events_without_report(self):
        return [{"name": "Benchmarking visit", "reason": "no report reference in the events register"}]

    def tour_reports(self):
        return [TourReport(doc("t", "Study tour to Canada", 2008), "5. Recommendations The delegation recommends: "
                           "• R1: approves one-stop centres in every district; • R2: approves a pilot of two mobile "
                           "units for rural wards."),
                TourReport(doc("s", "Study tour to Singapore", 2011), "")]

    def later_matches(self, text: str, after: str, exclude: str):
        assert exclude in ("t", "s") and after in ("2009", "2012")
        return [LaterMatch("c", "Mobile units rollout", "2023-01-01", 0.8)] if "mobile" in text else [
            LaterMatch("x", "Unrelated", "2010-01-01", 0.2)]

    def exit_interviews(self, person_id: str):
        return []


def test_people_skills_against_documents():
    source = FakeSource()
    people_of = {"records disposal": source.who_knows("records disposal", 5),
                 "mobile units": source.who_knows("mobile units", 5)}
    vdm, ld = audit_people(source.register, people_of, source)
    assert vdm["skills_without_documents"] == ["fleet contracts"] and vdm["topics_not_in_register"] == []
    assert vdm["topics"] == [{"topic": "records disposal", "via": "documents"}]
    assert ld["topics_not_in_register"] == ["mobile units"]
    assert ld["findings"] == ["documents show 'mobile units', which the register does not list"]
    assert vdm["findings"] == ["skill 'fleet contracts' has no document"]


def test_recommendations_are_read_from_their_section():
    bullets = ("5. Recommendations The delegation recommends that the Executive Management Committee: "
               "• R1: approves the establishment of integrated one-stop centres; • R2: approves a pilot of two "
               "mobile service units for rural wards; "
               "• R2: approves a pilot of two mobile service units for rural wards;")
    # the lead-in is dropped, and the item repeated by overlapping chunks is kept once
    assert recommendations(bullets) == ["R1: approves the establishment of integrated one-stop centres",
                                        "R2: approves a pilot of two mobile service units for rural wards"]
    numbered = ("4. Recommendations 1. Pilot agent-assisted e-services at two stops. "
                "2. Send the monthly schedule to councillors.")
    assert recommendations(numbered) == ["Pilot agent-assisted e-services at two stops.",
                                         "Send the monthly schedule to councillors."]
    prose = "Recommendations\nEstablish one-stop centres in every district. Train staff in every centre."
    assert recommendations(prose) == ["Establish one-stop centres in every district.", "Train staff in every centre."]
    assert recommendations("") == []
    header = ("4. Recommendations DGPSI — Study Tour to Singapore (E-Government), 2011 Ref. DGPSI/ICT/2011/019 "
              "Page 1 of 2 1. Develop a citizen e-services portal with a single login.")
    assert recommendations(header) == ["Develop a citizen e-services portal with a single login."]


def test_what_did_we_bring_back():
    canada, singapore = brought_back(FakeSource())
    assert canada["finding"] == "1 of 2 recommendations recur in later documents"
    assert [r["taken_up_in"] and r["taken_up_in"]["title"] for r in canada["recommendations"]] == [
        None, "Mobile units rollout"]
    assert singapore["finding"] == "no recommendations section found in the report"


def test_register_findings():
    source = FakeSource()
    assert location_gaps(source.register_entries()) == [
        {"reference": "R/2", "title": "Old minutes", "path": None, "missing": ["location", "custodian"]},
        {"reference": "R/3", "title": "Tour report", "path": "t.pdf", "missing": ["custodian"]}]
    cover = exit_coverage(source.register, source)
    assert (cover["left"], cover["with_exit_interview"], cover["without"]) == (1, 0, ["Mr Pieter van der Merwe"])


def test_topics_are_found_labelled_and_stable():
    docs = FakeSource().docs
    vectors = np.array([[1, 0, 0], [0.95, 0.31, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    topics = discover_topics(docs, FakeEmbedder().embed, 0.3, vectors=vectors)
    assert [[d.doc_id for d in t.documents] for t in topics] == [["a", "b"], ["c"]]  # the register is left out
    assert topics[0].terms[0] == "records disposal" and "archive" in topics[0].terms[:3]
    assert topics[0].name == ", ".join(topics[0].terms[:3])
    assert (topics[0].years, topics[0].newest) == ((2005, 2009), 2009)
    again = discover_topics(docs[::-1], FakeEmbedder().embed, 0.3, vectors=vectors[::-1])
    assert [t.to_json() for t in again] == [t.to_json() for t in topics]


def test_librarian_renames_and_merges_topics():
    topics = [topic("records disposal", [2005]), topic("file plans", [2003]), topic("mobile units", [2013])]
    merged, unknown = apply_overrides(topics, Overrides({"records disposal": "Records disposal and file plans",
                                                         "gone": "X"}, [["records disposal", "file plans"]]))
    assert [(t.name, len(t.documents), t.merged_from) for t in merged] == [
        ("Records disposal and file plans", 2, ("file plans",)), ("mobile units", 1, ())]
    assert unknown == ["gone"]
    with pytest.raises(ValueError, match="'merge' must be a list of lists"):
        Overrides.from_json({"merge": ["a"]})


def test_the_whole_audit_on_a_fake_source():
    source = FakeSource()
    vectors = {"a": [1, 0], "b": [0.95, 0.31], "c": [0, 1]}
    def embed(texts):
        return np.array([vectors["a"] if "disposal" in t else vectors["c"] for t in texts], dtype=np.float32)

    audit = knowledge_audit(source, embed, [gap("disposal backlog")], 2024, topic_distance=0.3)
    first = audit["topics"][0]
    assert first["documents"] == 2 and [f["flag"] for f in first["flags"]] == [ALL_LEFT, STALE, ASKED_THIN]
    assert first["people"][0]["name"] == "Mr Pieter van der Merwe" and first["people"][0]["via"] == "documents"
    assert audit["registers"]["events_without_report"][0]["name"] == "Benchmarking visit"
    assert len(audit["registers"]["without_location_or_custodian"]) == 2
    assert {p["name"] for p in audit["people"]} == {"Mr Pieter van der Merwe", "Ms Lerato Dlamini"}


# --- the sample corpus, through the catalogue adapter ---------------------------------------------------------
RESTRICTED = ("exit-interview-summary-van-der-merwe-2019.docx", "knowledge-audit-report-2015.docx")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from kmsearch.config import Settings
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest
    from kmsearch.testing import FAKE_MODEL

    settings = Settings(index_dir=tmp_path_factory.mktemp("audit") / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([ROOT / "corpus"], settings, embedder)
    return Index.open(settings, embedder)


def test_catalog_source_on_the_sample_corpus(sample):
    from kmsearch.analytics.sources import CatalogSource

    librarian, reader = CatalogSource(sample), CatalogSource(sample, frozenset())
    paths = {Path(d.path).name for d in librarian.documents()}
    assert set(RESTRICTED) <= paths
    assert not set(RESTRICTED) & {Path(d.path).name for d in reader.documents()}
    vdm = next(p for p in librarian.people() if p.name == "Mr Pieter van der Merwe")
    assert vdm.status == "left" and "records disposal" in vdm.skills
    assert next(t for _, t in librarian.exit_interviews(vdm.person_id)).startswith("Exit Interview Summary")
    assert reader.exit_interviews(vdm.person_id) == []  # the interview is HR's: a reader's audit never sees it
    assert any(e["name"].startswith("Benchmarking visit") for e in librarian.events_without_report())
    tours = {Path(t.doc.path).name: t for t in librarian.tour_reports()}
    assert set(tours) == {"study-tour-canada-2008.pdf", "study-tour-rwanda-2014.docx", "study-tour-singapore-2011.pdf"}
    canada = recommendations(tours["study-tour-canada-2008.pdf"].section)
    assert any("one-stop centres" in r for r in canada) and not any("Air travel" in r for r in canada)
    later = librarian.later_matches("mobile service units in rural wards", "2009", "none")
    assert later and all((m.date or "") >= "2009" for m in later)


def test_a_readers_audit_leaves_restricted_documents_out(sample):
    from kmsearch.analytics.sources import CatalogSource

    def titles(audit):
        return {t for topic in audit["topics"] for t in topic["titles"]}

    librarian = knowledge_audit(CatalogSource(sample), sample.embedder.embed, [], 2024, topic_distance=0.5)
    reader = knowledge_audit(CatalogSource(sample, frozenset()), sample.embedder.embed, [], 2024, topic_distance=0.5)
    assert any(t.startswith("Exit Interview Summary") for t in titles(librarian))
    assert not any(t.startswith(("Exit Interview Summary", "Knowledge Audit Report")) for t in titles(reader))
    assert sum(t["documents"] for t in reader["topics"]) == sum(t["documents"] for t in librarian["topics"]) - 2
    assert reader["registers"]["exit_interviews"]["with_exit_interview"] == 0
    assert librarian["registers"]["exit_interviews"]["with_exit_interview"] == 1


@pytest.mark.slow
def test_topics_of_the_sample_corpus_with_the_real_model():
    """The sample corpus's known themes come out as topics, the same on every run and in any input order."""
    import tempfile

    from kmsearch.config import Settings
    from kmsearch.index.embed import make_embedder
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", ocr=False)
        ingest([ROOT / "corpus"], settings)
        index = Index.open(settings)
        from kmsearch.analytics.sources import CatalogSource

        docs = list(CatalogSource(index).documents())
        embed = make_embedder(settings).embed
        topics = discover_topics(docs, embed)
        assert [t.to_json() for t in discover_topics(docs[::-1], embed)] == [t.to_json() for t in topics]
        audit = knowledge_audit(CatalogSource(index), embed, [], 2020)
    flags = {(f["flag"], f["text"]) for t in audit["topics"] for f in t["flags"]}
    assert (ALL_LEFT, "everyone who knows has left: Mr Pieter van der Merwe") in flags  # the leaver's records topic
    assert (ONE_PERSON, "only Ms Lerato Dlamini holds this") in flags  # the single expert on service delivery
    where = {Path(d.path).name: i for i, t in enumerate(topics) for d in t.documents}
    together = [("records-management-policy-2005.docx", "records-management-policy-2010.docx"),
                ("edrms-pilot-close-out-report-2011.pdf", "lessons-learnt-edrms-rollout-2014.docx"),
                ("mobile-service-units-results-2013.pptx", "mobile-service-delivery-project-report-2013.pdf"),
                ("km-strategy-2009-2014.pdf", "km-steering-committee-2009-06-17.docx")]
    assert [(a, b) for a, b in together if where[a] != where[b]] == []
    assert where["records-management-policy-2005.docx"] != where["km-strategy-2009-2014.pdf"]
    assert where["mobile-service-units-results-2013.pptx"] != where["records-management-policy-2010.docx"]
