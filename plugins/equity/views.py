"""HTML pages of equity trading: the exchange's projects (in disclosure, auctions, results), one project
(terms, disclosure periods with their basis, registering as a buyer), the live auction page (server-sent
events from ``live.py``, polling where they are unavailable; bids without reloading; the server's clock
decides), and the public verification
of a trade certificate. The exchange's staff pages are in ``staff.py``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    Invalid,
    charts,
    clock,
    json_error,
    json_ok,
    page_params,
    paginate,
    read_form,
    render,
    require,
    yuan_cents,
)
from plugins.equity import bidding, buyers, deals, law, services, settlement
from plugins.equity import permissions as P
from plugins.equity.api import title, visible_project
from plugins.equity.models import AUCTION_STATES, BUYER_STATES, STATUSES, Auction, Award, Buyer, Deal, Project

PUBLIC_STATUSES = {k: v for k, v in STATUSES.items() if k != "draft"}


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/equity"


def _pid(request: Request) -> int:
    return int(request.path_params["project_id"])


@require(P.PUBLIC)
async def index(request: Request) -> Response:
    ctx = _ctx(request)
    status = request.query_params.get("status", "")
    status = status if status in PUBLIC_STATUSES else ""
    params = page_params(request)

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            stmt = select(Project).where(Project.tenant_id == ctx.tenant.id, Project.status != "draft")
            if status:
                stmt = stmt.where(Project.status == status)
            page = paginate(s, stmt, params, key=[Project.id], desc=True)
            counts = dict(
                s.execute(
                    select(Project.status, func.count())
                    .where(Project.tenant_id == ctx.tenant.id, Project.status != "draft")
                    .group_by(Project.status)
                ).all()
            )
            return list(page.items), page.next_cursor, counts

    rows, cursor, counts = await ctx.platform.db.run(work)
    zh = ctx.lang == "zh-CN"
    chart = (
        charts.bar_chart(
            "各阶段项目数" if zh else "Projects by stage",
            [title(STATUSES, k, ctx.lang) for k in counts],
            {"项目数" if zh else "Projects": [float(v) for v in counts.values()]},
        )
        if counts
        else None
    )
    return render(
        request,
        "equity/index.html",
        {
            "rows": rows,
            "status": status,
            "statuses": PUBLIC_STATUSES,
            "next_cursor": cursor,
            "chart": chart,
        },
    )


def periods_of(p: Project, d: Deal | None, award: Award | None = None) -> list[dict[str, Any]]:
    """The statutory periods of a project with their legal basis (the public page and the workbench)."""
    out = []
    if p.pre_start:
        out.append(
            {
                "name": ("信息预披露", "Pre-disclosure"),
                "start": p.pre_start,
                "end": p.pre_end,
                "basis": law.DISCLOSURE,
            }
        )
    if p.formal_start:
        out.append(
            {
                "name": ("正式信息披露", "Formal disclosure"),
                "start": p.formal_start,
                "end": p.formal_end,
                "basis": law.DISCLOSURE,
            }
        )
    if award is not None:
        out.append(
            {
                "name": ("竞得人签约期限", "Winner's signing window")
                if award.rank == 1
                else ("递补竞买人签约期限", "Second bidder's signing window"),
                "start": award.awarded_on,
                "end": award.sign_due,
                "basis": law.SIGNING,
            }
        )
    if d is not None:
        out.append(
            {
                "name": ("价款支付（首期或全部）", "Payment (down or full)"),
                "start": d.signed_on,
                "end": d.down_due,
                "basis": law.PAYMENT,
            }
        )
        if d.rest_due:
            out.append(
                {
                    "name": ("分期余款", "Rest of the price"),
                    "start": d.signed_on,
                    "end": d.rest_due,
                    "basis": law.PAYMENT,
                }
            )
        if d.notice_start:
            out.append(
                {
                    "name": ("交易结果公告", "Result notice"),
                    "start": d.notice_start,
                    "end": d.notice_end,
                    "basis": law.NOTICE,
                }
            )
    return out


@require(P.PUBLIC, visible=visible_project)
async def project(request: Request) -> Response:
    ctx = _ctx(request)
    code = str(ctx.actor.id_number) if ctx.actor.kind == "legal" and ctx.allowed(P.BUY) else ""

    def work() -> Any:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            p = services.advance(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, _pid(request)))
            d = settlement.live_deal(s, p.id)
            award = settlement.current_award(s, p)
            a = s.scalar(select(Auction).where(Auction.project_id == p.id))
            mine = (
                s.scalar(select(Buyer).where(Buyer.project_id == p.id, Buyer.credit_code == code))
                if code
                else None
            )
            n = s.scalar(select(func.count()).select_from(Buyer).where(Buyer.project_id == p.id)) or 0
            s.expunge_all()
            return p, d, a, mine, n, award

    p, d, a, mine, n, award = await ctx.platform.db.run(work)
    return render(
        request,
        "equity/project.html",
        {
            "p": p,
            "deal": d,
            "auction": a,
            "mine": mine,
            "buyers_count": n,
            "periods": periods_of(p, d, award),
            "status_title": title(STATUSES, p.status, ctx.lang),
            "buyer_states": BUYER_STATES,
            "can_register": bool(code) and p.status == "disclosure" and mine is None,
            "legal": bool(code),
        },
    )


@require(P.BUY, visible=visible_project)
async def register(request: Request) -> Response:
    form = await read_form(request)
    ctx = _ctx(request)
    if ctx.actor.kind != "legal" or not ctx.actor.id_number:
        raise Invalid(
            "Only a legal person may buy",
            "只有法人可以登记受让",
            code="not_legal_person",
            fields={"account": "legal person required"},
        )
    qualification = str(form.get("qualification", ""))[:5000]

    def work() -> None:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            buyers.register(
                s,
                ctx.platform,
                ctx.tenant,
                _pid(request),
                credit_code=str(ctx.actor.id_number),
                name=ctx.actor.display_name,
                qualification=qualification,
                actor=ctx.actor.label,
            )

    await ctx.platform.db.run(work)
    return RedirectResponse(f"{_base(request)}/projects/{_pid(request)}#buyer", status_code=303)


def _state(request: Request) -> Any:
    ctx = _ctx(request)
    code = str(ctx.actor.id_number) if ctx.actor.kind == "legal" and ctx.allowed(P.BUY) else ""

    def work() -> Any:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            now = clock.now(ctx.platform).astimezone(UTC)
            bidding.close_if_due(s, ctx.platform, ctx.tenant, _pid(request), now)
            a = bidding.load_auction(s, ctx.tenant, _pid(request))
            me = (
                s.scalar(select(Buyer).where(Buyer.project_id == a.project_id, Buyer.credit_code == code))
                if code
                else None
            )
            state = bidding.public_state(s, a, now, me.id if me else None)
            state["can_bid"] = bool(me and me.status == "qualified")
            state["phase_title"] = title(AUCTION_STATES, state["phase"], ctx.lang)
            return state

    return ctx.platform.db.run(work)


@require(P.PUBLIC, visible=visible_project)
async def auction_page(request: Request) -> Response:
    ctx = _ctx(request)
    state = await _state(request)
    p = await ctx.platform.db.run(lambda: _project_title(ctx, _pid(request)))
    zh = ctx.lang == "zh-CN"
    bids = list(reversed(state["bids"]))
    chart = (
        charts.line_chart(
            "报价走势（万元）" if zh else "Accepted bids (10,000 yuan)",
            [f"#{b['seq']}" for b in bids],
            {"报价" if zh else "Bid": [round(b["amount_cents"] / 1_000_000, 2) for b in bids]},
        )
        if len(bids) > 1
        else None
    )
    return render(request, "equity/auction.html", {"p": p, "s": state, "chart": chart})


def _project_title(ctx: Any, pid: int) -> Any:
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        p = services.load(s, ctx.tenant, pid)
        s.expunge(p)
        return p


@require(P.PUBLIC, visible=visible_project)
async def auction_json(request: Request) -> Response:
    return json_ok(await _state(request))




@require(P.BUY, visible=visible_project)
async def bid(request: Request) -> Response:
    """A bid from the live page (a form posted by script): refusals name the rule; a script asking for JSON
    gets the API's error shape, a plain form post the error page."""
    form = await read_form(request)
    ctx = _ctx(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        cents = yuan_cents(form.get("amount_yuan"), "amount_yuan")
        placed = await ctx.platform.db.run(lambda: _place(ctx, _pid(request), cents))
        if placed.refused:
            raise bidding.refusal_error(placed.refused, "amount_yuan")
    except DomainError as e:
        if not wants_json:
            raise
        return json_error(
            e.status,
            e.code,
            e.message_zh if ctx.lang == "zh-CN" else e.message_en,
            e.field_messages(ctx.lang),
        )
    if wants_json:
        return JSONResponse(
            {"accepted": True, "you_lead": placed.leading, "current_cents": placed.current_cents}
        )
    return RedirectResponse(f"{_base(request)}/projects/{_pid(request)}/auction", status_code=303)


def _place(ctx: Any, pid: int, cents: int) -> Any:
    if ctx.actor.kind != "legal" or not ctx.actor.id_number:
        raise Invalid(
            "Only a legal person may bid",
            "只有法人可以参加竞价",
            code="not_legal_person",
            fields={"account": "legal person required"},
        )
    with ctx.platform.db.transaction(ctx.tenant.scope) as s:
        return bidding.place_bid(
            s,
            ctx.platform,
            ctx.tenant,
            pid,
            credit_code=str(ctx.actor.id_number),
            amount_cents=cents,
            actor=ctx.actor.label,
        )


@require(P.PUBLIC)
async def verify(request: Request) -> Response:
    ctx = _ctx(request)
    number = request.query_params.get("number", "").strip()[:40]
    result = None
    if number:
        result = await ctx.platform.db.run(lambda: _verify(ctx, number))
    return render(request, "equity/verify.html", {"number": number, "r": result})


def _verify(ctx: Any, number: str) -> Any:
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        return deals.verify(s, ctx.tenant, number)


def routes() -> list[BaseRoute]:
    from plugins.equity import live, staff

    T = "/projects/{project_id:int}"  # noqa: N806
    return [
        *staff.routes(),
        Route("/", index, methods=["GET"]),
        Route("/verify", verify, methods=["GET"]),
        Route(T, project, methods=["GET"]),
        Route(f"{T}/register", register, methods=["POST"]),
        Route(f"{T}/auction", auction_page, methods=["GET"]),
        Route(f"{T}/auction/state", auction_json, methods=["GET"]),
        Route(f"{T}/auction/events", live.auction_events, methods=["GET"]),
        Route(f"{T}/auction/bid", bid, methods=["POST"]),
    ]
