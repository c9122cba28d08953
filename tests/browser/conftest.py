"""Browser fixtures: a live server per backend (uvicorn subprocess) and headless Chromium.

The server runs the real app in its own process over a database built by the real migrations,
loaded with the base data and demo users, and seeded with synthetic entities. It is
session-scoped and parametrized by the ``backend`` fixture of ``tests/conftest.py`` (SQLite and
PostgreSQL). Tests get a fresh browser context (cookies, storage) each, in one Chromium.

This folder is a package (``__init__.py``): pytest imports this file as ``browser.conftest``, and
``conftest`` stays ``tests/conftest.py`` for everyone. Without it, pytest would import this file as
``conftest`` too, replacing the root one in ``sys.modules`` (``from conftest import ...`` would then
fail here, and in test modules collected after this folder).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import build_database, database_url  # tests/conftest.py
from marketreg.app.demo import DEMO_PASSWORD
from marketreg.platform.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("MARKETREG_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--headless=new"]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
SEED_ENTITIES = 400
HOME_COUNTY = "370102"  # 历下区: the county demo users' jurisdiction tests need entities in


def _seed_home_county(sessions, n: int = 12) -> None:
    """A few entities in 历下区 whatever the random province draws (jurisdiction tests need them)."""
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    with sessions.read() as session:
        counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] == HOME_COUNTY]
        industries = reference.industry_leaves_by_section(session)
    rows = registry_seed.generate_entities(n, counties=counties, industries=industries, seed=77, start=10_000_000)
    registry_seed.insert_generated(sessions, rows)
STARTUP_TIMEOUT = 30.0
TIMEOUT_MS = 10_000
_CSP = re.compile(r"content security policy", re.IGNORECASE)


@dataclass(frozen=True)
class LiveServer:
    backend: str
    base_url: str
    engine: Engine  # the same database, for picking test data with SQL
    storage: Path  # the server's shared storage (uploads, attachments)

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(proc: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"live server exited with {proc.returncode}:\n{log.read_text(errors='replace')}",
                        pytrace=False)
        try:
            with urllib.request.urlopen(base_url + "/staff/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"live server did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text(errors='replace')}",
                pytrace=False)


@pytest.fixture(scope="session")
def live_server(backend, tmp_path_factory) -> Iterator[LiveServer]:
    """The app served by uvicorn in a subprocess; parametrized through ``backend`` (tests/conftest.py)."""
    from marketreg.app import demo
    from marketreg.platform.db import Sessions

    url = database_url(backend, tmp_path_factory, "browser")
    engine = build_database(url)
    sessions = Sessions(engine)
    _seed_home_county(sessions)
    demo.seed_entities(sessions, n=SEED_ENTITIES)  # also rebuilds the dashboard mart

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    storage = tmp_path_factory.mktemp(f"storage-{backend}")
    env = {**os.environ, "MARKETREG_DATABASE_URL": url, "MARKETREG_ENVIRONMENT": "test",
           "MARKETREG_TASK_BACKEND": "immediate", "MARKETREG_PUBLIC_RATE_LIMIT": "1000/minute",
           "MARKETREG_STORAGE_DIR": str(storage)}
    log = tmp_path_factory.mktemp(f"server-{backend}") / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "marketreg.app.main:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(proc, base_url, log)
        yield LiveServer(backend, base_url, engine, storage)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """Open browser contexts on the live server (closed after the test); keyword args go to Playwright."""
    opened = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.base_url, locale="zh-CN", **options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Uncaught script errors and CSP violations of the test's pages; any fails the test."""
    errors: list[str] = []
    yield errors
    assert not errors, errors


@pytest.fixture
def open_page(new_context, page_errors) -> Callable:
    """A new page in a new context; uncaught script errors and CSP violations are recorded."""

    def make(**options):
        page = new_context(**options).new_page()
        page.on("pageerror", lambda exc: page_errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: page_errors.append(f"console: {msg.text}")
                if msg.type == "error" and _CSP.search(msg.text) else None)
        return page

    return make


@pytest.fixture
def page(open_page):
    """A desktop-sized page in a fresh context."""
    return open_page(viewport={"width": 1366, "height": 900})


@pytest.fixture
def login() -> Callable:
    """Sign in through the staff login form and wait for the dashboard."""

    def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/staff/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action='/staff/login'] button[type=submit]")
        assert page.url.endswith("/staff/"), page.url

    return sign_in


@pytest.fixture
def menu() -> Callable:
    """Follow a menu entry: open its sector's menu (a ``<details>``), then click the link."""

    def follow(page, href: str) -> None:
        link = page.locator(f"nav details.menu a[href='{href}']")
        link.locator("xpath=ancestor::details[1]/summary").click()
        link.click()

    return follow


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
