"""HTML pages of public resource trading: the notices of this tenant and below, one tender (notice,
periods with their legal basis, documents, opening results as a chart, candidates, award), and what a
bidder does there: register, seal and submit a bid in the browser (WebCrypto: the key never leaves the
browser before the opening), and give the key at the opening. Staff work through the JSON API.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import Invalid, charts, clock, page_params, paginate, read_form, render, require
from plugins.bidding import files, present, services
from plugins.bidding import permissions as P
from plugins.bidding import schemas as S
from plugins.bidding.api import public_tender, tender_here
from plugins.bidding.models import BID_STATUSES, BOND_STATES, STATUSES, Bid, Bidder, Tender, TenderFile


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/bidding"


@require(P.PUBLIC)
async def index(request: Request) -> Response:
    ctx = _ctx(request)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES and status != "draft" else ""
    params = page_params(request)

    def work() -> Any:
        with ctx.platform.db.session(present.public_scope(ctx.tenant)) as s:
            stmt = select(Tender).where(Tender.status != "draft")
            if status:
                stmt = stmt.where(Tender.status == status)
            page = paginate(s, stmt, params, key=[Tender.id], desc=True)
            n = present.counts(s, [t.id for t in page.items])
            rows = [present.tender_out(ctx.platform, t, ctx.lang, n.get(t.id, (0, 0))) for t in page.items]
            return rows, page.next_cursor

    rows, cursor = await ctx.platform.db.run(work)
    for r in rows:
        t = ctx.platform.directory.get(r["tenant_code"])
        r["tenant_name"] = (t.name if ctx.lang == "zh-CN" else t.name_en or t.name) if t else ""
    return render(
        request,
        "bidding/index.html",
        {
            "rows": rows,
            "status": status,
            "statuses": {k: v for k, v in STATUSES.items() if k != "draft"},
            "next_cursor": cursor,
        },
    )


def _chart(detail: dict[str, Any], lang: str) -> Any:
    opened = [o for o in detail["opening"] if o["price_cents"] is not None]
    if not opened:
        return None
    zh = lang == "zh-CN"
    return charts.bar_chart(
        "开标报价（万元）" if zh else "Bid prices at the opening (10,000 yuan)",
        [o["bidder_name"] for o in opened],
        {
            "报价" if zh else "Price": [round(o["price_cents"] / 1_000_000, 2) for o in opened],
            "招标控制价" if zh else "Estimate": [round(detail["estimated_cents"] / 1_000_000, 2)]
            * len(opened),
        },
    )


async def _detail(
    request: Request,
    *,
    receipt: dict[str, Any] | None = None,
    withdrawal: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx = _ctx(request)
    tid = int(request.path_params["tender_id"])
    bidder_code = str(ctx.actor.id_number) if ctx.actor.kind == "legal" and ctx.allowed(P.BID) else ""
    staff = ctx.allowed(P.TENDER_VIEW)

    def work() -> Any:
        with ctx.platform.db.transaction(present.public_scope(ctx.tenant)) as s:
            t = s.get(Tender, tid)
            tenant = ctx.platform.directory.by_id[t.tenant_id]
            if t.tenant_id == ctx.tenant.id:
                services.advance(s, ctx.platform, tenant, t)  # the deadline may have passed since
            detail = present.detail_out(s, ctx.platform, t, ctx.lang)
            mine = None
            if bidder_code and t.tenant_id == ctx.tenant.id:
                b = s.scalar(
                    select(Bidder).where(Bidder.tender_id == t.id, Bidder.credit_code == bidder_code)
                )
                if b is not None:
                    bid = s.scalar(select(Bid).where(Bid.bidder_id == b.id))
                    mine = {"bidder": b, "bid": bid if bid is None or bid.status != "retracted" else None}
            bidders = []
            if staff and t.tenant_id == ctx.tenant.id:
                bids = {b.bidder_id: b for b in s.scalars(select(Bid).where(Bid.tender_id == t.id))}
                bidders = [
                    (b, bids.get(b.id))
                    for b in s.scalars(select(Bidder).where(Bidder.tender_id == t.id).order_by(Bidder.id))
                ]
            files = list(
                s.scalars(select(TenderFile).where(TenderFile.tender_id == t.id).order_by(TenderFile.id))
            )
            return detail, mine, bidders, t.ocid, files

    detail, mine, bidders, ocid, files = await ctx.platform.db.run(work)
    if detail["tenant_code"] != ctx.tenant.code:  # seen from a hall above: bidding happens at the tenderer's
        bidder_code = ""
    now = clock.now(ctx.platform)
    return render(
        request,
        "bidding/tender.html",
        {
            "t": detail,
            "mine": mine,
            "bidders": bidders,
            "ocid": ocid,
            "bidder_code": bidder_code,
            "chart": _chart(detail, ctx.lang),
            "receipt": receipt,
            "withdrawal": withdrawal,
            "files": files,
            "now": now,
            "can_bid": bool(bidder_code) and detail["status"] == "published" and not detail["paused"],
            "can_key": bool(bidder_code) and detail["status"] == "opening",
            "bid_statuses": BID_STATUSES,
            "bond_states": BOND_STATES,
        },
        status=status,
    )


@require(P.PUBLIC, visible=public_tender)
async def tender(request: Request) -> Response:
    return await _detail(request)


def _legal(request: Request) -> tuple[Any, str]:
    ctx = _ctx(request)
    if ctx.actor.kind != "legal" or not ctx.actor.id_number:
        raise Invalid(
            "Only a legal person's account can bid",
            "只有法人账号可以投标",
            code="not_legal",
            fields={"account": "legal person required"},
        )
    return ctx, str(ctx.actor.id_number)


@require(P.BID, visible=tender_here)
async def register(request: Request) -> Response:
    await read_form(request)
    ctx, code = _legal(request)
    tid = int(request.path_params["tender_id"])

    def work() -> None:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            services.register(
                s,
                ctx.platform,
                ctx.tenant,
                tid,
                credit_code=code,
                name=ctx.actor.display_name,
                account=ctx.actor.username,
                actor=ctx.actor.label,
            )

    await ctx.platform.db.run(work)
    return RedirectResponse(f"{_base(request)}/tenders/{tid}#bid", status_code=303)


@require(P.BID, visible=tender_here)
async def submit(request: Request) -> Response:
    form = await read_form(request)
    ctx, code = _legal(request)
    tid = int(request.path_params["tender_id"])
    try:
        data = S.BidIn.model_validate(
            {k: form.get(k, "") for k in ("nonce", "ciphertext", "commitment", "device")}
        )
    except ValidationError as e:
        first = e.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "ciphertext"
        raise Invalid(
            f"{field}: {first['msg']}",
            f"{field}：密封投标数据不完整，请在浏览器中重新加密",
            fields={field: first["msg"]},
        ) from None
    ip = request.client.host if request.client else ""

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            bid = services.submit_bid(
                s,
                ctx.platform,
                ctx.tenant,
                tid,
                credit_code=code,
                nonce=data.nonce,
                ciphertext=data.ciphertext,
                commitment=data.commitment,
                ip=ip,
                device=data.device,
                actor=ctx.actor.label,
            )
            return {
                "receipt": bid.receipt,
                "signature": bid.signature,
                "key_id": bid.key_id,
                "submitted_at": services.aware(bid.submitted_at),
                "digest": bid.ciphertext_sha256,
            }

    receipt = await ctx.platform.db.run(work)
    return await _detail(request, receipt=receipt, status=201)


@require(P.BID, visible=tender_here)
async def give_key(request: Request) -> Response:
    form = await read_form(request)
    ctx, code = _legal(request)
    tid = int(request.path_params["tender_id"])
    key = str(form.get("key", "")).strip()
    if not 40 <= len(key) <= 48:
        raise Invalid(
            "Paste the key you saved when you submitted the bid",
            "请粘贴递交投标时保存的密钥",
            code="bad_key",
            fields={"key": "required"},
        )

    def work() -> None:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            services.open_with_key(
                s, ctx.platform, ctx.tenant, tid, credit_code=code, key=key, actor=ctx.actor.label
            )

    await ctx.platform.db.run(work)
    return RedirectResponse(f"{_base(request)}/tenders/{tid}#opening", status_code=303)


@require(P.BID, visible=tender_here)
async def withdraw(request: Request) -> Response:
    await read_form(request)
    ctx, code = _legal(request)
    tid = int(request.path_params["tender_id"])

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            bid = services.withdraw_bid(
                s, ctx.platform, ctx.tenant, tid, credit_code=code, actor=ctx.actor.label
            )
            return {
                "receipt": bid.withdrawal_receipt,
                "signature": bid.withdrawal_signature,
                "key_id": bid.key_id,
                "withdrawn_at": services.aware(bid.withdrawn_at) if bid.withdrawn_at else None,
            }

    withdrawal = await ctx.platform.db.run(work)
    return await _detail(request, withdrawal=withdrawal)


@require(P.PUBLIC, visible=public_tender)
async def document_file(request: Request) -> Response:
    """A file of the tender documents, as uploaded (its digest checked on the way out)."""
    ctx = _ctx(request)
    tid, fid = int(request.path_params["tender_id"]), int(request.path_params["file_id"])

    def work() -> Any:
        with ctx.platform.db.session(present.public_scope(ctx.tenant)) as s:
            t = s.get(Tender, tid)
            f, data = files.read(s, ctx.platform, t, fid)
            return f.filename, f.content_type, data

    name, ctype, data = await ctx.platform.db.run(work)
    return Response(
        data,
        media_type=ctype,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "x-content-type-options": "nosniff",
        },
    )


def routes() -> list[BaseRoute]:
    T = "/tenders/{tender_id:int}"  # noqa: N806
    return [
        Route("/", index, methods=["GET"]),
        Route(T, tender, methods=["GET"]),
        Route(f"{T}/register", register, methods=["POST"]),
        Route(f"{T}/bid", submit, methods=["POST"]),
        Route(f"{T}/key", give_key, methods=["POST"]),
        Route(f"{T}/withdraw", withdraw, methods=["POST"]),
        Route(f"{T}/files/{{file_id:int}}", document_file, methods=["GET"]),
    ]
