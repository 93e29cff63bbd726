"""Login, sessions, logout, CSRF, throttling and API tokens through real HTTP on the ASGI app."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.audit import AuditEntry
from core.db import Scope
from core.identity import throttle
from core.identity.models import LoginSession
from core.identity.sessions import SESSION_COOKIE, digest
from tests.conftest import make_platform
from tests.factories import DEFAULT_PASSWORD, csrf_token, login, make_account


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(throttle, "DELAY_STEP", 0.0)


def _post_login(client, username, password, next_="/"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": next_}
    )


def test_login_sets_a_hardened_session_cookie_and_stores_only_its_hash(client, platform):
    make_account(platform, "person", "citizen1")
    r = _post_login(client, "citizen1", DEFAULT_PASSWORD, "/t/360102/")
    assert r.status_code == 303 and r.headers["location"] == "/t/360102/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie
    raw = client.cookies[SESSION_COOKIE]
    with platform.db.session(Scope.system()) as s:
        hashes = list(s.scalars(select(LoginSession.token_hash)))
    assert digest(raw) in hashes and raw not in hashes


def test_secure_cookie_when_served_over_https(db_url, tmp_path):
    p = make_platform(db_url, tmp_path, https=True)
    from core.app import create_app

    make_account(p, "person", "citizen2")
    with TestClient(create_app(platform=p), follow_redirects=False) as c:
        r = _post_login(c, "citizen2", DEFAULT_PASSWORD)
        assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_and_unknown_account_get_the_same_answer(client, platform):
    make_account(platform, "person", "citizen3")
    wrong = _post_login(client, "citizen3", "Wrongpass2026")
    missing = _post_login(client, "nobody-here", "Wrongpass2026")
    assert wrong.status_code == missing.status_code == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in missing.text
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_must_be_a_local_path(client, platform, target):
    make_account(platform, "person", "citizen4")
    r = _post_login(client, "citizen4", DEFAULT_PASSWORD, target)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_session_is_rotated_at_login(client, platform):
    make_account(platform, "person", "citizen5")
    login(client, "citizen5")
    planted = client.cookies[SESSION_COOKIE]
    login(client, "citizen5")
    assert client.cookies[SESSION_COOKIE] != planted
    with platform.db.session(Scope.system()) as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == digest(planted)))
    assert row.revoked_at is not None


def test_one_login_works_in_every_hall_with_the_same_actor(client, platform):
    make_account(platform, "person", "citizen6", display_name="赵钱孙")
    login(client, "citizen6")
    for code in ("360000", "360100", "360102", "360200"):
        page = client.get(f"/t/{code}/")
        assert page.status_code == 200 and "赵钱孙" in page.text
    assert client.get("/api/me").json()["username"] == "citizen6"


def test_a_stolen_cookie_stops_working_after_logout(app, client, platform):
    make_account(platform, "person", "citizen7")
    login(client, "citizen7")
    stolen = client.cookies[SESSION_COOKIE]
    with TestClient(app, follow_redirects=False) as thief:
        thief.cookies.set(SESSION_COOKIE, stolen)
        assert thief.get("/api/me").status_code == 200
        token = csrf_token(client, "/t/360102/")
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert thief.get("/api/me").status_code == 401
        assert "citizen7" not in thief.get("/t/360102/").text


def test_logout_with_a_wrong_csrf_token_changes_nothing(client, platform):
    make_account(platform, "person", "citizen8")
    login(client, "citizen8")
    r = client.post("/logout", data={"csrf_token": "0" * 64})
    assert r.status_code == 403
    assert client.get("/api/me").status_code == 200
    r = client.post("/logout", data={})
    assert r.status_code == 403 and client.get("/api/me").status_code == 200


def test_repeated_failures_slow_down_then_lock_and_are_audited(client, platform):
    make_account(platform, "person", "citizen9")
    keys = throttle.keys_for("citizen9", "testclient")
    for _ in range(throttle.LOCK_AFTER["account"]):
        assert _post_login(client, "citizen9", "Wrongpass2026").status_code == 401
    with platform.db.session(Scope.system()) as s:
        assert throttle.verdict(s, keys).locked_until is not None
    locked = _post_login(client, "citizen9", DEFAULT_PASSWORD)  # even the right password waits
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    for _ in range(throttle.LOCK_AFTER["account"]):
        _post_login(client, "ghost-account", "Wrongpass2026")
    ghost = _post_login(client, "ghost-account", "Wrongpass2026")
    assert ghost.status_code == 429 and "登录失败次数过多" in ghost.text  # the same answer: nothing revealed
    with platform.db.session(Scope.system()) as s:
        targets = list(s.scalars(select(AuditEntry.target).where(AuditEntry.action == "login.locked")))
    assert "account:citizen9" in targets and "account:ghost-account" in targets


def test_delay_grows_after_a_few_failures(platform, monkeypatch):
    monkeypatch.setattr(throttle, "DELAY_STEP", 0.25)
    keys = throttle.keys_for("someone", "10.9.9.9")
    delays = []
    for _ in range(6):
        with platform.db.transaction(Scope.system()) as s:
            throttle.record_failure(s, keys, address="10.9.9.9")
        with platform.db.session(Scope.system()) as s:
            delays.append(throttle.verdict(s, keys).delay)
    assert delays[0] == 0 and delays[-1] > delays[3] > 0


def test_api_login_session_and_token(client, platform):
    make_account(platform, "staff", "apistaff")
    r = client.post("/api/login", json={"username": "apistaff", "password": DEFAULT_PASSWORD})
    assert r.status_code == 200 and r.json()["mode"] == "session" and SESSION_COOKIE in client.cookies
    client.cookies.clear()
    r = client.post(
        "/api/login",
        json={
            "username": "apistaff",
            "password": DEFAULT_PASSWORD,
            "mode": "token",
            "token_name": "ci",
            "scopes": ["hall:hall:view"],
            "days": 7,
        },
    )
    assert r.status_code == 201
    token = r.json()["token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["token_scopes"] == ["hall:hall:view"]
    bad = client.get("/api/me", headers={"Authorization": "Bearer ghx_wrong"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthenticated"


def test_api_login_errors_use_the_json_error_shape(client, platform):
    r = client.post("/api/login", json={"username": "x"})
    assert r.status_code == 422 and "password" in r.json()["error"]["fields"]
    r = client.post("/api/login", json={"username": "nobody", "password": "Wrongpass2026"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "login_failed"
    r = client.post("/api/login", data={"username": "nobody", "password": "x"})
    assert r.status_code == 422


def test_tokens_cli_create_list_revoke(cli, client, platform):
    make_account(platform, "staff", "tokenstaff")
    created = cli(
        "tokens", "create", "tokenstaff", "--name", "robot", "--scope", "hall:hall:view", "--days", "5"
    )
    assert created.exit_code == 0, created.output
    raw = created.output.strip().splitlines()[-1]
    assert raw.startswith("ghx_")
    listed = cli("tokens", "list", "tokenstaff")
    assert "robot" in listed.output and "active" in listed.output and raw not in listed.output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert cli("tokens", "revoke", "tokenstaff", "--name", "robot").exit_code == 0
    assert "revoked" in cli("tokens", "list", "tokenstaff").output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    bad = cli("tokens", "create", "tokenstaff", "--name", "x", "--scope", "no:such:perm")
    assert bad.exit_code == 1 and "unknown permissions" in bad.output


def test_users_create_cli(cli, platform):
    r = cli(
        "users",
        "create",
        "clerk2",
        "--name",
        "职员",
        "--password",
        "Clerkpass2026",
        "--tenant",
        "360102",
        "--department",
        "xzspj",
    )
    assert r.exit_code == 0, r.output
    weak = cli("users", "create", "clerk3", "--name", "职员", "--password", "short")
    assert weak.exit_code == 1 and "password" in weak.output.lower()


def test_one_address_guessing_many_accounts_is_locked_too(platform):
    address = "203.0.113.9"
    for i in range(throttle.LOCK_AFTER["address"]):
        with platform.db.transaction(Scope.system()) as s:
            throttle.record_failure(s, throttle.keys_for(f"user{i}", address), address=address)
    with platform.db.session(Scope.system()) as s:
        assert throttle.verdict(s, throttle.keys_for("fresh-name", address)).locked_until is not None
        assert throttle.verdict(s, throttle.keys_for("fresh-name", "198.51.100.1")).locked_until is None


def test_users_logout_ends_every_session(cli, client, platform):
    make_account(platform, "person", "lostphone")
    login(client, "lostphone")
    assert client.get("/api/me").status_code == 200
    r = cli("users", "logout", "lostphone")
    assert r.exit_code == 0 and "ended 1 session" in r.output
    assert client.get("/api/me").status_code == 401
