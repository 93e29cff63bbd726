"""Shared helpers of the interaction tests: codes captured from the SMS provider, tickets submitted and
moved through the services."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Scope
from plugins.interaction import guests, services
from plugins.interaction.schemas import TicketIn

SENT: list[tuple[str, str]] = []


@pytest.fixture
def codes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(phone, code) of every code sent during the test."""
    SENT.clear()
    real = guests._deliver

    def capture(platform: Any, tenant: Any, phone: str, code: str, key: str) -> None:
        SENT.append((phone, code))
        real(platform, tenant, phone, code, key)

    monkeypatch.setattr(guests, "_deliver", capture)
    return SENT


def ticket_in(**kw: Any) -> TicketIn:
    data = {
        "kind": "complaint",
        "title": "门口占道经营",
        "content": "夜间噪音扰民，请处理。",
        "name": "张三",
    } | kw
    return TicketIn.model_validate(data)


def submit(
    platform: Any,
    tenant_code: str = "360102",
    *,
    account_id: int | None = None,
    ip: str = "10.0.0.1",
    **kw: Any,
) -> tuple[Any, str]:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        t, key = services.submit(
            s, platform, tenant, ticket_in(**kw), account_id=account_id, ip=ip, actor="tests"
        )
        return t, key


def wide(platform: Any, code: str = "360102") -> Any:
    t = platform.directory.get(code)
    parent = platform.directory.by_id.get(t.parent_id)
    return Scope.below(parent.id, parent.path)


def load(platform: Any, ticket_id: int, code: str = "360102") -> Any:
    tenant = platform.directory.get(code)
    with platform.db.session(tenant.scope) as s:
        return services.get(s, tenant, ticket_id)
