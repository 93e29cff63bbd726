"""Licences from approval, through approval's own interfaces (its import command and pages): approving
issues the licence once even when the event is delivered again; the holder sees it in every hall; with
the licence plugin off, approval works unchanged."""

from __future__ import annotations

import json
import re

import pytest
from factories import csrf_token, login, make_account, make_staff
from licence_helpers import ACME, make_type
from sqlalchemy import delete, select, update

from core import events
from core.db import Scope
from plugins.licence import from_approval
from plugins.licence.models import Licence

PDF = b"%PDF-1.4 test document"
FOOD = {
    "code": "DH-SP-001",
    "name": "食品经营许可",
    "item_type": "licence",
    "section": "approval",
    "entrance": "legal",
    "department_code": "scjgj",
    "statutory_days": 20,
    "promised_days": 10,
    "form_fields": [{"name": "shop_name", "label": "经营场所名称"}],
    "materials": [{"code": "form", "name": "食品经营许可申请书", "allowed_types": "pdf"}],
}


@pytest.fixture
def setup(cli, platform, tmp_path):
    f = tmp_path / "items.json"
    f.write_text(json.dumps([FOOD], ensure_ascii=False), encoding="utf-8")
    r = cli("approval", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    make_account(
        platform,
        "legal",
        "acme",
        display_name="江西测试企业有限公司",
        id_number=ACME,
        representative_id="11010519491231002X",
    )
    make_staff(platform, "handler", "360102", "item_handler", department="scjgj")
    make_type(platform)


def _act(client, app_id: int, action: str, **extra: str) -> None:
    page = client.get(f"/t/360102/approval/workbench/{app_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        f"/t/360102/approval/workbench/{app_id}/{action}",
        data={"csrf_token": token, "version": version, **extra},
    )
    assert r.status_code == 303, (action, r.text[:300])


def approve(client) -> int:
    login(client, "acme")
    token = csrf_token(client, "/t/360102/approval/items/DH-SP-001/apply")
    r = client.post(
        "/t/360102/approval/items/DH-SP-001/apply",
        data={"csrf_token": token, "f_shop_name": "东湖小吃店"},
        files={"file_form": ("申请书.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303, r.text[:500]
    app_id = int(r.headers["location"].split("/my/")[1].split("?")[0])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "handler")
    for action, extra in (("accept", {}), ("review", {}), ("approve", {"reason": "符合条件"})):
        _act(client, app_id, action, **extra)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    return app_id


def _licences(platform) -> list[Licence]:
    with platform.db.session(Scope.system()) as s:
        return list(s.scalars(select(Licence).order_by(Licence.id)))


def test_approval_issues_the_licence_once_even_when_the_event_is_redelivered(client, platform, setup):
    app_id = approve(client)
    events.dispatch_pending(platform)
    [lic] = _licences(platform)
    assert lic.source_key == f"approval.application:{app_id}" and lic.holder_id_number == ACME
    assert {f["name"]: f["value"] for f in lic.data} == {
        "operator": "江西测试企业有限公司",
        "premises": "东湖小吃店",
        "category": "餐饮服务",
    }
    assert lic.decided_on is not None and lic.issue_deadline is not None and lic.application_number
    # Redelivery: the core forgets it delivered the event to this plugin and delivers it again.
    with platform.db.transaction(Scope.system()) as s:
        s.execute(delete(events.EventDelivery).where(events.EventDelivery.plugin == "licence"))
        s.execute(update(events.OutboxEvent).values(dispatched_at=None))
    events.dispatch_pending(platform)
    assert [x.id for x in _licences(platform)] == [lic.id]
    with platform.db.session(Scope.system()) as s:
        issued = s.scalars(
            select(events.OutboxEvent).where(events.OutboxEvent.type == "licence.licence.issued")
        ).all()
    assert len(issued) == 1 and issued[0].payload["recipient"] == {
        "kind": "legal",
        "id_number": ACME,
        "name": "江西测试企业有限公司",
    }


def test_the_handler_called_twice_with_one_event_issues_once(client, platform, setup):
    approve(client)
    with platform.db.session(Scope.system()) as s:
        row = s.scalars(
            select(events.OutboxEvent).where(events.OutboxEvent.type == "approval.application.approved")
        ).one()
        event = events.Event(
            id=row.id,
            type=row.type,
            tenant_id=row.tenant_id,
            tenant_path=row.tenant_path,
            payload=dict(row.payload),
            occurred_at=row.occurred_at,
            actor=row.actor,
        )
    tenant = platform.directory.get("360102")
    for _ in range(2):
        with platform.db.transaction(tenant.scope) as s:
            s.info["platform"] = platform
            from_approval.handle_event(event, s)
    assert len(_licences(platform)) == 1


def test_the_holder_sees_the_licence_in_every_hall_and_downloads_it(client, platform, setup):
    approve(client)
    events.dispatch_pending(platform)
    [lic] = _licences(platform)
    login(client, "acme")
    page = client.get("/t/360100/licence/my")  # another hall: one login for the network
    assert page.status_code == 200 and lic.identifier in page.text and "食品经营许可证" in page.text
    pdf = client.get(f"/t/360102/licence/my/{lic.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    api = client.get("/api/t/360000/licence/my").json()
    assert [i["identifier"] for i in api["items"]] == [lic.identifier]


def test_with_the_licence_plugin_off_approval_works_unchanged(client, platform, setup):
    from core.tenancy.service import set_plugin_state

    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, tenant, "licence", "off", actor="tests")
    platform.refresh(force=True)
    approve(client)
    events.dispatch_pending(platform)
    assert _licences(platform) == []
    assert client.get("/t/360102/licence/verify").status_code == 404


def test_an_item_without_a_licence_type_issues_nothing(client, platform, setup):
    tenant = platform.directory.get("360102")
    from plugins.licence import catalogue

    with platform.db.transaction(tenant.scope) as s:
        catalogue.remove_mapping(s, tenant, "DH-SP-001", actor="tests")
    approve(client)
    events.dispatch_pending(platform)
    assert _licences(platform) == []


def test_the_applicant_is_told_at_each_step_once_even_when_redelivered(client, platform, setup):
    from core.messages import Message

    app_id = approve(client)
    events.dispatch_pending(platform)
    [lic] = _licences(platform)

    def kinds() -> list[tuple[str, str]]:
        with platform.db.session(Scope.system()) as s:
            return [(m.kind, m.href) for m in s.scalars(select(Message).order_by(Message.id))]

    assert kinds() == [
        ("approval.accepted", f"approval/my/{app_id}"),
        ("approval.decision", f"approval/my/{app_id}"),
        ("licence.issued", f"licence/my/{lic.id}"),
    ]
    with platform.db.transaction(Scope.system()) as s:
        s.execute(delete(events.EventDelivery))
        s.execute(update(events.OutboxEvent).values(dispatched_at=None))
    events.dispatch_pending(platform)
    assert len(kinds()) == 3
    login(client, "acme")
    page = client.get("/my/messages/")
    assert 'data-unread="3"' in page.text and "电子证照已签发" in page.text and "准予许可" in page.text
    assert "Licence issued" in client.get("/my/messages/?lang=en").text
