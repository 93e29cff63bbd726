"""Browser tests: Playwright for Python driving Debian's Chromium against a real ``govhall serve --demo``.

Each test module gets its own server (a subprocess on a free loopback port, its own SQLite file through
GOVHALL_DATABASE_URL and GOVHALL_DATA_DIR). Nothing is downloaded: the browser is the system's
``chromium`` (apt package); when it or the ``playwright`` package is missing, the tests are skipped
and the run says so at the end. Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_skip_reason: list[str] = []


def _chromium() -> str | None:
    """The system Chromium; ``GOVHALL_CHROMIUM`` names another executable (or a missing one, to skip)."""
    env = os.environ.get("GOVHALL_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def _why_skip() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install -e '.[test]')"
    if _chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e = [i for i in items if "e2e" in i.keywords]
    if not e2e:
        return
    reason = _why_skip()
    if reason is None:
        return
    _skip_reason.append(reason)
    marker = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in e2e:
        item.add_marker(marker)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _skip_reason:
        terminalreporter.write_line(f"govhall: the browser (e2e) tests were SKIPPED: {_skip_reason[0]}.",
                                    yellow=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_database(create: bool, name: str) -> str:
    """Create or drop a database on the test PostgreSQL server; returns its URL."""
    from sqlalchemy import create_engine

    from core.settings import normalise_db_url

    admin = normalise_db_url(os.environ["GOVHALL_TEST_DATABASE_URL"].strip())
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' if create else
                             f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()
    return admin.rpartition("/")[0] + "/" + name


SERVE_TIMEOUT = 300

class Server:
    """A ``govhall serve --demo`` subprocess and a helper to run other ``govhall`` commands on its DB.

    Its database is a fresh SQLite file, or a fresh PostgreSQL database when the suite runs on
    PostgreSQL (GOVHALL_TEST_DATABASE_URL), so the browser tests exercise the backend under test."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pg_name = ""
        db_url = f"sqlite:///{tmp / 'govhall.db'}"
        if os.environ.get("GOVHALL_TEST_DATABASE_URL", "").strip():
            self.pg_name = f"govhall_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            db_url = _pg_database(True, self.pg_name)
        self.env = {**os.environ, "GOVHALL_DATABASE_URL": db_url,
                    "GOVHALL_DATA_DIR": str(tmp), "GOVHALL_WATCH_INTERVAL": "0.2", "PYTHONPATH": str(ROOT)}
        self.env.pop("GOVHALL_SETTINGS_FILE", None)
        self.log = (tmp / "server.log").open("w")
        self.proc: subprocess.Popen[bytes] | None = None

    def govhall(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"govhall {' '.join(args)} failed: {out.stdout}\n{out.stderr}")
        return out.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve", "--demo", "--host", "127.0.0.1", "--port",
             str(self.port)], cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        # The demo of every plugin loads before the first answer: seconds on an idle machine, minutes when
        # the machine's cores are shared with other suites.
        deadline = time.monotonic() + SERVE_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"govhall serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"govhall serve did not answer within {SERVE_TIMEOUT} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        if self.pg_name:
            _pg_database(False, self.pg_name)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("e2e"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) at desktop size; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot(pg, f"FAILED-{request.node.name}")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep  # type: ignore[attr-defined]


@pytest.fixture
def screenshot() -> Any:
    """``screenshot(page, name)`` saves test-artifacts/<name>.png and returns its path."""
    return shot


def shot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
