"""Fixtures of the supervision tests: the test plugin registered in-process, its table, people."""

from __future__ import annotations

from typing import Any

import pytest
import sv_test_plugin

from core.db import Scope


@pytest.fixture
def sv(platform: Any) -> Any:
    """The platform with the test plugin's rules and metrics registered and its table created."""
    platform.registry.add(sv_test_plugin)
    platform.refresh(force=True)
    sv_test_plugin.create_table(platform)
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
