"""Test factories for accounts, staff with grants, and logging a test client in."""

from __future__ import annotations

import itertools
import re
from typing import Any

from core.db import Scope

DEFAULT_PASSWORD = "Testpass2026x"
_seq = itertools.count(1)


def resident_id(n: int | None = None, region: str = "360102") -> str:
    """A valid resident ID number (checksum computed), distinct for each n."""
    from stdnum.cn import ric

    n = next(_seq) if n is None else n
    base = f"{region}1990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")  # it expects a check-digit position


def credit_code(n: int | None = None) -> str:
    """A valid unified social credit code, distinct for each n."""
    from stdnum.cn import uscc

    n = next(_seq) if n is None else n
    base = f"91360100MA{n % 10_000_000:07d}"
    return base + uscc.calc_check_digit(base)


def make_account(
    platform: Any,
    kind: str = "person",
    username: str | None = None,
    *,
    password: str = DEFAULT_PASSWORD,
    display_name: str | None = None,
    **fields: Any,
) -> Any:
    from core.identity.service import create_account

    n = next(_seq)
    username = username or f"{kind}{n}"
    if kind == "person":
        fields.setdefault("id_number", resident_id(n))
    elif kind == "legal":
        fields.setdefault("id_number", credit_code(n))
        fields.setdefault("representative_name", "法人代表")
        fields.setdefault("representative_id", resident_id(n + 5000))
    with platform.db.transaction(Scope.system()) as s:
        return create_account(
            s,
            kind=kind,
            username=username,
            password=password,
            display_name=display_name or f"测试{username}",
            **fields,
        )


def make_staff(
    platform: Any,
    username: str,
    tenant_code: str,
    role: str | None,
    department: str | None = None,
    subtree: bool = False,
) -> Any:
    """A staff account, member of ``tenant_code`` (and ``department``), granted ``role`` there."""
    from core.access.grants import grant
    from core.identity.service import add_membership

    account = make_account(platform, "staff", username)
    tenant = platform.directory.get(tenant_code)
    assert tenant is not None, tenant_code
    with platform.db.transaction(Scope.system()) as s:
        add_membership(s, account.id, tenant, department)
        if role:
            grant(
                s, platform, account_id=account.id, role=role, tenant=tenant, subtree=subtree, actor="tests"
            )
    return account


def actor_of(account: Any) -> Any:
    from core.identity.actor import Actor

    return Actor(
        account_id=account.id, kind=account.kind, display_name=account.display_name, username=account.username
    )


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token a page renders for this client (guest or logged in)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no csrf token on {path}: {page.status_code}"
    return match.group(1)


def login(client: Any, username: str, password: str = DEFAULT_PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    r = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"}
    )
    assert r.status_code == 303, (r.status_code, r.text[:500])
    return client
