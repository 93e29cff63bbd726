"""JSON API of the openness plugin, under ``/api/t/{code}/openness/``: a signed-in person's request, the
office's list and read of this hall's requests, the reply (optimistic version: a stale one answers 409),
and the annual report's figures. Errors use ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import api_doc, page_params, paginate, parse_body, parse_query, require, tenant_object, today
from plugins.openness import law, report, services
from plugins.openness import permissions as P
from plugins.openness.models import DisclosureRequest
from plugins.openness.schemas import (
    DisclosureIn,
    DisclosureOut,
    DisclosureQuery,
    DisclosureReplyIn,
    DisclosureReportOut,
    DisclosureReportQuery,
    DisclosureSubmittedOut,
)
from plugins.openness.web import run

request_here = tenant_object(
    DisclosureRequest, "disclosure_id", "No such request here", "本级没有该申请", code="unknown_request"
)


def request_out(r: DisclosureRequest, lang: str) -> dict[str, Any]:
    i = 0 if lang == "zh-CN" else 1
    return {
        **{k: getattr(r, k) for k in DisclosureOut.model_fields if hasattr(r, k)},
        "state_title": law.STATES[r.state][i],
        "channel_title": law.CHANNELS[r.channel][i],
        "outcome_title": law.outcome_name(r.outcome, r.ground, lang) if r.outcome else "",
    }


@api_doc(
    request=DisclosureIn,
    response=DisclosureSubmittedOut,
    status=201,
    summary="Request government information (signed in; received the day it is made)",
)
@require(P.SUBMIT)
async def submit(request: Request) -> Any:
    ctx = request.state.ctx
    body = await parse_body(request, DisclosureIn)

    def work(s: Any) -> dict[str, Any]:
        r = services.submit_online(
            s, ctx.platform, ctx.tenant, body, account_id=ctx.actor.account_id, actor=ctx.actor.label
        )
        return {"id": r.id, "number": r.number, "received_on": r.received_on, "due_on": r.due_on}

    return await run(request, work)


@api_doc(
    query=DisclosureQuery,
    response=DisclosureOut,
    paginated=True,
    page_limit=(50, 100),
    summary="This hall's information requests (?state=, ?overdue=)",
)
@require(P.VIEW)
async def list_requests(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    q = parse_query(request)

    def work(s: Any) -> dict[str, Any]:
        stmt = select(DisclosureRequest).where(DisclosureRequest.tenant_id == ctx.tenant.id)
        if q.state:
            stmt = stmt.where(DisclosureRequest.state == q.state)
        if q.overdue:
            stmt = stmt.where(
                DisclosureRequest.state == "received", DisclosureRequest.due_on < today(ctx.platform)
            )
        page = paginate(s, stmt, params, key=[DisclosureRequest.id], desc=True)
        return page.as_json(lambda r: request_out(r, ctx.lang))

    return await run(request, work, write=False)


@api_doc(response=DisclosureOut, summary="One information request of this hall")
@require(P.VIEW, visible=request_here)
async def get_request(request: Request) -> Any:
    ctx = request.state.ctx
    rid = int(request.path_params["disclosure_id"])
    return await run(request, lambda s: request_out(services.get(s, ctx.tenant, rid), ctx.lang), write=False)


@api_doc(
    request=DisclosureReplyIn, response=DisclosureOut, summary="Reply to a request (kind, legal ground, text)"
)
@require(P.HANDLE, visible=request_here)
async def reply(request: Request) -> Any:
    ctx = request.state.ctx
    rid = int(request.path_params["disclosure_id"])
    body = await parse_body(request, DisclosureReplyIn)

    def work(s: Any) -> dict[str, Any]:
        r = services.get(s, ctx.tenant, rid)
        services.reply(
            s,
            ctx.platform,
            ctx.tenant,
            r,
            body.version,
            body.outcome,
            body.ground,
            body.reply,
            ctx.actor.label,
        )
        return request_out(r, ctx.lang)

    return await run(request, work)


@api_doc(
    query=DisclosureReportQuery,
    response=DisclosureReportOut,
    summary="The annual report's figures on requests (?year=)",
)
@require(P.REPORT)
async def figures(request: Request) -> Any:
    ctx = request.state.ctx
    year = report._year(request)
    return await run(request, lambda s: report.figures(s, ctx.tenant, year), write=False)


def routes() -> list[BaseRoute]:
    return [
        Route("/requests", submit, methods=["POST"]),
        Route("/requests", list_requests, methods=["GET"]),
        Route("/requests/{disclosure_id:int}", get_request, methods=["GET"]),
        Route("/requests/{disclosure_id:int}/reply", reply, methods=["POST"]),
        Route("/report", figures, methods=["GET"]),
    ]
