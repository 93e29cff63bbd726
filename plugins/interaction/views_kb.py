"""The public knowledge base page (guests included) and the duty team's publish / withdraw actions on a
ticket page. Bad input re-renders the ticket page naming the field, changing nothing."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, page_params, read_form, render, require
from plugins.interaction import kb, services
from plugins.interaction import permissions as P
from plugins.interaction.schemas import KbIn
from plugins.interaction.web import common, ctx, errors_of, run, status_of, ticket_here


@require(P.KB_VIEW)
async def kb_page(request: Request) -> Response:
    c = ctx(request)
    q = request.query_params.get("q", "").strip()[:50]
    params = page_params(request, default_limit=20, max_limit=50)
    page = await run(request, lambda s: kb.search(s, c.tenant, q, params), write=False)
    return render(request, "interaction/kb.html", common(request, page=page, q=q))


def _kb_act(action: str) -> Any:
    @require(P.MANAGE, visible=ticket_here)
    async def endpoint(request: Request) -> Response:
        from plugins.interaction.views_staff import _ticket_page

        c = ctx(request)
        tid = int(request.path_params["ticket_id"])
        form = await read_form(request)

        def do(s: Any, data: KbIn | None) -> None:
            t = services.get(s, c.tenant, tid)
            if data is None:
                kb.withdraw(s, c.tenant, t, c.actor.label)
            else:
                kb.publish(s, c.platform, c.tenant, t, title=data.title, question=data.question,
                           answer=data.answer, actor=c.actor.label)

        try:
            data = KbIn.model_validate(form) if action == "publish" else None
            await run(request, lambda s: do(s, data))
        except (ValidationError, DomainError) as exc:
            errors = errors_of(request, exc)
            return await _ticket_page(request, status=status_of(exc), errors=errors, form=form)
        return RedirectResponse(f"/t/{c.tenant.code}/interaction/tickets/{tid}#kb", status_code=303)

    endpoint.__name__ = f"kb_{action}"
    return endpoint


def routes() -> list[BaseRoute]:
    return [
        Route("/kb", kb_page),
        Route("/tickets/{ticket_id:int}/publish", _kb_act("publish"), methods=["POST"]),
        Route("/tickets/{ticket_id:int}/unpublish", _kb_act("unpublish"), methods=["POST"]),
    ]
