"""Approval counts on the legal clock: a deadline running into 2027 before and after the 2027 notice is
entered, the Spring Festival, a suspension that resumes, and the notice's one audited recompute step."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from approval_helpers import FOOD, ctx, food_uploads, in_scope, who
from sqlalchemy import select

from core import holidays
from core.audit import AuditEntry
from core.db import Scope
from core.events import OutboxEvent
from plugins.approval import catalogue, handling, services
from plugins.approval.models import Application
from plugins.approval.schemas import ItemIn

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "holidays" / "2027-sample.toml"
HANDLER = who("staff", 100, departments=frozenset({"scjgj"}), label="staff:handler")
TWENTY = {**FOOD, "code": "DH-SP-020", "name": "食品经营许可（二十日）", "promised_days": 20}
# A hypothetical notice (not the sample): 9 January 2027, a Saturday, made a working day.
TEST_NOTICE = """year = 2027
title = "test notice"
[[holiday]]
name = "new_year"
off = ["2027-01-01..2027-01-03"]
work = ["2027-01-09"]
"""


@pytest.fixture
def twenty(platform, donghu):
    with platform.db.transaction(donghu.scope) as s:
        return catalogue.create_item(s, donghu, ItemIn.model_validate(TWENTY)).id


def _accept_on(platform, donghu, day, applicant=None):
    platform.clock.set(day)  # today, injected: no monkeypatching
    with in_scope(platform, donghu) as s:
        c = services.Ctx(platform=platform, tenant=donghu, who=applicant or who())
        app = services.submit(s, c, "DH-SP-020", {"shop_name": "老王小吃"}, food_uploads())
        assert app.submitted_on == day
        app_id = app.id
    with in_scope(platform, donghu) as s:
        version = s.get(Application, app_id).version
        handling.accept(s, services.Ctx(platform=platform, tenant=donghu, who=HANDLER), app_id, version)
    return app_id


def _deadline(platform, donghu, app_id):
    with in_scope(platform, donghu) as s:
        return s.get(Application, app_id).deadline


def test_accepted_on_2026_12_20_a_20_day_limit_ends_in_2027_before_and_after_a_notice(platform, donghu,
                                                                                     twenty):
    from tests.factories import make_account

    account = make_account(platform, "legal")
    app_id = _accept_on(platform, donghu, date(2026, 12, 20), who(account_id=account.id))
    # Before any 2027 notice: the law's holidays (1 January) and weekends. 9 working days in December,
    # then 4-8 and 11-15 January, and Monday 18 January is the twentieth.
    assert platform.clock.calendar.provisional(2027)
    assert _deadline(platform, donghu, app_id) == date(2027, 1, 18)
    notice = holidays.parse_notice(TEST_NOTICE)
    moved = holidays.preview(platform, notice)
    assert [(c.ref, c.old, c.new) for c in moved] == [(str(app_id), date(2027, 1, 18), date(2027, 1, 15))]
    assert _deadline(platform, donghu, app_id) == date(2027, 1, 18)  # a preview writes nothing
    outcome = holidays.enter(platform, notice, actor="admin:360000")
    assert len(outcome.changes) == 1
    assert _deadline(platform, donghu, app_id) == date(2027, 1, 15)  # Saturday 9 January is worked
    with platform.db.session(Scope.system()) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.notice.entered")).one()
        assert entry.details["deadlines_moved"] == 1
        assert entry.details["moved"][0]["old"] == "2027-01-18"
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "calendar.deadline.moved")).all()
        assert [(e.tenant_id, e.payload["ref"], e.payload["new"]) for e in events] == [
            (donghu.id, str(app_id), "2027-01-15")]
    # The applicant is told (approval handles the core's event).
    from core.events import dispatch_pending
    from core.messages import Message

    dispatch_pending(platform)
    with platform.db.session(Scope.system()) as s:
        bodies = s.scalars(select(Message.body_zh).where(Message.kind == "approval.deadline",
                                                         Message.to_account_id == account.id)).all()
        assert len(bodies) == 1 and "2027-01-18 调整为 2027-01-15" in bodies[0]
    # A new application accepted the same day now counts on the notice too.
    assert _deadline(platform, donghu, _accept_on(platform, donghu, date(2026, 12, 20))) == date(2027, 1, 15)


def test_a_deadline_across_the_spring_festival_is_right_once_the_notice_is_in(platform, donghu, items):
    # FOOD promises 10 working days. Accepted Monday 25 January 2027.
    app_id = _accept_on_food(platform, donghu, date(2027, 1, 25))
    # The law alone: 5-8 February off, 9-10 in lieu of the weekend days; 11-12 worked -> Friday 12 February.
    assert _deadline(platform, donghu, app_id) == date(2027, 2, 12)
    outcome = holidays.enter(platform, holidays.parse_notice(SAMPLE.read_text(encoding="utf-8")),
                             actor="admin:360000")
    assert [c.new for c in outcome.changes] == [date(2027, 2, 15)]
    # The sample notice: Sunday 31 January worked, 5-13 February off -> Monday 15 February.
    assert _deadline(platform, donghu, app_id) == date(2027, 2, 15)


def _accept_on_food(platform, donghu, day):
    platform.clock.set(day)
    with in_scope(platform, donghu) as s:
        app_id = services.submit(s, ctx(platform, donghu, who(), day), "DH-SP-001", {"shop_name": "店"},
                                 food_uploads()).id
    with in_scope(platform, donghu) as s:
        handling.accept(s, ctx(platform, donghu, HANDLER, day), app_id, s.get(Application, app_id).version)
    return app_id


def test_a_suspended_application_resumes_with_the_right_remaining_days(platform, donghu, items):
    app_id = _accept_on_food(platform, donghu, date(2026, 11, 2))  # 10 working days -> 16 November
    assert _deadline(platform, donghu, app_id) == date(2026, 11, 16)
    with in_scope(platform, donghu) as s:
        handling.start_review(s, ctx(platform, donghu, HANDLER, date(2026, 11, 3)), app_id,
                              s.get(Application, app_id).version)
    with in_scope(platform, donghu) as s:  # 4 days used (3-6 November): 6 left when suspended
        handling.suspend(s, ctx(platform, donghu, HANDLER, date(2026, 11, 6)), app_id,
                         s.get(Application, app_id).version, "inspection", "现场核查")
        app = s.get(Application, app_id)
        assert handling.remaining_days(app, date(2026, 11, 6)) == 6
    with in_scope(platform, donghu) as s:
        handling.resume(s, ctx(platform, donghu, HANDLER, date(2026, 11, 13)), app_id,
                        s.get(Application, app_id).version)
        app = s.get(Application, app_id)
        assert app.paused_days == 5  # 9-13 November
        assert handling.remaining_days(app, date(2026, 11, 13)) == 6
        assert app.deadline == date(2026, 11, 23)
