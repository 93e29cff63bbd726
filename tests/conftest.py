"""Test fixtures: a real database per test (SQLite file or PostgreSQL), real migrations, real HTTP.

The backend is chosen by GOVHALL_TEST_DATABASE_URL: unset, every test runs on SQLite and tests marked
``postgres`` are skipped (the run says so at the end); set to a PostgreSQL server URL, every test runs on
PostgreSQL. Each test gets a fresh copy of a template database that was migrated and loaded with
tenants/jiangxi.toml once per worker: copying a file (SQLite) or CREATE DATABASE ... TEMPLATE (PostgreSQL).
``demo_db_url`` / ``demo_platform`` / ``demo_client`` do the same with every plugin's demo data loaded.

A test during which the app logged an unhandled exception or answered 5xx fails (``_no_server_errors``);
a test that provokes a 5xx on purpose (a 503 from a health check) says so with
``@pytest.mark.server_errors_expected``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from core.platform import Platform
from core.settings import load_settings

PG_URL = os.environ.get("GOVHALL_TEST_DATABASE_URL", "").strip()

# A thread that holds a pooled connection and takes another fails the test (core.db.engine): the pool
# deadlock of issue #10, item 3, caught wherever it is written.
import core.db.engine as _engine  # noqa: E402
import core.logging as _logging  # noqa: E402

_logging.CACHE_LOGGERS = False  # capture_logs must see every logger, whichever test used it first

_engine.STRICT_NESTING = True
BACKEND = "postgresql" if PG_URL else "sqlite"
_counter = itertools.count()
_demo_data_dirs: dict[str, Path] = {}


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return f"govhall: database backend PostgreSQL ({PG_URL.rsplit('@', 1)[-1]})"
    return "govhall: database backend SQLite; PostgreSQL suite SKIPPED (GOVHALL_TEST_DATABASE_URL is unset)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL suite skipped: GOVHALL_TEST_DATABASE_URL is unset")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not PG_URL:
        terminalreporter.write_line(
            "govhall: the PostgreSQL suite was SKIPPED (GOVHALL_TEST_DATABASE_URL is unset); "
            "all other tests ran on SQLite.", yellow=True)


@pytest.fixture(autouse=True)
def _national_calendar() -> Iterator[None]:
    """Each test starts on the law + package calendar: a notice a test entered stays in its test."""
    from core import calendar, clock

    calendar.install(calendar.Calendar())
    clock.use(None)
    yield
    calendar.install(calendar.Calendar())
    clock.use(None)


@pytest.fixture(autouse=True)
def _no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if the app logged an unhandled exception or answered 5xx while it ran."""
    from core.logging import observe

    seen: list[str] = []

    def watch(level: str, event: Any) -> None:
        name = event.get("event")
        status = event.get("status")
        if name == "unhandled" or (name == "request" and isinstance(status, int) and status >= 500):
            seen.append(f"{name}: {event.get('method', '')} {event.get('path', '')} {status or ''} "
                        f"{event.get('exc_info', '')!r}"[:2000])

    stop = observe(watch)
    try:
        yield
    finally:
        stop()
    if seen and request.node.get_closest_marker("server_errors_expected") is None:
        pytest.fail("the app answered 5xx or logged an unhandled exception during this test "
                    "(mark it server_errors_expected if that is the point):\n" + "\n".join(seen),
                    pytrace=False)


def _pg_admin_url() -> str:
    from core.settings import normalise_db_url

    return normalise_db_url(PG_URL)


def _pg_url_for(name: str) -> str:
    base = _pg_admin_url()
    head, _, _db = base.rpartition("/")
    return f"{head}/{name}"


def _pg_exec(sql: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def make_platform(url: str, data_dir: Path, **overrides: Any) -> Platform:
    settings = load_settings(overrides={"database_url": url, "data_dir": str(data_dir), "env": "test",
                                        "watch_interval": 0.2, **overrides})
    return Platform.start(settings)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated database with the Jiangxi tree, copied for each test."""
    from core.db import Scope, migrate
    from core.demo import JIANGXI
    from core.tenancy import loader

    root = tmp_path_factory.mktemp("template")
    if PG_URL:
        name = f"govhall_tpl_{worker_id}_{uuid.uuid4().hex[:6]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = _pg_url_for(name)
    else:
        url = f"sqlite:///{root / 'template.db'}"
    platform = make_platform(url, root)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tree, lines, path = loader.load_file(JIANGXI)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        loader.apply(s, tree, platform.directory, actor="tests")
    platform.close()
    yield url
    if PG_URL:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test, with migrations applied and the Jiangxi tree loaded."""
    if PG_URL:
        name = f"govhall_t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:4]}"
        tpl = template_db.rsplit("/", 1)[1]
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
        yield _pg_url_for(name)
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        src = Path(template_db.removeprefix("sqlite:///"))
        dst = tmp_path / "govhall.db"
        shutil.copyfile(src, dst)
        yield f"sqlite:///{dst}"


@pytest.fixture(scope="session")
def demo_template_db(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A database as ``govhall serve --demo`` leaves it (migrations, the Jiangxi tree, every plugin's
    demo data) plus the supervision cards a later scan issues over it, made once per worker and copied
    for each test that asks for ``demo_db_url``."""
    from core.demo import load_demo

    root = tmp_path_factory.mktemp("demo_template")
    if PG_URL:
        name = f"govhall_demo_{worker_id}_{uuid.uuid4().hex[:6]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = _pg_url_for(name)
    else:
        url = f"sqlite:///{root / 'demo.db'}"
    platform = make_platform(url, root / "data")
    load_demo(platform, echo=lambda _line: None)
    from core import events

    while events.dispatch_pending(platform):  # what the worker does next (licences issue from events)
        pass
    if "supervision" in platform.registry.plugins:  # a scan well after the demo's deadlines: cards too
        from datetime import date

        from plugins.supervision import scan

        scan.run_scan(platform, today=date(2030, 1, 7))
    platform.close()
    _demo_data_dirs[url] = root / "data"
    yield url
    if PG_URL:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _copy_of(template_url: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    """A fresh copy of a template database, dropped afterwards (PostgreSQL) or left in tmp_path."""
    if PG_URL:
        name = f"{prefix}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:4]}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template_url.rsplit("/", 1)[1]}"')
        try:
            yield _pg_url_for(name)
        finally:
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        dst = tmp_path / f"{prefix}.db"
        shutil.copyfile(Path(template_url.removeprefix("sqlite:///")), dst)
        yield f"sqlite:///{dst}"


@pytest.fixture
def demo_db_url(demo_template_db: str, tmp_path: Path) -> Iterator[str]:
    with _copy_of(demo_template_db, tmp_path, "govhall_d") as url:
        yield url


@contextlib.contextmanager
def demo_platform_at(demo_template_db: str, tmp_path: Path) -> Iterator[Platform]:
    """A platform over a fresh copy of the demo database and its uploaded files (for module fixtures)."""
    with _copy_of(demo_template_db, tmp_path, "govhall_m") as url:
        shutil.copytree(_demo_data_dirs[demo_template_db], tmp_path / "data")
        p = make_platform(url, tmp_path / "data")
        try:
            yield p
        finally:
            p.close()


@pytest.fixture(scope="session")
def demo_platforms(demo_template_db: str) -> Any:
    """``demo_platforms(tmp_path)``: a context manager giving a platform over a fresh demo copy, for
    fixtures wider than one test (the API fuzz shares one across its operations)."""
    return lambda tmp_path: demo_platform_at(demo_template_db, tmp_path)


@pytest.fixture
def demo_platform(demo_db_url: str, demo_template_db: str, tmp_path: Path) -> Iterator[Platform]:
    shutil.copytree(_demo_data_dirs[demo_template_db], tmp_path / "data")  # the uploaded demo materials
    p = make_platform(demo_db_url, tmp_path / "data")
    yield p
    p.close()


@pytest.fixture
def demo_client(demo_platform: Platform) -> Iterator[TestClient]:
    """A client of the full app over the demo data (no one logged in)."""
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform), follow_redirects=False) as c:
        yield c


@pytest.fixture
def platform(db_url: str, tmp_path: Path) -> Iterator[Platform]:
    p = make_platform(db_url, tmp_path)
    yield p
    p.close()


@pytest.fixture
def app(platform: Platform) -> Any:
    from core.app import create_app

    return create_app(platform=platform)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``govhall ...`` in-process against this test's database; returns the click Result."""
    from core.cli import cli as root

    monkeypatch.setenv("GOVHALL_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVHALL_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(root, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist worker name, or 'main' when not distributed."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
