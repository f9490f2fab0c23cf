"""The staff page's results (issue 16, point 1): numbered pages with shareable links, sort by date, several types
at once, an author filter, filters kept across a new query, and crossed dates explained."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from kmsearch.api import create_app
from kmsearch.ingest.pipeline import ingest
from tests.helpers import sign_in


@pytest.fixture
def page(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    client = TestClient(app)
    sign_in(client, app.state.keys.add("Registry", "librarian")[1])

    def get(**params):
        answer = client.get("/", params=params)
        assert answer.status_code == 200, answer.text
        return unescape(answer.text)

    return get, client


def titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/documents/[^"]+">([^<]+)</a></h3>', html)


def test_results_come_in_numbered_pages_with_links_that_keep_the_search(page):
    get, client = page
    first = get(q="the committee report on the file plan and mobile units", k=2)
    heading = re.search(r'id="results-title">([^<]+)<', first).group(1)
    assert "page 1 of 2" in heading and len(titles(first)) == 2, heading
    links = {n: h for h, n in re.findall(r'<a href="(/\?[^"]+)"\s+(?:aria-current="page"\s+)?aria-label="Page (\d)"',
                                         first)}
    assert set(links) == {"1", "2"} and "k=2" in links["2"] and "page=2" in links["2"]
    second = unescape(client.get(links["2"]).text)
    assert "page 2 of 2" in second and not set(titles(second)) & set(titles(first))
    assert 'rel="prev"' in second and 'rel="next"' in first


def test_newest_and_oldest_first(page):
    get, _ = page
    query = "the committee report on the file plan and mobile units"
    newest, oldest = titles(get(q=query, sort="newest")), titles(get(q=query, sort="oldest"))
    dated = ["EDRMS Pilot Close-out Report", "KM Steering Committee minutes 17 June 2009"]  # 2011, 2009
    assert [t for t in newest if t in dated] == dated and [t for t in oldest if t in dated] == dated[::-1]
    assert set(newest) == set(oldest) == set(titles(get(q=query)))


def test_several_types_and_an_author(page):
    get, _ = page
    query = "the committee report on the file plan and mobile units"
    both = titles(get(q=query, type=["minutes", "presentation"]))
    assert sorted(both) == ["KM Steering Committee minutes 17 June 2009", "Mobile service units: results"]
    assert titles(get(q=query, author="Dlamini")) == ["Mobile service units: results"]


def test_a_new_query_keeps_the_filters_and_the_order(page):
    get, _ = page
    html = get(q="file plan", type="report", date_from="2010", sort="newest")
    start = html.index('<form role="search"')
    box = html[start:html.index("</form>", start)]
    assert {(n, v) for n, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', box)} == {
        ("type", "report"), ("date_from", "2010"), ("sort", "newest")}


def test_crossed_dates_are_explained(page):
    get, _ = page
    html = get(q="file plan", date_from="2012", date_to="2005")
    assert "is after “To” (2005), so no date can match" in html and titles(html) == []


def test_nonsense_is_no_strong_match(page, settings):
    get, client = page
    html = get(q="file plan", page=20)  # past the last page: said so, not "no match"
    assert "past the last" in html


def test_where_is_shows_the_share_path_and_a_location_card(corpus, settings, embedder):
    from tests.helpers import write_register

    write_register(corpus, "reports/edrms-pilot.pdf,DGPSI/2011/3,EDRMS pilot close-out,report,2011-11-30,"
                           "Tshwane Building,B-07,C4,1,Ms Pretorius,,\n")
    ingest([corpus], settings, embedder)
    root = str(corpus.parent) + "/"
    app = create_app(settings.replace(path_display={root: "\\\\registry\\archive\\"}), embedder=embedder)
    client = sign_in(TestClient(app), app.state.keys.add("Desk", "reader")[1])
    html = unescape(client.get("/where-is", params={"q": "the EDRMS pilot close-out report"}).text)
    assert "\\\\registry\\archive\\corpus\\reports\\edrms-pilot.pdf" in html and root not in html
    card = html[html.index('<dl class="card'):html.index("</dl>")]
    assert "Tshwane Building · room B-07 · cabinet C4 · shelf 1" in card and "Ms Pretorius" in card
