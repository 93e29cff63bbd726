"""JSON API of the interaction plugin, under ``/api/t/{code}/interaction/``: submit a ticket (a guest
first asks for a phone code), and the duty team's list and read of this hall's tickets. Errors use
``{"error": {"code", "message", "fields"}}``; repeated submissions answer 429 ``rate_limited``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import api_doc, page_params, paginate, parse_body, parse_query, require, tenant_object
from plugins.interaction import guests, services
from plugins.interaction import permissions as P
from plugins.interaction.models import STATES, Ticket
from plugins.interaction.schemas import CodeSentOut, PhoneIn, SubmittedOut, TicketIn, TicketOut, TicketQuery
from plugins.interaction.web import client_ip, run

ticket_here = tenant_object(
    Ticket, "ticket_id", "No such ticket here", "本级没有该工单", code="unknown_ticket"
)


def ticket_out(t: Ticket, lang: str) -> dict[str, Any]:
    zh = lang == "zh-CN"
    return {
        **{k: getattr(t, k) for k in TicketOut.model_fields if hasattr(t, k)},
        "kind_title": services.kind_title(t.kind, lang),
        "state_title": STATES[t.state][0 if zh else 1],
    }


@api_doc(
    request=PhoneIn, response=CodeSentOut, status=202, summary="Send a verification code to a guest's phone"
)
@require(P.SUBMIT)
async def send_code(request: Request) -> Any:
    ctx = request.state.ctx
    body = await parse_body(request, PhoneIn)
    ip = client_ip(request)
    # Its own transactions: the code is committed before the SMS goes out (guests.send_code).
    await ctx.platform.db.run(lambda: guests.send_code(ctx.platform, ctx.tenant, body.phone, ip))
    return {"sent": True, "valid_minutes": guests.CODE_MINUTES}


@api_doc(
    request=TicketIn,
    response=SubmittedOut,
    status=201,
    summary="Submit a consultation, complaint, suggestion or request for help",
)
@require(P.SUBMIT)
async def submit(request: Request) -> Any:
    ctx = request.state.ctx
    body = await parse_body(request, TicketIn)

    def work(s: Any) -> dict[str, Any]:
        t, key = services.submit(
            s,
            ctx.platform,
            ctx.tenant,
            body,
            account_id=ctx.actor.account_id,
            ip=client_ip(request),
            actor=ctx.actor.label,
        )
        return {"id": t.id, "number": t.number, "due_on": t.due_on, "follow_key": key}

    return await run(request, work)


@api_doc(
    query=TicketQuery,
    response=TicketOut,
    paginated=True,
    page_limit=(50, 100),
    summary="This hall's tickets (?state=, ?kind=, ?overdue=)",
)
@require(P.VIEW)
async def list_tickets(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    q = parse_query(request)

    def work(s: Any) -> dict[str, Any]:
        stmt = select(Ticket).where(Ticket.tenant_id == ctx.tenant.id)
        if q.state:
            stmt = stmt.where(Ticket.state == q.state)
        if q.kind:
            stmt = stmt.where(Ticket.kind == q.kind)
        if q.overdue:
            from core.api import today

            stmt = stmt.where(Ticket.state.in_(services.OPEN), Ticket.due_on < today(ctx.platform))
        page = paginate(s, stmt, params, key=[Ticket.id], desc=True)
        return page.as_json(lambda t: ticket_out(t, ctx.lang))

    return await run(request, work, write=False)


@api_doc(response=TicketOut, summary="One ticket of this hall")
@require(P.VIEW, visible=ticket_here)
async def get_ticket(request: Request) -> Any:
    ctx = request.state.ctx
    tid = int(request.path_params["ticket_id"])
    return await run(request, lambda s: ticket_out(services.get(s, ctx.tenant, tid), ctx.lang), write=False)


def routes() -> list[BaseRoute]:
    return [
        Route("/codes", send_code, methods=["POST"]),
        Route("/tickets", submit, methods=["POST"]),
        Route("/tickets", list_tickets, methods=["GET"]),
        Route("/tickets/{ticket_id:int}", get_ticket, methods=["GET"]),
    ]
