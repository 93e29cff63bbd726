"""HTML pages of traceability: the public code lookup (no login), a producer's registration, lots and
events, and the county bureau's confirmations. Prices, supply and demand and the 12316 desk are in
views_market.py.

Every endpoint declares its permission. A producer's lot is visible to its own account and to the
bureau; anyone else's answers like a missing one.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, NotFound, read_form, render, require, today, validate
from plugins.agriculture import codes, producers, trace
from plugins.agriculture import permissions as P
from plugins.agriculture.models import EVENT_KINDS, INPUT_KINDS, PRODUCER_KINDS, PRODUCER_STATES, Lot
from plugins.agriculture.schemas import DecisionIn, EventIn, LotIn, ProducerIn, ReceiveIn


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/agriculture"


def common(request: Request, **values: Any) -> dict[str, Any]:
    return {
        "producer_kinds": PRODUCER_KINDS,
        "producer_states": PRODUCER_STATES,
        "event_kinds": EVENT_KINDS,
        "input_kinds": INPUT_KINDS,
        "qty": quantity_text,
        "county_of": lambda tid: _county(request, tid),
        "base": _base(request),
        "today": today(_ctx(request).platform),
        **values,
    }


def _county(request: Request, tenant_id: int) -> str:
    t = _ctx(request).platform.directory.by_id.get(tenant_id)
    if t is None:
        return ""
    return t.name if _ctx(request).lang == "zh-CN" else (t.name_en or t.name)


def quantity_text(value: Any) -> str:
    """500.000 -> "500", 12.500 -> "12.5" (never the exponent form Decimal.normalize gives)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _errors(exc: DomainError, lang: str) -> dict[str, Any]:
    """What a form page shows above the form: the message and each field's problem, in the reader's
    language (the field's name as people see it comes from the template's labels)."""
    return {
        "message": exc.message_zh if lang == "zh-CN" else exc.message_en,
        "fields": exc.field_messages(lang),
    }


@require(P.TRACE)
async def index(request: Request) -> Response:
    return render(request, "agriculture/index.html", common(request))


# -- the public lookup --------------------------------------------------------------------------------


@require(P.TRACE)
async def trace_form(request: Request) -> Response:
    code = request.query_params.get("code", "").strip()[:60]
    if code:
        return RedirectResponse(f"{_base(request)}/t/{codes.clean(code) or '-'}", status_code=303)
    return render(request, "agriculture/trace.html", common(request, answer=None))


def _public_url(request: Request, code: str) -> str:
    return f"{request.base_url}t/{_ctx(request).tenant.code}/agriculture/t/{code}"


def qr_svg(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=3, dark="#1f2937", xmldecl=False)
    return buf.getvalue()


@require(P.TRACE)
async def trace_qr(request: Request) -> Response:
    """The QR code of a trace code as an SVG image, fetched (and cached) apart from the page: drawing it
    costs more than the whole lookup."""
    try:
        code = codes.parse(request.path_params["code"][:60])
    except codes.BadCode as exc:
        raise NotFound(exc.message_en, exc.message_zh, code="bad_code") from None
    return Response(
        qr_svg(_public_url(request, code)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@require(P.TRACE)
async def trace_code(request: Request) -> Response:
    """What the QR code on a label opens: product, producer, certificate and the chain; a malformed or
    unknown code gets a friendly page (404), never a server error."""
    ctx = _ctx(request)
    raw = request.path_params["code"][:60]

    def work() -> trace.TraceAnswer:
        # A read session (no BEGIN/ROLLBACK) over the network; the code itself must be of this hall's
        # subtree. One statement (trace.lookup_statement): two round trips with the scope's.
        with ctx.platform.db.read(trace.network_scope(ctx.platform, ctx.tenant)) as s:
            answer = trace.lookup(s, raw, home=ctx.tenant.subtree_scope)
            s.expunge_all()
            return answer

    answer = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/trace.html",
        common(request, answer=answer),
        status=200 if answer.status == "found" else 404,
    )


# -- producers ----------------------------------------------------------------------------------------


def _producer_data(request: Request) -> dict[str, Any]:
    ctx = _ctx(request)
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        mine = producers.of_account(s, ctx.tenant, ctx.actor.account_id)
        lots = trace.lots_of(s, ctx.tenant, [p.id for p in mine if p.state == "confirmed"])
        names = {p.id: p.name for p in mine}
        s.expunge_all()
        return {"mine": mine, "lots": lots, "names": names}


@require(P.PRODUCE)
async def producer_home(request: Request) -> Response:
    """My producers (registration state) and their lots; register a producer; create a lot."""
    ctx = _ctx(request)
    errors: Any = None
    form: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        action = form.pop("action", "")
        try:
            await ctx.platform.db.run(lambda: _producer_post(request, action, form))
            return RedirectResponse(f"{_base(request)}/producer", status_code=303)
        except DomainError as exc:
            errors, status = _errors(exc, ctx.lang), exc.status
    data = await ctx.platform.db.run(lambda: _producer_data(request))
    return render(
        request, "agriculture/producer.html", common(request, errors=errors, form=form, **data), status=status
    )


def _producer_post(request: Request, action: str, form: dict[str, Any]) -> None:
    ctx = _ctx(request)
    with ctx.platform.db.transaction(ctx.tenant.scope) as s:
        if action == "register":
            data = validate(ProducerIn, form)
            producers.register(s, ctx.tenant, data, account_id=ctx.actor.account_id, actor=ctx.actor.label)
        elif action == "lot":
            raw = str(form.pop("producer_id", ""))
            pid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
            producer = producers.confirmed_of(s, ctx.tenant, ctx.actor.account_id, pid)
            trace.create_lot(s, ctx.tenant, producer, validate(LotIn, form), actor=ctx.actor.label)
        elif action == "receive":
            raw = str(form.pop("producer_id", ""))
            pid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
            producer = producers.confirmed_of(s, ctx.tenant, ctx.actor.account_id, pid)
            got = validate(ReceiveIn, {k: v for k, v in form.items() if v not in ("", None)})
            trace.receive(s, ctx.platform, ctx.tenant, producer, got, actor=ctx.actor.label)
        else:
            raise NotFound("Unknown action", "未知操作")


async def lot_visible(request: Request) -> None:
    """``require(visible=...)``: a lot of this tenant whose producer is the caller, or any lot of this
    tenant for the bureau; anything else answers like a missing lot."""
    ctx = _ctx(request)
    bureau = ctx.allowed(P.BUREAU_VIEW)
    lot_id = int(request.path_params["lot_id"])

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            _own_lot(s, ctx, lot_id, bureau)

    await ctx.platform.db.run(check)


def _own_lot(s: Any, ctx: Any, lot_id: int, bureau: bool) -> Lot:
    lot = trace.lot_here(s, ctx.tenant, lot_id)
    if not bureau:
        mine = {p.id for p in producers.of_account(s, ctx.tenant, ctx.actor.account_id)}
        if lot.producer_id not in mine:
            raise NotFound("No such lot here", "本级没有该批次", code="unknown_lot")
    return lot


@require(P.PRODUCE, visible=lot_visible)
async def lot_page(request: Request) -> Response:
    """One lot for its producer: events (corrections shown), the event form, the certificate."""
    ctx = _ctx(request)
    lot_id = int(request.path_params["lot_id"])
    errors: Any = None
    status = 200
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            await ctx.platform.db.run(lambda: _lot_post(request, lot_id, form))
            return RedirectResponse(f"{_base(request)}/lots/{lot_id}", status_code=303)
        except DomainError as exc:
            errors, status = _errors(exc, ctx.lang), exc.status

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            lot = _own_lot(s, ctx, lot_id, False)
            s.expunge_all()
        with ctx.platform.db.read(trace.network_scope(ctx.platform, ctx.tenant)) as s:
            answer = trace.lookup(s, lot.code, home=ctx.tenant.scope)
            s.expunge_all()
        return {"lot": lot, "answer": answer}

    data = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/lot.html",
        common(request, errors=errors, form=form, **data),
        status=status,
    )


def _lot_post(request: Request, lot_id: int, form: dict[str, Any]) -> None:
    ctx = _ctx(request)
    action = form.pop("action", "")
    with ctx.platform.db.transaction(ctx.tenant.scope) as s:
        lot = _own_lot(s, ctx, lot_id, False)
        if action == "certificate":
            trace.issue_certificate(s, ctx.platform, ctx.tenant, lot, promise="", actor=ctx.actor.label)
            return
        data = {k: v for k, v in form.items() if v not in ("", None)}
        if data.get("kind") == "processing":
            data["outputs"] = [
                {
                    "product": data.pop("out_product", ""),
                    "quantity": data.pop("out_quantity", "0"),
                    "unit": data.pop("out_unit", "kg"),
                }
            ]
        else:
            for k in ("out_product", "out_quantity", "out_unit"):
                data.pop(k, None)
        if "passed" in data:
            data["passed"] = data["passed"] == "yes"
        trace.record(s, ctx.platform, ctx.tenant, lot, validate(EventIn, data), actor=ctx.actor.label)


# -- the county bureau --------------------------------------------------------------------------------


@require(P.BUREAU)
async def bureau(request: Request) -> Response:
    """Producers registered in this county: confirm or reject the pending ones."""
    ctx = _ctx(request)
    errors: Any = None
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            raw = str(form.pop("producer_id", ""))
            pid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
            form["confirm"] = form.get("confirm") == "yes"
            data = validate(DecisionIn, form)

            def act() -> None:
                with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                    producers.decide(s, ctx.tenant, pid, data, actor=ctx.actor.label)

            await ctx.platform.db.run(act)
            return RedirectResponse(f"{_base(request)}/bureau", status_code=303)
        except DomainError as exc:
            errors, status = _errors(exc, ctx.lang), exc.status

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            rows = producers.listing(s, ctx.tenant)
            s.expunge_all()
            return {"rows": rows}

    data = await ctx.platform.db.run(work)
    return render(request, "agriculture/bureau.html", common(request, errors=errors, **data), status=status)


def routes() -> list[BaseRoute]:
    from plugins.agriculture import views_market

    return [
        Route("/", index),
        Route("/trace", trace_form),
        Route("/t/{code}", trace_code),
        Route("/qr/{code}", trace_qr),
        Route("/producer", producer_home, methods=["GET", "POST"]),
        Route("/lots/{lot_id:int}", lot_page, methods=["GET", "POST"]),
        Route("/bureau", bureau, methods=["GET", "POST"]),
        *views_market.routes(),
    ]
