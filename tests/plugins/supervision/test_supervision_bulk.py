"""Issuing and escalating many cards in one statement each: every card still gets its history row and
its event, with the same payload, on both databases; a rerun writes nothing more."""

from __future__ import annotations

from datetime import date
from typing import Any

import sv_test_plugin as tp
from sqlalchemy import select

from core.calendar import add_workdays
from core.db import Scope
from core.events import OutboxEvent
from plugins.supervision import scan, services
from plugins.supervision.models import Card, CardAction
from plugins.supervision.outbox import PAYLOAD_COLUMNS

TODAY = date(2026, 11, 28)


def _trail(platform: Any) -> tuple[list[Card], list[CardAction], list[OutboxEvent]]:
    with platform.db.session(Scope.system()) as s:
        cards = list(s.scalars(select(Card).order_by(Card.id)))
        actions = list(s.scalars(select(CardAction).order_by(CardAction.id)))
        evs = list(s.scalars(select(OutboxEvent).where(OutboxEvent.type.like("supervision.card.%"))
                             .order_by(OutboxEvent.id)))
        return cards, actions, evs


def test_each_issued_and_escalated_card_has_its_history_and_event(sv: Any) -> None:
    for code in ("360102", "360103", "360200", "360102"):
        tp.add_case(sv, code, date(2026, 11, 20))
    assert scan.run_scan(sv, today=TODAY).issued == 4
    assert scan.run_scan(sv, today=TODAY).issued == 0
    cards, actions, evs = _trail(sv)
    assert [(a.card_id, a.action, a.to_state, a.owner_path) for a in actions] == [
        (c.id, "issue", "issued", c.tenant_path) for c in cards]
    assert [(e.type, e.tenant_id, e.tenant_path) for e in evs] == [
        ("supervision.card.issued", c.tenant_id, c.tenant_path) for c in cards]
    for e, c in zip(evs, cards, strict=True):
        assert e.payload == {"card_id": c.id, **{k: getattr(c, k) for k in PAYLOAD_COLUMNS}}

    later = add_workdays(cards[0].feedback_due, 1)
    with sv.db.transaction(Scope.system()) as s:
        moved = services.escalate_overdue(sv, s, today=later)
    assert sorted(moved) == [c.id for c in cards]
    cards, actions, evs = _trail(sv)
    escalations = [a for a in actions if a.action == "escalate"]
    assert sorted((a.card_id, a.to_state, a.owner_path) for a in escalations) == [
        (c.id, "escalated", c.owner_path) for c in cards]
    assert all(a.note == f"feedback deadline passed on {later.isoformat()}" for a in escalations)
    escalated = {e.payload["card_id"]: e.payload for e in evs if e.type == "supervision.card.escalated"}
    assert escalated == {c.id: {"card_id": c.id, **{k: getattr(c, k) for k in PAYLOAD_COLUMNS}}
                         for c in cards}
    # Counties move to their city, a city to the province.
    assert {c.owner_path for c in cards} == {"360000/360100", "360000"}
