"""The core inbox: produced once per dedupe key, in the recipient's language, delivered on the hall's
channels once per message, read by its recipient only ("my messages", the workbench's department inbox)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from core.api import notify
from core.db import Scope
from core.delivery import deliver_pending
from core.errors import Invalid
from core.identity.models import Account
from core.messages import Message, inbox, unread_count
from tests.factories import login, make_account, make_staff


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the log provider was handed (the hall plugin looks the function up at each delivery; log
    capture is unreliable once another test has cached the module's logger)."""
    import core.messages

    out: list[Any] = []
    monkeypatch.setattr(core.messages, "log_provider_send", out.append)
    return out


def _deliver(platform: Any) -> int:
    return deliver_pending(platform)


def _tell(platform: Any, account_id: int | None = None, key: str = "k1", department: str | None = None,
          code: str = "360102") -> int:
    tenant = platform.directory.get(code)
    with platform.db.transaction(Scope.tenant(tenant.id, tenant.path)) as s:
        return notify(s, tenant=tenant, to_account=account_id, to_department=department, kind="test.hello",
                      title_zh="您好", title_en="Hello", body_zh="正文", body_en="Body", href="approval/my",
                      dedupe_key=key)


def test_produced_once_per_key_even_when_redelivered(platform):
    person = make_account(platform, "person")
    first = _tell(platform, person.id)
    again = _tell(platform, person.id)
    assert first == again
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(Message.id).where(Message.to_account_id == person.id)) == first
        assert len(inbox(s, person.id)) == 1


def test_the_hall_runs_delivery_as_a_periodic_task(platform, sent):
    from core.jobs import run_due

    person = make_account(platform, "person")
    _tell(platform, person.id, key="job")
    assert "hall.messages" in run_due(platform)
    assert len(sent) == 2


def test_channels_send_once_in_the_recipients_language(platform, sent):
    person = make_account(platform, "person")
    with platform.db.transaction(Scope.system()) as s:
        s.execute(update(Account).where(Account.id == person.id).values(language="en"))
    mid = _tell(platform, person.id, key="lang")
    _deliver(platform)
    _deliver(platform)  # nothing is sent twice
    assert sorted(m.channel for m in sent) == ["email", "sms"]
    assert {m.title for m in sent} == {"Hello"} and {m.message_id for m in sent} == {mid}
    with platform.db.session(Scope.system()) as s:
        m = s.get(Message, mid)
        assert m is not None and m.language == "en" and m.channels == ["email", "sms"]


def test_default_language_is_chinese_and_a_switch_is_remembered(platform, client, sent):
    person = make_account(platform, "person")
    _tell(platform, person.id, key="zh")
    _deliver(platform)
    assert {m.title for m in sent} == {"您好"}
    login(client, person.username)
    assert client.get("/my/?lang=en").status_code == 200
    with platform.db.session(Scope.system()) as s:
        assert s.get(Account, person.id).language == "en"


def test_a_channel_switched_off_sends_nothing(platform, sent):
    from core.tenancy import service

    person = make_account(platform, "person")
    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        service.set_tenant_setting(s, tenant, "hall.sms_provider", "", actor="tests")
    platform.refresh(force=True)
    _tell(platform, person.id, key="off")
    _deliver(platform)
    assert [m.channel for m in sent] == ["email"]


def test_bad_addresses_are_refused(platform):
    person = make_account(platform, "person")
    with pytest.raises(Invalid):
        _tell(platform, None, key="nobody")
    with pytest.raises(Invalid):
        _tell(platform, person.id, key="both", department="xzspj")
    with pytest.raises(Invalid):
        _tell(platform, None, key="nodep", department="no-such-dept")
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(Message.id)) is None


def test_my_messages_page_counts_and_marks_read(platform, client):
    person = make_account(platform, "person")
    other = make_account(platform, "person")
    mine = _tell(platform, person.id, key="a")
    _tell(platform, person.id, key="b")
    theirs = _tell(platform, other.id, key="c")
    login(client, person.username)
    page = client.get("/my/messages/")
    assert page.status_code == 200 and 'data-unread="2"' in page.text and "您好" in page.text
    assert 'data-unread="2"' in client.get("/my/").text
    hall = client.get("/t/360102/").text  # the header of every page links to them, with the count
    assert 'href="/my/messages/" class="inbox" data-unread="2"' in hall and '<span class="count"' in hall
    assert client.get(f"/my/messages/{mine}").status_code == 200
    assert 'data-unread="1"' in client.get("/my/messages/").text
    assert client.get(f"/my/messages/{theirs}").status_code == 404  # another's looks missing
    assert client.get("/my/messages/99999999").status_code == 404
    from tests.factories import csrf_token

    r = client.post("/my/messages/read", data={"csrf_token": csrf_token(client, "/my/messages/")})
    assert r.status_code == 303
    assert 'data-unread="0"' in client.get("/my/messages/").text
    assert 'class="inbox" data-unread="0"' in client.get("/t/360102/").text  # not a stale cached page
    with platform.db.session(Scope.system()) as s:
        assert unread_count(s, other.id) == 1  # the other's stays unread


def test_guests_are_sent_to_log_in(client):
    r = client.get("/my/messages/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_department_messages_on_the_workbench(platform, client):
    staff = make_staff(platform, "clerk1", "360102", "item_handler", department="xzspj")
    outsider = make_staff(platform, "clerk2", "360102", "item_handler", department="fgw")
    _tell(platform, department="xzspj", key="card1")
    login(client, staff.username)
    page = client.get("/workbench/messages/")
    assert page.status_code == 200 and 'data-unread="1"' in page.text
    assert 'data-unread="1"' in client.get("/workbench/").text
    client.cookies.clear()
    login(client, outsider.username)
    assert 'data-unread="0"' in client.get("/workbench/messages/").text
