"""The staff page in a real browser: Playwright driving Debian's Chromium against a server on loopback."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from kmsearch.api import create_app
from kmsearch.ingest.pipeline import ingest
from tests.helpers import write_hostile_files, write_register

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (scripts/setup.sh)"),
]
sync_api = pytest.importorskip("playwright.sync_api")
PlaywrightError, PlaywrightTimeout = sync_api.Error, sync_api.TimeoutError
SHOTS = Path(os.environ.get("KMSEARCH_SCREENSHOTS", "")) if os.environ.get("KMSEARCH_SCREENSHOTS") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from kmsearch.config import Settings
    from kmsearch.testing import FAKE_MODEL, FakeEmbedder
    from tests.helpers import write_corpus

    root = tmp_path_factory.mktemp("browser")
    corpus = write_corpus(root / "corpus")
    write_hostile_files(corpus / "bulletins")
    write_register(corpus, "minutes/km-committee-2009-06.docx,KM/2009/7,KM committee minutes,minutes,2009-06-17,"
                           "Tshwane Building,3-02,KM1,1,Ms Sithole,km,\n")
    settings = Settings(index_dir=root / "index", model=FAKE_MODEL, ocr=False)
    embedder = FakeEmbedder()
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    keys = {"outsider": app.state.keys.add("Front desk", "reader")[1],
            "insider": app.state.keys.add("KM team", "reader", ("km",))[1],
            "librarian": app.state.keys.add("Registry", "librarian")[1]}
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", keys
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def signed_in(browser, base: str, key: str, page=None):
    page = page or browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base + "/")
    assert "/signin" in page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


def shoot(page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_shows_results_with_page_links(server, browser, tmp_path):
    base, keys = server
    page = signed_in(browser, base, keys["outsider"])
    page.get_by_label("Search the department's documents").fill("EDRMS recommendations records champions")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.hit")
    first = page.locator("li.hit").first
    assert "EDRMS Pilot Close-out Report" in first.locator("h3").inner_text()
    link = first.locator("a.page").first
    assert link.inner_text() == "p. 3" and re.search(r"/file\?query_id=\w+&rank=1#page=3$", link.get_attribute("href"))
    assert first.locator("mark").count() > 0
    shoot(page, "search", tmp_path)
    first.locator("h3 a").click()
    page.wait_for_selector("article.document")
    assert "EDRMS Pilot Close-out Report" in page.locator("h1").inner_text()
    shoot(page, "document", tmp_path)


def test_filters_narrow_the_results(server, browser):
    base, keys = server
    page = signed_in(browser, base, keys["outsider"])
    page.goto(base + "/?q=" + "mobile service units wards")
    before = page.locator("li.hit").count()
    page.get_by_label("presentation").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("li.hit")
    titles = page.locator("li.hit h3").all_inner_texts()
    assert before > 1 and titles == ["Mobile service units: results"]


def test_restricted_document_never_appears_for_an_outsider(server, browser, tmp_path):
    base, keys = server
    query = "/?q=committee approved the knowledge management strategy"
    outsider = signed_in(browser, base, keys["outsider"])
    outsider.goto(base + query)
    assert "Minutes of the KM Steering Committee" not in outsider.content()
    assert "km-committee" not in outsider.content()
    insider = signed_in(browser, base, keys["insider"])
    insider.goto(base + query)
    assert "Minutes of the KM Steering Committee" in insider.locator("li.hit h3").all_inner_texts()[0] or any(
        "KM Steering Committee" in t for t in insider.locator("li.hit h3").all_inner_texts())
    shoot(insider, "search-insider", tmp_path)


def test_keyboard_and_labels(server, browser):
    base, keys = server
    page = signed_in(browser, base, keys["outsider"])
    assert page.evaluate("document.activeElement.id") == "q"  # the search box has focus on arrival
    first = page.evaluate("document.querySelector('a[href], button, input:not([type=hidden]), select').textContent")
    assert first == "Skip to results"  # the first stop in tab order
    page.focus("a.skip")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for field in page.locator("input:not([type=hidden]), select").all():
        field_id, label = field.get_attribute("id"), field.get_attribute("aria-label")
        assert label or (field_id and page.locator(f"label[for={field_id}]").count() == 1)


def test_api_docs_render_offline(server, browser, tmp_path):
    """/docs as a new user on a machine without internet sees it: every request stays on the server, and Swagger
    UI draws the operations and its Authorize button."""
    base, keys = server
    page = signed_in(browser, base, keys["outsider"])  # the docs need a key (or the public_docs setting)
    outside: list[str] = []

    def only_loopback(route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(base + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 10
    assert page.locator("button.authorize").count() == 1
    assert "kmsearch" in page.locator(".info .title").first.inner_text()
    assert outside == []
    shoot(page, "api-docs", tmp_path)
    page.locator("button.authorize").click()
    schemes = page.locator(".auth-container h4").all_inner_texts()
    assert any("bearer" in s for s in schemes) and any("apiKey" in s for s in schemes), schemes
    page.goto(base + "/redoc")
    page.get_by_role("heading", name="Topic search: documents with their best passages").wait_for(timeout=30_000)
    assert outside == []  # ReDoc's logo from Redocly's CDN too: the page's security policy keeps it from loading


@pytest.mark.parametrize("title", ["Quarterly registry bulletin", "Shelving notes"])
def test_a_hostile_file_runs_no_script_at_the_apps_origin(server, browser, title):
    """A librarian, signed in, opens an HTML file (or a .txt whose bytes hold `<body><script>`) through the
    document page's link. Its script would store a mark in the app's localStorage, search with the librarian's
    session and start a re-index: none of it may happen. The file is saved, not shown."""
    base, keys = server
    context = browser.new_context(accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = signed_in(browser, base, keys["librarian"], page=context.new_page())
    page.goto(base + "/?q=" + title)
    page.locator("li.hit h3 a", has_text=title).first.click()
    page.wait_for_selector("article.document")
    link = page.get_by_role("link", name=re.compile("Open the original"))
    file_url = link.get_attribute("href")
    try:
        with page.expect_download(timeout=15_000) as saved:
            link.click()
    except PlaywrightTimeout:
        pytest.fail(f"the file was shown, not saved; requests its page made: {requests[-5:]}")
    assert saved.value.suggested_filename.endswith((".html", ".txt"))
    with pytest.raises(PlaywrightError, match="Download is starting"):
        page.goto(base + file_url)  # typed into the address bar: saved too
    page.goto(base + "/signin")  # back at the app's origin
    assert page.evaluate("localStorage.getItem('pwned')") is None
    assert not [url for url in requests if "pwned" in url or "/admin/reindex" in url]
    context.close()


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands (axe-playwright-python ships axe-core; nothing is fetched)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"]]


@pytest.mark.parametrize("path, name", [("/analytics", "analytics"), ("/audit", "audit")])
def test_the_librarians_pages_draw_their_charts_and_pass_axe(server, browser, tmp_path, path, name):
    base, keys = server
    page = signed_in(browser, base, keys["librarian"])
    for q in ("EDRMS file plan", "mobile service units", "records disposal"):
        page.goto(base + "/?q=" + q.replace(" ", "+"))
    for width, height, suffix in ((1280, 900, ""), (390, 844, "-390")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).count() == 1
        charts = page.locator("figure img")
        assert charts.count() >= 1
        for i in range(charts.count()):  # each SVG drew: the page's CSP lets a data: image through
            drawn = charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
            assert drawn, charts.nth(i).get_attribute("alt")
        assert page.locator("table.data caption").count() >= 1  # the figures beside the pictures
        wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                             f"{width} + 1).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide  # nothing wider than the screen
        assert axe_violations(page) == []
        shoot(page, name + suffix, tmp_path)


@pytest.mark.parametrize("path, name", [
    ("/?q=EDRMS+retreival&k=2", "search-suggestion"),
    ("/?q=the+committee+report+on+the+file+plan+and+mobile+units&k=2&sort=newest", "search-paged"),
    ("/who-knows?q=records+management+file+plan", "who-knows"),
    ("/where-is?q=the+KM+committee+minutes+of+June+2009", "where-is"),
])
def test_the_staff_pages_pass_axe_at_both_widths(server, browser, tmp_path, path, name):
    base, keys = server
    page = signed_in(browser, base, keys["insider"])
    for width, height, suffix in ((1280, 900, ""), (390, 844, "-390")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).count() == 1
        wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                             f"{width} + 1).map(e => e.tagName + '.' + e.className)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
        assert axe_violations(page) == []
        shoot(page, name + suffix, tmp_path)


def test_the_sign_in_page_passes_axe(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "/signin")
    assert axe_violations(page) == []


def test_the_catalogue_sorts_filters_and_passes_axe_at_both_widths(server, browser, tmp_path):
    """The librarian's catalogue: sorted by a column header's link (aria-sort follows), filtered by the labelled
    form, with nothing wider than a phone's screen and no axe violation at either width."""
    base, keys = server
    page = signed_in(browser, base, keys["librarian"])
    for width, height, suffix in ((1280, 900, ""), (390, 844, "-390")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + "/catalogue")
        assert page.get_by_role("heading", level=1).count() == 1
        page.get_by_role("link", name="Date").click()
        page.wait_for_url(re.compile(r"sort=date"))
        page.get_by_role("link", name=re.compile("^Date")).click()  # again: newest first
        page.wait_for_url(re.compile(r"order=desc"))
        assert page.locator("th[aria-sort]").all_inner_texts() == ["Date ▼"]
        assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
        dates = [d for d in page.locator("table.catalogue td.year").all_inner_texts() if d != "–"]
        assert dates == sorted(dates, reverse=True) and len(dates) >= 2
        wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                             f"{width} + 1).map(e => e.tagName + '.' + e.className)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
        assert axe_violations(page) == []
        shoot(page, "catalogue" + suffix, tmp_path)
    page.get_by_label("Type", exact=True).select_option("minutes")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"type=minutes"))
    assert page.locator("table.catalogue tbody th").all_inner_texts() == ["KM committee minutes"]
    assert "order=desc" in page.url  # the order is kept through the filter
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert "type=minutes" in href and "format=csv" in href
    reader = signed_in(browser, base, keys["insider"])
    assert reader.goto(base + "/catalogue").status == 403
    assert reader.get_by_role("link", name="Catalogue").count() == 0  # not in a reader's navigation


def test_the_admin_view_passes_axe_at_both_widths(server, browser, tmp_path):
    """Sources, failures and recent ingests, with the re-index buttons, for a librarian."""
    base, keys = server
    page = signed_in(browser, base, keys["librarian"])
    for width, height, suffix in ((1280, 900, ""), (390, 844, "-390")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + "/admin")
        assert page.get_by_role("heading", level=1).count() == 1
        assert page.get_by_role("button", name="Re-index every ingested folder now").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        shoot(page, "admin" + suffix, tmp_path)
