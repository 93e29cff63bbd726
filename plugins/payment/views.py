"""HTML pages: the payer's orders (pay, come back from the gateway, the receipt) and the staff's orders
(states, history, refunds) and reconciliations. Ownership is checked before anything else, so another
payer's order answers exactly like a missing one."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, Invalid, read_form, render, require, run_scoped, safe_url, yuan_cents
from plugins.payment import permissions as P
from plugins.payment import reconciliation, services
from plugins.payment.api import order_here, own_order, return_url
from plugins.payment.models import Order


def _base(request: Request) -> str:
    return f"/t/{request.state.ctx.tenant.code}/payment"


def common(**values: Any) -> dict[str, Any]:
    return {"yuan": services.yuan, "titles": services.STATE_TITLES, "notes": services.NOTE_TITLES,
            "to_gateway": False, **values}


# -- the payer ----------------------------------------------------------------------------------------


@require(P.OWN)
async def my_list(request: Request) -> Response:
    ctx = request.state.ctx
    rows = await run_scoped(
        request,
        lambda s: list(
            s.scalars(
                select(Order)
                .where(Order.tenant_id == ctx.tenant.id, Order.payer_account_id == ctx.actor.account_id)
                .order_by(Order.id.desc())
                .limit(100)
            )
        ),
    )
    return render(request, "payment/my.html", common(rows=rows))


def _detail(s: Any, order: Order) -> dict[str, Any]:
    return {
        "order": order,
        "receipt": services.receipt_of(s, order),
        "history": services.history(s, order),
        "refunds": services.refunds_of(s, order),
    }


def _own(request: Request, s: Any) -> Order:
    ctx = request.state.ctx
    return services.own(s, ctx.tenant, int(request.path_params["order_id"]), ctx.actor.account_id)


@require(P.OWN, visible=own_order)
async def my_detail(request: Request) -> Response:
    data = await run_scoped(request, lambda s: _detail(s, _own(request, s)))
    # ``?go=1`` after "pay now": the page hands the payer on to the gateway (see ``my_pay``).
    order = data["order"]
    go = request.query_params.get("go") == "1" and order.state == "started" and bool(safe_url(order.next_url))
    return render(request, "payment/order.html", common(staff=False, error=None, to_gateway=go, **data))


@require(P.OWN, visible=own_order)
async def my_pay(request: Request) -> Response:
    """Hand the order to the gateway and send the payer there. The form's answer cannot redirect to the
    gateway itself: the halls' Content-Security-Policy has ``form-action 'self'``, which browsers apply
    to every redirect of a form submission. So it goes back to the order page (same origin) with
    ``?go=1``, and that page moves on to the gateway by a meta refresh, with a link as a fallback."""
    ctx = request.state.ctx
    await read_form(request)
    order_id = int(request.path_params["order_id"])
    try:
        order = await ctx.platform.db.run(
            lambda: services.start(
                ctx.platform,
                ctx.tenant,
                order_id,
                return_url=return_url(request, order_id),
                actor=ctx.actor.label,
                account_id=ctx.actor.account_id,
            )
        )
    except DomainError as exc:
        data = await run_scoped(request, lambda s: _detail(s, _own(request, s)))
        return render(
            request, "payment/order.html", common(staff=False, error=exc, **data), status=exc.status
        )
    go = "?go=1" if order.state == "started" and order.next_url else ""
    return RedirectResponse(f"{_base(request)}/my/{order.id}{go}", status_code=303)


@require(P.OWN, visible=own_order)
async def my_cancel(request: Request) -> Response:
    ctx = request.state.ctx
    await read_form(request)
    await run_scoped(
        request,
        lambda s: services.cancel(s, ctx.platform, ctx.tenant, _own(request, s), actor=ctx.actor.label),
        write=True,
    )
    return RedirectResponse(f"{_base(request)}/my/{request.path_params['order_id']}", status_code=303)


@require(P.OWN, visible=own_order)
async def my_return(request: Request) -> Response:
    """Where the gateway sends the payer back: learn the outcome, then show the order."""
    ctx = request.state.ctx
    # The gateway may be away: the order page then says the state we know, and the task asks again.
    order_id = int(request.path_params["order_id"])
    with contextlib.suppress(DomainError):
        await ctx.platform.db.run(
            lambda: services.sync(
                ctx.platform, ctx.tenant, order_id, actor=ctx.actor.label, account_id=ctx.actor.account_id
            )
        )
    return RedirectResponse(f"{_base(request)}/my/{request.path_params['order_id']}", status_code=303)


@require(P.OWN, visible=own_order)
async def my_receipt(request: Request) -> Response:
    data = await run_scoped(request, lambda s: _detail(s, _own(request, s)))
    if data["receipt"] is None:
        raise Invalid(
            "This order has no receipt: it is not paid", "该订单尚未支付，没有电子票据", code="no_receipt"
        )
    return render(request, "payment/receipt.html", common(**data))


# -- staff --------------------------------------------------------------------------------------------


@require(P.ORDER_VIEW)
async def orders(request: Request) -> Response:
    ctx = request.state.ctx
    state = request.query_params.get("state", "")
    state = state if state in services.STATE_TITLES else ""

    def work(s: Any) -> dict[str, Any]:
        q = select(Order).where(Order.tenant_id == ctx.tenant.id)
        if state:
            q = q.where(Order.state == state)
        return {
            "rows": list(s.scalars(q.order_by(Order.id.desc()).limit(200))),
            "counts": services.count_by_state(s, ctx.tenant),
        }

    data = await run_scoped(request, work)
    return render(request, "payment/orders.html", common(state=state, **data))


@require(P.ORDER_VIEW, visible=order_here)
async def order_detail(request: Request) -> Response:
    ctx = request.state.ctx
    data = await run_scoped(
        request, lambda s: _detail(s, services.load(s, ctx.tenant, int(request.path_params["order_id"])))
    )
    return render(request, "payment/order.html", common(staff=True, error=None, **data))




@require(P.REFUND, visible=order_here)
async def order_refund(request: Request) -> Response:
    ctx = request.state.ctx
    form = await read_form(request)
    order_id = int(request.path_params["order_id"])
    try:
        cents = yuan_cents(form.get("amount"), "amount", allow_zero=True)
        await ctx.platform.db.run(
            lambda: services.refund(
                ctx.platform,
                ctx.tenant,
                order_id,
                amount_cents=cents,
                reason=str(form.get("reason", ""))[:500],
                idempotency_key=str(form.get("key", ""))[:100],
                actor=ctx.actor.label,
            )
        )
    except DomainError as exc:
        data = await run_scoped(request, lambda s: _detail(s, services.load(s, ctx.tenant, order_id)))
        return render(request, "payment/order.html", common(staff=True, error=exc, **data), status=exc.status)
    return RedirectResponse(f"{_base(request)}/orders/{order_id}", status_code=303)


@require(P.RECONCILE)
async def reconciliations(request: Request) -> Response:
    ctx = request.state.ctx
    error = None
    if request.method == "POST":
        form = await read_form(request)
        upload = form.get("statement")
        try:
            day = date.fromisoformat(str(form.get("day", "")))
        except ValueError:
            day = None
        try:
            if day is None:
                raise Invalid("Choose the statement's day", "请选择对账日期", fields={"day": "a date"})
            raw = await upload.read(20_000_001) if upload is not None and hasattr(upload, "read") else b""
            if not raw or len(raw) > 20_000_000:
                raise Invalid(
                    "Choose a statement file (CSV, at most 20 MB)",
                    "请选择对账单文件（CSV，不超过 20 MB）",
                    fields={"statement": "required"},
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid(
                    "The statement must be UTF-8 CSV",
                    "对账单须为 UTF-8 编码的 CSV",
                    fields={"statement": "not UTF-8"},
                ) from None
            provider = str(ctx.platform.tenant_setting(ctx.tenant, "payment.provider"))
            await run_scoped(
                request,
                lambda s: reconciliation.reconcile(
                    s, ctx.platform, ctx.tenant, provider=provider, day=day, text=text, actor=ctx.actor.label
                ),
                write=True,
            )
            return RedirectResponse(f"{_base(request)}/reconciliations", status_code=303)
        except DomainError as exc:
            error = exc
    rows = await run_scoped(request, lambda s: reconciliation.latest(s, ctx.tenant))
    return render(
        request,
        "payment/reconciliations.html",
        common(rows=rows, error=error),
        status=error.status if error else 200,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/my", my_list),
        Route("/my/{order_id:int}", my_detail),
        Route("/my/{order_id:int}/pay", my_pay, methods=["POST"]),
        Route("/my/{order_id:int}/cancel", my_cancel, methods=["POST"]),
        Route("/my/{order_id:int}/return", my_return),
        Route("/my/{order_id:int}/receipt", my_receipt),
        Route("/orders", orders),
        Route("/orders/{order_id:int}", order_detail),
        Route("/orders/{order_id:int}/refund", order_refund, methods=["POST"]),
        Route("/reconciliations", reconciliations, methods=["GET", "POST"]),
    ]
