"""JSON API of the bidding plugin, under ``/api/t/{code}/bidding/``.

Public (``bidding:public:view``): tenders of this tenant and below, a tender's notice, documents, periods
and — once the opening has closed — bidders and prices; OCDS releases and records. Bidders (legal persons,
``bidding:bid:submit``): register, submit a sealed bid (receipt), give the key at the opening, object.
Staff (``bidding:tender:manage``): create, publish, clarify, cancel, answer objections, bonds, evaluate,
award, reject, contract, complete; ``bidding:expert:manage``: the pool and the draw; panel members
(``bidding:evaluation:score``): scores. Acts on a tender take its ``version`` (409 ``stale_version``).
"""

from __future__ import annotations

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
    tenant_object,
)
from plugins.bidding import ocds, present, services
from plugins.bidding import permissions as P
from plugins.bidding import schemas as S
from plugins.bidding.models import Bid, Bidder, Expert, Objection, Panel, Tender

_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


tender_here = tenant_object(
    Tender, "tender_id", "No such tender here", "本级没有该招标项目", code="not_found"
)
bidder_here = tenant_object(Bidder, "bidder_id", "No such bidder here", "本级没有该投标人", code="not_found")
objection_here = tenant_object(
    Objection, "objection_id", "No such objection here", "本级没有该异议", code="not_found"
)


async def public_tender(request: Request) -> None:
    """A published tender of this tenant or below; a draft only for its own tenant's staff. Anything else
    answers as a missing id."""
    ctx = request.state.ctx
    tender_id = int(request.path_params["tender_id"])
    staff = ctx.allowed(P.TENDER_VIEW)

    def check() -> None:
        with ctx.platform.db.session(present.public_scope(ctx.tenant)) as s:
            t = s.get(Tender, tender_id)
            if t is None or (t.status == "draft" and not (staff and t.tenant_id == ctx.tenant.id)):
                raise NotFound("No such tender here", "本级没有该招标项目", code="not_found")

    await ctx.platform.db.run(check)


def _tid(request: Request) -> int:
    return int(request.path_params["tender_id"])


# --- public ---------------------------------------------------------------------------------------------


@api_doc(
    query=S.TenderQuery,
    response=S.TenderOut,
    paginated=True,
    page_limit=(20, 100),
    summary="Tenders of this tenant and below, newest first (?status=)",
)
@require(P.PUBLIC)
async def list_tenders(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    status = parse_query(request).status
    staff = ctx.allowed(P.TENDER_VIEW)

    def work(s: Any) -> Any:
        stmt = select(Tender)
        if status:
            stmt = stmt.where(Tender.status == status)
        if not staff:
            stmt = stmt.where(Tender.status != "draft")
        else:
            stmt = stmt.where((Tender.status != "draft") | (Tender.tenant_id == ctx.tenant.id))
        page = paginate(s, stmt, params, key=[Tender.id], desc=True)
        n = present.counts(s, [t.id for t in page.items])
        return page.as_json(lambda t: present.tender_out(ctx.platform, t, ctx.lang, n.get(t.id, (0, 0))))

    return await _run(request, work, scope=present.public_scope(ctx.tenant))


@api_doc(
    response=S.TenderDetailOut,
    summary="One tender: notice, documents, periods with their basis, "
    "and after the opening the bidders and prices",
)
@require(P.PUBLIC, visible=public_tender)
async def get_tender(request: Request) -> Any:
    ctx = request.state.ctx
    tid = _tid(request)

    def work(s: Any) -> Any:
        t = s.get(Tender, tid)
        return present.detail_out(s, ctx.platform, t, ctx.lang)

    return await _run(request, work, scope=present.public_scope(ctx.tenant))


@api_doc(response=S.OcdsPackageOut, summary="OCDS release package of this tenant's and its subtree's tenders")
@require(P.PUBLIC)
async def ocds_releases(request: Request) -> Any:
    ctx = request.state.ctx

    def work(s: Any) -> Any:
        rows = s.scalars(select(Tender).where(Tender.status != "draft").order_by(Tender.id.desc()).limit(200))
        items = [r for t in rows for r in ocds.releases(s, t)]
        return ocds.package("releases", str(request.url), ctx.tenant.name, items, clock.now(ctx.platform))

    return await _run(request, work, scope=present.public_scope(ctx.tenant))


@api_doc(response=S.OcdsRecordPackageOut, summary="OCDS record (releases and compiled release) of one tender")
@require(P.PUBLIC, visible=public_tender)
async def ocds_record(request: Request) -> Any:
    ctx = request.state.ctx
    tid = _tid(request)

    def work(s: Any) -> Any:
        t = s.get(Tender, tid)
        return ocds.package(
            "records", str(request.url), ctx.tenant.name, [ocds.record(s, t)], clock.now(ctx.platform)
        )

    return await _run(request, work, scope=present.public_scope(ctx.tenant))


# --- bidders --------------------------------------------------------------------------------------------


def _my_code(request: Request) -> str:
    actor = request.state.ctx.actor
    if actor.kind != "legal" or not actor.id_number:
        raise Invalid(
            "Only a legal person's account can bid",
            "只有法人账号可以投标",
            code="not_legal",
            fields={"account": "legal person required"},
        )
    return str(actor.id_number)


def bidder_out(b: Bidder, bid: Bid | None) -> dict[str, Any]:
    return {
        "id": b.id,
        "credit_code": b.credit_code,
        "name": b.name,
        "credit_level": b.credit_level,
        "flagged": b.flagged,
        "flag_reason": b.flag_reason,
        "bond_state": b.bond_state,
        "bond_cents": b.bond_cents,
        "bond_paid_on": b.bond_paid_on,
        "bond_refunded_on": b.bond_refunded_on,
        "bid_status": bid.status if bid else None,
        "submitted_at": services.aware(bid.submitted_at) if bid else None,
        "version": b.version,
    }


@api_doc(request=S.RegisterIn, response=S.BidderOut, status=201, summary="Register interest (legal persons)")
@require(P.BID, visible=tender_here)
async def register(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.RegisterIn)
    code = _my_code(request)

    def work(s: Any) -> Any:
        b = services.register(
            s,
            ctx.platform,
            ctx.tenant,
            _tid(request),
            credit_code=code,
            name=data.name or ctx.actor.display_name,
            account=ctx.actor.username,
            actor=ctx.actor.label,
        )
        return bidder_out(b, None)

    return await _run(request, work, write=True)


@api_doc(response=S.BidderOut, summary="My registration, bond and bid on this tender")
@require(P.BID, visible=tender_here)
async def mine(request: Request) -> Any:
    ctx = request.state.ctx
    code = _my_code(request)

    def work(s: Any) -> Any:
        b = services.bidder_of(s, ctx.tenant, _tid(request), code)
        return bidder_out(b, s.scalar(select(Bid).where(Bid.bidder_id == b.id)))

    return await _run(request, work)


def receipt_out(bid: Bid) -> dict[str, Any]:
    return {
        "bid_id": bid.id,
        "receipt": bid.receipt,
        "signature": bid.signature,
        "key_id": bid.key_id,
        "submitted_at": services.aware(bid.submitted_at),
        "ciphertext_sha256": bid.ciphertext_sha256,
    }


@api_doc(
    request=S.BidIn,
    response=S.ReceiptOut,
    status=201,
    summary="Submit a sealed bid (ciphertext only); the answer is a receipt signed with the server time",
)
@require(P.BID, visible=tender_here)
async def submit(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.BidIn)
    code = _my_code(request)
    ip = request.client.host if request.client else ""

    def work(s: Any) -> Any:
        return receipt_out(
            services.submit_bid(
                s,
                ctx.platform,
                ctx.tenant,
                _tid(request),
                credit_code=code,
                nonce=data.nonce,
                ciphertext=data.ciphertext,
                commitment=data.commitment,
                ip=ip,
                device=data.device,
                actor=ctx.actor.label,
            )
        )

    return await _run(request, work, write=True)


@api_doc(
    request=S.KeyIn,
    response=S.OpenedOut,
    summary="Give the key at the opening: the bid is decrypted and checked against its digests",
)
@require(P.BID, visible=tender_here)
async def give_key(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.KeyIn)
    code = _my_code(request)

    def work(s: Any) -> Any:
        bid = services.open_with_key(
            s, ctx.platform, ctx.tenant, _tid(request), credit_code=code, key=data.key, actor=ctx.actor.label
        )
        return {"bid_id": bid.id, "status": bid.status, "price_cents": bid.price_cents}

    return await _run(request, work, write=True)


def withdrawal_out(bid: Bid) -> dict[str, Any]:
    return {
        "bid_id": bid.id,
        "status": bid.status,
        "withdrawn_at": bid.withdrawn_at and services.aware(bid.withdrawn_at),
        "receipt": bid.withdrawal_receipt,
        "signature": bid.withdrawal_signature,
        "key_id": bid.key_id,
    }


@api_doc(
    response=S.WithdrawalOut,
    summary="Withdraw my sealed bid before the deadline; the answer is a signed withdrawal receipt",
)
@require(P.BID, visible=tender_here)
async def withdraw(request: Request) -> Any:
    ctx = request.state.ctx
    code = _my_code(request)

    def work(s: Any) -> Any:
        return withdrawal_out(
            services.withdraw_bid(
                s, ctx.platform, ctx.tenant, _tid(request), credit_code=code, actor=ctx.actor.label
            )
        )

    return await _run(request, work, write=True)


def objection_out(o: Objection) -> dict[str, Any]:
    return {
        "id": o.id,
        "tender_id": o.tender_id,
        "stage": o.stage,
        "objector_name": o.objector_name,
        "content": o.content,
        "filed_at": services.aware(o.filed_at),
        "answer_due": o.answer_due,
        "answered_at": o.answered_at and services.aware(o.answered_at),
        "answer": o.answer,
        "upheld": o.upheld,
        "version": o.version,
    }


@api_doc(
    request=S.ObjectionIn,
    response=S.ObjectionOut,
    status=201,
    summary="Object to the documents or to the candidates (the procedure pauses until the answer)",
)
@require(P.BID, visible=tender_here)
async def object_to(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.ObjectionIn)
    code = _my_code(request)

    def work(s: Any) -> Any:
        return objection_out(
            services.object_to(
                s,
                ctx.platform,
                ctx.tenant,
                _tid(request),
                stage=data.stage,
                objector_code=code,
                objector_name=ctx.actor.display_name,
                content=data.content,
                actor=ctx.actor.label,
            )
        )

    return await _run(request, work, write=True)


# --- staff ----------------------------------------------------------------------------------------------


@api_doc(
    request=S.TenderIn,
    response=S.TenderOut,
    status=201,
    summary="Register a tender (draft); a schedule that breaks a statutory period is refused naming the rule",
)
@require(P.TENDER_MANAGE)
async def create(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.TenderIn)
    if data.deadline.tzinfo is None:
        raise Invalid(
            "The deadline needs an offset, e.g. +08:00",
            "截止时间须带时区，例如 +08:00",
            code="invalid",
            fields={"deadline": "offset required"},
        )

    def work(s: Any) -> Any:
        t = services.create_tender(
            s, ctx.platform, ctx.tenant, services.TenderIn(**data.model_dump()), actor=ctx.actor.label
        )
        return present.tender_out(ctx.platform, t, ctx.lang)

    return await _run(request, work, write=True)


def _tender_act(name: str, model: Any, summary: str, fn: Any, perm: Any = P.TENDER_MANAGE) -> Any:
    @api_doc(request=model, response=S.TenderOut, summary=summary)
    @require(perm, visible=tender_here)
    async def endpoint(request: Request) -> Any:
        ctx = request.state.ctx
        data = await parse_body(request, model)

        def work(s: Any) -> Any:
            fn(s, ctx, _tid(request), data)
            t = services.load(s, ctx.tenant, _tid(request))
            return present.tender_out(ctx.platform, t, ctx.lang, present.counts(s, [t.id]).get(t.id, (0, 0)))

        return await _run(request, work, write=True)

    endpoint.__name__ = f"bidding_{name}"
    return endpoint


def _publish(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.publish_tender(
        s, ctx.platform, ctx.tenant, tid, d.version, documents=d.documents, actor=ctx.actor.label
    )


def _clarify(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.clarify(
        s,
        ctx.platform,
        ctx.tenant,
        tid,
        d.version,
        title=d.title,
        body=d.body,
        affects_bids=d.affects_bids,
        actor=ctx.actor.label,
    )


def _cancel(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.cancel(s, ctx.platform, ctx.tenant, tid, d.version, reason=d.reason, actor=ctx.actor.label)


def _evaluate(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.finish_evaluation(s, ctx.platform, ctx.tenant, tid, d.version, actor=ctx.actor.label)


def _award(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.award(s, ctx.platform, ctx.tenant, tid, d.version, bid_id=d.bid_id, actor=ctx.actor.label)


def _reject(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.reject_award(s, ctx.platform, ctx.tenant, tid, d.version, reason=d.reason, actor=ctx.actor.label)


def _contract(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.sign_contract(
        s, ctx.platform, ctx.tenant, tid, d.version, price_cents=d.price_cents, actor=ctx.actor.label
    )


def _complete(s: Any, ctx: Any, tid: int, d: Any) -> None:
    services.complete(s, ctx.platform, ctx.tenant, tid, d.version, actor=ctx.actor.label)


@api_doc(response=page_model(S.BidderOut), summary="Bidders of a tender with credit flags, bonds and bids")
@require(P.TENDER_VIEW, visible=tender_here)
async def bidders(request: Request) -> Any:
    def work(s: Any) -> Any:
        rows = s.scalars(select(Bidder).where(Bidder.tender_id == _tid(request)).order_by(Bidder.id)).all()
        bids = {b.bidder_id: b for b in s.scalars(select(Bid).where(Bid.tender_id == _tid(request)))}
        return {"items": [bidder_out(b, bids.get(b.id)) for b in rows], "next_cursor": None}

    return await _run(request, work)


@api_doc(response=page_model(S.ObjectionOut), summary="Objections to a tender")
@require(P.TENDER_VIEW, visible=tender_here)
async def objections(request: Request) -> Any:
    def work(s: Any) -> Any:
        rows = s.scalars(select(Objection).where(Objection.tender_id == _tid(request)).order_by(Objection.id))
        return {"items": [objection_out(o) for o in rows], "next_cursor": None}

    return await _run(request, work)


@api_doc(request=S.ObjectionAnswerIn, response=S.ObjectionOut,
         summary="Answer an objection (resumes the procedure)")
@require(P.TENDER_MANAGE, visible=objection_here)
async def answer(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.ObjectionAnswerIn)
    oid = int(request.path_params["objection_id"])

    def work(s: Any) -> Any:
        return objection_out(
            services.answer(
                s,
                ctx.platform,
                ctx.tenant,
                oid,
                data.version,
                text=data.answer,
                upheld=data.upheld,
                actor=ctx.actor.label,
            )
        )

    return await _run(request, work, write=True)


def _bond_act(refund: bool) -> Any:
    model: Any = S.VersionIn if refund else S.BondIn

    @api_doc(
        request=model,
        response=S.BidderOut,
        summary="Refund a bid bond" if refund else "Record a bid bond paid",
    )
    @require(P.TENDER_MANAGE, visible=bidder_here)
    async def endpoint(request: Request) -> Any:
        ctx = request.state.ctx
        data = await parse_body(request, model)
        bid_ = int(request.path_params["bidder_id"])

        def work(s: Any) -> Any:
            if refund:
                b = services.refund_bond(s, ctx.platform, ctx.tenant, bid_, actor=ctx.actor.label)
            else:
                b = services.pay_bond(
                    s, ctx.platform, ctx.tenant, bid_, cents=data.cents, actor=ctx.actor.label
                )
            return bidder_out(b, s.scalar(select(Bid).where(Bid.bidder_id == b.id)))

        return await _run(request, work, write=True)

    endpoint.__name__ = "bidding_bond_refund" if refund else "bidding_bond_pay"
    return endpoint


def panel_out(p: Panel) -> dict[str, Any]:
    return {
        "tender_id": p.tender_id,
        "seed": p.seed,
        "size": p.size,
        "pool": list(p.pool),
        "excluded": [int(x["id"]) for x in p.excluded],
        "members": list(p.members),
        "revealed": p.revealed,
    }


@api_doc(
    request=S.PanelIn,
    response=S.PanelOut,
    status=201,
    summary="Draw the panel at random from the pool (seed recorded, conflicts excluded)",
)
@require(P.EXPERT_MANAGE, visible=tender_here)
async def draw(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.PanelIn)

    def work(s: Any) -> Any:
        return panel_out(
            services.draw_panel(
                s, ctx.platform, ctx.tenant, _tid(request), size=data.size, actor=ctx.actor.label
            )
        )

    return await _run(request, work, write=True)


def expert_out(e: Expert) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "specialty": e.specialty,
        "employer_name": e.employer_name,
        "active": e.active,
    }


@api_doc(response=page_model(S.ExpertOut), summary="The expert pool of this tenant (one page)")
@require(P.EXPERT_MANAGE)
async def experts(request: Request) -> Any:
    def work(s: Any) -> Any:
        rows = s.scalars(
            select(Expert).where(Expert.tenant_id == request.state.ctx.tenant.id).order_by(Expert.id)
        )
        return {"items": [expert_out(e) for e in rows], "next_cursor": None}

    return await _run(request, work)


@api_doc(request=S.ExpertIn, response=S.ExpertOut, status=201, summary="Add an expert to the pool")
@require(P.EXPERT_MANAGE)
async def add_expert(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.ExpertIn)

    def work(s: Any) -> Any:
        return expert_out(services.add_expert(s, ctx.tenant, actor=ctx.actor.label, **data.model_dump()))

    return await _run(request, work, write=True)


@api_doc(request=S.ScoreIn, response=S.ScoreOut, status=201, summary="Score an opened bid (panel members)")
@require(P.SCORE, visible=tender_here)
async def score(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, S.ScoreIn)

    def work(s: Any) -> Any:
        sc = services.score(
            s,
            ctx.platform,
            ctx.tenant,
            _tid(request),
            account=ctx.actor.username,
            bid_id=data.bid_id,
            value=data.score,
            comment=data.comment,
            actor=ctx.actor.label,
        )
        return {"id": sc.id, "bid_id": sc.bid_id, "score": sc.score}

    return await _run(request, work, write=True)


def routes() -> list[BaseRoute]:
    T = "/tenders/{tender_id:int}"  # noqa: N806
    acts = [
        ("publish", S.PublishIn, "Publish the notice and documents", _publish),
        (
            "clarify",
            S.ClarifyIn,
            "Clarify or change the documents (a late change moves the deadline)",
            _clarify,
        ),
        ("cancel", S.ReasonIn, "Cancel the tender (with a reason)", _cancel),
        ("evaluate", S.VersionIn, "The panel's report: rank and publish the candidates", _evaluate),
        ("award", S.AwardIn, "Award after the publicity", _award),
        ("reject", S.ReasonIn, "Reject the award: it falls to the next candidate", _reject),
        ("contract", S.ContractIn, "Record the signed contract", _contract),
        ("complete", S.VersionIn, "Record completion", _complete),
    ]
    return [
        Route("/tenders", list_tenders, methods=["GET"]),
        Route("/tenders", create, methods=["POST"]),
        Route(T, get_tender, methods=["GET"]),
        *(
            Route(f"{T}/{name}", _tender_act(name, model, summary, fn), methods=["POST"])
            for name, model, summary, fn in acts
        ),
        Route(f"{T}/register", register, methods=["POST"]),
        Route(f"{T}/mine", mine, methods=["GET"]),
        Route(f"{T}/bids", submit, methods=["POST"]),
        Route(f"{T}/key", give_key, methods=["POST"]),
        Route(f"{T}/withdraw", withdraw, methods=["POST"]),
        Route(f"{T}/objections", object_to, methods=["POST"]),
        Route(f"{T}/objections", objections, methods=["GET"]),
        Route(f"{T}/bidders", bidders, methods=["GET"]),
        Route(f"{T}/panel", draw, methods=["POST"]),
        Route(f"{T}/scores", score, methods=["POST"]),
        Route("/objections/{objection_id:int}/answer", answer, methods=["POST"]),
        Route("/bidders/{bidder_id:int}/bond", _bond_act(False), methods=["POST"]),
        Route("/bidders/{bidder_id:int}/refund", _bond_act(True), methods=["POST"]),
        Route("/experts", experts, methods=["GET"]),
        Route("/experts", add_expert, methods=["POST"]),
        Route("/ocds/releases", ocds_releases, methods=["GET"]),
        Route(f"/ocds/records{T.removeprefix('/tenders')}", ocds_record, methods=["GET"]),
    ]
