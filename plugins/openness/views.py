"""HTML pages of the requester's side: make a request for government information (signed in), follow
one's own requests, complete one when asked, withdraw it. Another person's request answers exactly like
a missing one. Staff pages are in views_staff.py, the annual report in report.py."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, read_form, render, require
from plugins.openness import permissions as P
from plugins.openness import services
from plugins.openness.schemas import ActIn, CompleteIn, DisclosureIn
from plugins.openness.web import common, ctx, errors_of, own_request, run, status_of

FIELDS = ("requester_kind", "requester_name", "phone", "email", "address", "description", "department_code")


OPTIONAL = ("requester_kind", "made_on", "received_on")


def given(values: dict[str, str]) -> dict[str, str]:
    """The form's values without the empty optional choices (their defaults apply)."""
    return {k: v for k, v in values.items() if v or k not in OPTIONAL}


def _login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


async def _form(request: Request, values: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    depts = await run(
        request,
        lambda s: [(d.code, d.name, d.name_en) for d in services.departments(s, c.tenant)],
        write=False,
    )
    return render(
        request,
        "openness/apply.html",
        common(request, values=values, departments=depts, **extra),
        status=status,
    )


@require(P.SUBMIT)
async def apply(request: Request) -> Response:
    c = ctx(request)
    if c.actor.is_guest:
        return _login(request)
    values = {k: "" for k in FIELDS} | {"requester_kind": "person", "requester_name": c.actor.display_name}
    return await _form(request, values)


@require(P.SUBMIT)
async def submit(request: Request) -> Response:
    c = ctx(request)
    if c.actor.is_guest:
        return _login(request)
    form = await read_form(request)
    values = {k: str(form.get(k, "")) for k in FIELDS}
    try:
        data = DisclosureIn.model_validate(given(values))
        row = await run(
            request,
            lambda s: services.submit_online(
                s, c.platform, c.tenant, data, account_id=c.actor.account_id, actor=c.actor.label
            ),
        )
    except (ValidationError, DomainError) as exc:
        return await _form(request, values, status=status_of(exc), errors=errors_of(request, exc))
    return RedirectResponse(f"/t/{c.tenant.code}/openness/my/{row.id}?new=1", status_code=303)


@require(P.SUBMIT)
async def my_list(request: Request) -> Response:
    c = ctx(request)
    if c.actor.is_guest:
        return _login(request)
    rows = await run(
        request,
        lambda s: services.listing(s, c.platform, c.tenant, account_id=c.actor.account_id),
        write=False,
    )
    return render(request, "openness/my.html", common(request, rows=rows))


def _detail(request: Request, s: Any, row: Any, **extra: Any) -> dict[str, Any]:
    c = ctx(request)
    return common(
        request,
        r=row,
        steps=services.history(s, row),
        left=services.remaining(c.platform, c.tenant, row),
        **extra,
    )


async def _my_page(request: Request, status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    rid = int(request.path_params["disclosure_id"])
    data = await run(
        request,
        lambda s: _detail(request, s, services.mine(s, c.tenant, c.actor.account_id or -1, rid)),
        write=False,
    )
    return render(
        request,
        "openness/mine.html",
        {**data, "new": bool(request.query_params.get("new")), **extra},
        status=status,
    )


@require(P.SUBMIT, visible=own_request)
async def my_detail(request: Request) -> Response:
    return await _my_page(request)


def _my_act(action: str) -> Any:
    @require(P.SUBMIT, visible=own_request)
    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        rid = int(request.path_params["disclosure_id"])
        form = await read_form(request)

        def do(s: Any, data: Any) -> None:
            row = services.mine(s, c.tenant, c.actor.account_id or -1, rid)
            if action == "complete":
                services.complete(s, c.platform, c.tenant, row, data.version, data.description, c.actor.label)
            else:
                services.withdraw(s, c.platform, row, data.version, c.actor.label)

        try:
            data = (CompleteIn if action == "complete" else ActIn).model_validate(form)
            await run(request, lambda s: do(s, data))
        except (ValidationError, DomainError) as exc:
            return await _my_page(request, status=status_of(exc), errors=errors_of(request, exc), form=form)
        return RedirectResponse(f"/t/{c.tenant.code}/openness/my/{rid}", status_code=303)

    endpoint.__name__ = f"my_{action}"
    return endpoint


def routes() -> list[BaseRoute]:
    from plugins.openness import report, views_powers, views_staff

    return [
        Route("/apply", apply, methods=["GET"]),
        Route("/apply", submit, methods=["POST"]),
        Route("/my", my_list),
        Route("/my/{disclosure_id:int}", my_detail),
        *[
            Route(f"/my/{{disclosure_id:int}}/{a}", _my_act(a), methods=["POST"])
            for a in ("complete", "withdraw")
        ],
        *views_staff.routes(),
        *report.routes(),
        *views_powers.routes(),
    ]
