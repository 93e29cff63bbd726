"""Demo accounts for ``govhall serve --demo``: one of each kind of user, created idempotently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.access.grants import grant
from core.access.models import RoleGrant
from core.db import Scope
from core.identity.service import account_by_username, add_membership, create_account

DEMO_PASSWORD = "Govhall2026demo"

# username, kind, display name, id number, extra, (tenant code, role, subtree, department) or None
DEMO_ACCOUNTS: list[
    tuple[str, str, str, str | None, dict[str, str], tuple[str, str, bool, str | None] | None]
] = [
    ("citizen", "person", "张三", "360102199003071236", {}, None),
    (
        "enterprise",
        "legal",
        "南昌示例科技有限公司",
        "91360100MA35123453",
        {"representative_name": "李四", "representative_id": "360102198511124563"},
        None,
    ),
    (
        "donghu_handler",
        "staff",
        "王五（东湖区行政审批局）",
        None,
        {},
        ("360102", "item_handler", False, "xzspj"),
    ),
    (
        "nanchang_admin",
        "staff",
        "赵六（南昌市综合管理员）",
        None,
        {},
        ("360100", "comprehensive_admin", True, None),
    ),
    ("province_supervisor", "staff", "钱七（省电子监察）", None, {}, ("360000", "supervisor", True, None)),
    (
        "province_admin",
        "staff",
        "孙八（省综合管理员）",
        None,
        {},
        ("360000", "comprehensive_admin", True, None),  # the province manages its counties (#13 item 7)
    ),
]


def load_demo_accounts(platform: Any) -> list[tuple[str, str]]:
    """Create the demo accounts, memberships and grants that are missing; returns (username, password)."""
    directory = platform.directory
    for username, kind, name, id_number, extra, staff in DEMO_ACCOUNTS:
        with platform.db.transaction(Scope.system()) as s:
            account = account_by_username(s, username)
            if account is None:
                account = create_account(
                    s,
                    kind=kind,
                    username=username,
                    password=DEMO_PASSWORD,
                    display_name=name,
                    id_number=id_number,
                    **extra,
                )
            if staff is None:
                continue
            code, role, subtree, department = staff
            tenant = directory.get(code)
            if tenant is None:
                continue
            add_membership(s, account.id, tenant, department)
            held = s.scalar(
                select(RoleGrant.id).where(
                    RoleGrant.account_id == account.id,
                    RoleGrant.role == role,
                    RoleGrant.tenant_id == tenant.id,
                )
            )
            if held is None:
                grant(
                    s,
                    platform,
                    account_id=account.id,
                    role=role,
                    tenant=tenant,
                    subtree=subtree,
                    actor="demo",
                )
    return [(a[0], DEMO_PASSWORD) for a in DEMO_ACCOUNTS]


def demo_account_lines() -> list[str]:
    """What ``govhall serve --demo`` prints at start-up: each account, who it is and where it works."""
    lines = [f"demo accounts (password {DEMO_PASSWORD} for all; demo mode only):"]
    for username, kind, name, _id, _extra, staff in DEMO_ACCOUNTS:
        where = ""
        if staff is not None:
            code, role, subtree, _dept = staff
            where = f"  {role} at {code}{' and below' if subtree else ''}"
        lines.append(f"  {username:<20} {name} ({kind}){where}")
    return lines
