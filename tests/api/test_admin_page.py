"""The librarian's admin view (/admin) and the schedule inside the service: sources with their last and next
runs and failures, a "Re-index now" button behind the same-origin check, and a cron schedule that runs while
the service does (issue 17, point 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.ingest import history
from kmsearch.ingest.pipeline import ingest
from tests.helpers import sign_in, wait_for


def make(corpus, settings, embedder, schedule=None):
    settings = settings.replace(sources=[{"name": "registry", "path": str(corpus), "groups": "",
                                          "schedule": schedule}])
    ingest([corpus], settings, embedder)  # broken.pdf fails
    app = create_app(settings, embedder=embedder)
    secrets = {"librarian": app.state.keys.add("Registry desk", "librarian")[1],
               "reader": app.state.keys.add("Front desk", "reader")[1]}
    return app, secrets


def test_the_schedule_runs_inside_the_service(corpus, settings, embedder):
    app, _ = make(corpus, settings, embedder, schedule="*/2 * * * * *")  # every 2 seconds
    with TestClient(app):  # startup starts the schedule, shutdown stops it
        run = wait_for(lambda: next((r for r in history.runs(settings.index_dir) if r.who == "schedule registry"
                                     and r.outcome == "done"), None), 60, "a scheduled re-index")
        assert run.sources == [str(corpus)]
        assert app.state.schedule.next_runs()["registry"] is not None
    assert not app.state.schedule.scheduler.running


def test_the_admin_view_shows_sources_runs_and_failures(corpus, settings, embedder):
    app, secrets = make(corpus, settings, embedder, schedule="30 2 * * *")
    with TestClient(app) as client:
        sign_in(client, secrets["librarian"])
        page = client.get("/admin")
        assert page.status_code == 200
        assert "registry" in page.text and "30 2 * * *" in page.text and "broken.pdf" in page.text
        assert "Re-index now" in page.text and str(corpus) in page.text
        next_run = app.state.schedule.next_runs()["registry"]
        assert next_run.isoformat(timespec="minutes") in page.text and next_run.hour == 2

        refused = client.post("/admin/reindex", data={"source": "registry"}, follow_redirects=False)
        assert refused.status_code == 403  # no Origin: not a same-origin form post
        started = client.post("/admin/reindex", data={"source": "registry"}, headers={"Origin": "http://testserver"},
                              follow_redirects=False)
        assert started.status_code == 303 and started.headers["location"].startswith("/admin?started=")
        wait_for(lambda: app.state.jobs.running() is None, 60, "the re-index to finish")
        assert history.last(settings.index_dir).who == "page, key Registry desk"
        assert client.post("/admin/reindex", data={"source": "nope"}, headers={"Origin": "http://testserver"}
                           ).status_code == 404

    with TestClient(app) as reader:
        sign_in(reader, secrets["reader"])
        assert reader.get("/admin").status_code == 403
        assert reader.post("/admin/reindex", data={}, headers={"Origin": "http://testserver"}).status_code == 403
        assert "/admin" not in reader.get("/").text
