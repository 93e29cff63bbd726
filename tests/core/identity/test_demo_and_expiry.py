"""Demo accounts are created idempotently and behave as the README says; expired sessions end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from core.access.models import RoleGrant
from core.db import Scope, utcnow
from core.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from core.identity.models import Account, LoginSession
from core.identity.sessions import SESSION_COOKIE, _cache
from tests.factories import actor_of, login, make_account


def test_demo_accounts_are_idempotent_and_scoped(platform):
    load_demo_accounts(platform)
    load_demo_accounts(platform)
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(Account)) == len(DEMO_ACCOUNTS)
        assert s.scalar(select(func.count()).select_from(RoleGrant)) == 4
        by_name = {a.username: a for a in s.scalars(select(Account))}
    d = platform.directory.get
    check = platform.access.check
    handler = actor_of(by_name["donghu_handler"])
    assert check(handler, d("360102"), "hall:account:self").allowed
    assert not check(handler, d("360103"), "hall:account:self").allowed
    nanchang = actor_of(by_name["nanchang_admin"])
    assert check(nanchang, d("360102"), "hall:roles:manage").allowed
    assert not check(nanchang, d("360200"), "hall:roles:manage").allowed
    supervisor = actor_of(by_name["province_supervisor"])
    assert check(supervisor, d("360102"), "hall:audit:view").allowed
    assert not check(supervisor, d("360102"), "hall:roles:manage").allowed
    admin = actor_of(by_name["province_admin"])
    assert check(admin, d("360000"), "hall:roles:manage").allowed
    assert check(admin, d("360102"), "hall:roles:manage").allowed  # a subtree grant works below it
    assert check(admin, d("360102"), "hall:plugins:manage").allowed


def test_demo_citizen_logs_in_with_the_published_password(client, platform):
    load_demo_accounts(platform)
    login(client, "citizen", DEMO_PASSWORD)
    assert client.get("/api/me").json()["kind"] == "person"


def test_an_expired_session_is_a_guest(client, platform):
    make_account(platform, "person", "expiring")
    login(client, "expiring")
    assert client.get("/api/me").status_code == 200
    with platform.db.transaction(Scope.system()) as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    _cache.clear()  # what the 1 s cache TTL does by itself
    assert client.get("/api/me").status_code == 401
    assert SESSION_COOKIE in client.cookies
