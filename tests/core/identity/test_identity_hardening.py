"""Issue #10 items 6, 9 and 10 at the identity layer: user names compared one way everywhere, a throttle
that one account's success cannot clear for another, X-Forwarded-For only from configured proxies,
registration that does not tell which accounts exist, the password policy, the production secret."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from starlette.requests import Request

from core.db import Scope
from core.errors import Conflict, Invalid
from core.identity import throttle
from core.identity.login import client_address
from core.identity.models import Account, LoginThrottle
from core.identity.passwords import check_policy
from core.identity.service import account_by_username, username_key
from core.settings import SettingsError, load_settings
from tests.factories import DEFAULT_PASSWORD, csrf_token, make_account, resident_id


def _login(client, username: str, password: str) -> object:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


# -- item 6 ---------------------------------------------------------------------------------------------

def test_user_names_are_one_name_whatever_their_case_or_width(platform):
    make_account(platform, "person", "VictimX")
    for twin in ("victimx", "VICTIMX", "ＶｉｃｔｉｍＸ", " VictimX "):
        with pytest.raises(Conflict):
            make_account(platform, "person", twin)
    with platform.db.session(Scope.system()) as s:
        found = account_by_username(s, "ｖｉｃｔｉｍｘ")
        assert found is not None and found.username == "VictimX" and found.username_key == "victimx"
        assert s.scalar(select(Account.username).where(Account.username_key == username_key("VICTIMX")))
    full_width = make_account(platform, "person", "Ｗａｎｇ２０２６")  # stored as people would type it on
    assert full_width.username == "Wang2026"                          # a half-width keyboard


def test_login_is_case_insensitive_and_the_throttle_counts_one_key_per_account(client, platform):
    make_account(platform, "person", "VictimX")
    assert _login(client, "victimx", DEFAULT_PASSWORD).status_code == 303
    client.cookies.clear()
    keys = {throttle.keys_for(name, "a")[0] for name in ("VictimX", "ｖｉｃｔｉｍｘ", "victimx")}
    assert keys == {"account:victimx"}
    for name in ("victimx", "VICTIMX", "VictimX", "ＶＩＣＴＩＭＸ") * 2:  # 8 tries, spread over spellings
        assert _login(client, name, "Wrongpass2026").status_code == 401
    assert _login(client, "victimx", DEFAULT_PASSWORD).status_code == 429  # locked: all were one account


def test_a_success_never_clears_another_accounts_counter(client, platform):
    make_account(platform, "person", "victimy")
    make_account(platform, "person", "attacker1")
    keys = throttle.keys_for("victimy", "198.51.100.7")
    with platform.db.transaction(Scope.system()) as s:
        for _ in range(3):
            throttle.record_failure(s, keys, address="198.51.100.7")
    assert _login(client, "attacker1", DEFAULT_PASSWORD).status_code == 303
    assert _login(client, "ATTACKER1", DEFAULT_PASSWORD).status_code == 303
    with platform.db.session(Scope.system()) as s:
        row = s.get(LoginThrottle, "account:victimy")
        assert row is not None and row.failures == 3


def _request(peer: str, forwarded: str | None, proxies: list[str]) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    ctx = SimpleNamespace(platform=SimpleNamespace(settings={"trusted_proxies": proxies}))
    return Request({"type": "http", "method": "POST", "path": "/login", "headers": headers,
                    "client": (peer, 5000), "state": {"ctx": ctx}})


@pytest.mark.parametrize(("peer", "forwarded", "proxies", "expected"), [
    ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),                       # no proxy configured: ignored
    ("203.0.113.9", "1.2.3.4", ["10.0.0.0/8"], "203.0.113.9"),           # not from a trusted proxy
    ("10.0.0.5", "1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),
    ("10.0.0.5", "6.6.6.6, 1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),         # the client's own entry is left
    ("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.7", ["10.0.0.0/8"], "1.2.3.4"),  # two proxies
    ("10.0.0.5", "not-an-ip", ["10.0.0.0/8"], "10.0.0.5"),
    ("10.0.0.5", None, ["10.0.0.5"], "10.0.0.5"),
])
def test_x_forwarded_for_only_from_configured_proxies(peer, forwarded, proxies, expected):
    assert client_address(_request(peer, forwarded, proxies)) == expected


def test_trusted_proxies_setting_is_checked():
    assert load_settings(overrides={"trusted_proxies": ["10.0.0.0/8", "::1"]})["trusted_proxies"]
    with pytest.raises(SettingsError, match="trusted_proxies"):
        load_settings(overrides={"trusted_proxies": ["proxy.example"]})


# -- item 9 ---------------------------------------------------------------------------------------------

def _register(client, username: str, id_number: str) -> object:
    token = csrf_token(client, "/register")
    return client.post("/register", data={
        "csrf_token": token, "kind": "person", "username": username, "password": "Goodpass2026x",
        "password2": "Goodpass2026x", "display_name": "王五", "id_number": id_number})


def _answer(r) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', r.text)
    return found.group(1) if found else ""


def test_registration_does_not_say_which_accounts_exist(client, platform):
    make_account(platform, "staff", "admin360000")
    make_account(platform, "person", "zhangsan9", id_number=resident_id(901))
    answers = []
    for username, id_number in (("admin360000", resident_id(902)),   # a staff member's name
                                ("ADMIN360000", resident_id(903)),   # the same, in capitals
                                ("zhangsan9", resident_id(904)),     # a citizen's name
                                ("fresh-name", resident_id(901))):   # a registered ID number
        r = _register(client, username, id_number)
        assert r.status_code == 409, r.text[:300]
        answers.append(_answer(r))
    assert len(set(answers)) == 1 and answers[0]
    assert "staff" not in answers[0] and "工作人员" not in answers[0]


def test_registration_is_throttled_per_address(client, platform, monkeypatch):
    monkeypatch.setitem(throttle.LOCK_AFTER, "register", 3)
    make_account(platform, "person", "taken1")
    for i in range(3):
        assert _register(client, "taken1", resident_id(910 + i)).status_code == 409
    r = _register(client, f"brand-new{9}", resident_id(920))
    assert r.status_code == 429 and "注册次数过多" in r.text
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(Account.id).where(Account.username_key == "brand-new9")) is None


# -- item 10 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["Password123", "aaaaaaaaa1", "P@ssw0rd2026", "Qwerty12345",
                                      "abc123abc123", "1qaz2wsx3edc", "zhangsan2026"])
def test_common_and_guessable_passwords_are_refused(password):
    with pytest.raises(Invalid) as err:
        check_policy(password, "zhangsan")
    assert "password" in err.value.fields and "常见" in err.value.fields["password"]


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, "Goodpass2026x", "correct horse battery 9"])
def test_good_passwords_pass(password):
    check_policy(password, "someone")


def test_production_refuses_the_development_secret_key():
    with pytest.raises(SettingsError, match="secret_key"):
        load_settings(overrides={"env": "production"})
    with pytest.raises(SettingsError, match="GOVHALL_SECRET_KEY"):
        load_settings(overrides={"env": "production", "secret_key": "short"})
    ok = load_settings(overrides={"env": "production", "secret_key": "x" * 48})
    assert ok["env"] == "production"
    assert load_settings(overrides={"env": "development"})["secret_key"]  # development keeps its default


def test_govhall_refuses_to_start_in_production_with_the_development_key(monkeypatch):
    from click.testing import CliRunner

    from core.cli import cli

    monkeypatch.setenv("GOVHALL_ENV", "production")
    monkeypatch.delenv("GOVHALL_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["settings", "show"])
    assert result.exit_code != 0
    assert "secret_key" in (result.output + str(result.exception))
