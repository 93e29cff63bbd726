"""The request workflow on the legal clock (Regulations on Open Government Information 2019): the day a
request counts as received by channel (art. 31), 20 working days to reply (art. 33), completion restarts
the period (art. 30), a third-party consultation pauses it (art. 32), one approved extension of at most
20 working days; the kinds of reply with their grounds; the set-based supervision rules."""

from __future__ import annotations

from datetime import date

import pytest
from openness_helpers import act, load, online, registered
from pydantic import ValidationError

from core.api import Conflict, Invalid, add_working_days
from core.db import Scope
from plugins.openness import rules, services
from plugins.openness.schemas import DisclosureRegisterIn, DisclosureReplyIn

MON = date(2026, 11, 2)  # a Monday with no holiday within the next 40 working days


@pytest.fixture(autouse=True)
def _day(platform):
    platform.clock.set(MON)


def test_online_and_in_person_requests_are_received_the_day_they_are_made(platform):
    r = online(platform)
    assert (r.received_on, r.due_on, r.state) == (MON, add_working_days(MON, 20), "received")
    assert r.number.startswith("GK2026")
    h = registered(platform, channel="in_person")
    assert h.received_on == MON and h.made_on == MON


def test_a_letter_counts_from_the_day_it_is_signed_for_and_a_fax_from_confirmation(platform):
    r = registered(platform, channel="letter", made_on="2026-10-27", received_on="2026-10-30")
    assert (r.made_on, r.received_on) == (date(2026, 10, 27), date(2026, 10, 30))
    assert r.due_on == add_working_days(date(2026, 10, 30), 20)
    with pytest.raises(Invalid) as e:
        registered(platform, channel="letter", made_on="2026-10-27")
    assert e.value.code == "received_on_required" and "received_on" in e.value.fields
    with pytest.raises(Invalid) as e:
        registered(platform, channel="fax", made_on="2026-10-29", received_on="2026-10-28")
    assert e.value.code == "received_before_made"
    with pytest.raises(Invalid) as e:
        registered(platform, channel="letter", made_on="2026-11-01", received_on="2026-11-09")
    assert e.value.code == "future_date"


def test_asking_to_complete_stops_the_clock_and_completion_restarts_it(platform):
    r = online(platform)
    platform.clock.set(date(2026, 11, 4))
    act(platform, r.id, lambda s, p, t, row, v: services.ask_correction(s, p, t, row, v, "写明文号", "o"))
    row = load(platform, r.id)
    assert (row.state, row.due_on, row.period) == ("correction", None, {})
    with pytest.raises(Conflict) as e:  # told once only
        act(platform, r.id, lambda s, p, t, row, v: services.ask_correction(s, p, t, row, v, "再补", "o"))
    assert e.value.code == "transition_not_allowed"
    platform.clock.set(date(2026, 11, 20))
    act(
        platform,
        r.id,
        lambda s, p, t, row, v: services.complete(s, p, t, row, v, "2026年东湖区老旧小区清单", "p"),
    )
    row = load(platform, r.id)
    assert row.state == "received" and row.completed_on == date(2026, 11, 20)
    assert row.due_on == add_working_days(date(2026, 11, 20), 20)  # the full 20 again, from completion


def test_a_third_party_consultation_pauses_the_period(platform):
    r = online(platform)
    platform.clock.set(date(2026, 11, 9))  # 5 working days used
    act(platform, r.id, lambda s, p, t, row, v: services.consult(s, p, t, row, v, "某公司", "", "o"))
    row = load(platform, r.id)
    assert row.state == "consulting" and row.consult_due_on == add_working_days(date(2026, 11, 9), 15)
    platform.clock.set(date(2026, 11, 16))  # 5 working days with the third party
    act(platform, r.id, lambda s, p, t, row, v: services.consult_answered(s, p, t, row, v, "不同意", "o"))
    row = load(platform, r.id)
    assert row.state == "received"
    assert row.due_on == add_working_days(MON, 25)  # the 5 paused days are not counted


def test_one_extension_of_at_most_20_working_days_with_approval(platform):
    r = online(platform)
    with pytest.raises(ValidationError):
        from plugins.openness.schemas import ExtensionIn

        ExtensionIn.model_validate({"version": 1, "days": 21, "reason": "太多"})
    act(platform, r.id, lambda s, p, t, row, v: services.request_extension(s, row, v, 15, "档案多", "o"))
    row = load(platform, r.id)
    assert row.extension_state == "pending" and row.due_on == add_working_days(MON, 20)  # not yet
    with pytest.raises(Conflict):
        act(platform, r.id, lambda s, p, t, row, v: services.request_extension(s, row, v, 5, "再延", "o"))
    act(
        platform,
        r.id,
        lambda s, p, t, row, v: services.decide_extension(s, p, t, row, v, True, "同意", "head"),
    )
    row = load(platform, r.id)
    assert (row.extension_state, row.extension_approved_by) == ("approved", "head")
    assert row.due_on == add_working_days(MON, 35)
    assert row.period["extensions"][0]["approved_by"] == "head"
    with pytest.raises(Conflict) as e:  # once only
        act(platform, r.id, lambda s, p, t, row, v: services.request_extension(s, row, v, 5, "再延", "o"))
    assert e.value.code == "extension_once"


def test_replies_need_their_legal_ground(platform):
    with pytest.raises(ValidationError) as e:
        DisclosureReplyIn.model_validate({"version": 1, "outcome": "refused", "reply": "不予公开"})
    assert e.value.errors()[0]["loc"] == ("ground",)
    with pytest.raises(ValidationError):
        DisclosureReplyIn.model_validate(
            {"version": 1, "outcome": "refused", "ground": "not_held", "reply": "不予公开"}
        )
    assert (
        DisclosureReplyIn.model_validate(
            {"version": 1, "outcome": "disclosed", "ground": "x", "reply": "予以公开"}
        ).ground
        == ""
    )
    r = online(platform)
    act(
        platform,
        r.id,
        lambda s, p, t, row, v: services.reply(s, p, t, row, v, "refused", "process", "过程性", "o"),
    )
    row = load(platform, r.id)
    assert (row.state, row.outcome, row.ground, row.replied_on) == ("replied", "refused", "process", MON)
    with pytest.raises(Conflict):
        act(
            platform,
            r.id,
            lambda s, p, t, row, v: services.reply(s, p, t, row, v, "disclosed", "", "再答", "o"),
        )


def test_a_stale_version_is_refused(platform):
    r = online(platform)
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Conflict) as e:
        row = services.get(s, tenant, r.id)
        services.reply(s, platform, tenant, row, row.version + 1, "disclosed", "", "予以公开", "o")
    assert e.value.code == "stale_version"


def test_requests_of_another_hall_are_not_found(platform):
    r = online(platform, "360102")
    other = platform.directory.get("360103")
    with platform.db.session(other.scope) as s, pytest.raises(Exception) as e:
        services.get(s, other, r.id)
    assert getattr(e.value, "code", "") == "unknown_request"


def test_the_rules_find_late_replies_and_extensions_nobody_approved(platform):
    late_open = online(platform)
    late_replied = online(platform)
    unapproved = online(platform)
    refused = online(platform)
    fine = online(platform)
    act(platform, unapproved.id, lambda s, p, t, row, v: services.request_extension(s, row, v, 10, "多", "o"))
    act(platform, refused.id, lambda s, p, t, row, v: services.request_extension(s, row, v, 10, "多", "o"))
    act(
        platform,
        refused.id,
        lambda s, p, t, row, v: services.decide_extension(s, p, t, row, v, False, "", "h"),
    )
    act(
        platform,
        fine.id,
        lambda s, p, t, row, v: services.reply(s, p, t, row, v, "disclosed", "", "公开", "o"),
    )
    platform.clock.set(add_working_days(MON, 22))
    act(
        platform,
        late_replied.id,
        lambda s, p, t, row, v: services.reply(s, p, t, row, v, "disclosed", "", "公开", "o"),
    )
    day = add_working_days(MON, 23)
    scope = platform.directory.get("360000").subtree_scope
    with platform.db.session(scope) as s:
        late = {f.object_id for f in rules.late(s, today=day)}
        unok = {f.object_id for f in rules.unapproved(s, today=day)}
    assert late == {str(late_open.id), str(late_replied.id)}
    assert unok == {str(unapproved.id), str(refused.id)}
    with platform.db.session(Scope.system()) as s:
        assert {f.object_id for f in rules.late(s, today=MON)} == {str(late_replied.id)}  # once late, late


def test_register_input_is_checked():
    with pytest.raises(ValidationError) as e:
        DisclosureRegisterIn.model_validate(
            {"channel": "pigeon", "requester_name": "", "description": "x" * 5001}
        )
    fields = {err["loc"][0] for err in e.value.errors()}
    assert {"channel", "requester_name", "description"} <= fields
    with pytest.raises(ValidationError):  # no way to reach the requester
        DisclosureRegisterIn.model_validate(
            {"channel": "letter", "requester_name": "张三", "description": "某某文件目录"}
        )


def test_a_holiday_notice_moves_the_reply_day_and_the_third_partys(platform):
    import dataclasses

    from core import calendar as core_calendar

    r = online(platform)
    c = online(platform)
    act(platform, c.id, lambda s, p, t, row, v: services.consult(s, p, t, row, v, "某公司", "", "o"))
    base = core_calendar.package_notice(2026) or core_calendar.Notice(year=2026, off={})
    notice = dataclasses.replace(base, work=frozenset(base.work) | {date(2026, 11, 7)}, title="test")
    new = platform.clock.calendar.with_notices([notice])
    with platform.db.transaction(Scope.system()) as s:
        changes = services.deadlines_on_calendar(s, new, [2026], apply=True)
    got = {(ch.ref, ch.kind): ch.new for ch in changes}
    assert got[(str(r.id), "request")] == date(2026, 11, 27)  # a working Saturday: one day sooner
    assert got[(str(c.id), "third_party")] == add_working_days(MON, 15, new)
    assert got[(str(c.id), "request")] == date(2026, 11, 27)  # paused: the days left still cross it
    assert load(platform, r.id).due_on == date(2026, 11, 27)
