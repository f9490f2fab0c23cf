"""Screenshots of the staff page over an index (default: the sample corpus), for docs/.

Run by hand after `kmsearch ingest corpus/`: python scripts/screenshots.py [--index indexes/default] [--out docs/screenshots]
It serves the index on a loopback port, signs in with a fresh key that reads every group, and saves PNGs.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from kmsearch.api import create_app
from kmsearch.config import Settings

PAGES = [
    ("search", "/?q=what+do+we+know+about+mobile+service+delivery%3F"),
    ("search-filtered", "/?q=records+management&type=policy"),
    ("who-knows", "/who-knows?q=electronic+file+management"),
    ("where-is", "/where-is?q=the+report+of+the+2008+Canada+study+tour"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("indexes/default"))
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    app = create_app(Settings(index_dir=args.index))
    key_info, key = app.state.keys.add("screenshots", "reader", ("hr", "executive"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(base + "/signin")
            page.get_by_label("API key").fill(key)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base + "/")
            for name, path in PAGES:
                page.goto(base + path)
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=False)
            page.goto(base + PAGES[0][1])
            page.locator("li.hit h3 a").first.click()
            page.wait_for_selector("article.document")
            page.screenshot(path=str(args.out / "document.png"), full_page=False)
            browser.close()
    finally:
        app.state.keys.revoke(key_info.key_id)
        server.should_exit = True
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
