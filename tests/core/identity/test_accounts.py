"""Accounts: validation of resident IDs, credit codes, passwords and names; memberships; registration."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Scope
from core.errors import Conflict, Invalid
from core.identity.models import Account
from core.identity.service import add_membership, departments_of
from tests.factories import credit_code, csrf_token, make_account, resident_id


def _count(platform) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(Account))


def test_person_needs_a_valid_resident_id(platform):
    good = make_account(platform, "person", "zhang", id_number=resident_id(7))
    assert good.id_number == resident_id(7)
    bad = resident_id(8)[:-1] + ("0" if resident_id(8)[-1] != "0" else "1")
    with pytest.raises(Invalid) as exc:
        make_account(platform, "person", "lisi", id_number=bad)
    assert "id_number" in exc.value.fields and "身份证" in exc.value.fields["id_number"]


def test_legal_person_needs_uscc_and_representative(platform):
    with pytest.raises(Invalid) as exc:
        make_account(platform, "legal", "firm1", id_number="91360100MA35123450")  # wrong check character
    assert "id_number" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        make_account(platform, "legal", "firm2", id_number=credit_code(3), representative_name=" ")
    assert "representative_name" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        make_account(platform, "legal", "firm3", id_number=credit_code(4), representative_id="123")
    assert "representative_id" in exc.value.fields
    ok = make_account(platform, "legal", "firm4", id_number=credit_code(5))
    assert ok.representative_name and ok.kind == "legal"


@pytest.mark.parametrize("password", ["short1", "onlyletterspassword", "1234567890123", "zhangsan2026xx"])
def test_password_policy_names_the_field_in_both_languages(platform, password):
    with pytest.raises(Invalid) as exc:
        make_account(platform, "person", "zhangsan", password=password)
    assert "密码" in exc.value.message_zh and "password" in exc.value.message_en.lower()
    assert "password" in exc.value.fields


def test_passwords_are_stored_as_argon2_hashes(platform):
    account = make_account(platform, "person", "hashme", password="Secretpass2026")
    assert account.password_hash.startswith("$argon2id$") and "Secretpass2026" not in account.password_hash


def test_duplicates_are_conflicts_and_change_nothing(platform):
    make_account(platform, "person", "dup", id_number=resident_id(11))
    before = _count(platform)
    with pytest.raises(Conflict):
        make_account(platform, "person", "dup", id_number=resident_id(12))
    with pytest.raises(Conflict):
        make_account(platform, "person", "other", id_number=resident_id(11))
    assert _count(platform) == before


def test_staff_memberships_and_departments(platform):
    staff = make_account(platform, "staff", "clerk")
    donghu = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        add_membership(s, staff.id, donghu, "xzspj")
        add_membership(s, staff.id, donghu, "xzspj")  # idempotent
        with pytest.raises(Invalid) as exc:
            add_membership(s, staff.id, donghu, "no-such-dept")
        assert "department" in exc.value.fields
    with platform.db.session(donghu.scope) as s:
        assert [d.code for d in departments_of(s, staff.id, donghu.id)] == ["xzspj"]
    citizen = make_account(platform, "person", "citizen9")
    with platform.db.transaction(Scope.system()) as s, pytest.raises(Invalid):
        add_membership(s, citizen.id, donghu, None)


def test_register_person_through_the_page_logs_in(client, platform):
    token = csrf_token(client, "/register")
    r = client.post(
        "/register",
        data={
            "csrf_token": token,
            "kind": "person",
            "username": "wangwu",
            "password": "Goodpass2026",
            "password2": "Goodpass2026",
            "display_name": "王五",
            "id_number": resident_id(21),
            "next": "/t/360102/",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/t/360102/"
    assert "govhall_session=" in r.headers["set-cookie"]
    assert "王五" in client.get("/t/360102/").text


def test_register_legal_person_with_bad_code_shows_chinese_field_error(client, platform):
    token = csrf_token(client, "/register?kind=legal")
    before = _count(platform)
    r = client.post(
        "/register",
        data={
            "csrf_token": token,
            "kind": "legal",
            "username": "firmx",
            "password": "Goodpass2026",
            "password2": "Goodpass2026",
            "display_name": "某公司",
            "id_number": "91360100MA35123450",
            "representative_name": "李四",
            "representative_id": resident_id(22),
        },
    )
    assert r.status_code == 422 and "统一社会信用代码无效" in r.text
    assert _count(platform) == before


def test_register_without_csrf_token_changes_nothing(client, platform):
    client.get("/register")
    before = _count(platform)
    r = client.post(
        "/register",
        data={
            "csrf_token": "forged",
            "kind": "person",
            "username": "mallory",
            "password": "Goodpass2026",
            "password2": "Goodpass2026",
            "display_name": "M",
            "id_number": resident_id(23),
        },
    )
    assert r.status_code == 403
    assert _count(platform) == before
