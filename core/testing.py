"""Helpers for a plugin's own tests (public through ``core.api``): a migrated platform with a small
tenant tree and the plugin switched on where the test says, on a throw-away SQLite file or the
database given as ``database_url``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from core.platform import Platform

# Three tenants: a province and two of its counties (Donghu, Xihu), as in the generated README.
SMALL_TREE = """version = 1

[[tenants]]
code = "360000"
name = "江西省"
name_en = "Jiangxi Province"
level = "province"

[[tenants]]
code = "360102"
parent = "360000"
name = "东湖区"
name_en = "Donghu District"
level = "county"

[[tenants]]
code = "360103"
parent = "360000"
name = "西湖区"
name_en = "Xihu District"
level = "county"
"""


def start_test_platform(tmp_path: Path, *, enable: dict[str, Iterable[str]] | None = None,
                        tree: str = SMALL_TREE, database_url: str | None = None) -> Platform:
    """A started platform on a fresh database: every installed branch migrated, ``tree`` applied, and
    each plugin of ``enable`` switched on at the tenant codes given. Close it with ``platform.close()``."""
    from core.db import Scope, migrate
    from core.platform import Platform
    from core.settings import load_settings
    from core.tenancy import loader
    from core.tenancy.service import set_plugin_state

    url = database_url or f"sqlite:///{tmp_path / 'test.db'}"
    p = Platform.start(load_settings(overrides={"database_url": url, "data_dir": str(tmp_path),
                                                "env": "test"}))
    migrate.upgrade(p.db, p.registry.migration_dirs())
    (tmp_path / "tree.toml").write_text(tree, encoding="utf-8")
    parsed, lines, path = loader.load_file(tmp_path / "tree.toml")
    p.refresh(force=True)
    loader.validate(parsed, lines, path, p.directory, p.settings)
    with p.db.transaction(Scope.system()) as s:
        loader.apply(s, parsed, p.directory, actor="test")
    p.refresh(force=True)
    for plugin, codes in (enable or {}).items():
        with p.db.transaction(Scope.system()) as s:
            for code in codes:
                tenant = p.directory.get(code)
                if tenant is None:
                    raise ValueError(f"no tenant {code!r} in the test tree")
                set_plugin_state(s, p.directory, tenant, plugin, "on", actor="test")
        p.refresh(force=True)
    return p


def app_for_tests(platform: Platform) -> Starlette:
    """The ASGI app on ``platform`` (use with ``starlette.testclient.TestClient``)."""
    from core.app import create_app

    return create_app(platform=platform)


