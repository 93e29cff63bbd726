"""Supervision without HTTP: rules -> cards, no duplicates, escalation, the state machine, settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sv_test_plugin as tp
from conftest import set_setting
from sqlalchemy import func, select

from core import events
from core.audit import AuditEntry
from core.calendar import add_workdays
from core.db import Scope
from core.errors import Conflict, Invalid
from core.events import EventDelivery, OutboxEvent
from plugins.supervision import scan, services
from plugins.supervision.models import Card

TODAY = date(2026, 11, 28)


def _cards(platform: Any, **where: Any) -> list[Card]:
    with platform.db.session(Scope.system()) as s:
        stmt = select(Card).order_by(Card.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Card, k) == v)
        return list(s.scalars(stmt))


def test_scan_turns_findings_into_cards_once(sv: Any) -> None:
    overdue = tp.add_case(sv, "360102", date(2026, 11, 20))
    tp.add_case(sv, "360103", date(2026, 11, 25), department="fgw")
    near = tp.add_case(sv, "360200", date(2026, 11, 29))
    tp.add_case(sv, "360102", date(2026, 12, 20))  # far from its deadline: nothing
    tp.add_case(sv, "360102", date(2026, 11, 1), concluded_on=date(2026, 10, 30))  # concluded: nothing
    first = scan.run_scan(sv, today=TODAY)
    assert first.issued == 3
    assert {k: v for k, v in first.by_rule.items() if k.startswith("sv_test")} == {
        "sv_test.overdue": 2, "sv_test.near": 1}
    again = scan.run_scan(sv, today=TODAY)
    assert again.issued == 0 and again.findings == 3  # found again, inserted nothing
    cards = _cards(sv)
    assert len(cards) == 3
    red = next(c for c in cards if c.object_id == str(overdue))
    assert (red.rule_id, red.rule_version, red.severity, red.kind_of_power) == (
        "sv_test.overdue", 1, "red", "administrative_approval")
    assert red.tenant_path == "360000/360100/360102" and red.owner_path == red.tenant_path
    assert red.department_code == "xzspj" and red.step == "review" and red.facts["deadline"] == "2026-11-20"
    assert red.feedback_due == add_workdays(TODAY, 5) and red.state == "issued"
    yellow = next(c for c in cards if c.object_id == str(near))
    assert (yellow.severity, yellow.rule_version) == ("yellow", 2)
    with sv.db.session(Scope.system()) as s:
        issued_events = s.scalar(select(func.count()).select_from(OutboxEvent)
                                 .where(OutboxEvent.type == "supervision.card.issued"))
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "supervision.cards.issue")).all()
    assert issued_events == 3
    assert sorted(i for a in audited for i in a.details["card_ids"]) == sorted(c.id for c in cards)


def test_a_new_occurrence_is_a_new_card(sv: Any) -> None:
    case_id = tp.add_case(sv, "360102", date(2026, 11, 20))
    scan.run_scan(sv, today=TODAY)
    with sv.db.transaction(Scope.system()) as s:  # the deadline was extended, then missed again
        s.execute(tp.CASES.update().where(tp.CASES.c.id == case_id).values(deadline=date(2026, 11, 26)))
    scan.run_scan(sv, today=TODAY)
    assert [c.occurrence for c in _cards(sv, object_id=str(case_id))] == ["2026-11-20", "2026-11-26"]


def test_rules_apply_only_where_their_plugin_is_enabled(sv: Any) -> None:
    from core.tenancy.service import set_plugin_state

    tp.add_case(sv, "360102", date(2026, 11, 20))
    tp.add_case(sv, "360103", date(2026, 11, 20))
    with sv.db.transaction(Scope.system()) as s:
        set_plugin_state(s, sv.directory, sv.directory.get("360103"), tp.NAME, "off", actor="tests")
    sv.refresh(force=True)
    scan.run_scan(sv, today=TODAY)
    assert [c.tenant_path.rsplit("/", 1)[1] for c in _cards(sv)] == ["360102"]


def _publish_denied(platform: Any, code: str, case_id: int, reason: str = "") -> int:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return events.publish(s, tenant=tenant, type="sv_test.case.denied",
                              payload={"case_id": case_id, "department_code": "fgw",
                                       "decision_reason": reason})


def test_event_rules_issue_cards_and_redelivery_adds_none(sv: Any) -> None:
    event_id = _publish_denied(sv, "360102", 7)
    _publish_denied(sv, "360102", 8, reason="材料不符合法定条件")
    events.dispatch_pending(sv)
    cards = _cards(sv, rule_id="sv_test.no_reason")
    assert [(c.object_id, c.source_event_id, c.step, c.department_code) for c in cards] == [
        ("7", event_id, "decide", "fgw")]
    # Redeliver: forget that supervision had it and mark it pending again.
    with sv.db.transaction(Scope.system()) as s:
        s.execute(EventDelivery.__table__.delete().where(EventDelivery.event_id == event_id))
        s.execute(OutboxEvent.__table__.update().where(OutboxEvent.id == event_id).values(dispatched_at=None))
    assert events.dispatch_pending(sv) >= 1
    assert len(_cards(sv, rule_id="sv_test.no_reason")) == 1
    # And the handler called directly twice with the same event.
    tenant = sv.directory.get("360102")
    ev = events.Event(id=event_id, type="sv_test.case.denied", tenant_id=tenant.id, tenant_path=tenant.path,
                      payload={"case_id": 7}, occurred_at=sv_now())
    with sv.db.transaction(tenant.scope) as s:
        assert scan.handle_event(sv, ev, s) == []
    assert len(_cards(sv, rule_id="sv_test.no_reason")) == 1


def sv_now() -> Any:
    from core.db.base import utcnow

    return utcnow()


def _one_card(sv: Any, code: str = "360102") -> Card:
    tp.add_case(sv, code, date(2026, 11, 20))
    scan.run_scan(sv, today=TODAY)
    return _cards(sv)[0]


def _act(sv: Any, card_id: int, action: str, version: int, note: str = "", today: date = TODAY) -> Card:
    with sv.db.transaction(Scope.system()) as s:
        card = services.get_card(s, card_id)
        return services.apply(sv, s, card, action, version=version, note=note, actor="staff:t", today=today)


def test_state_machine_happy_paths_and_bad_transitions(sv: Any) -> None:
    card = _one_card(sv)
    with pytest.raises(Conflict, match="it is issued") as bad:
        _act(sv, card.id, "resolve", 1)
    assert "不能办结" in bad.value.message_zh
    with pytest.raises(Invalid) as no_reason:
        _act(sv, card.id, "appeal", 1)
    assert no_reason.value.fields == {"note": "required"}
    card = _act(sv, card.id, "appeal", 1, note="已在期限内办结，系统时间有误")
    assert (card.state, card.version) == ("appealed", 2)
    with pytest.raises(Conflict, match="changed by someone else"):
        _act(sv, card.id, "send_back", 1, note="stale")
    card = _act(sv, card.id, "send_back", 2, note="申诉理由不成立")
    assert card.state == "sent_back" and card.feedback_due == add_workdays(TODAY, 5)
    card = _act(sv, card.id, "acknowledge", 3)
    card = _act(sv, card.id, "resolve", 4)
    assert (card.state, card.closed_on) == ("resolved", TODAY)
    with pytest.raises(Conflict):
        _act(sv, card.id, "revoke", 5, note="x")
    with sv.db.session(Scope.system()) as s:
        trail = [a.action for a in services.history(s, s.get(Card, card.id))]
        audited = s.scalars(select(AuditEntry.action).where(AuditEntry.target == f"card:{card.id}")).all()
        published = s.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("supervision.card.%"))
                              .order_by(OutboxEvent.id)).all()
    assert trail == ["issue", "appeal", "send_back", "acknowledge", "resolve"]
    assert audited == ["supervision.card.appeal", "supervision.card.send_back",
                       "supervision.card.acknowledge", "supervision.card.resolve"]
    assert published == ["supervision.card.issued", "supervision.card.appealed", "supervision.card.sent_back",
                         "supervision.card.acknowledged", "supervision.card.resolved"]


def test_appeal_upheld_revokes(sv: Any) -> None:
    card = _one_card(sv)
    card = _act(sv, card.id, "appeal", 1, note="系统误判")
    card = _act(sv, card.id, "revoke", 2, note="申诉成立")
    assert card.state == "revoked" and card.closed_on == TODAY


def test_unresolved_cards_escalate_county_city_province(sv: Any) -> None:
    card = _one_card(sv)
    due = card.feedback_due
    with sv.db.transaction(Scope.system()) as s:
        assert services.escalate_overdue(sv, s, today=due) == []  # on the deadline day: not yet
    _act(sv, card.id, "acknowledge", 1)  # acknowledged but not resolved still escalates
    later = add_workdays(due, 1)
    with sv.db.transaction(Scope.system()) as s:
        assert services.escalate_overdue(sv, s, today=later) == [card.id]
    city = _cards(sv)[0]
    assert (city.state, city.escalation_level, city.owner_path) == ("escalated", 1, "360000/360100")
    assert city.tenant_path == "360000/360100/360102"  # still attached to the object's tenant
    assert city.feedback_due == add_workdays(later, 5)
    with sv.db.transaction(Scope.system()) as s:
        services.escalate_overdue(sv, s, today=add_workdays(city.feedback_due, 1))
    province = _cards(sv)[0]
    assert (province.escalation_level, province.owner_path) == (2, "360000")
    with sv.db.transaction(Scope.system()) as s:  # the province has nobody above it
        assert services.escalate_overdue(sv, s, today=date(2027, 6, 1)) == []
    assert _cards(sv)[0].escalation_level == 2
    with sv.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "supervision.cards.escalate")) == 2


def test_appealed_cards_wait_for_the_supervisor_not_the_clock(sv: Any) -> None:
    card = _one_card(sv)
    _act(sv, card.id, "appeal", 1, note="理由")
    with sv.db.transaction(Scope.system()) as s:
        assert services.escalate_overdue(sv, s, today=date(2027, 1, 15)) == []
    card = _act(sv, card.id, "escalate", 2)
    assert (card.state, card.owner_path) == ("escalated", "360000/360100")


def test_feedback_days_are_inherited_down_the_tree(sv: Any) -> None:
    set_setting(sv, "360100", "supervision.feedback_days", 10)
    tp.add_case(sv, "360102", date(2026, 11, 20))  # Donghu inherits Nanchang's 10
    tp.add_case(sv, "360200", date(2026, 11, 20))  # Jingdezhen keeps the default 5
    scan.run_scan(sv, today=TODAY)
    due = {c.tenant_path.rsplit("/", 1)[1]: c.feedback_due for c in _cards(sv)}
    assert due == {"360102": add_workdays(TODAY, 10), "360200": add_workdays(TODAY, 5)}


def test_a_large_rescan_sends_only_new_occurrences(sv: Any) -> None:
    from sqlalchemy import insert

    donghu = sv.directory.get("360102")
    many = services.KNOWN_LOOKUP_FROM + 50  # more findings than the known-occurrence look-up threshold
    row = {"tenant_id": donghu.id, "tenant_path": donghu.path, "department_code": "fgw",
           "deadline": date(2026, 11, 20)}
    with sv.db.transaction(Scope.system()) as s:
        s.execute(insert(tp.CASES), [dict(row) for _ in range(many)])
    assert scan.run_scan(sv, today=TODAY).issued == many
    tp.add_case(sv, "360102", date(2026, 11, 21))
    again = scan.run_scan(sv, today=TODAY)
    assert again.issued == 1 and again.findings == services.KNOWN_LOOKUP_FROM + 51
    assert len(_cards(sv)) == services.KNOWN_LOOKUP_FROM + 51


def test_the_job_runner_runs_the_scan_once_per_slot(sv: Any) -> None:
    from datetime import UTC, datetime

    from core import jobs

    tp.add_case(sv, "360102", date(2026, 11, 20))
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert "supervision.scan" in jobs.run_due(sv, now=now)
    assert len(_cards(sv)) == 1
    sv.job_slots.clear()  # another process, same slot: the claim is already taken
    assert "supervision.scan" not in jobs.run_due(sv, now=now)


@pytest.mark.postgres
def test_concurrent_acts_on_one_card_never_both_win(sv: Any) -> None:
    import threading

    card = _one_card(sv)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str) -> None:
        try:
            with sv.db.transaction(Scope.system()) as s:
                loaded = services.get_card(s, card.id)  # both read version 1
                barrier.wait(timeout=10)
                services.apply(sv, s, loaded, action, version=1, note="并发", actor=f"staff:{action}")
            outcomes.append(action)
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=act, args=(a,)) for a in ("acknowledge", "appeal")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("version_conflict") == 1
    assert _cards(sv)[0].version == 2
