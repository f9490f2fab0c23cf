"""Shared fixtures: a small corpus of real files, settings for a scratch index, and the fake embedder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kmsearch.config import Settings
from kmsearch.testing import FAKE_MODEL, FakeEmbedder
from tests.fixtures import make_docx, make_pdf, make_pptx

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def embedder() -> FakeEmbedder:
    """A fresh fake (its call count starts at zero) sharing the session's tokenizer."""
    fake = FakeEmbedder()
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", model=FAKE_MODEL, ocr=False)


def write_corpus(root: Path) -> Path:
    """Five documents of a fictional department, in four formats and three folders."""
    (root / "reports").mkdir(parents=True)
    (root / "minutes").mkdir()
    (root / "decks").mkdir()
    make_pdf(
        root / "reports" / "edrms-pilot.pdf",
        [
            ["# 1. Introduction", "The electronic file management pilot moved paper registry files into the "
             "EDRMS. Records officers scanned active files and classified them against the file plan."],
            ["# 2. Findings", "Retrieval times for files fell from two days to ten minutes. Staff asked for "
             "training on the file plan and on version control."],
            ["# 3. Recommendations", "Roll the EDRMS out to every unit by 2012 and appoint records champions."],
        ],
        title="EDRMS Pilot Close-out Report",
        author="Pieter van der Merwe",
        created=datetime(2011, 11, 30),
        header="DGPSI EDRMS Pilot",
        footer=True,
    )
    make_docx(
        root / "minutes" / "km-committee-2009-06.docx",
        [
            ["# Minutes of the KM Steering Committee", "Present: T. Mokoena, L. Dlamini, S. Ndlovu",
             "Apologies: A. Patel", "The committee approved the knowledge management strategy for 2009 to 2014."],
            ["# Mobile units", "Ms Dlamini reported that two mobile service units visited twelve rural wards."],
        ],
        title="KM Steering Committee minutes 17 June 2009",
        author="Nomvula Sithole",
        created=datetime(2009, 6, 17),
        table=[["Action", "Owner", "Due"], ["Publish the KM strategy", "Mokoena", "July 2009"]],
    )
    make_pptx(
        root / "decks" / "mobile-units.pptx",
        [
            ("Mobile service units", ["Results of the 2013 rollout", "Twelve wards visited"], "Presented by Lerato Dlamini"),
            ("What citizens asked for", ["Identity documents", "Social grants", "Birth certificates"], None),
        ],
        title="Mobile service units: results",
        author="Lerato Dlamini",
    )
    (root / "reports" / "study-tour-canada.md").write_text(
        "# Report of the study tour to Canada\n\nThe delegation visited Service Canada in Ottawa in September "
        "2008 and studied one-stop service centres.\n\n## Recommendations\n\nEstablish one-stop centres in "
        "every district.\n",
        encoding="utf-8",
    )
    (root / "reports" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def sign_in(client, secret: str, origin: str = "http://testserver"):
    """Sign a TestClient in on the staff page, as a browser does: a form post that says where it comes from.
    The client then carries the session cookie."""
    response = client.post("/signin", data={"key": secret, "next": "/"}, headers={"Origin": origin},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client
