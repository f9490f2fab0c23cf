"""The service records its use (issue 18): every search, who-knows and where-is in the query log with the
documents shown, opens through result links with their rank, and restricted opens, re-index jobs and key changes
in the audit trail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

from click.testing import CliRunner
from fastapi.testclient import TestClient

from kmsearch.analytics.reader import LogReader
from kmsearch.analytics.settings import analytics_settings
from kmsearch.analytics.trail import AuditTrail
from kmsearch.api import create_app
from kmsearch.cli import cli
from kmsearch.ingest.pipeline import ingest
from tests.helpers import sign_in

SINCE = datetime.now(timezone.utc) - timedelta(days=1)


def _service(corpus, settings, embedder, restrict: bool = False):
    if restrict:
        from tests.helpers import KM_ONLY as RESTRICTED
        from tests.helpers import write_register

        write_register(corpus, f"minutes/{RESTRICTED},KM/2009/7,KM committee minutes,minutes,2009-06-17,"
                               "Tshwane Building,3-02,KM1,1,Ms Sithole,km,\n")
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    return app


def _log(app) -> LogReader:
    assert app.state.usage.queries.flush()
    return LogReader(analytics_settings(app.state.settings).log_path)


def test_every_question_is_logged_with_what_it_showed_and_opens_keep_their_rank(corpus, settings, embedder):
    app = _service(corpus, settings, embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
    found = client.get("/api/v1/search", params={"q": "EDRMS file plan records", "k": 3}).json()
    people = client.get("/api/v1/who-knows", params={"q": "xqzv blorft wibble"}).json()
    located = client.get("/api/v1/where-is", params={"q": "the EDRMS pilot report"}).json()
    assert found["query_id"] and people["query_id"] and located["query_id"]
    second = found["hits"][1]["doc_id"]
    assert client.get(f"/api/v1/documents/{second}", params={"query_id": found["query_id"], "rank": 2}).status_code == 200
    assert client.get(f"/api/v1/documents/{second}/file").status_code == 200  # opened directly: no rank
    log = _log(app)
    rows = {r.kind: r for r in log.queries(SINCE)}
    assert set(rows) == {"search", "who-knows", "where-is"}
    assert rows["search"].query == "edrms file plan records" and rows["search"].results == found["total"]
    assert rows["search"].caller is None  # the default, anonymous, keeps no caller
    assert people["people"] == [] and rows["who-knows"].unanswered  # no one: a gap to report
    assert not rows["search"].unanswered and rows["where-is"].results == len(located["documents"])
    assert log.shown_counts(SINCE)[second] >= 1
    opens = sorted(log.opens(SINCE), key=lambda o: o.kind, reverse=True)
    assert [(o.kind, o.doc_id, o.rank, o.query_id) for o in opens] == [
        ("view", second, 2, found["query_id"]), ("download", second, None, None)]
    log.close()


def test_the_pages_result_links_carry_the_query_and_rank(corpus, settings, embedder):
    app = _service(corpus, settings, embedder)
    client = TestClient(app)
    sign_in(client, app.state.keys.add("Front desk", "reader")[1])
    page = client.get("/", params={"q": "EDRMS file plan records"}).text
    links = [unescape(h) for h in re.findall(r'href="(/documents/[^"]+)"', page)]
    assert links and all("query_id=" in link and "rank=" in link for link in links)
    assert re.search(r"rank=1$", links[0]) and re.search(r"rank=2$", links[1])
    assert client.get(links[1]).status_code == 200
    opens = _log(app).opens(SINCE)
    assert [(o.kind, o.rank) for o in opens] == [("view", 2)]


def test_restricted_opens_and_reindex_jobs_go_to_the_audit_trail(corpus, settings, embedder):
    from tests.helpers import KM_ONLY as RESTRICTED
    from tests.helpers import doc_id_of

    app = _service(corpus, settings, embedder, restrict=True)
    restricted = doc_id_of(app, corpus / "minutes" / RESTRICTED)
    hr = TestClient(app, headers={"X-API-Key": app.state.keys.add("KM team", "reader", ["km"])[1]})
    other = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
    librarian = app.state.keys.add("Registry", "librarian")[1]
    assert other.get(f"/api/v1/documents/{restricted}").status_code == 404  # not read: not audited
    assert hr.get(f"/api/v1/documents/{restricted}").status_code == 200
    assert hr.get(f"/api/v1/documents/{restricted}/file").status_code == 200
    public = next(h["doc_id"] for h in hr.get("/api/v1/search", params={"q": "EDRMS"}).json()["hits"]
                  if h["doc_id"] != restricted)
    assert hr.get(f"/api/v1/documents/{public}").status_code == 200  # open to all: not audited
    job = TestClient(app).post("/api/v1/admin/reindex", json={"paths": [str(corpus)]},
                               headers={"X-API-Key": librarian})
    assert job.status_code == 202
    trail = AuditTrail.for_settings(settings)
    entries = [(e.action, e.actor.split(" (")[0], e.target) for e in trail.entries()]  # "KM team (key id)"
    assert entries == [("document.view-restricted", "KM team", restricted),
                       ("document.download-restricted", "KM team", restricted),
                       ("index.reindex", "Registry", job.json()["job"]["id"])]
    assert trail.verify()[0]
    trail.close()


def test_key_changes_are_in_the_audit_trail(settings):
    from kmsearch import cli as cli_module

    cli_module.add_service_commands()  # serve and keys, as main() adds them
    runner = CliRunner()
    index = str(settings.index_dir)
    added = runner.invoke(cli, ["keys", "add", "HR team", "--group", "hr", "--index", index])
    assert added.exit_code == 0, added.output
    key_id = runner.invoke(cli, ["keys", "list", "--index", index]).output.split()[0]
    assert runner.invoke(cli, ["keys", "revoke", key_id, "--index", index]).exit_code == 0
    trail = AuditTrail.for_settings(settings)
    assert [(e.action, e.target) for e in trail.entries()] == [("key.add", key_id), ("key.revoke", key_id)]
    assert trail.entries()[0].detail == {"name": "HR team", "role": "reader", "groups": ["hr"]}
    trail.close()


def test_with_the_log_off_nothing_is_kept(corpus, settings, embedder):
    settings = settings.replace(extra={"query_log": "off"})
    app = _service(corpus, settings, embedder)
    client = TestClient(app, headers={"X-API-Key": app.state.keys.add("Front desk", "reader")[1]})
    assert client.get("/api/v1/search", params={"q": "EDRMS"}).json()["query_id"] is None
    assert not analytics_settings(settings).log_path.exists()
