"""Shared helpers of the openness tests: requests made and moved through the services."""

from __future__ import annotations

from typing import Any

from plugins.openness import services
from plugins.openness.schemas import DisclosureIn, DisclosureRegisterIn


def request_in(**kw: Any) -> dict[str, Any]:
    return {
        "requester_name": "张三",
        "phone": "13800138000",
        "description": "2026年老旧小区改造项目清单。",
    } | kw


def online(platform: Any, code: str = "360102", account_id: int | None = None, **kw: Any) -> Any:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return services.submit_online(
            s,
            platform,
            tenant,
            DisclosureIn.model_validate(request_in(**kw)),
            account_id=account_id or _citizen(platform),
            actor="tests",
        )


def registered(platform: Any, code: str = "360102", **kw: Any) -> Any:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return services.register(
            s, platform, tenant, DisclosureRegisterIn.model_validate(request_in(**kw)), actor="tests"
        )


def act(platform: Any, request_id: int, fn: Any, *args: Any, code: str = "360102") -> Any:
    """Run ``fn(session, platform, tenant, row, version, *args)`` on the request, committed."""
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        row = services.get(s, tenant, request_id)
        fn(s, platform, tenant, row, row.version, *args)
        return row


def load(platform: Any, request_id: int, code: str = "360102") -> Any:
    tenant = platform.directory.get(code)
    with platform.db.session(tenant.scope) as s:
        return services.get(s, tenant, request_id)


def _citizen(platform: Any) -> int:
    from factories import make_account

    return int(make_account(platform, "person").id)
