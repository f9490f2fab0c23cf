"""`kmsearch watch`: a named source is ingested at the start and again within seconds of an added, a changed
and a deleted file (real file events through watchfiles, the fake embedder for the model); bad source settings
are refused by name (issue 17, point 10)."""

from __future__ import annotations

import threading

import pytest

from kmsearch.errors import KmsearchError
from kmsearch.index.store import Index
from kmsearch.ingest.watch import chosen, watch
from tests.helpers import wait_for

WITHIN_S = 30  # a bound for the test to fail on; each change is picked up in about 1-3 s here


def test_watch_picks_up_added_changed_and_deleted_files(corpus, settings, embedder, monkeypatch):
    monkeypatch.setattr("kmsearch.index.store.make_embedder", lambda s: embedder)
    (corpus / "reports" / "broken.pdf").unlink()
    settings = settings.replace(sources=[{"name": "registry", "path": str(corpus)}])
    stop, runs = threading.Event(), []
    thread = threading.Thread(target=watch, args=(settings,), daemon=True,
                              kwargs={"debounce_ms": 300, "stop": stop, "done": lambda s, r, e: runs.append((r, e))})
    thread.start()

    def paths() -> set[str]:
        if not (settings.index_dir / "manifest.json").exists():
            return set()
        return {d.path for d in Index.open(settings, embedder).catalog.iter_documents()}

    try:
        wait_for(lambda: len(paths()) == 4, WITHIN_S, "the first ingest")
        memo = corpus / "minutes" / "memo.txt"
        memo.write_text("The registry moves to the second floor in March.\n", encoding="utf-8")
        wait_for(lambda: str(memo) in paths(), WITHIN_S, "the added file")
        memo.write_text("Registry relocation: the archive moves to building C in April.\n", encoding="utf-8")
        wait_for(lambda: "building C" in _text(settings, embedder, memo), WITHIN_S, "the changed file")
        memo.unlink()
        wait_for(lambda: str(memo) not in paths(), WITHIN_S, "the deleted file")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert all(error is None for _, error in runs) and len(runs) >= 4
    assert all(r.count("failed") == 0 for r, _ in runs)


def _text(settings, embedder, path) -> str:
    index = Index.open(settings, embedder)
    doc = next((d for d in index.catalog.iter_documents() if d.path == str(path)), None)
    return " ".join(p.text for p in index.catalog.pages(doc.doc_id)) if doc else ""


def test_bad_sources_are_refused_by_name(settings, tmp_path):
    with pytest.raises(KmsearchError, match="no sources in the settings"):
        chosen(settings)
    with pytest.raises(KmsearchError, match=r"sources\[0.schedule\]: not a cron schedule"):
        settings.replace(sources=[{"name": "a", "path": str(tmp_path), "schedule": "61 * * * *"}])
    with_one = settings.replace(sources=[{"name": "a", "path": str(tmp_path / "gone")}])
    with pytest.raises(KmsearchError, match="no source named b; the sources are a"):
        chosen(with_one, ["b"])
    with pytest.raises(KmsearchError, match="source folder not found: a"):
        watch(with_one)


def test_a_sources_groups_restrict_its_documents(corpus, settings, embedder):
    """A source's groups act as a .kmsearch-groups at its top: one more restriction, never an opening."""
    from kmsearch.ingest.pipeline import ingest

    (corpus / "minutes" / ".kmsearch-groups").write_text("km\n", encoding="utf-8")
    settings = settings.replace(sources=[{"name": "registry", "path": str(corpus), "groups": "KM; Executive"}])
    ingest([corpus], settings, embedder)
    docs = {d.path.rsplit("/", 1)[-1]: list(d.access_groups)
            for d in Index.open(settings, embedder).catalog.iter_documents()}
    assert docs["edrms-pilot.pdf"] == ["executive", "km"]  # the source's groups
    assert docs["km-committee-2009-06.docx"] == ["km"]  # narrowed by the folder's, not widened
