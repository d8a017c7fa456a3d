"""Building the site once per test session, for the site and browser tests."""

from __future__ import annotations

import functools
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner
from conftest import copy_data

from scorer.cli import main

_built: dict[str, Path] = {}

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# The demo site is built for a project site of GitHub Pages, which serves it under a sub-path.
PUBLIC_URL = "https://so-tttt-phutho.github.io/cqdt/"
PAGES_PREFIX = "/cqdt"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def run_cqdt(*args: str):
    """Run the CLI in-process and fail loudly with its output."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def record_calls(monkeypatch, owner, name: str, note: Callable[..., object]) -> list:
    """Replace owner.name with a spy that appends note(*args) of each call, then calls through."""
    noted: list = []
    original = getattr(owner, name)

    def spy(*args):
        noted.append(note(*args))
        return original(*args)

    monkeypatch.setattr(owner, name, spy)
    return noted


def build(data: Path, output: Path, *extra: str) -> Path:
    run_cqdt("--data", data, "build", "--output", output, *extra)
    return output


def demo_site(tmp_path_factory) -> tuple[Path, Path]:
    """(data root, output) of the repository's data built once per session, for PUBLIC_URL."""
    if "demo" not in _built:
        base = tmp_path_factory.mktemp("site")
        data = copy_data(base / "data")
        saved = os.environ.get("CQDT_PUBLIC_URL")
        os.environ["CQDT_PUBLIC_URL"] = PUBLIC_URL
        try:
            _built["demo"] = build(data, base / "output")
        finally:
            if saved is None:
                del os.environ["CQDT_PUBLIC_URL"]
            else:
                os.environ["CQDT_PUBLIC_URL"] = saved
        _built["demo-data"] = data
    return _built["demo-data"], _built["demo"]


@functools.lru_cache(maxsize=16)
def scores(data: Path, year: int) -> dict:
    """`cqdt score --format json` of a year, parsed (once per data root and year; do not change it)."""
    return json.loads(run_cqdt("--data", data, "score", "--year", str(year), "--format", "json").output)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, *args) -> None:
        pass


class PagesHandler(QuietHandler):
    """Serves a folder as GitHub Pages serves a project site: under PAGES_PREFIX, and the
    site's 404.html (status 404) at any address it does not have."""

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PAGES_PREFIX or path.startswith(PAGES_PREFIX + "/"):
            self.path = self.path[len(PAGES_PREFIX):] or "/"
            found = Path(self.translate_path(self.path))
            if found.is_file() or (found / "index.html").is_file():
                return super().send_head()
        page = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)


@contextmanager
def serve(directory: Path, handler: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) while the block runs; yields its base URL
    (with PagesHandler: the site's address under PAGES_PREFIX)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        prefix = PAGES_PREFIX if handler is PagesHandler else ""
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def tab(browser, width: int) -> Iterator:
    """A Vietnamese-locale page `width` pixels wide; on leaving, fails on any console error,
    uncaught script error or failed request it saw (in `page.problems`: a test expecting one
    removes it)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    page.problems = problems
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    try:
        yield page
    finally:
        context.close()
    assert problems == []
