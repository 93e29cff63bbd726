"""JSON API of the payment plugin, under ``/api/t/{code}/payment/``.

Payers: create an order for an item's fee (``idempotency_key``: a repeat returns the first order), read,
start (``next_url``: where to send the payer), sync after returning, cancel — their own orders only;
another's answers 404 like a missing one. Staff: list and read orders, refund (never above what was
paid), set fees, import a statement and read the differences. Errors: ``{"error": {"code", "message",
"fields"}}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    api_doc,
    page_model,
    page_params,
    paginate,
    parse_body,
    require,
    run_scoped,
    tenant_object,
)
from plugins.payment import permissions as P
from plugins.payment import reconciliation, services
from plugins.payment.models import Fee, Order
from plugins.payment.schemas import (
    FeeIn,
    FeeOut,
    OrderIn,
    OrderOut,
    ReconciliationOut,
    RefundIn,
    RefundOut,
    StatementIn,
)

_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def order_out(s: Any, o: Order, lang: str) -> dict[str, Any]:
    receipt = services.receipt_of(s, o) if o.state == "success" else None
    title = services.STATE_TITLES.get(o.state, (o.state, o.state))
    return {
        "id": o.id,
        "reference": o.reference,
        "item_code": o.item_code,
        "item_name": o.item_name,
        "legal_basis": o.legal_basis,
        "stage": o.stage,
        "application_id": o.application_id,
        "application_number": o.application_number,
        "amount_cents": o.amount_cents,
        "refunded_cents": o.refunded_cents,
        "state": o.state,
        "state_title": title[0 if lang == "zh-CN" else 1],
        "failure_code": o.failure_code,
        "next_url": o.next_url,
        "created_at": o.created_at,
        "expires_at": o.expires_at,
        "receipt_number": receipt.number if receipt else None,
        "version": o.version,
    }


def payer_of(request: Request) -> services.Payer:
    a = request.state.ctx.actor
    return services.Payer(a.account_id, a.display_name, a.label)


def return_url(request: Request, order_id: int) -> str:
    ctx = request.state.ctx
    base = str(ctx.platform.settings["payment.public_base_url"]).rstrip("/")
    return f"{base}/t/{ctx.tenant.code}/payment/my/{order_id}/return"


order_here = tenant_object(
    Order, "order_id", "No such payment order here", "本级没有这个缴费订单", code="unknown_order"
)


async def own_order(request: Request) -> None:
    """One of the caller's own orders at this tenant; anyone else's answers like a missing one."""
    ctx = request.state.ctx
    order_id = int(request.path_params["order_id"])

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            services.own(s, ctx.tenant, order_id, ctx.actor.account_id)

    await ctx.platform.db.run(check)


@api_doc(
    request=OrderIn,
    response=OrderOut,
    status=201,
    summary="Create a payment order for an item's fee (idempotent by idempotency_key)",
)
@require(P.OWN)
async def create(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, OrderIn)

    def work(s: Any) -> dict[str, Any]:
        order, created = services.create_order(
            s,
            ctx.platform,
            ctx.tenant,
            payer=payer_of(request),
            item_code=data.item_code,
            amount_cents=data.amount_cents,
            idempotency_key=data.idempotency_key,
        )
        if created:
            services.tell_created(s, ctx.tenant, order)
        return order_out(s, order, ctx.lang)

    return await _run(request, work, write=True)


@api_doc(response=page_model(OrderOut), summary="My payment orders at this hall (newest first, one page)")
@require(P.OWN)
async def mine(request: Request) -> Any:
    ctx = request.state.ctx

    def work(s: Any) -> dict[str, Any]:
        rows = s.scalars(
            select(Order)
            .where(Order.tenant_id == ctx.tenant.id, Order.payer_account_id == ctx.actor.account_id)
            .order_by(Order.id.desc())
            .limit(100)
        )
        return {"items": [order_out(s, o, ctx.lang) for o in rows], "next_cursor": None}

    return await _run(request, work)


@api_doc(response=OrderOut, summary="One of my payment orders (learns its state from the gateway)")
@require(P.OWN, visible=own_order)
async def get_mine(request: Request) -> Any:
    ctx = request.state.ctx
    order_id = int(request.path_params["order_id"])

    await ctx.platform.db.run(  # the gateway is asked with no transaction open
        lambda: services.sync(
            ctx.platform, ctx.tenant, order_id, actor=ctx.actor.label, account_id=ctx.actor.account_id
        )
    )
    return await _run(request, lambda s: order_out(s, services.load(s, ctx.tenant, order_id), ctx.lang))


@api_doc(response=OrderOut, summary="Start paying: the order goes to the gateway; send the payer to next_url")
@require(P.OWN, visible=own_order)
async def start(request: Request) -> Any:
    ctx = request.state.ctx
    order_id = int(request.path_params["order_id"])

    await ctx.platform.db.run(  # the gateway is asked with no transaction open
        lambda: services.start(
            ctx.platform,
            ctx.tenant,
            order_id,
            return_url=return_url(request, order_id),
            actor=ctx.actor.label,
            account_id=ctx.actor.account_id,
        )
    )
    return await _run(request, lambda s: order_out(s, services.load(s, ctx.tenant, order_id), ctx.lang))


@api_doc(response=OrderOut, summary="Cancel an order not yet submitted to the gateway")
@require(P.OWN, visible=own_order)
async def cancel(request: Request) -> Any:
    ctx = request.state.ctx
    order_id = int(request.path_params["order_id"])

    def work(s: Any) -> dict[str, Any]:
        o = services.own(s, ctx.tenant, order_id, ctx.actor.account_id)
        return order_out(s, services.cancel(s, ctx.platform, ctx.tenant, o, actor=ctx.actor.label), ctx.lang)

    return await _run(request, work, write=True)


@api_doc(response=OrderOut, paginated=True, page_limit=(50, 100), summary="This hall's payment orders")
@require(P.ORDER_VIEW)
async def list_orders(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work(s: Any) -> dict[str, Any]:
        stmt = select(Order).where(Order.tenant_id == ctx.tenant.id)
        page = paginate(s, stmt, params, key=[Order.id], desc=True)
        return page.as_json(lambda o: order_out(s, o, ctx.lang))

    return await _run(request, work)


@api_doc(response=OrderOut, summary="One payment order of this hall")
@require(P.ORDER_VIEW, visible=order_here)
async def get_order(request: Request) -> Any:
    ctx = request.state.ctx
    order_id = int(request.path_params["order_id"])
    return await _run(request, lambda s: order_out(s, services.load(s, ctx.tenant, order_id), ctx.lang))


@api_doc(
    request=RefundIn,
    response=RefundOut,
    status=201,
    summary="Refund part or all of a successful payment (never above what was paid)",
)
@require(P.REFUND, visible=order_here)
async def refund(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, RefundIn)
    order_id = int(request.path_params["order_id"])
    return await ctx.platform.db.run(  # the gateway is asked with no transaction open
        lambda: services.refund(
            ctx.platform,
            ctx.tenant,
            order_id,
            amount_cents=data.amount_cents,
            reason=data.reason,
            idempotency_key=data.idempotency_key,
            actor=ctx.actor.label,
        )
    )


@api_doc(response=page_model(FeeOut), summary="Fees of this hall's items (one page)")
@require(P.ORDER_VIEW)
async def list_fees(request: Request) -> Any:
    ctx = request.state.ctx

    def work(s: Any) -> dict[str, Any]:
        rows = s.scalars(
            select(Fee).where(Fee.tenant_id == ctx.tenant.id).order_by(Fee.item_code).limit(1000)
        )
        return {"items": [FeeOut.model_validate(f) for f in rows], "next_cursor": None}

    return await _run(request, work)


@api_doc(request=FeeIn, response=FeeOut, summary="Set an item's fee (cents, legal basis, when due)")
@require(P.FEE_MANAGE)
async def set_fee(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, FeeIn)
    return await _run(
        request,
        lambda s: FeeOut.model_validate(
            services.set_fee(
                s,
                ctx.tenant,
                item_code=data.item_code,
                item_name=data.item_name,
                amount_cents=data.amount_cents,
                legal_basis=data.legal_basis,
                stage=data.stage,
                actor=ctx.actor.label,
            )
        ),
        write=True,
    )


@api_doc(
    request=StatementIn,
    response=ReconciliationOut,
    status=201,
    summary="Import a provider's daily statement and list every difference",
)
@require(P.RECONCILE)
async def reconcile(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, StatementIn)
    return await _run(
        request,
        lambda s: reconciliation.reconcile(
            s,
            ctx.platform,
            ctx.tenant,
            provider=data.provider,
            day=data.statement_date,
            text=data.csv,
            actor=ctx.actor.label,
        ),
        write=True,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/orders", create, methods=["POST"]),
        Route("/my", mine, methods=["GET"]),
        Route("/my/{order_id:int}", get_mine, methods=["GET"]),
        Route("/my/{order_id:int}/start", start, methods=["POST"]),
        Route("/my/{order_id:int}/cancel", cancel, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{order_id:int}", get_order, methods=["GET"]),
        Route("/orders/{order_id:int}/refunds", refund, methods=["POST"]),
        Route("/fees", list_fees, methods=["GET"]),
        Route("/fees", set_fee, methods=["POST"]),
        Route("/reconciliations", reconcile, methods=["POST"]),
    ]
