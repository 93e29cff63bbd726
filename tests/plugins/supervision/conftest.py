"""Fixtures of the supervision tests: the test plugin registered in-process, its table, people."""

from __future__ import annotations

from typing import Any

import pytest
import sv_test_plugin

from core.db import Scope


@pytest.fixture
def sv_with_others(platform: Any) -> Any:
    """The platform with the test plugin's rules and metrics registered and its table created, beside
    every installed plugin (approval, credit) and their own rules."""
    platform.registry.add(sv_test_plugin)
    platform.refresh(force=True)
    sv_test_plugin.create_table(platform)
    return platform


@pytest.fixture
def sv(sv_with_others: Any) -> Any:
    """As ``sv_with_others``, with the other rule-contributing plugins switched off at the province, so
    the cards and dashboards hold only what the test plugin found (and a scan stays quick)."""
    from core.tenancy.service import set_plugin_state

    platform = sv_with_others
    with platform.db.transaction(Scope.system()) as s:
        for plugin in sorted(set(platform.registry.plugins) - {"hall", "supervision", sv_test_plugin.NAME},
                             key=lambda n: n != "credit"):  # dependants first
            if plugin in platform.enabled(platform.directory.get("360000")):
                set_plugin_state(s, platform.directory, platform.directory.get("360000"), plugin, "off",
                                 actor="tests")
    platform.refresh(force=True)
    return platform


@pytest.fixture
def sv_client(sv: Any) -> Any:
    from starlette.testclient import TestClient

    from core.app import create_app

    with TestClient(create_app(platform=sv), follow_redirects=False) as c:
        yield c


def set_setting(platform: Any, code: str, key: str, value: Any) -> None:
    from core.tenancy.service import set_tenant_setting

    with platform.db.transaction(Scope.system()) as s:
        set_tenant_setting(s, platform.directory.get(code), key, value, actor="tests")
    platform.refresh(force=True)
