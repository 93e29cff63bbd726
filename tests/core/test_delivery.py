"""Messages to outside channels (core.delivery): a channel that went out is never sent again — not when
recording the message fails, not when another channel fails; a claim that never finished is retried after
its lease with the same idempotency key; concurrent runners send each (message, channel) exactly once;
retries back off and give up visibly; one provider's outage holds back no other message."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import core.delivery as delivery
from core.api import notify
from core.db import Scope
from core.delivery import LEASE, MAX_ATTEMPTS, deliver_pending, idempotency_key
from core.messages import Message, MessageDelivery
from tests.factories import login, make_account, make_staff

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
REAL_RECORD_SENT, REAL_FINISH = delivery._record_sent, delivery._finish


class Outside:
    """The outside services behind the log provider: what each channel accepted, and which fail."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.failing: set[str] = set()  # channels that raise
        self.failing_ids: set[int] = set()  # messages whose every channel raises
        self.lock = threading.Lock()
        self.after: Any = None  # called after each accepted send

    def __call__(self, m: Any) -> None:
        if m.channel in self.failing or m.message_id in self.failing_ids:
            raise ConnectionError(f"{m.channel} gateway down")
        with self.lock:
            self.sent.append(m)
        if self.after is not None:
            self.after()

    def pairs(self) -> Counter[tuple[int, str]]:
        return Counter((m.message_id, m.channel) for m in self.sent)


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch, platform: Any) -> Outside:
    import core.messages

    out = Outside()
    monkeypatch.setattr(core.messages, "log_provider_send", out)
    monkeypatch.setattr(delivery, "sleep", lambda s: None)  # the record's retry waits
    platform.clock.set(START)
    return out


def _tell(platform: Any, account_id: int, key: str) -> int:
    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.tenant(tenant.id, tenant.path)) as s:
        return notify(s, tenant=tenant, to_account=account_id, kind="test.hello", title_zh="您好",
                      title_en="Hello", body_zh="正文", body_en="Body", dedupe_key=key)


def _rows(platform: Any, mid: int) -> dict[str, MessageDelivery]:
    with platform.db.session(Scope.system()) as s:
        q = select(MessageDelivery).where(MessageDelivery.message_id == mid)
        return {d.channel: d for d in s.scalars(q)}


def _message(platform: Any, mid: int) -> Message:
    with platform.db.session(Scope.system()) as s:
        m = s.get(Message, mid)
        assert m is not None
        return m


def _locked(*args: Any, **kwargs: Any) -> None:
    raise OperationalError("UPDATE messages", {}, Exception("database is locked"))


def test_recording_the_message_fails_after_the_channels_sent_and_nothing_is_sent_again(
        platform, outside, monkeypatch):
    person = make_account(platform, "person")
    mid = _tell(platform, person.id, "rec")
    calls: list[str] = []

    def flaky_record(s: Any, p: Any, c: Any) -> None:  # the first write of each send hits a locked database
        calls.append(c.channel)
        if calls.count(c.channel) == 1:
            _locked()
        REAL_RECORD_SENT(s, p, c)

    monkeypatch.setattr(delivery, "_record_sent", flaky_record)
    monkeypatch.setattr(delivery, "_finish", _locked)  # and so does the message's own record
    assert deliver_pending(platform) == 2
    assert _message(platform, mid).delivered_at is None
    monkeypatch.setattr(delivery, "_record_sent", REAL_RECORD_SENT)
    monkeypatch.setattr(delivery, "_finish", REAL_FINISH)
    platform.clock.advance(seconds=LEASE.total_seconds() + 60)  # past any lease
    assert deliver_pending(platform) == 0
    assert outside.pairs() == {(mid, "sms"): 1, (mid, "email"): 1}
    m = _message(platform, mid)
    assert m.delivered_at is not None and m.channels == ["email", "sms"]


def test_a_second_channel_failing_does_not_resend_the_first(platform, outside):
    person = make_account(platform, "person")
    mid = _tell(platform, person.id, "two")
    outside.failing.add("email")
    assert deliver_pending(platform) == 1
    rows = _rows(platform, mid)
    assert rows["sms"].sent_at is not None and rows["email"].sent_at is None
    assert rows["email"].attempts == 1 and "gateway down" in (rows["email"].last_error or "")
    assert deliver_pending(platform) == 0  # backing off: not due yet
    outside.failing.clear()
    platform.clock.advance(seconds=delivery.backoff(1).total_seconds() + 1)
    assert deliver_pending(platform) == 1
    assert outside.pairs() == {(mid, "sms"): 1, (mid, "email"): 1}
    assert _message(platform, mid).channels == ["email", "sms"]


def test_a_claim_whose_send_never_finished_is_sent_once_after_its_lease_with_the_same_key(platform, outside):
    person = make_account(platform, "person")
    mid = _tell(platform, person.id, "crash")
    delivery._plan(platform, 10)
    claimed = delivery._claim(platform, 10)  # committed; then the process "dies" before sending
    assert {c.channel for c in claimed} == {"sms", "email"}
    assert deliver_pending(platform) == 0 and outside.sent == []  # the lease still runs
    platform.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert deliver_pending(platform) == 2
    assert outside.pairs() == {(mid, "sms"): 1, (mid, "email"): 1}
    created = _message(platform, mid).created_at
    assert {m.idempotency_key for m in outside.sent} == {idempotency_key(mid, created, "sms"),
                                                         idempotency_key(mid, created, "email")}
    assert {d.attempts for d in _rows(platform, mid).values()} == {2}


def test_sent_but_not_recorded_is_resent_only_with_the_same_key(platform, outside, monkeypatch):
    """When even the retried record of a send fails, the lease brings it back: the provider sees the same
    key twice and drops the second (at least once, never zero times)."""
    person = make_account(platform, "person")
    mid = _tell(platform, person.id, "lost")
    monkeypatch.setattr(delivery, "_record_sent", _locked)
    deliver_pending(platform)
    monkeypatch.setattr(delivery, "_record_sent", REAL_RECORD_SENT)
    platform.clock.advance(seconds=LEASE.total_seconds() + 1)
    deliver_pending(platform)
    keys = Counter(m.idempotency_key for m in outside.sent)
    created = _message(platform, mid).created_at
    assert keys == {idempotency_key(mid, created, "sms"): 2, idempotency_key(mid, created, "email"): 2}
    assert all(d.sent_at is not None for d in _rows(platform, mid).values())


def test_giving_up_after_max_attempts_is_logged_and_shown_on_the_console(platform, outside, app):
    from starlette.testclient import TestClient
    from structlog.testing import capture_logs

    person = make_account(platform, "person")
    mid = _tell(platform, person.id, "dead")
    outside.failing.add("sms")
    with capture_logs() as logs:
        for _ in range(MAX_ATTEMPTS + 2):
            deliver_pending(platform)
            platform.clock.advance(hours=2)
    rows = _rows(platform, mid)
    assert rows["sms"].failed_at is not None and rows["sms"].attempts == MAX_ATTEMPTS
    assert rows["email"].sent_at is not None
    assert outside.pairs() == {(mid, "email"): 1}
    m = _message(platform, mid)
    assert m.delivered_at is not None and m.channels == ["email"]
    assert [e["channel"] for e in logs if e["event"] == "message.delivery_gave_up"] == ["sms"]
    make_staff(platform, "dl_admin", "360102", "comprehensive_admin")
    with TestClient(app, follow_redirects=False) as c:
        login(c, "dl_admin")
        page = c.get("/t/360102/console/").text
        assert 'id="delivery-warning"' in page and "1 条消息" in page and "gateway down" in page


def test_one_providers_outage_holds_back_no_other_message(platform, outside):
    person = make_account(platform, "person")
    stuck = [_tell(platform, person.id, f"stuck{i}") for i in range(3)]
    outside.failing_ids.update(stuck)
    deliver_pending(platform)
    fresh = _tell(platform, person.id, "fresh")
    assert deliver_pending(platform, limit=2) == 2  # the stuck ones back off; the new one goes out
    assert outside.pairs() == {(fresh, "sms"): 1, (fresh, "email"): 1}


def test_a_slow_provider_hands_back_the_claims_it_will_not_reach_in_time(platform, outside, monkeypatch):
    person = make_account(platform, "person")
    ids = [_tell(platform, person.id, f"slow{i}") for i in range(3)]
    clock = [0.0]
    monkeypatch.setattr(delivery, "monotonic", lambda: clock[0])
    outside.after = lambda: clock.__setitem__(0, clock[0] + LEASE.total_seconds())  # each send: a lease
    assert deliver_pending(platform) == 6
    assert outside.pairs() == {(i, c): 1 for i in ids for c in ("sms", "email")}
    assert {d.attempts for i in ids for d in _rows(platform, i).values()} == {1}  # released: not counted


def test_two_runners_at_once_send_each_channel_exactly_once(platform, outside):
    """Threads on one database, each running the task as another process would (PostgreSQL's row locks
    with SKIP LOCKED; SQLite serialises writers)."""
    person = make_account(platform, "person")
    ids = [_tell(platform, person.id, f"race{i}") for i in range(30)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                deliver_pending(platform, limit=7)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    deliver_pending(platform)  # whatever a locked write left over
    assert not errors, errors
    assert outside.pairs() == {(i, c): 1 for i in ids for c in ("sms", "email")}
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(Message.id).where(Message.id.in_(ids), Message.delivered_at.is_(None))) is None


@pytest.mark.postgres
def test_concurrent_claims_on_postgresql_never_share_a_row(platform, outside):
    """Two claims at the same instant: the second skips the rows the first holds, or finds them taken."""
    person = make_account(platform, "person")
    for i in range(10):
        _tell(platform, person.id, f"pg{i}")
    delivery._plan(platform, 100)
    barrier = threading.Barrier(2)
    got: list[list[int]] = []

    def claim() -> None:
        barrier.wait()
        got.append([c.id for c in delivery._claim(platform, 100)])

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 2 and not set(got[0]) & set(got[1]) and len(got[0]) + len(got[1]) == 20


def test_sweep_providers_are_called_only_through_core_delivery():
    """The class, not the instance: a provider's ``send`` is reached only through core.delivery (claim
    committed first, the key always set), so no plugin or core module sends and records in one step."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    direct = re.compile(r"declared\(\s*[\"']govhall_message_providers|\.govhall_message_providers\(|"
                        r"\.send\(\s*OutgoingMessage")
    found = [str(p.relative_to(root)) for base in ("core", "plugins") for p in (root / base).rglob("*.py")
             if direct.search(p.read_text(encoding="utf-8")) and p != root / "core" / "delivery.py"]
    assert found == []


def test_send_now_refuses_a_message_without_its_key(platform):
    from core.api import OutgoingMessage, send_now

    m = OutgoingMessage(message_id=0, channel="sms", tenant_code="360102", account_id=0, username="x",
                        display_name="x", language="zh-CN", title="t", body="b", href="")
    with pytest.raises(ValueError):
        send_now(platform, platform.directory.get("360102"), m)


def test_the_development_provider_drops_a_repeated_key():
    from structlog.testing import capture_logs

    from core.api import OutgoingMessage
    from core.messages import log_provider_send

    m = OutgoingMessage(message_id=7, channel="sms", tenant_code="360102", account_id=1, username="x",
                        display_name="x", language="zh-CN", title="t", body="b", href="",
                        idempotency_key="govhall-message-7-sms-test")
    with capture_logs() as logs:
        log_provider_send(m)
        log_provider_send(m)
    assert [e["event"] for e in logs] == ["message.sent", "message.repeat_dropped"]
