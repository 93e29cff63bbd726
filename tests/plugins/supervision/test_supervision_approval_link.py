"""A card raised by approval's rules links to the application's staff page (``facts.href``): the card
page shows the link to a supervisor holding the subtree, and the page behind it opens for the department
that handles the application. (A supervisor following it gets 403: approval's case page requires
``approval:application:handle``; ``approval:application:read`` guards no page yet.)"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from factories import csrf_token, login, make_staff
from sqlalchemy import select

from core.db import Scope
from plugins.supervision import scan
from plugins.supervision.models import Card

approval = pytest.importorskip("plugins.approval.services")
from plugins.approval import catalogue, handling  # noqa: E402
from plugins.approval.schemas import ItemIn  # noqa: E402
from plugins.approval.uploads import Upload  # noqa: E402

MONDAY = date(2026, 11, 2)
ITEM = {
    "code": "DH-SP-902", "name": "食品经营许可", "item_type": "licence", "section": "approval",
    "entrance": "legal", "department_code": "scjgj", "statutory_days": 20, "promised_days": 10,
    "materials": [{"code": "form", "name": "申请书", "allowed_types": "pdf"}],
}


def _ctx(platform: Any, tenant: Any, kind: str, account_id: int) -> Any:
    who = approval.Who(label=f"{kind}:{account_id}", account_id=account_id, kind=kind,
                       allowed=lambda p: True, departments=None, name="某某餐饮有限公司",
                       id_number="91360102MA35XXXX0K" if kind == "legal" else "")
    return approval.Ctx(platform=platform, tenant=tenant, who=who, today=MONDAY)


def test_an_approval_card_links_to_the_application(platform: Any, client: Any) -> None:
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(ITEM))
    with platform.db.transaction(donghu.scope) as s:
        app = approval.submit(s, _ctx(platform, donghu, "legal", 1), ITEM["code"], {},
                              [Upload("form", "申请书.pdf", b"%PDF-1.4 test")])
        handling.accept(s, _ctx(platform, donghu, "staff", 100), app.id, app.version)
        app_id, deadline = app.id, app.deadline
    scan.run_scan(platform, today=deadline + timedelta(days=1))
    with platform.db.session(Scope.system()) as s:
        card = s.scalars(select(Card).where(Card.rule_id == "approval.overdue")).one()
    assert card.facts["href"] == f"approval/workbench/{app_id}"

    make_staff(platform, "nc_sup_link", "360100", "supervisor", subtree=True)
    c = login(client, "nc_sup_link")
    page = c.get(f"/t/360102/supervision/cards/{card.id}")
    assert page.status_code == 200
    link = f'href="/t/360102/approval/workbench/{app_id}"'
    assert link in page.text
    c.post("/logout", data={"csrf_token": csrf_token(c, "/login")})
    make_staff(platform, "dh_link", "360102", "item_handler", department="scjgj")
    c = login(client, "dh_link")
    assert c.get(f"/t/360102/approval/workbench/{app_id}").status_code == 200
