"""The payment API and pages over real HTTP: bad input answers with the field named and changes nothing,
another payer's order and another hall's order answer 404 like a missing one, the payer pays through the
gateway's own page and comes back to a receipt, the clerk refunds within what was paid."""

from __future__ import annotations

import re
from typing import Any

from factories import csrf_token, login, make_account, make_staff
from payment_helpers import gateway_call
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.db import Scope
from plugins.payment.models import Order


def _token_client(app: Any, platform: Any, username: str) -> TestClient:
    from core.identity.service import account_by_username
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        account = account_by_username(s, username)
        _row, raw = create_token(s, account, name="tests", scopes=["*"], days=1, known_permissions=set())
    return TestClient(app, headers={"Authorization": f"Bearer {raw}"}, follow_redirects=False)


def _orders(platform: Any) -> int:
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


API = "/api/t/360102/payment"


def test_the_api_refuses_bad_input_and_hides_others_orders(paying, app, gateway):
    make_account(paying, "person", "payer1")
    make_account(paying, "person", "payer2")
    one, two = _token_client(app, paying, "payer1"), _token_client(app, paying, "payer2")
    body = {"item_code": "DH-GA-003", "amount_cents": 2000, "idempotency_key": "api-1"}
    for bad, field in (
        ({**body, "amount_cents": 1999}, "amount_cents"),
        ({**body, "amount_cents": -5}, "amount_cents"),
        ({**body, "amount_cents": "20.00"}, "amount_cents"),
        ({**body, "item_code": "../x"}, "item_code"),
        ({k: v for k, v in body.items() if k != "idempotency_key"}, "idempotency_key"),
    ):
        r = one.post(f"{API}/orders", json=bad)
        assert r.status_code == 422 and field in r.json()["error"]["fields"], (bad, r.text)
    assert _orders(paying) == 0
    created = one.post(f"{API}/orders", json=body)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["state"] == "created" and order["amount_cents"] == 2000
    again = one.post(f"{API}/orders", json=body)
    assert again.status_code == 201 and again.json()["id"] == order["id"] and _orders(paying) == 1
    twice = one.post(f"{API}/orders", json={**body, "idempotency_key": "api-2"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "payment_in_progress"
    assert two.get(f"{API}/my/{order['id']}").status_code == 404  # another payer's order
    assert two.post(f"{API}/my/{order['id']}/start").status_code == 404
    assert one.get(f"/api/t/360103/payment/my/{order['id']}").status_code == 404  # another hall's
    assert one.get(f"{API}/my/99999999").status_code == 404
    started = one.post(f"{API}/my/{order['id']}/start")
    assert started.status_code == 200 and started.json()["next_url"].startswith(gateway)
    assert one.get(f"{API}/orders").status_code == 403  # payers do not list the hall's orders


def test_the_payer_pays_on_the_gateways_page_and_the_clerk_refunds(paying, client, gateway):
    make_account(paying, "person", "payer3")
    make_staff(paying, "cashier", "360102", "comprehensive_admin")
    make_staff(paying, "cashier2", "360103", "comprehensive_admin")
    login(client, "payer3")
    token = csrf_token(client, "/t/360102/")
    from plugins.payment import services

    donghu = paying.directory.get("360102")
    with paying.db.transaction(donghu.scope) as s:
        acc = s.scalar(select(Order.payer_account_id).limit(1))  # none yet
        assert acc is None
        from core.identity.service import account_by_username

        payer = account_by_username(s, "payer3")
        order, _ = services.create_order(
            s,
            paying,
            donghu,
            payer=services.Payer(payer.id, payer.display_name, "t"),
            item_code="DH-GA-003",
            amount_cents=2000,
            idempotency_key="page-1",
        )
        order_id = order.id
    page = client.get(f"/t/360102/payment/my/{order_id}")
    assert page.status_code == 200 and "¥20.00" in page.text and "data-pay" in page.text
    r = client.post(
        f"/t/360102/payment/my/{order_id}/pay", data={"csrf_token": token}, follow_redirects=False
    )
    # Not straight to the gateway (form-action 'self' would stop the browser): the order page hands on.
    assert r.status_code == 303 and r.headers["location"] == f"/t/360102/payment/my/{order_id}?go=1"
    handing = client.get(r.headers["location"])
    assert handing.status_code == 200 and "data-to-gateway" in handing.text
    next_url = handing.text.split('http-equiv="refresh" content="0;url=', 1)[1].split('"', 1)[0]
    assert next_url.startswith(gateway + "/pay/")
    assert "form-action 'self'" in handing.headers["content-security-policy"]
    pay_path = next_url.removeprefix(gateway)
    gateway_call(gateway, "GET", pay_path)
    status, _ = gateway_call(gateway, "POST", pay_path, form={"outcome": "success"})
    assert status == 303
    back = client.get(f"/t/360102/payment/my/{order_id}/return", follow_redirects=True)
    assert back.status_code == 200 and 'data-state="success"' in back.text and "data-receipt" in back.text
    receipt = client.get(f"/t/360102/payment/my/{order_id}/receipt")
    assert receipt.status_code == 200 and "电子票据" in receipt.text and "R" in receipt.text
    assert "我的消息" in client.get("/my/").text
    client.post("/logout", data={"csrf_token": token})

    login(client, "cashier")
    staff_page = client.get(f"/t/360102/payment/orders/{order_id}")
    assert staff_page.status_code == 200 and 'data-state="success"' in staff_page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff_page.text).group(1)
    over = client.post(
        f"/t/360102/payment/orders/{order_id}/refund",
        data={"csrf_token": token, "amount": "20.01", "reason": "多收", "key": "k1"},
    )
    assert over.status_code == 422 and 'data-error="refund_too_large"' in over.text
    bad = client.post(
        f"/t/360102/payment/orders/{order_id}/refund",
        data={"csrf_token": token, "amount": "abc", "reason": "多收", "key": "k1"},
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/t/360102/payment/orders/{order_id}/refund",
        data={"csrf_token": token, "amount": "5.50", "reason": "多收", "key": "k2"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with paying.db.session(Scope.system()) as s:
        assert s.get(Order, order_id).refunded_cents == 550
    client.post("/logout", data={"csrf_token": token})
    login(client, "cashier2")  # another hall's administrator: the order does not exist there
    assert client.get(f"/t/360103/payment/orders/{order_id}").status_code == 404
