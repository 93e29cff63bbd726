"""Supervision with the real approval plugin: its rules and metrics, through hooks only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from factories import login, make_staff
from sqlalchemy import select

from core import events
from core.db import Scope
from core.events import EventDelivery, OutboxEvent
from plugins.supervision import scan
from plugins.supervision.models import Card

approval = pytest.importorskip("plugins.approval.services")
from plugins.approval import catalogue, handling  # noqa: E402
from plugins.approval.schemas import ItemIn  # noqa: E402
from plugins.approval.uploads import Upload  # noqa: E402

MONDAY = date(2026, 11, 2)
ITEM = {
    "code": "DH-SP-901", "name": "食品经营许可", "item_type": "licence", "section": "approval",
    "entrance": "legal", "department_code": "scjgj", "statutory_days": 20, "promised_days": 10,
    "fee_cents": 0, "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "materials": [{"code": "form", "name": "申请书", "allowed_types": "pdf"}],
}


def _who(kind: str, account_id: int) -> Any:
    return approval.Who(label=f"{kind}:{account_id}", account_id=account_id, kind=kind,
                        allowed=lambda p: True,
                        departments=None, name="南昌某某餐饮有限公司" if kind == "legal" else "staff",
                        id_number="91360102MA35XXXX0K" if kind == "legal" else "")


def _ctx(platform: Any, tenant: Any, who: Any, today: date = MONDAY) -> Any:
    return approval.Ctx(platform=platform, tenant=tenant, who=who, today=today)


@pytest.fixture
def accepted(platform: Any) -> tuple[int, date]:
    """One food licence application at Donghu, accepted on MONDAY."""
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(ITEM))
    with platform.db.transaction(donghu.scope) as s:
        app = approval.submit(s, _ctx(platform, donghu, _who("legal", 1)), ITEM["code"], {},
                              [Upload("form", "申请书.pdf", b"%PDF-1.4 test")])
        handling.accept(s, _ctx(platform, donghu, _who("staff", 100)), app.id, app.version)
        return app.id, app.deadline


def _cards(platform: Any) -> list[Card]:
    with platform.db.session(Scope.system()) as s:
        stmt = select(Card).where(Card.object_type == "approval.application").order_by(Card.id)
        return list(s.scalars(stmt))


def test_an_overdue_application_gets_one_red_card(platform: Any, accepted: tuple[int, date]) -> None:
    app_id, deadline = accepted
    late = deadline + timedelta(days=1)
    first = scan.run_scan(platform, today=late)
    assert first.by_rule["approval.overdue"] == 1
    scan.run_scan(platform, today=late)
    red = [c for c in _cards(platform) if c.rule_id == "approval.overdue"]
    assert len(red) == 1
    card = red[0]
    assert (card.object_id, card.severity) == (str(app_id), "red")
    assert card.kind_of_power == "administrative_approval"
    assert card.tenant_path == "360000/360100/360102" and card.department_code == "scjgj"
    assert card.facts["deadline"] == deadline.isoformat()


def test_approval_events_raise_cards_once(platform: Any, accepted: tuple[int, date]) -> None:
    app_id, _ = accepted
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:  # approved, but with no reason given
        app = approval.load(s, app_id)
        handling.start_review(s, _ctx(platform, donghu, _who("staff", 100)), app.id, app.version)
        app = approval.load(s, app_id)
        handling.decide(s, _ctx(platform, donghu, _who("staff", 100)), app.id, app.version, approve=True)
        assert approval.load(s, app_id).decision == "approved"
        # The approval plugin announces decisions as approval.application.approved|denied (the shared
        # contract); published here in case this version of it announces them elsewhere.
        events.publish(s, tenant=donghu, type="approval.application.approved",
                       payload={"application_id": app_id, "department_code": "scjgj"}, actor="tests")
    events.dispatch_pending(platform)
    from_events = [c for c in _cards(platform) if c.source_event_id is not None]
    assert {c.rule_id for c in from_events} == {"approval.decision_without_reason"}
    assert from_events[0].object_id == str(app_id) and from_events[0].severity == "yellow"
    event_id = from_events[0].source_event_id
    with platform.db.transaction(Scope.system()) as s:  # redeliver that event to supervision
        s.execute(EventDelivery.__table__.delete().where(EventDelivery.event_id == event_id,
                                                         EventDelivery.plugin == "supervision"))
        s.execute(OutboxEvent.__table__.update().where(OutboxEvent.id == event_id).values(dispatched_at=None))
    events.dispatch_pending(platform)
    assert len([c for c in _cards(platform) if c.source_event_id is not None]) == len(from_events)


def test_dashboard_reads_approval_metrics_and_supervisors_cannot_touch_applications(
        platform: Any, client: Any, accepted: tuple[int, date]) -> None:
    app_id, deadline = accepted
    scan.run_scan(platform, today=deadline + timedelta(days=1))
    make_staff(platform, "nc_sup", "360100", "supervisor", subtree=True)
    login(client, "nc_sup")
    data = client.get("/api/t/360100/supervision/dashboard").json()
    donghu = next(i for i in data["rates"]["items"] if i["tenant_code"] == "360102")
    assert donghu["received"] >= 1
    assert data["cards"]["by_severity"]["red"] >= 1
    card_id = next(c.id for c in _cards(platform) if c.rule_id == "approval.overdue")
    card = client.get(f"/api/t/360100/supervision/cards/{card_id}").json()
    assert card["object_id"] == str(app_id)
    for action in ("accept", "decide", "conclude"):
        r = client.post(f"/api/t/360102/approval/applications/{app_id}/{action}", json={"version": 1})
        assert r.status_code in (403, 404), (action, r.status_code)


def test_supervisor_reads_the_application_behind_a_card_but_gets_no_actions(
        platform: Any, client: Any, accepted: tuple[int, date]) -> None:
    app_id, deadline = accepted
    scan.run_scan(platform, today=deadline + timedelta(days=1))
    card = next(c for c in _cards(platform) if c.rule_id == "approval.overdue")
    href = card.facts["href"]
    make_staff(platform, "nc_reader", "360100", "supervisor", subtree=True)
    login(client, "nc_reader")
    page = client.get(f"/t/360102/{href}")
    assert page.status_code == 200
    assert card.facts["number"] in page.text  # the case file itself
    assert f"/approval/workbench/{app_id}/accept" not in page.text  # no action forms for a supervisor
    client.post("/logout", data={"csrf_token": client.cookies.get("govhall_csrf", "")})
    client.cookies.clear()
    make_staff(platform, "jdz_reader", "360200", "supervisor", subtree=True)
    login(client, "jdz_reader")
    assert client.get(f"/t/360102/{href}").status_code == 403  # another city's supervisor


def test_a_card_lands_in_the_departments_inbox_once(platform: Any, accepted: tuple[int, date]) -> None:
    from core.messages import Message

    _app_id, deadline = accepted
    scan.run_scan(platform, today=deadline + timedelta(days=1))
    for _ in range(2):
        events.dispatch_pending(platform)
    [red] = [c for c in _cards(platform) if c.rule_id == "approval.overdue"]
    with platform.db.session(Scope.system()) as s:
        msgs = [m for m in s.scalars(select(Message)) if m.dedupe_key == f"supervision.card:{red.id}"]
    assert len(msgs) == 1 and msgs[0].to_department_id is not None and msgs[0].to_account_id is None
    assert msgs[0].title_zh.startswith("【红牌】") and msgs[0].href == f"supervision/cards/{red.id}"
