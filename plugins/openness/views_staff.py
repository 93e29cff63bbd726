"""Staff pages of the information disclosure office: the queue (filter by state, late only), registering a
request that came by post, fax or by hand, and a request's page with every step (ask to complete, record
the completion, consult a third party and record its answer, ask for and decide an extension, reply).
Bad input re-renders the page with the errors named, changing nothing."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, actor_names, read_form, render, require
from plugins.openness import permissions as P
from plugins.openness import services
from plugins.openness.schemas import (
    CompleteIn,
    ConsultIn,
    CorrectionIn,
    DecideIn,
    DisclosureRegisterIn,
    DisclosureReplyIn,
    ExtensionIn,
    NoteIn,
    RequestQuery,
)
from plugins.openness.views import FIELDS, given
from plugins.openness.web import common, ctx, errors_of, request_here, run, status_of


@require(P.VIEW)
async def queue(request: Request) -> Response:
    c = ctx(request)
    try:
        q = RequestQuery.model_validate(
            {k: v for k, v in request.query_params.items() if k == "state"}
            | {"overdue": request.query_params.get("overdue") == "1"}
        )
    except ValidationError:
        q = RequestQuery()
    rows = await run(
        request,
        lambda s: services.listing(s, c.platform, c.tenant, state=q.state, overdue=q.overdue, limit=200),
        write=False,
    )
    return render(
        request, "openness/requests.html", common(request, rows=rows, q=q, can_handle=c.allowed(P.HANDLE))
    )


REGISTER_FIELDS = (*FIELDS, "channel", "made_on", "received_on")


async def _register_form(
    request: Request, values: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    c = ctx(request)
    depts = await run(
        request,
        lambda s: [(d.code, d.name, d.name_en) for d in services.departments(s, c.tenant)],
        write=False,
    )
    return render(
        request,
        "openness/register.html",
        common(request, values=values, departments=depts, **extra),
        status=status,
    )


@require(P.HANDLE)
async def register_page(request: Request) -> Response:
    values = {k: "" for k in REGISTER_FIELDS} | {
        "channel": "letter",
        "requester_kind": "person",
        "made_on": str(common(request)["today"]),
    }
    return await _register_form(request, values)


@require(P.HANDLE)
async def register(request: Request) -> Response:
    c = ctx(request)
    form = await read_form(request)
    values = {k: str(form.get(k, "")) for k in REGISTER_FIELDS}
    try:
        data = DisclosureRegisterIn.model_validate(given(values))
        row = await run(
            request, lambda s: services.register(s, c.platform, c.tenant, data, actor=c.actor.label)
        )
    except (ValidationError, DomainError) as exc:
        return await _register_form(request, values, status=status_of(exc), errors=errors_of(request, exc))
    return RedirectResponse(f"/t/{c.tenant.code}/openness/requests/{row.id}", status_code=303)


async def _request_page(request: Request, status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    rid = int(request.path_params["disclosure_id"])

    def load(s: Any) -> dict[str, Any]:
        row = services.get(s, c.tenant, rid)
        zh = c.lang == "zh-CN"
        dept = next((d for d in services.departments(s, c.tenant) if d.code == row.department_code), None)
        return common(
            request,
            r=row,
            steps=services.history(s, row),
            left=services.remaining(c.platform, c.tenant, row),
            department=(dept.name if zh else (dept.name_en or dept.name)) if dept else "",
            who=actor_names(s, [row.extension_approved_by]),
            can_handle=c.allowed(P.HANDLE),
            can_approve=c.allowed(P.APPROVE),
            **extra,
        )

    return render(request, "openness/request.html", await run(request, load, write=False), status=status)


@require(P.VIEW, visible=request_here)
async def detail(request: Request) -> Response:
    return await _request_page(request)


ACTS: dict[str, tuple[Any, Any]] = {
    "correction": (CorrectionIn, P.HANDLE),
    "complete": (CompleteIn, P.HANDLE),
    "consult": (ConsultIn, P.HANDLE),
    "consulted": (NoteIn, P.HANDLE),
    "extension": (ExtensionIn, P.HANDLE),
    "decide": (DecideIn, P.APPROVE),
    "reply": (DisclosureReplyIn, P.HANDLE),
}


def _do(request: Request, s: Any, action: str, data: Any) -> None:
    c = ctx(request)
    who, platform, tenant = c.actor.label, c.platform, c.tenant
    row = services.get(s, tenant, int(request.path_params["disclosure_id"]))
    if action == "correction":
        services.ask_correction(s, platform, tenant, row, data.version, data.note, who)
    elif action == "complete":
        services.complete(s, platform, tenant, row, data.version, data.description, who)
    elif action == "consult":
        services.consult(s, platform, tenant, row, data.version, data.third_party, data.note, who)
    elif action == "consulted":
        services.consult_answered(s, platform, tenant, row, data.version, data.note, who)
    elif action == "extension":
        services.request_extension(s, row, data.version, data.days, data.reason, who)
    elif action == "decide":
        services.decide_extension(s, platform, tenant, row, data.version, data.approve, data.note, who)
    elif action == "reply":
        services.reply(s, platform, tenant, row, data.version, data.outcome, data.ground, data.reply, who)


def _act(action: str) -> Any:
    """The endpoint of one office action on a request (one route each: no free-form action segment)."""
    model, permission = ACTS[action]

    @require(permission, visible=request_here)
    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        form = await read_form(request)
        if action == "decide":
            form["approve"] = form.get("approve") == "1"
        try:
            data = model.model_validate(form)
            await run(request, lambda s: _do(request, s, action, data))
        except (ValidationError, DomainError) as exc:
            return await _request_page(
                request, status=status_of(exc), errors=errors_of(request, exc), form=form
            )
        return RedirectResponse(
            f"/t/{c.tenant.code}/openness/requests/{request.path_params['disclosure_id']}", status_code=303
        )

    endpoint.__name__ = f"request_{action}"
    return endpoint


def routes() -> list[BaseRoute]:
    return [
        Route("/requests", queue),
        Route("/requests/new", register_page, methods=["GET"]),
        Route("/requests/new", register, methods=["POST"]),
        Route("/requests/{disclosure_id:int}", detail),
        *[Route(f"/requests/{{disclosure_id:int}}/{a}", _act(a), methods=["POST"]) for a in ACTS],
    ]
