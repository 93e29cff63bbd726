"""JSON API of the equity plugin, under ``/api/t/{code}/equity/``.

Public (``equity:public:view``): projects past review (list and one), the live auction state, a trade
certificate by its number. Buyers (legal persons, ``equity:buyer:act``): register, bid. The exchange
(``equity:project:manage``): file, review the conditions, disclose, change terms, deposits, confirm
buyers, proceed (agreement or auction), contract, payments, result notice, certificate. Acts on a
project take its ``version`` (409 ``stale_version``). Errors: ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    Invalid,
    NotFound,
    api_doc,
    clock,
    page_model,
    page_params,
    paginate,
    parse_body,
    parse_query,
    require,
    run_scoped,
)
from plugins.equity import bidding, buyers, deals, services, settlement
from plugins.equity import permissions as P
from plugins.equity import schemas as S
from plugins.equity.models import STATUSES, Auction, Buyer, Deal, Project

_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def _pid(request: Request) -> int:
    return int(request.path_params["project_id"])


def title(pairs: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = pairs.get(key, (key, key))
    return zh if lang == "zh-CN" else en


def project_out(p: Project, lang: str) -> dict[str, Any]:
    return {
        "id": p.id,
        "number": p.number,
        "title": p.title,
        "target": p.target,
        "seller_name": p.seller_name,
        "supervisor_name": p.supervisor_name,
        "appraisal_cents": p.appraisal_cents,
        "listing_cents": p.listing_cents,
        "increment_cents": p.increment_cents,
        "deposit_cents": p.deposit_cents,
        "conditions": p.conditions,
        "conditions_reviewed": bool(p.conditions_reviewed_by),
        "control_change": p.control_change,
        "status": p.status,
        "status_title": title(STATUSES, p.status, lang),
        "status_reason": p.status_reason,
        "pre_start": p.pre_start,
        "pre_end": p.pre_end,
        "formal_start": p.formal_start,
        "formal_end": p.formal_end,
        "consent_recorded": bool(p.consent_sha256),
        "version": p.version,
    }


def buyer_out(b: Buyer) -> dict[str, Any]:
    return {k: getattr(b, k) for k in S.EquityBuyerOut.model_fields}


def deal_out(d: Deal) -> dict[str, Any]:
    return {k: getattr(d, k) for k in S.EquityDealOut.model_fields}


async def visible_project(request: Request) -> None:
    """A project of this tenant; a draft only for the exchange's staff. Anything else answers as missing."""
    ctx = request.state.ctx
    staff = ctx.allowed(P.PROJECT_VIEW)

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            p = s.get(Project, _pid(request))
            if p is None or p.tenant_id != ctx.tenant.id or (p.status == "draft" and not staff):
                raise NotFound("No such transfer project here", "本级没有该转让项目", code="unknown_project")

    await ctx.platform.db.run(check)


def _my_code(request: Request) -> str:
    actor = request.state.ctx.actor
    if actor.kind != "legal" or not actor.id_number:
        raise Invalid(
            "Only a legal person may buy", "只有法人可以登记受让、参加竞价", code="not_legal_person"
        )
    return str(actor.id_number)


# --- public -----------------------------------------------------------------------------------------------


@api_doc(
    query=S.EquityListQuery,
    response=S.EquityProjectOut,
    paginated=True,
    page_limit=(20, 100),
    summary="Transfer projects of this exchange, newest first (?status=)",
)
@require(P.PUBLIC)
async def list_projects(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    status = parse_query(request).status
    staff = ctx.allowed(P.PROJECT_VIEW)

    def work(s: Any) -> Any:
        stmt = select(Project).where(Project.tenant_id == ctx.tenant.id)
        if status:
            stmt = stmt.where(Project.status == status)
        if not staff:
            stmt = stmt.where(Project.status != "draft")
        page = paginate(s, stmt, params, key=[Project.id], desc=True)
        return page.as_json(lambda p: project_out(p, ctx.lang))

    return await _run(request, work)


@api_doc(
    response=S.EquityProjectOut, summary="One transfer project: terms, conditions and disclosure periods"
)
@require(P.PUBLIC, visible=visible_project)
async def get_project(request: Request) -> Any:
    ctx = request.state.ctx
    return await _run(request, lambda s: project_out(services.load(s, ctx.tenant, _pid(request)), ctx.lang))


@api_doc(
    response=S.EquityAuctionOut, summary="The live auction: phase, current price, countdown, accepted bids"
)
@require(P.PUBLIC, visible=visible_project)
async def auction_state(request: Request) -> Any:
    ctx = request.state.ctx
    code = str(ctx.actor.id_number) if ctx.actor.kind == "legal" and ctx.allowed(P.BUY) else ""

    def work(s: Any) -> Any:
        now = clock.now(ctx.platform).astimezone(UTC)
        bidding.close_if_due(s, ctx.platform, ctx.tenant, _pid(request), now)
        a = bidding.load_auction(s, ctx.tenant, _pid(request))
        me = (
            s.scalar(select(Buyer.id).where(Buyer.project_id == a.project_id, Buyer.credit_code == code))
            if code
            else None
        )
        return bidding.public_state(s, a, now, me)

    return await _run(request, work, write=True)


@api_doc(response=S.EquityCertificateOut, summary="Verify a trade certificate by its number")
@require(P.PUBLIC)
async def certificate(request: Request) -> Any:
    ctx = request.state.ctx
    v = await _run(request, lambda s: deals.verify(s, ctx.tenant, request.path_params["number"]))
    if not v.found:
        raise NotFound(
            "No trade certificate with this number here",
            "本级没有该编号的交易凭证",
            code="unknown_certificate",
            fields={"number": "unknown"},
        )
    return {"number": v.number, "signature_ok": v.signature_ok, "document": v.body}


# --- buyers -----------------------------------------------------------------------------------------------


@api_doc(
    request=S.EquityRegisterIn,
    response=S.EquityBuyerOut,
    status=201,
    summary="Register as an intending buyer (legal persons, during formal disclosure)",
)
@require(P.BUY, visible=visible_project)
async def register(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityRegisterIn)
    code = _my_code(request)

    def work(s: Any) -> Any:
        b = buyers.register(
            s,
            ctx.platform,
            ctx.tenant,
            _pid(request),
            credit_code=code,
            name=data.name or ctx.actor.display_name,
            representative=data.representative,
            qualification=data.qualification,
            actor=ctx.actor.label,
        )
        for h in data.shareholders:
            settlement.add_shareholder(
                s,
                ctx.platform,
                ctx.tenant,
                b.project_id,
                buyer_id=b.id,
                name=h.name,
                credit_code=h.credit_code,
                source="declared",
                actor=ctx.actor.label,
            )
        return buyer_out(b)

    return await _run(request, work, write=True)


@api_doc(
    request=S.EquityBidIn,
    response=S.EquityPlacedOut,
    status=201,
    summary="Bid in the online auction; the server's time decides and the answer says who leads",
)
@require(P.BUY, visible=visible_project)
async def bid(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityBidIn)
    code = _my_code(request)
    placed = await _run(
        request,
        lambda s: bidding.place_bid(
            s,
            ctx.platform,
            ctx.tenant,
            _pid(request),
            credit_code=code,
            amount_cents=data.amount_cents,
            actor=ctx.actor.label,
        ),
        write=True,
    )
    if placed.refused:  # logged with its reason; the auction did not change
        raise bidding.refusal_error(placed.refused)
    return {
        "bid_id": placed.bid_id,
        "accepted": True,
        "at": placed.at,
        "current_cents": placed.current_cents,
        "you_lead": placed.leading,
        "closes_at": placed.closes_at,
    }


# --- the exchange -----------------------------------------------------------------------------------------


@api_doc(
    request=S.EquityProjectIn, response=S.EquityProjectOut, status=201, summary="File a transfer project"
)
@require(P.PROJECT_MANAGE)
async def create(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityProjectIn)
    return await _run(
        request,
        lambda s: project_out(
            services.create(
                s, ctx.platform, ctx.tenant, services.ProjectIn(**data.model_dump()), actor=ctx.actor.label
            ),
            ctx.lang,
        ),
        write=True,
    )


def _act(
    model: Any, summary: str, fn: Any, out: Any = S.EquityProjectOut, perm: Any = P.PROJECT_MANAGE
) -> Any:
    @api_doc(request=model, response=out, summary=summary)
    @require(perm, visible=visible_project)
    async def endpoint(request: Request) -> Any:
        ctx = request.state.ctx
        data = await parse_body(request, model)

        def work(s: Any) -> Any:
            row = fn(s, ctx, _pid(request), data)
            return project_out(row, ctx.lang) if isinstance(row, Project) else deal_out(row)

        return await _run(request, work, write=True)

    endpoint.__name__ = f"equity{fn.__name__}"
    return endpoint


def review_act(s: Any, ctx: Any, pid: int, d: S.EquityReviewIn) -> Any:
    return services.review_conditions(
        s, ctx.platform, ctx.tenant, pid, d.version, fair=d.fair, reason=d.reason, actor=ctx.actor.label
    )


def disclose_act(s: Any, ctx: Any, pid: int, d: S.EquityDiscloseIn) -> Any:
    return services.disclose(
        s,
        ctx.platform,
        ctx.tenant,
        pid,
        d.version,
        kind=d.kind,
        start=d.start,
        end=d.end,
        actor=ctx.actor.label,
    )


def change_act(s: Any, ctx: Any, pid: int, d: S.EquityChangeIn) -> Any:
    return services.change_terms(
        s,
        ctx.platform,
        ctx.tenant,
        pid,
        d.version,
        changes=d.changes(),
        reason=d.reason,
        consent=d.consent(),
        actor=ctx.actor.label,
    )


def proceed_act(s: Any, ctx: Any, pid: int, d: S.EquityProceedIn) -> Any:
    services.advance(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, pid))
    return buyers.proceed(
        s,
        ctx.platform,
        ctx.tenant,
        pid,
        d.version,
        starts_at=d.starts_at.astimezone(UTC),
        free_minutes=d.free_minutes,
        countdown_seconds=d.countdown_seconds,
        actor=ctx.actor.label,
    )


def contract_act(s: Any, ctx: Any, pid: int, d: S.EquityContractIn) -> Any:
    if s.scalar(select(Auction.id).where(Auction.project_id == pid)) is not None:
        bidding.close_if_due(s, ctx.platform, ctx.tenant, pid)  # the countdown may have run out since
        settlement.fall_through(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, pid))
    data = deals.ContractIn(d.contract_no, d.signed_on, d.mode, d.down_cents, d.rest_due, d.price_cents)
    return deals.sign(s, ctx.platform, ctx.tenant, pid, d.version, data, actor=ctx.actor.label)


def pay_act(s: Any, ctx: Any, pid: int, d: S.EquityPayIn) -> Any:
    return deals.pay(s, ctx.platform, ctx.tenant, pid, cents=d.cents, on=d.on, actor=ctx.actor.label)


def notice_act(s: Any, ctx: Any, pid: int, d: S.EquityNoticeIn) -> Any:
    return deals.publish_notice(
        s, ctx.platform, ctx.tenant, pid, start=d.start, end=d.end, actor=ctx.actor.label
    )


def certificate_act(s: Any, ctx: Any, pid: int, d: Any) -> Any:
    return deals.issue_certificate(s, ctx.platform, ctx.tenant, pid, actor=ctx.actor.label)


def default_act(s: Any, ctx: Any, pid: int, d: S.EquityDefaultIn) -> Any:
    p = services.load(s, ctx.tenant, pid)
    if settlement.fall_through(s, ctx.platform, ctx.tenant, p):
        return p  # the window had run out: the default is on record already
    return settlement.record_default(
        s, ctx.platform, ctx.tenant, pid, d.version, reason=d.reason, actor=ctx.actor.label
    )


def shareholder_act(s: Any, ctx: Any, pid: int, d: S.EquityShareholderIn) -> Any:
    if d.buyer_id is not None:
        b = buyers.load_buyer(s, ctx.tenant, d.buyer_id)
        if b.project_id != pid:
            raise NotFound("No such buyer here", "本级没有该意向受让方", code="unknown_buyer")
    settlement.add_shareholder(
        s,
        ctx.platform,
        ctx.tenant,
        pid,
        buyer_id=d.buyer_id,
        name=d.name,
        credit_code=d.credit_code,
        source="entered",
        actor=ctx.actor.label,
    )
    return services.load(s, ctx.tenant, pid)


class EquityEmptyIn(S.Strict):
    pass


@api_doc(response=page_model(S.EquityBuyerOut), summary="Intending buyers of a project (one page)")
@require(P.PROJECT_VIEW, visible=visible_project)
async def list_buyers(request: Request) -> Any:
    def work(s: Any) -> Any:
        rows = s.scalars(select(Buyer).where(Buyer.project_id == _pid(request)).order_by(Buyer.id))
        return {"items": [buyer_out(b) for b in rows], "next_cursor": None}

    return await _run(request, work)


async def _buyer_here(request: Request) -> None:
    ctx = request.state.ctx

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            buyers.load_buyer(s, ctx.tenant, int(request.path_params["buyer_id"]))

    await ctx.platform.db.run(check)


@api_doc(
    request=S.EquityRefundIn,
    response=S.EquityBuyerOut,
    summary="Refund a losing bidder's deposit (after the deal; the second bidder's after the winner paid)",
)
@require(P.PROJECT_MANAGE, visible=_buyer_here)
async def refund(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityRefundIn)
    return await _run(
        request,
        lambda s: buyer_out(
            settlement.refund_deposit(
                s,
                ctx.platform,
                ctx.tenant,
                int(request.path_params["buyer_id"]),
                on=data.on,
                actor=ctx.actor.label,
            )
        ),
        write=True,
    )


@api_doc(request=S.EquityDepositIn, response=S.EquityBuyerOut, summary="Record a buyer's deposit")
@require(P.PROJECT_MANAGE, visible=_buyer_here)
async def deposit(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityDepositIn)
    return await _run(
        request,
        lambda s: buyer_out(
            buyers.pay_deposit(
                s,
                ctx.platform,
                ctx.tenant,
                int(request.path_params["buyer_id"]),
                cents=data.cents,
                on=data.on,
                actor=ctx.actor.label,
            )
        ),
        write=True,
    )


@api_doc(
    request=S.EquityConfirmIn,
    response=S.EquityBuyerOut,
    summary="Confirm a buyer as qualified (or not, with why)",
)
@require(P.PROJECT_MANAGE, visible=_buyer_here)
async def confirm(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.EquityConfirmIn)

    def work(s: Any) -> Any:
        b = buyers.load_buyer(s, ctx.tenant, int(request.path_params["buyer_id"]))
        services.advance(s, ctx.platform, ctx.tenant, services.load(s, ctx.tenant, b.project_id))
        return buyer_out(
            buyers.confirm(
                s,
                ctx.platform,
                ctx.tenant,
                b.id,
                data.version,
                qualified=data.qualified,
                reason=data.reason,
                actor=ctx.actor.label,
            )
        )

    return await _run(request, work, write=True)


@api_doc(response=S.EquityDealOut, summary="The deal: contract, payment plan, payments, notice, certificate")
@require(P.PROJECT_VIEW, visible=visible_project)
async def get_deal(request: Request) -> Any:
    ctx = request.state.ctx
    return await _run(request, lambda s: deal_out(deals.load_deal(s, ctx.tenant, _pid(request))))


def routes() -> list[BaseRoute]:
    T = "/projects/{project_id:int}"  # noqa: N806
    acts = [
        (
            "review",
            S.EquityReviewIn,
            "Review the buyer conditions (they must not point at one buyer)",
            review_act,
            S.EquityProjectOut,
        ),
        (
            "disclose",
            S.EquityDiscloseIn,
            "Start pre-disclosure or formal disclosure (20 working days at least)",
            disclose_act,
            S.EquityProjectOut,
        ),
        (
            "change",
            S.EquityChangeIn,
            "Change the terms: a supplement and a new formal disclosure period",
            change_act,
            S.EquityProjectOut,
        ),
        (
            "proceed",
            S.EquityProceedIn,
            "After confirmation: agreement (one buyer) or online auction (several)",
            proceed_act,
            S.EquityProjectOut,
        ),
        (
            "contract",
            S.EquityContractIn,
            "Record the transaction contract and its payment plan",
            contract_act,
            S.EquityDealOut,
        ),
        ("payments", S.EquityPayIn, "Record a payment of the price", pay_act, S.EquityDealOut),
        (
            "notice",
            S.EquityNoticeIn,
            "Publish the result notice (5 working days at least)",
            notice_act,
            S.EquityDealOut,
        ),
        (
            "default",
            S.EquityDefaultIn,
            "Record that the winner (or the second bidder) defaulted: deposit forfeited, award moves on",
            default_act,
            S.EquityProjectOut,
        ),
        (
            "shareholders",
            S.EquityShareholderIn,
            "Record a shareholder of the seller (no buyer_id) or of a buyer",
            shareholder_act,
            S.EquityProjectOut,
        ),
        (
            "certificate",
            EquityEmptyIn,
            "Issue the signed trade certificate (after full payment)",
            certificate_act,
            S.EquityDealOut,
        ),
    ]
    return [
        Route("/projects", list_projects, methods=["GET"]),
        Route("/projects", create, methods=["POST"]),
        Route(T, get_project, methods=["GET"]),
        *(
            Route(f"{T}/{name}", _act(model, summary, fn, out), methods=["POST"])
            for name, model, summary, fn, out in acts
        ),
        Route(f"{T}/auction", auction_state, methods=["GET"]),
        Route(f"{T}/bids", bid, methods=["POST"]),
        Route(f"{T}/register", register, methods=["POST"]),
        Route(f"{T}/buyers", list_buyers, methods=["GET"]),
        Route(f"{T}/deal", get_deal, methods=["GET"]),
        Route("/buyers/{buyer_id:int}/deposit", deposit, methods=["POST"]),
        Route("/buyers/{buyer_id:int}/confirm", confirm, methods=["POST"]),
        Route("/buyers/{buyer_id:int}/refund", refund, methods=["POST"]),
        Route("/certificates/{number}", certificate, methods=["GET"]),
    ]
