"""A vendor's plugin, for real: built and installed with pip from tests/vendor_plugin (its own
distribution), migrated with ``govhall migrate`` in another process, switched on for one county, used
through HTTP, switched off: it vanishes and its data stays.

The package is installed into a temporary target directory put on sys.path (and PYTHONPATH for the
subprocesses) rather than into the venv, so the run leaves nothing behind.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from starlette.testclient import TestClient

from core.db import Scope
from core.platform import Platform
from core.registry import DECLARED
from core.settings import SettingsError, load_settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENDOR_SRC = REPO / "tests" / "vendor_plugin"
PG = bool(os.environ.get("GOVHALL_TEST_DATABASE_URL"))


def pip_install(src: Path, target: Path, work: Path) -> None:
    """Build and install ``src`` into ``target`` offline (a copy is built so the tree stays clean)."""
    build = work / f"src-{src.name}"
    shutil.copytree(src, build, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(build)], check=True, timeout=300)


def unload(package: str, target: Path) -> None:
    """Forget the package: off sys.path, out of sys.modules, its tables out of the shared metadata."""
    from core.db import Base

    for mapper in Base.registry.mappers:
        table = getattr(mapper.class_, "__table__", None)
        if mapper.class_.__module__.startswith(package + ".") and table is not None \
                and table.name in Base.metadata.tables:
            Base.metadata.remove(table)
    while str(target) in sys.path:
        sys.path.remove(str(target))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture(scope="module")
def vendor_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("vendor")
    target = work / "site"
    pip_install(VENDOR_SRC, target, work)
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    unload("govhall_vendor_demo", target)


def govhall(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the real ``govhall`` command in another process."""
    exe = Path(sys.executable).with_name("govhall")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from core.cli import main; main()"]
    return subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def vendor_env(vendor_site: Path, db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_")}
    env.update(GOVHALL_DATABASE_URL=db_url, GOVHALL_DATA_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(vendor_site), str(REPO), env.get("PYTHONPATH", "")]))
    return env


def start(db_url: str, tmp_path: Path, **overrides: Any) -> Platform:
    return Platform.start(load_settings(overrides={"database_url": db_url, "data_dir": str(tmp_path),
                                                   "env": "test", **overrides}))


def _notes(platform: Platform) -> list[tuple[str, str]]:
    with platform.db.session(Scope.system()) as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT title, tenant_path FROM vendor_demo_notes ORDER BY id"))]  # type: ignore[misc]


def test_vendor_plugin_round_trip(vendor_env, db_url, tmp_path, cli, monkeypatch):
    # installed: the entry point is found in another process, with its distribution
    listed = govhall(["plugins", "list", "--json"], vendor_env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["plugin"]: r for r in json.loads(listed.stdout)}
    assert rows["vendor_demo"]["distribution"] == "govhall-vendor-demo"
    assert rows["vendor_demo"]["version"] == "1.0.0"
    # written with core.api.declare_plugin: its hooks are the declared ones, nothing hand-written
    plugin_module = importlib.import_module("govhall_vendor_demo.plugin")
    assert {"govhall_plugin_info", "govhall_routes", "govhall_api_routes", "govhall_menu_entries",
            "govhall_settings"} <= set(getattr(plugin_module, DECLARED))

    # migrated: its branch is applied next to the core's
    migrated = govhall(["migrate"], vendor_env)
    assert migrated.returncode == 0, migrated.stderr
    assert "vendor_demo_0001" in migrated.stdout
    platform = start(db_url, tmp_path)
    assert "vendor_demo_notes" in inspect(platform.db.engine).get_table_names()
    assert "vendor_demo:note:create" in platform.registry.permissions
    assert "vendor_demo:note:create" in platform.registry.roles["item_handler"].permissions

    # switched on for Donghu only (in another process)
    on = govhall(["plugins", "enable", "vendor_demo", "--tenant", "360102"], vendor_env)
    assert on.returncode == 0, on.stderr
    donghu, xihu = platform.directory.get("360102"), platform.directory.get("360103")
    from govhall_vendor_demo import services

    with platform.db.transaction(donghu.scope) as s:
        services.add_note(s, donghu, title="停水通知", body="明日 9:00-12:00")
    with platform.db.transaction(xihu.scope) as s:  # data may exist where the plugin is off
        services.add_note(s, xihu, title="西湖告示")

    from core.app import create_app

    with TestClient(create_app(platform=platform), follow_redirects=False) as c:
        page = c.get("/t/360102/vendor_demo/")
        assert page.status_code == 200
        assert "便民告示" in page.text and "欢迎查看便民告示" in page.text and "停水通知" in page.text
        assert "西湖告示" not in page.text  # the session scope keeps Xihu's row out
        assert c.get("/t/360103/vendor_demo/").status_code == 404
        assert 'data-plugin="vendor_demo"' in c.get("/t/360102/").text
        assert 'data-plugin="vendor_demo"' not in c.get("/t/360103/").text
        api = c.get("/api/t/360102/vendor_demo/notes")
        assert api.status_code == 200 and [n["title"] for n in api.json()["items"]] == ["停水通知"]
        assert c.get("/api/t/360103/vendor_demo/notes").status_code == 404
        # the permission is enforced: a guest may read but not publish
        refused = c.post("/api/t/360102/vendor_demo/notes", json={"title": "x"})
        assert refused.status_code in (401, 403)
        assert "error" in refused.json()
        assert page.headers["content-type"].startswith("text/html")
        # ... and the core role it extends may: an item handler of Donghu publishes with a bearer token
        from tests.factories import DEFAULT_PASSWORD, make_staff

        make_staff(platform, "vendor_clerk", "360102", "item_handler")
        login = c.post("/api/login", json={"username": "vendor_clerk", "password": DEFAULT_PASSWORD,
                                           "mode": "token"})
        assert login.status_code in (200, 201), login.text
        bearer = {"Authorization": f"Bearer {login.json()['token']}"}
        made = c.post("/api/t/360102/vendor_demo/notes", json={"title": "开放通知"}, headers=bearer)
        assert made.status_code == 201, made.text
        bad = c.post("/api/t/360102/vendor_demo/notes", json={"title": ""}, headers=bearer)
        assert bad.status_code == 422 and "title" in bad.json()["error"]["fields"]
        # the grant is Donghu's only
        elsewhere = c.post("/api/t/360103/vendor_demo/notes", json={"title": "x"}, headers=bearer)
        assert elsewhere.status_code == 404
        c.cookies.clear()

        # switched off: it vanishes, its data is kept
        off = cli("plugins", "disable", "vendor_demo", "--tenant", "360102")
        assert off.exit_code == 0, off.output
        platform.refresh()
        assert c.get("/t/360102/vendor_demo/").status_code == 404
        assert c.get("/api/t/360102/vendor_demo/notes").status_code == 404
        assert 'data-plugin="vendor_demo"' not in c.get("/t/360102/").text
        assert sorted(t for t, _p in _notes(platform)) == ["停水通知", "开放通知", "西湖告示"]

        # back on: the same data is there again (enabling ran no DDL)
        tables = sorted(inspect(platform.db.engine).get_table_names())
        assert cli("plugins", "enable", "vendor_demo", "--tenant", "360102").exit_code == 0
        platform.refresh()
        assert "停水通知" in c.get("/t/360102/vendor_demo/").text
        assert sorted(inspect(platform.db.engine).get_table_names()) == tables

    # its per-tenant setting is declared, shown with its origin, and validated
    shown = {r["key"]: r for r in json.loads(cli("settings", "show", "--tenant", "360102", "--json").output)}
    assert shown["vendor_demo.greeting"]["origin"] == "default"
    monkeypatch.setenv("GOVHALL_VENDOR_DEMO__GREETING", "长" * 101)
    with pytest.raises(SettingsError, match="vendor_demo.greeting"):
        start(db_url, tmp_path)
    monkeypatch.delenv("GOVHALL_VENDOR_DEMO__GREETING")

    # moving Donghu under Jingdezhen moves its notices with it
    assert cli("tenants", "move", "360102", "--to", "360200").exit_code == 0
    assert dict(_notes(platform))["停水通知"] == "360000/360200/360102"
    platform.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG, reason="row-level security exists on PostgreSQL only")
def test_vendor_table_row_level_security(vendor_env, db_url, tmp_path):
    """Raw SQL that bypasses the ORM guard still sees only its scope's rows of the plugin's table."""
    assert govhall(["migrate"], vendor_env).returncode == 0
    platform = start(db_url, tmp_path)
    donghu, xihu = platform.directory.get("360102"), platform.directory.get("360103")
    with platform.db.transaction(Scope.system()) as s:
        for t in (donghu, xihu):
            s.execute(text("INSERT INTO vendor_demo_notes (title, body, created_at, tenant_id, tenant_path) "
                           "VALUES (:t, '', now(), :i, :p)"), {"t": t.code, "i": t.id, "p": t.path})
    with platform.db.transaction(donghu.scope) as s:
        seen = [r[0] for r in s.execute(text("SELECT title FROM vendor_demo_notes"))]
        assert seen == ["360102"]
    from sqlalchemy.exc import ProgrammingError

    with pytest.raises(ProgrammingError, match="row-level security"), \
            platform.db.transaction(donghu.scope) as s:
        s.execute(text("INSERT INTO vendor_demo_notes (title, body, created_at, tenant_id, tenant_path) "
                       "VALUES ('forged', '', now(), :i, :p)"), {"i": xihu.id, "p": xihu.path})
    assert [t for t, _p in _notes(platform)].count("forged") == 0
    platform.close()
