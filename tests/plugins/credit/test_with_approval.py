"""Credit inside approval, through approval's own public interfaces (its import command and pages):
the acceptance shows the credit finding; with credit off at the tenant, approval works unchanged."""

from __future__ import annotations

import json
import re

import pytest
from credit_helpers import ACME, listed, switch
from factories import csrf_token, login, make_account, make_staff
from sqlalchemy import select

from core import events
from core.db import Scope
from plugins.credit.dates import local_today
from plugins.credit.models import CreditRecord

PDF = b"%PDF-1.4 test document"
FOOD = {"code": "DH-SP-001", "name": "食品经营许可", "item_type": "licence", "section": "approval",
        "entrance": "legal", "department_code": "scjgj", "statutory_days": 20, "promised_days": 10,
        "materials": [{"code": "form", "name": "食品经营许可申请书", "allowed_types": "pdf"}]}


@pytest.fixture
def catalogue(cli, platform, tmp_path):
    f = tmp_path / "items.json"
    f.write_text(json.dumps([FOOD], ensure_ascii=False), encoding="utf-8")
    r = cli("approval", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    make_account(platform, "legal", "acme", display_name="江西测试企业有限公司", id_number=ACME,
                 representative_id="11010519491231002X")
    make_staff(platform, "handler", "360102", "item_handler", department="scjgj")


def _apply_and_accept(client) -> tuple[int, str]:
    login(client, "acme")
    token = csrf_token(client, "/t/360102/approval/items/DH-SP-001/apply")
    r = client.post("/t/360102/approval/items/DH-SP-001/apply", data={"csrf_token": token},
                    files={"file_form": ("申请书.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text[:500]
    app_id = int(r.headers["location"].split("/my/")[1].split("?")[0])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "handler")
    page = client.get(f"/t/360102/approval/workbench/{app_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(f"/t/360102/approval/workbench/{app_id}/accept", data={"csrf_token": token,
                                                                           "version": version})
    assert r.status_code == 303, r.text[:500]
    return app_id, client.get(f"/t/360102/approval/workbench/{app_id}").text


def _payloads(platform, event_type: str) -> list[dict]:
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(events.OutboxEvent).where(events.OutboxEvent.type == event_type)).all()
    return [dict(e.payload) for e in rows]


def _decide(client, app_id: int) -> None:
    for action, extra in (("review", {}), ("approve", {"reason": "符合条件"})):
        page = client.get(f"/t/360102/approval/workbench/{app_id}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post(f"/t/360102/approval/workbench/{app_id}/{action}",
                        data={"csrf_token": token, "version": version, **extra})
        assert r.status_code == 303, (action, r.text[:300])


def test_acceptance_shows_the_credit_finding_and_approval_publishes_the_licence(client, platform, catalogue):
    listed(platform, ACME, "black", "360103", today=local_today())
    app_id, case = _apply_and_accept(client)
    assert "[公共信用]" in case and "信用预警：严重" in case and "黑名单" in case
    events.dispatch_pending(platform)
    # supervision turned the credit rule's finding into a card for this application
    assert [(p["rule_id"], p["object_id"]) for p in _payloads(platform, "supervision.card.issued")] == [
        ("credit.serious_subject_accepted", str(app_id))]
    _decide(client, app_id)
    events.dispatch_pending(platform)
    assert [p["application_id"] for p in _payloads(platform, "approval.application.approved")] == [app_id]
    with platform.db.session(Scope.system()) as s:
        rec = s.scalars(select(CreditRecord).where(CreditRecord.kind == "licence")).one()
    assert rec.source_key == f"approval.application:{app_id}" and rec.subject_code == ACME
    assert rec.title == "食品经营许可" and rec.tenant_path.endswith("360102")
    events.dispatch_pending(platform)  # nothing new, nothing twice
    with platform.db.session(Scope.system()) as s:
        assert len(s.scalars(select(CreditRecord)).all()) == 1


def test_clean_applicant_gets_an_info_finding_and_no_card(client, platform, catalogue):
    app_id, case = _apply_and_accept(client)
    assert "[公共信用]" in case and "无不良信用记录" in case
    events.dispatch_pending(platform)
    assert _payloads(platform, "supervision.card.issued") == []


def test_with_credit_off_approval_works_unchanged(client, platform, catalogue):
    listed(platform, ACME, "black", "360102", today=local_today())
    switch(platform, "360102", "credit", "off")
    app_id, case = _apply_and_accept(client)
    assert "[公共信用]" not in case and "信用预警" not in case
    assert _payloads(platform, "approval.application.accepted")
    events.dispatch_pending(platform)
    assert _payloads(platform, "supervision.card.issued") == []
    _decide(client, app_id)
    events.dispatch_pending(platform)
    assert [p["application_id"] for p in _payloads(platform, "approval.application.approved")] == [app_id]
    with platform.db.session(Scope.system()) as s:  # delivered to nobody at a tenant where credit is off
        assert s.scalars(select(CreditRecord).where(CreditRecord.kind == "licence")).all() == []
