"""JSON API of sunshine medicine, under ``/api/t/{code}/medicine/``.

Public (``medicine:price:view``): listed prices in force here, a product's price versions, hospitals'
payment records. Staff (``medicine:catalogue:manage``): companies, products, prices (one or imported),
authorisations, hospitals. Hospitals (``medicine:order:place``, their legal person's account): choose
distributors, order, submit, accept, pay. Distributors (``medicine:order:supply``): respond per line, ship,
record the two invoices. Order acts take the order's ``version`` (409 ``stale_version``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    Invalid,
    NotFound,
    api_doc,
    page_params,
    paginate,
    parse_body,
    parse_query,
    require,
    run_scoped,
    today,
)
from plugins.medicine import catalogue, orders, present, vbp
from plugins.medicine import permissions as P
from plugins.medicine import schemas as S
from plugins.medicine.models import Company, Hospital, Order, Product, Round


def my_code(request: Request) -> str:
    actor = request.state.ctx.actor
    if actor.kind != "legal" or not actor.id_number:
        raise Invalid(
            "Only a legal person's account (a hospital or a distributor) can do this",
            "只有法人账号（医疗机构或配送企业）可以办理",
            code="not_legal",
            fields={"account": "legal person required"},
        )
    return str(actor.id_number).upper()


async def as_hospital(request: Request, model: Any, act: Any) -> Any:
    """The hospital's acts: parse the body, find the acting legal person's hospital of this tenant (404 for
    anyone else), then ``act(s, ctx, hospital, data)`` in one transaction (the services audit)."""
    ctx = request.state.ctx
    data = await parse_body(request, model)
    code = my_code(request)
    return await run_scoped(
        request, lambda s: act(s, ctx, catalogue.hospital_of(s, ctx.tenant, code), data), write=True
    )


async def as_staff(request: Request, model: Any, act: Any) -> Any:
    """The catalogue staff's acts: parse the body, then ``act(s, ctx, data)`` in one transaction."""
    ctx = request.state.ctx
    data = await parse_body(request, model)
    return await run_scoped(request, lambda s: act(s, ctx, data), write=True)


async def _exists(request: Request, check: Any) -> None:
    """A ``visible=`` check: ``check(s, ctx)`` raises NotFound for what this tenant does not see."""
    ctx = request.state.ctx
    await run_scoped(request, lambda s: check(s, ctx))


def _party_filter(s: Any, ctx: Any) -> Any:
    """Orders an actor sees: all of them with ``medicine:order:view``; otherwise those of the hospital or to
    the distributor its legal person is (none for anyone else)."""
    if ctx.allowed(P.OVERSEE):
        return None
    code = (ctx.actor.id_number or "").upper() if ctx.actor.kind == "legal" else ""
    hospital = s.scalar(select(Hospital.id).where(Hospital.credit_code == code)) if code else None
    company = s.scalar(select(Company.id).where(Company.credit_code == code)) if code else None
    # One plain condition for the usual party (a hospital: the keyset index on (tenant_path, hospital_id,
    # id) serves its list); an OR only for a legal person that is both.
    conds = []
    if hospital is not None:
        conds.append(Order.hospital_id == hospital)
    if company is not None:
        conds.append(Order.distributor_id == company)
    if not conds:
        return false()
    return conds[0] if len(conds) == 1 else or_(*conds)


async def order_visible(request: Request) -> None:
    """An order of this tenant that the actor is a party to (or oversees); otherwise as missing."""
    oid = int(request.path_params["medicine_order_id"])

    def check(s: Any, ctx: Any) -> None:
        cond = _party_filter(s, ctx)
        stmt = select(Order.id).where(Order.id == oid, Order.tenant_id == ctx.tenant.id)
        if cond is not None:
            stmt = stmt.where(cond)
        if s.scalar(stmt) is None:
            raise NotFound("No such order here", "本级没有该订单", code="not_found")

    await _exists(request, check)


async def product_known(request: Request) -> None:
    pid = int(request.path_params["product_id"])

    def check(s: Any, _ctx: Any) -> None:
        if s.get(Product, pid) is None:
            raise NotFound("No such product", "没有该产品", code="not_found")

    await _exists(request, check)


# --- public ---------------------------------------------------------------------------------------------


@api_doc(
    query=S.MedPriceQuery,
    response=S.MedProductOut,
    paginated=True,
    summary="Listed prices in force here (?q=)",
)
@require(P.PUBLIC)
async def prices(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    q = parse_query(request).q

    def work(s: Any) -> Any:
        stmt = select(Product)
        if q:
            like = f"%{q.replace('%', '').replace('_', '')}%"
            stmt = stmt.where(
                Product.generic_name.like(like) | Product.code.like(like) | Product.approval_number.like(like)
            )
        page = paginate(s, stmt, params, key=[Product.id])
        lps = catalogue.listed_prices(s, [p.id for p in page.items], ctx.tenant.path, today(ctx.platform))
        makers = present.names(s, Company, {p.manufacturer_id for p in page.items})
        return page.as_json(
            lambda p: present.product_out(
                ctx.platform, p, makers.get(p.manufacturer_id, ""), lps.get(p.id), ctx.lang
            )
        )

    return await run_scoped(request, work)


@api_doc(response=S.MedPriceHistoryOut, summary="A product's listed-price versions here and above")
@require(P.PUBLIC, visible=product_known)
async def price_history(request: Request) -> Any:
    ctx = request.state.ctx
    pid = int(request.path_params["product_id"])

    def work(s: Any) -> Any:
        rows = catalogue.price_history(s, pid, ctx.tenant.path)
        return {
            "product_id": pid,
            "versions": [
                {
                    "id": r.id,
                    "price_cents": r.price_cents,
                    "effective_from": r.effective_from,
                    "tier_path": r.tier_path,
                    "tier_name": present.tier_name(ctx.platform, r.tier_path, ctx.lang),
                    "note": r.note,
                }
                for r in rows
            ],
        }

    return await run_scoped(request, work)


@api_doc(
    response=S.MedPaymentRecordsOut,
    summary="Hospitals' payment record: orders due, paid on time, late, unpaid",
)
@require(P.PUBLIC)
async def payment_record(request: Request) -> Any:
    ctx = request.state.ctx
    return await run_scoped(
        request,
        lambda s: {"hospitals": orders.payment_record(s, today(ctx.platform))},
        scope=ctx.tenant.subtree_scope,
    )


# --- catalogue (staff) ----------------------------------------------------------------------------------


@api_doc(
    request=S.MedCompanyIn,
    response=S.MedCompanyOut,
    status=201,
    summary="Register a manufacturer or distributor",
)
@require(P.CATALOGUE)
async def add_company(request: Request) -> Any:
    return await as_staff(
        request,
        S.MedCompanyIn,
        lambda s, ctx, d: catalogue.add_company(
            s, credit_code=d.credit_code, name=d.name, kind=d.kind, actor=ctx.actor.label, tenant=ctx.tenant
        ),
    )


@api_doc(
    request=S.MedProductIn, response=S.MedProductOut, status=201, summary="Add a product to the catalogue"
)
@require(P.CATALOGUE)
async def add_product(request: Request) -> Any:
    def act(s: Any, ctx: Any, d: Any) -> Any:
        p = catalogue.add_product(
            s, catalogue.ProductIn(**d.model_dump()), actor=ctx.actor.label, tenant=ctx.tenant
        )
        maker = s.get(Company, p.manufacturer_id)
        return present.product_out(ctx.platform, p, maker.name, None, ctx.lang)

    return await as_staff(request, S.MedProductIn, act)


@api_doc(
    request=S.MedPriceIn,
    response=S.MedPriceVersionOut,
    status=201,
    summary="List a new price version at this tier from its effective day",
)
@require(P.CATALOGUE, visible=product_known)
async def set_price(request: Request) -> Any:
    pid = int(request.path_params["product_id"])

    def act(s: Any, ctx: Any, data: Any) -> Any:
        r = catalogue.set_price(
            s,
            ctx.platform,
            ctx.tenant,
            pid,
            price_cents=data.price_cents,
            effective_from=data.effective_from,
            actor=ctx.actor.label,
            note=data.note,
        )
        return {
            "id": r.id,
            "price_cents": r.price_cents,
            "effective_from": r.effective_from,
            "tier_path": r.tier_path,
            "tier_name": present.tier_name(ctx.platform, r.tier_path, ctx.lang),
            "note": r.note,
        }

    return await as_staff(request, S.MedPriceIn, act)


@api_doc(
    request=S.MedPriceImportIn,
    response=S.MedImportOut,
    status=201,
    summary="Import listed prices at this tier (all rows or none; errors name row and column)",
)
@require(P.CATALOGUE)
async def import_prices(request: Request) -> Any:
    def act(s: Any, ctx: Any, d: Any) -> Any:
        rows = [(n, r.model_dump()) for n, r in enumerate(d.rows, 1)]
        return {
            "imported": catalogue.import_prices(
                s, ctx.platform, ctx.tenant, d.name, rows, actor=ctx.actor.label
            )
        }

    return await as_staff(request, S.MedPriceImportIn, act)


@api_doc(
    request=S.MedAuthorisationIn,
    response=S.MedAuthorisationOut,
    status=201,
    summary="Record a manufacturer's authorisation of a distributor for a product",
)
@require(P.CATALOGUE, visible=product_known)
async def authorise(request: Request) -> Any:
    pid = int(request.path_params["product_id"])
    return await as_staff(
        request,
        S.MedAuthorisationIn,
        lambda s, ctx, d: catalogue.authorise(
            s, pid, d.distributor_code, actor=ctx.actor.label, tenant=ctx.tenant
        ),
    )


@api_doc(
    request=S.MedHospitalIn,
    response=S.MedHospitalOut,
    status=201,
    summary="Register a hospital of this tenant",
)
@require(P.CATALOGUE)
async def add_hospital(request: Request) -> Any:
    return await as_staff(
        request,
        S.MedHospitalIn,
        lambda s, ctx, d: catalogue.add_hospital(
            s, ctx.tenant, credit_code=d.credit_code, name=d.name, grade=d.grade, actor=ctx.actor.label
        ),
    )


# --- hospitals ------------------------------------------------------------------------------------------


@api_doc(
    request=S.MedChoiceIn,
    response=S.MedChoiceOut,
    status=201,
    summary="Choose the distributor of a product (authorised, not black-listed)",
)
@require(P.BUY)
async def choose(request: Request) -> Any:
    return await as_hospital(
        request,
        S.MedChoiceIn,
        lambda s, ctx, h, d: catalogue.choose(
            s, ctx.platform, ctx.tenant, h, d.product_id, d.distributor_code, actor=ctx.actor.label
        ),
    )


@api_doc(
    request=S.MedOrderIn,
    response=S.MedOrderDetailOut,
    status=201,
    summary="Draft an order (every line at no more than the listed price)",
)
@require(P.BUY)
async def create_order(request: Request) -> Any:
    def act(s: Any, ctx: Any, h: Any, d: Any) -> Any:
        lines = [orders.LineIn(ln.product_id, ln.quantity, ln.price_cents) for ln in d.lines]
        o = orders.create(s, ctx.platform, ctx.tenant, h, lines, actor=ctx.actor.label)
        return present.order_detail(s, o, ctx.lang)

    return await as_hospital(request, S.MedOrderIn, act)


@api_doc(
    query=S.MedOrderQuery,
    response=S.MedOrderOut,
    paginated=True,
    summary="Orders I am a party to (all of them for overseers), newest first (?status=)",
)
@require(P.PUBLIC)
async def list_orders(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    status = parse_query(request).status

    def work(s: Any) -> Any:
        stmt = select(Order).where(Order.tenant_id == ctx.tenant.id)
        cond = _party_filter(s, ctx)
        if cond is not None:
            stmt = stmt.where(cond)
        if status:
            stmt = stmt.where(Order.status == status)
        page = paginate(s, stmt, params, key=[Order.id], desc=True)
        rows = {r["id"]: r for r in present.orders_out(s, list(page.items), ctx.lang)}
        return page.as_json(lambda o: rows[o.id])

    return await run_scoped(request, work)


@api_doc(response=S.MedOrderDetailOut, summary="One order with its lines and invoices")
@require(P.PUBLIC, visible=order_visible)
async def get_order(request: Request) -> Any:
    ctx = request.state.ctx
    oid = int(request.path_params["medicine_order_id"])
    return await run_scoped(
        request, lambda s: present.order_detail(s, orders.load(s, ctx.tenant, oid), ctx.lang)
    )


def _act(model: Any, summary: str, permission: Any, fn: Any, response: Any = S.MedOrderDetailOut) -> Any:
    @api_doc(request=model, response=response, summary=summary)
    @require(permission, visible=order_visible)
    async def endpoint(request: Request) -> Any:
        ctx = request.state.ctx
        data = await parse_body(request, model)
        code = my_code(request)
        oid = int(request.path_params["medicine_order_id"])

        def work(s: Any) -> Any:
            out = fn(s, ctx, oid, data, code)
            if isinstance(out, Order):
                return present.order_detail(s, out, ctx.lang)
            return out

        return await run_scoped(request, work, write=True)

    endpoint.__name__ = endpoint.__qualname__ = f"order_{fn.__name__.strip('_')}"
    return endpoint


def _submit(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    return orders.submit(s, ctx.platform, ctx.tenant, oid, d.version, code=code, actor=ctx.actor.label)


def _respond(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    return orders.respond(
        s,
        ctx.tenant,
        oid,
        d.version,
        {x.line_id: (x.confirm, x.reason) for x in d.lines},
        code=code,
        actor=ctx.actor.label,
    )


def _ship(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    return orders.ship(
        s,
        ctx.platform,
        ctx.tenant,
        oid,
        d.version,
        delivery_note=d.delivery_note,
        quantities={x.line_id: x.quantity for x in d.lines},
        code=code,
        actor=ctx.actor.label,
    )


def _accept(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    return orders.accept(
        s,
        ctx.platform,
        ctx.tenant,
        oid,
        d.version,
        {x.line_id: (x.quantity, x.batch) for x in d.lines},
        code=code,
        actor=ctx.actor.label,
    )


def _invoice(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    orders.record_invoice(
        s,
        ctx.platform,
        ctx.tenant,
        oid,
        d.version,
        number=d.number,
        amount_cents=d.amount_cents,
        code=code,
        actor=ctx.actor.label,
    )
    return orders.load(s, ctx.tenant, oid)


def _pay(s: Any, ctx: Any, oid: int, d: Any, code: str) -> Any:
    p = orders.pay(
        s,
        ctx.platform,
        ctx.tenant,
        oid,
        d.version,
        amount_cents=d.amount_cents,
        reference=d.reference,
        code=code,
        actor=ctx.actor.label,
    )
    return {"id": p.id, "order_id": p.order_id, "amount_cents": p.amount_cents, "paid_on": p.paid_on}


# --- volume-based procurement and prescriptions ----------------------------------------------------------


def round_out(platform: Any, r: Round, lang: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "tier_name": present.tier_name(platform, r.tier_path, lang),
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "prepay_percent": r.prepay_percent,
    }


async def round_visible(request: Request) -> None:
    """A round run by this tenant or one above it; anything else answers as missing."""
    rid = int(request.path_params["round_id"])
    await _exists(request, lambda s, ctx: vbp.round_here(s, ctx.tenant, rid))


@api_doc(
    request=S.MedRoundIn,
    response=S.MedRoundOut,
    status=201,
    summary="Create a volume-based procurement round with its winning products",
)
@require(P.CATALOGUE)
async def create_round(request: Request) -> Any:
    def act(s: Any, ctx: Any, d: Any) -> Any:
        r = vbp.create_round(
            s,
            ctx.tenant,
            name=d.name,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            prepay_percent=d.prepay_percent,
            products=[(x.product_id, x.price_cents) for x in d.products],
            actor=ctx.actor.label,
        )
        return round_out(ctx.platform, r, ctx.lang)

    return await as_staff(request, S.MedRoundIn, act)


@api_doc(response=S.MedRoundOut, paginated=True, summary="Volume-based procurement rounds")
@require(P.PUBLIC)
async def list_rounds(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work(s: Any) -> Any:
        stmt = select(Round).where(Round.tier_path.in_(catalogue.ancestor_paths(ctx.tenant.path)))
        page = paginate(s, stmt, params, key=[Round.id], desc=True)
        return page.as_json(lambda r: round_out(ctx.platform, r, ctx.lang))

    return await run_scoped(request, work)


@api_doc(response=S.MedCompletionsOut, summary="A round's completion per commitment, month by month")
@require(P.PUBLIC, visible=round_visible)
async def completion(request: Request) -> Any:
    ctx = request.state.ctx
    rid = int(request.path_params["round_id"])

    def work(s: Any) -> Any:
        r = s.get(Round, rid)
        rows = vbp.completion(s, rid, ctx.tenant, today(ctx.platform))
        return {
            "round": round_out(ctx.platform, r, ctx.lang),
            "commitments": [
                {
                    "commitment_id": c.commitment_id,
                    "hospital": c.hospital,
                    "product": c.product,
                    "annual_qty": c.annual_qty,
                    "prepaid_cents": c.prepaid_cents,
                    "done_qty": c.done_qty,
                    "expected_qty": c.expected_qty,
                    "percent": c.percent,
                    "monthly": [{"month": m, "quantity": q} for m, q in c.monthly],
                }
                for c in rows
            ],
        }

    return await run_scoped(request, work, scope=ctx.tenant.subtree_scope)


@api_doc(
    request=S.MedCommitmentIn,
    response=S.MedCommitmentOut,
    status=201,
    summary="A hospital's committed annual quantity of a winning product",
)
@require(P.CATALOGUE, visible=round_visible)
async def commit(request: Request) -> Any:
    rid = int(request.path_params["round_id"])
    return await as_staff(
        request,
        S.MedCommitmentIn,
        lambda s, ctx, d: vbp.commit(
            s,
            ctx.tenant,
            rid,
            hospital_id=d.hospital_id,
            product_id=d.product_id,
            annual_qty=d.annual_qty,
            actor=ctx.actor.label,
        ),
    )


@api_doc(
    request=S.MedPrescriptionsIn,
    response=S.MedStoredOut,
    status=201,
    summary="Push prescription summaries (hospitals; all or none)",
)
@require(P.BUY)
async def push_prescriptions(request: Request) -> Any:
    def act(s: Any, ctx: Any, h: Any, d: Any) -> Any:
        items = [vbp.PrescriptionIn(**x.model_dump()) for x in d.items]
        return {"stored": vbp.push(s, ctx.tenant, h, items, actor=ctx.actor.label)}

    return await as_hospital(request, S.MedPrescriptionsIn, act)


def routes() -> list[BaseRoute]:
    O = "/orders/{medicine_order_id:int}"  # noqa: E741, N806
    P_ = "/products/{product_id:int}"  # noqa: N806
    acts = [
        ("submit", S.MedVersionIn, "Submit a draft order to its distributor", P.BUY, _submit),
        ("respond", S.MedRespondIn, "Confirm or decline each line (distributor)", P.SUPPLY, _respond),
        (
            "ship",
            S.MedShipIn,
            "Ship with a delivery note; at most the ordered quantity (distributor)",
            P.SUPPLY,
            _ship,
        ),
        ("accept", S.MedAcceptIn, "Accept per line: quantity (at most shipped) and batch", P.BUY, _accept),
        (
            "invoices",
            S.MedInvoiceIn,
            "Record the next invoice of the chain (two at most; distributor)",
            P.SUPPLY,
            _invoice,
        ),
    ]
    return [
        Route("/prices", prices, methods=["GET"]),
        Route("/prices/import", import_prices, methods=["POST"]),
        Route(f"{P_}/prices", price_history, methods=["GET"]),
        Route(f"{P_}/prices", set_price, methods=["POST"]),
        Route(f"{P_}/authorisations", authorise, methods=["POST"]),
        Route("/products", add_product, methods=["POST"]),
        Route("/companies", add_company, methods=["POST"]),
        Route("/hospitals", add_hospital, methods=["POST"]),
        Route("/payment-record", payment_record, methods=["GET"]),
        Route("/rounds", list_rounds, methods=["GET"]),
        Route("/rounds", create_round, methods=["POST"]),
        Route("/rounds/{round_id:int}/completion", completion, methods=["GET"]),
        Route("/rounds/{round_id:int}/commitments", commit, methods=["POST"]),
        Route("/prescriptions", push_prescriptions, methods=["POST"]),
        Route("/choices", choose, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders", create_order, methods=["POST"]),
        Route(O, get_order, methods=["GET"]),
        *(
            Route(f"{O}/{name}", _act(model, summary, perm, fn), methods=["POST"])
            for name, model, summary, perm, fn in acts
        ),
        Route(
            f"{O}/pay",
            _act(S.MedPayIn, "Pay the accepted amount, once", P.BUY, _pay, S.MedPaymentOut),
            methods=["POST"],
        ),
    ]
