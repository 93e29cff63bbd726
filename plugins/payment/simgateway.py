"""A simulated payment gateway: a small separate ASGI app spoken to over HTTP, as a province's non-tax
revenue gateway would be. Payments live in memory. ``govhall payment gateway`` serves it; tests start it
on a free port. It is not a function returning success: the payer's outcome is chosen on its own page
(or through ``POST /v1/payments/{id}/outcome``), and refunds above what was captured are refused.

API: ``POST /v1/payments`` {amount, reference, description, return_url} -> 201 {payment_id, state,
next_url}; ``GET /v1/payments/{id}``; ``POST /v1/payments/{id}/refunds`` {amount, key};
``GET /v1/statements/{YYYY-MM-DD}`` -> CSV of the day's successful payments and refunds.
"""

from __future__ import annotations

import html
import threading
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from core.api import clock

BUSINESS_ZONE = ZoneInfo("Asia/Shanghai")  # a Chinese gateway's statement day is Beijing time


def _day() -> str:
    return clock.now().astimezone(BUSINESS_ZONE).date().isoformat()  # the one clock (tests may set it)


OUTCOMES = {"success": "success", "decline": "failed", "cancel": "cancelled", "error": "error"}


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.payments: dict[str, dict[str, Any]] = {}
        self.refund_keys: dict[str, dict[str, Any]] = {}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(base_url: str = "") -> Starlette:
    """The gateway app; ``base_url`` is how payers reach it (``next_url`` points there)."""
    store = Store()

    def _base(request: Request) -> str:
        return base_url or str(request.base_url).rstrip("/")

    async def create(request: Request) -> Response:
        try:
            body = await request.json()
            amount = body["amount"]
            reference = str(body["reference"])[:40]
            return_url = str(body["return_url"])[:500]
        except (ValueError, KeyError, TypeError):
            return _error(400, "amount, reference and return_url are required")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 10**9:
            return _error(400, "amount must be a positive whole number of cents")
        now = clock.now()
        with store.lock:
            # One payment per merchant reference (as real gateways dedupe the merchant order number): a
            # retry after a timeout or a crash gets the same payment, never a second one.
            same = next((p for p in store.payments.values() if p["reference"] == reference), None)
            if same is not None:
                if same["amount"] != amount:
                    return _error(409, "this reference was used for another amount")
                return JSONResponse(
                    {"payment_id": same["payment_id"], "state": same["state"],
                     "next_url": f"{_base(request)}/pay/{same['payment_id']}"},
                    status_code=201,
                )
            pid = uuid.uuid4().hex[:20]
            store.payments[pid] = {
                "payment_id": pid,
                "reference": reference,
                "amount": amount,
                "state": "created",
                "description": str(body.get("description", ""))[:200],
                "refunded": 0,
                "return_url": return_url,
                "created": now.isoformat(),
                "paid_on": None,
                "refunds": [],
            }
        return JSONResponse(
            {"payment_id": pid, "state": "created", "next_url": f"{_base(request)}/pay/{pid}"},
            status_code=201,
        )

    def _get(pid: str) -> dict[str, Any] | None:
        with store.lock:
            p = store.payments.get(pid)
            return dict(p) if p else None

    async def status(request: Request) -> Response:
        p = _get(request.path_params["pid"])
        if p is None:
            return _error(404, "no such payment")
        return JSONResponse(
            {k: p[k] for k in ("payment_id", "reference", "amount", "state", "refunded", "paid_on")}
        )

    def _finish(pid: str, outcome: str) -> dict[str, Any] | None:
        with store.lock:
            p = store.payments.get(pid)
            if p is None:
                return None
            if p["state"] in ("created", "started", "submitted"):
                p["state"] = OUTCOMES[outcome]
                if p["state"] == "success":
                    p["paid_on"] = _day()
            return dict(p)

    async def page(request: Request) -> Response:
        pid = request.path_params["pid"]
        with store.lock:
            p = store.payments.get(pid)
            if p is not None and p["state"] == "created":
                p["state"] = "started"
            p = dict(p) if p else None
        if p is None:
            return HTMLResponse("<p>没有这笔支付 No such payment</p>", status_code=404)
        yuan = f"{p['amount'] / 100:.2f}"
        buttons = "".join(
            f'<button name="outcome" value="{o}" type="submit">{label}</button> '
            for o, label in (
                ("success", "确认支付 Pay"),
                ("decline", "银行卡被拒 Card declined"),
                ("cancel", "取消 Cancel"),
            )
        )
        body = (
            f'<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>模拟支付网关 Simulated gateway</title><body style='font-family:sans-serif;padding:1em'>"
            f"<h1>模拟支付网关 <small>Simulated gateway</small></h1>"
            f"<p>{html.escape(p['description'])}</p><p>订单 Reference: <code>{html.escape(p['reference'])}"
            f"</code></p><p>金额 Amount: <strong data-amount>¥{yuan}</strong></p>"
            f"<p>状态 State: {p['state']}</p>"
            + (
                f'<form method="post" action="/pay/{pid}">{buttons}</form>'
                if p["state"] in ("created", "started")
                else ""
            )
            + "</body></html>"
        )
        return HTMLResponse(body)

    async def pay(request: Request) -> Response:
        form = await request.form()
        outcome = str(form.get("outcome", ""))
        if outcome not in OUTCOMES:
            return HTMLResponse("<p>请选择 Choose an outcome</p>", status_code=400)
        pid = request.path_params["pid"]
        with store.lock:
            if pid in store.payments and store.payments[pid]["state"] in ("created", "started"):
                store.payments[pid]["state"] = "submitted"
        p = _finish(pid, outcome)
        if p is None:
            return HTMLResponse("<p>没有这笔支付 No such payment</p>", status_code=404)
        return RedirectResponse(p["return_url"], status_code=303)

    async def outcome(request: Request) -> Response:
        try:
            chosen = str((await request.json())["outcome"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "outcome is required")
        if chosen not in OUTCOMES:
            return _error(400, f"outcome must be one of {', '.join(OUTCOMES)}")
        p = _finish(request.path_params["pid"], chosen)
        if p is None:
            return _error(404, "no such payment")
        return JSONResponse({"payment_id": p["payment_id"], "state": p["state"]})

    async def refund(request: Request) -> Response:
        try:
            body = await request.json()
            amount, key = body["amount"], str(body["key"])[:100]
        except (ValueError, KeyError, TypeError):
            return _error(400, "amount and key are required")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return _error(400, "amount must be a positive whole number of cents")
        pid = request.path_params["pid"]
        with store.lock:
            if key in store.refund_keys:
                return JSONResponse(store.refund_keys[key], status_code=200)
            p = store.payments.get(pid)
            if p is None:
                return _error(404, "no such payment")
            if p["state"] != "success":
                return _error(409, "only a successful payment can be refunded")
            if p["refunded"] + amount > p["amount"]:
                return _error(400, "refund exceeds the amount captured")
            p["refunded"] += amount
            out = {"refund_id": uuid.uuid4().hex[:20], "amount": amount, "state": "success", "on": _day()}
            p["refunds"].append(out)
            store.refund_keys[key] = out
        return JSONResponse(out, status_code=201)

    async def statement(request: Request) -> Response:
        day = request.path_params["day"]
        lines = ["reference,payment_id,amount_cents,kind,date"]
        with store.lock:
            for p in store.payments.values():
                if p["state"] == "success" and p["paid_on"] == day:
                    lines.append(f"{p['reference']},{p['payment_id']},{p['amount']},payment,{day}")
                lines += [
                    f"{p['reference']},{r['refund_id']},{r['amount']},refund,{day}"
                    for r in p["refunds"]
                    if r["on"] == day
                ]
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/csv")

    return Starlette(
        routes=[
            Route("/v1/payments", create, methods=["POST"]),
            Route("/v1/payments/{pid}", status, methods=["GET"]),
            Route("/v1/payments/{pid}/outcome", outcome, methods=["POST"]),
            Route("/v1/payments/{pid}/refunds", refund, methods=["POST"]),
            Route("/v1/statements/{day}", statement, methods=["GET"]),
            Route("/pay/{pid}", page, methods=["GET"]),
            Route("/pay/{pid}", pay, methods=["POST"]),
        ]
    )
