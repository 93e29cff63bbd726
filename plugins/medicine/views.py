"""HTML pages of sunshine medicine: the public listed-price search (no login), hospitals' payment record
(a chart of on-time rates), a volume-procurement round's completion, and the order workflow as a
hospital or a distributor uses it (a form per act; the same services as the JSON API).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    Invalid,
    charts,
    page_params,
    paginate,
    read_form,
    render,
    require,
    run_scoped,
    today,
    validate,
    yuan_cents,
)
from plugins.medicine import catalogue, orders, present, vbp
from plugins.medicine import permissions as P
from plugins.medicine import schemas as S
from plugins.medicine.api import _party_filter, my_code, order_visible, round_visible
from plugins.medicine.models import ORDER_STATUSES, Choice, Company, Hospital, Order, Product, Round


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/medicine"


def _party(s: Any, ctx: Any) -> tuple[Hospital | None, Company | None]:
    """The hospital of this hall or the distributor the acting legal person is, if any."""
    if ctx.actor.kind != "legal" or not ctx.actor.id_number:
        return None, None
    code = str(ctx.actor.id_number).upper()
    h = s.scalar(select(Hospital).where(Hospital.tenant_id == ctx.tenant.id, Hospital.credit_code == code))
    c = s.scalar(select(Company).where(Company.credit_code == code, Company.kind == "distributor"))
    return h, c


@require(P.PUBLIC)
async def index(request: Request) -> Response:
    ctx = _ctx(request)
    q = validate(S.MedPriceQuery, {k: v for k, v in request.query_params.items() if k == "q"}).q

    def work(s: Any) -> Any:
        rows = catalogue.search(s, ctx.tenant.path, today(ctx.platform), q)
        h, c = _party(s, ctx)
        return [
            {**present.product_out(ctx.platform, r["product"], r["manufacturer"], r["price"], ctx.lang)}
            for r in rows
        ], (h is not None or c is not None or ctx.allowed(P.OVERSEE))

    rows, party = await run_scoped(request, work)
    return render(request, "medicine/index.html", {"rows": rows, "q": q, "party": party})


@require(P.PUBLIC)
async def payments(request: Request) -> Response:
    ctx = _ctx(request)

    rows = await run_scoped(
        request, lambda s: orders.payment_record(s, today(ctx.platform)), scope=ctx.tenant.subtree_scope
    )
    zh = ctx.lang == "zh-CN"
    chart = (
        charts.bar_chart(
            "按时回款率（%）" if zh else "Paid on time (%)",
            [r["name"] for r in rows],
            {"按时回款率" if zh else "On time": [r["rate"] for r in rows]},
            horizontal=True,
            percent=True,
            height=max(200, 60 + 40 * len(rows)),
        )
        if rows
        else None
    )
    return render(request, "medicine/payments.html", {"rows": rows, "chart": chart})


@require(P.PUBLIC, visible=round_visible)
async def round_page(request: Request) -> Response:
    return await round_view(request)


async def round_view(request: Request, errors: Any = None, status: int = 200) -> Response:
    """A round's completion chart and table; staff also get the form for a hospital's commitment."""
    from plugins.medicine.views_manage import commitment_choices

    ctx = _ctx(request)
    rid = int(request.path_params["round_id"])
    staff = ctx.allowed(P.CATALOGUE)

    def work(s: Any) -> Any:
        r = s.get(Round, rid)
        rows = vbp.completion(s, rid, ctx.tenant, today(ctx.platform))
        choices = commitment_choices(s, ctx.tenant, rid) if staff else ([], [])
        s.expunge_all()
        return r, rows, choices

    r, rows, (hospitals, winners) = await run_scoped(request, work, scope=ctx.tenant.subtree_scope)
    zh = ctx.lang == "zh-CN"
    chart = (
        charts.bar_chart(
            "完成进度（%）" if zh else "Completion (%)",
            [f"{c.hospital} · {c.product}" for c in rows],
            {
                "已完成" if zh else "Done": [c.percent for c in rows],
                "应完成" if zh else "Expected by now": [
                    round(100 * c.expected_qty / c.annual_qty, 1) for c in rows
                ],
            },
            horizontal=True,
            percent=True,
            height=max(220, 80 + 46 * len(rows)),
        )
        if rows
        else None
    )
    return render(
        request,
        "medicine/round.html",
        {
            "round": r,
            "rows": rows,
            "chart": chart,
            "staff": staff,
            "hospitals": hospitals,
            "winners": winners,
            "errors": errors,
        },
        status=status,
    )


# --- orders -----------------------------------------------------------------------------------------------


@require(P.PUBLIC)
async def order_list(request: Request) -> Response:
    ctx = _ctx(request)
    params = page_params(request)

    def work(s: Any) -> Any:
        h, c = _party(s, ctx)
        stmt = select(Order).where(Order.tenant_id == ctx.tenant.id)
        cond = _party_filter(s, ctx)
        if cond is not None:
            stmt = stmt.where(cond)
        page = paginate(s, stmt, params, key=[Order.id], desc=True)
        rows = present.orders_out(s, list(page.items), ctx.lang)
        choices = []
        if h is not None:
            on = today(ctx.platform)
            chosen = s.execute(
                select(Product, Company.name)
                .join(Choice, Choice.product_id == Product.id)
                .join(Company, Company.id == Choice.distributor_id)
                .where(Choice.hospital_id == h.id)
                .order_by(Company.name, Product.generic_name)
            ).all()
            lps = catalogue.listed_prices(s, [p.id for p, _ in chosen], ctx.tenant.path, on)
            choices = [{"product": p, "distributor": d, "listed": lps.get(p.id)} for p, d in chosen]
        return rows, page.next_cursor, h, c, choices

    rows, cursor, h, c, choices = await run_scoped(request, work)
    return render(
        request,
        "medicine/orders.html",
        {"rows": rows, "next_cursor": cursor, "hospital": h, "distributor": c, "choices": choices},
    )


@require(P.BUY)
async def order_create(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    code = my_code(request)
    lines = []
    for key, value in form.items():
        if key.startswith("qty_") and str(value).strip() not in ("", "0"):
            pid = key.removeprefix("qty_")
            lines.append(
                {"product_id": pid, "quantity": value,
                 "price_cents": page_cents(form.get(f"price_{pid}", ""))}
            )
    data = validate(S.MedOrderIn, {"lines": lines})

    def work(s: Any) -> int:
        h = catalogue.hospital_of(s, ctx.tenant, code)
        lines = [orders.LineIn(x.product_id, x.quantity, x.price_cents) for x in data.lines]
        return orders.create(s, ctx.platform, ctx.tenant, h, lines, actor=ctx.actor.label).id

    oid = await run_scoped(request, work, write=True)
    return RedirectResponse(f"{_base(request)}/orders/{oid}", status_code=303)


def page_cents(value: Any) -> Any:
    """A yuan amount typed on a page ("12.60") as integer cents (core.api.yuan_cents); anything else goes
    on as typed, for the schema to refuse with its own field's message."""
    try:
        return yuan_cents(value, "amount", allow_zero=True)
    except Invalid:
        return str(value).strip()


@require(P.PUBLIC, visible=order_visible)
async def order_page(request: Request) -> Response:
    ctx = _ctx(request)
    oid = int(request.path_params["medicine_order_id"])

    def work(s: Any) -> Any:
        o = orders.load(s, ctx.tenant, oid)
        h, c = _party(s, ctx)
        return (
            present.order_detail(s, o, ctx.lang),
            h is not None and h.id == o.hospital_id,
            c is not None and c.id == o.distributor_id,
        )

    detail, is_hospital, is_distributor = await run_scoped(request, work)
    steps = [(k, present.pick(v, ctx.lang)) for k, v in ORDER_STATUSES.items() if k != "declined"]
    return render(
        request,
        "medicine/order.html",
        {"o": detail, "is_hospital": is_hospital, "is_distributor": is_distributor, "steps": steps},
    )


def _lines(form: dict[str, Any], prefix: str) -> dict[int, str]:
    out = {}
    for key, value in form.items():
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit():
            out[int(key.removeprefix(prefix))] = str(value)
    return out


def _act_data(act: str, form: dict[str, Any]) -> Any:
    version = form.get("version", "")
    if act == "submit":
        return validate(S.MedVersionIn, {"version": version})
    if act == "respond":
        lines = [
            {"line_id": i, "confirm": v == "confirm", "reason": form.get(f"reason_{i}", "")}
            for i, v in _lines(form, "decision_").items()
        ]
        return validate(S.MedRespondIn, {"version": version, "lines": lines})
    if act == "ship":
        lines = [{"line_id": i, "quantity": v} for i, v in _lines(form, "qty_").items()]
        return validate(
            S.MedShipIn, {"version": version, "delivery_note": form.get("delivery_note", ""), "lines": lines}
        )
    if act == "accept":
        lines = [
            {"line_id": i, "quantity": v, "batch": form.get(f"batch_{i}", "")}
            for i, v in _lines(form, "qty_").items()
        ]
        return validate(S.MedAcceptIn, {"version": version, "lines": lines})
    if act == "invoices":
        return validate(
            S.MedInvoiceIn,
            {
                "version": version,
                "number": form.get("number", ""),
                "amount_cents": page_cents(form.get("amount", "")),
            },
        )
    return validate(
        S.MedPayIn,
        {
            "version": version,
            "amount_cents": page_cents(form.get("amount", "")),
            "reference": form.get("reference", ""),
        },
    )


def _order_act(act: str, permission: Any) -> Any:
    from plugins.medicine import api

    fns = {
        "submit": api._submit,
        "respond": api._respond,
        "ship": api._ship,
        "accept": api._accept,
        "invoices": api._invoice,
        "pay": api._pay,
    }

    @require(permission, visible=order_visible)
    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        form = await read_form(request)
        code = my_code(request)
        oid = int(request.path_params["medicine_order_id"])
        data = _act_data(act, form)

        await run_scoped(request, lambda s: fns[act](s, ctx, oid, data, code), write=True)
        return RedirectResponse(f"{_base(request)}/orders/{oid}", status_code=303)

    endpoint.__name__ = endpoint.__qualname__ = f"page_{act}"
    return endpoint


def routes() -> list[BaseRoute]:
    from plugins.medicine import views_manage

    O = "/orders/{medicine_order_id:int}"  # noqa: E741, N806
    acts = [
        ("submit", P.BUY),
        ("respond", P.SUPPLY),
        ("ship", P.SUPPLY),
        ("accept", P.BUY),
        ("invoices", P.SUPPLY),
        ("pay", P.BUY),
    ]
    return [
        Route("/", index, methods=["GET"]),
        Route("/payments", payments, methods=["GET"]),
        Route("/rounds/{round_id:int}", round_page, methods=["GET"]),
        Route("/orders", order_list, methods=["GET"]),
        Route("/orders", order_create, methods=["POST"]),
        Route(O, order_page, methods=["GET"]),
        *(Route(f"{O}/{act}", _order_act(act, perm), methods=["POST"]) for act, perm in acts),
        *views_manage.routes(),
    ]
