"""Medicine pages on the demo data: the public listed-price search (no login) with the tier that listed
each price, hospitals' on-time payment rate as a chart, a round's completion, in Chinese and English;
every msgid has a Chinese translation; the demo has orders in every state."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.db import Scope
from core.web.i18n import Catalogue
from plugins.medicine.models import ORDER_STATUSES, Order, Round
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "medicine"


def test_every_medicine_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 50
    assert [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])] == []


def test_public_prices_payments_and_a_round_in_both_languages(demo_client, demo_platform):
    page = demo_client.get("/t/360102/medicine/?q=阿莫西林")
    assert page.status_code == 200
    assert (
        "阿莫西林胶囊" in page.text and "南昌市" in page.text and "11.80" in page.text
    )  # Nanchang's lower price
    assert "二甲双胍" not in page.text
    county = demo_client.get("/t/360402/medicine/?q=阿莫西林")  # Jiujiang: the province's price
    assert "12.60" in county.text and "11.80" not in county.text
    pay = demo_client.get("/t/360100/medicine/payments")
    assert pay.status_code == 200 and "<svg" in pay.text and "南昌市东湖区人民医院" in pay.text
    assert "按时回款率" in pay.text
    with demo_platform.db.session(Scope.system()) as s:
        rid = s.scalar(select(Round.id))
        states = set(s.scalars(select(Order.status).distinct()))
        assert s.scalar(select(func.count()).select_from(Order)) >= 9
    assert states == set(ORDER_STATUSES)
    r = demo_client.get(f"/t/360102/medicine/rounds/{rid}?lang=en")
    assert r.status_code == 200 and "Insurance prepayment share" in r.text and "<svg" in r.text


def test_a_guest_sees_no_orders(demo_client):
    page = demo_client.get("/t/360102/medicine/orders")
    assert page.status_code == 200 and 'id="order-list"' not in page.text
