"""HTML pages of the public side: submit a ticket (a guest confirms the phone with a code), follow it
(a person under "my tickets", a guest through the follow-up link), and rate the handling. Staff pages are
in views_staff.py. Another person's ticket, or a wrong key, answers exactly like a missing one."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, form_data, read_form, render, require
from plugins.interaction import attachments, guests, services
from plugins.interaction import permissions as P
from plugins.interaction.models import RECTIFICATION_STATES, Review
from plugins.interaction.schemas import PhoneIn, RateIn, TicketIn
from plugins.interaction.web import (
    client_ip,
    common,
    ctx,
    errors_of,
    guest_ticket,
    max_mb,
    own_ticket,
    run,
    status_of,
)

FIELDS = (
    "kind",
    "title",
    "content",
    "name",
    "phone",
    "code",
    "about_department",
    "about_item",
    "about_application",
)


def _values(form: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(form.get(k, "")) for k in FIELDS}
    data["public_ok"] = form.get("public_ok") in ("on", "1", "true")
    return data


async def _form(request: Request, values: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    depts = await run(
        request,
        lambda s: [(d.code, d.name, d.name_en) for d in services.departments(s, c.tenant)],
        write=False,
    )
    return render(
        request,
        "interaction/new.html",
        common(request, values=values, departments=depts, guest=c.actor.is_guest, **extra),
        status=status,
    )


@require(P.SUBMIT)
async def new(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    values = {k: "" for k in FIELDS} | {
        "kind": kind if kind in services.KINDS else "consultation",
        "about_application": request.query_params.get("application", "")[:64],
        "about_item": request.query_params.get("item", "")[:64],
        "public_ok": False,
    }
    if not ctx(request).actor.is_guest:
        values["name"] = ctx(request).actor.display_name
    return await _form(request, values)


@require(P.SUBMIT)
async def submit(request: Request) -> Response:
    c = ctx(request)
    form = await form_data(request, max_file_mb=max_mb(request))
    values = _values(dict(form.items()))
    ip = client_ip(request)
    try:
        if form.get("op") == "code":
            phone = PhoneIn(phone=values["phone"])
            await c.platform.db.run(lambda: guests.send_code(c.platform, c.tenant, phone.phone, ip))
            return await _form(request, values, code_sent=True)
        data = TicketIn.model_validate(values)
        files = attachments.check(await attachments.read_files(form, max_mb(request)), max_mb(request))
        ticket, key = await run(request, lambda s: _submit(s, request, data, ip, files))
    except (ValidationError, DomainError) as exc:
        return await _form(request, values, status=status_of(exc), errors=errors_of(request, exc))
    base = f"/t/{c.tenant.code}/interaction"
    if key:
        return RedirectResponse(f"{base}/f/{ticket.number}?key={key}&new=1", status_code=303)
    return RedirectResponse(f"{base}/my/{ticket.id}?new=1", status_code=303)


def _submit(s: Any, request: Request, data: TicketIn, ip: str, files: list[Any]) -> Any:
    c = ctx(request)
    ticket, key = services.submit(
        s, c.platform, c.tenant, data, account_id=c.actor.account_id, ip=ip, actor=c.actor.label
    )
    attachments.store(s, c.platform, ticket, files, "submitter", c.actor.label)
    return ticket, key


def _detail(request: Request, s: Any, ticket: Any, **extra: Any) -> dict[str, Any]:
    c = ctx(request)
    base = f"/t/{c.tenant.code}/interaction"
    guest = ticket.account_id is None
    files_at = f"{base}/f/{ticket.number}/files" if guest else f"{base}/my/{ticket.id}/files"
    extra.setdefault("file_base", files_at)
    review = s.scalars(
        select(Review).where(
            Review.tenant_id == ticket.tenant_id, Review.source_ref == f"interaction.ticket:{ticket.id}"
        )
    ).first()
    return common(
        request,
        t=ticket,
        steps=services.history(s, ticket),
        review=review,
        rect_states=RECTIFICATION_STATES,
        files=attachments.of(s, ticket),
        **extra,
    )


@require(P.SUBMIT)
async def follow(request: Request) -> Response:
    c = ctx(request)
    number, key = request.path_params["number"], request.query_params.get("key", "")
    data = await run(
        request, lambda s: _detail(request, s, services.for_guest(s, c.tenant, number, key)), write=False
    )
    return render(
        request, "interaction/follow.html", {**data, "key": key, "new": bool(request.query_params.get("new"))}
    )


def _file_response(row: Any, data: bytes) -> Response:
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "x-content-type-options": "nosniff",
        },
    )


@require(P.SUBMIT, visible=guest_ticket)
async def follow_file(request: Request) -> Response:
    """A file of a guest's ticket, with the follow-up key; a wrong key answers like a missing file."""
    c = ctx(request)
    number, key = request.path_params["number"], request.query_params.get("key", "")
    fid = int(request.path_params["file_id"])
    row, data = await run(
        request,
        lambda s: attachments.read(s, c.platform, services.for_guest(s, c.tenant, number, key), fid),
        write=False,
    )
    return _file_response(row, data)


@require(P.SUBMIT, visible=own_ticket)
async def my_file(request: Request) -> Response:
    c = ctx(request)
    tid, fid = int(request.path_params["ticket_id"]), int(request.path_params["file_id"])
    def work(s: Any) -> Any:
        return attachments.read(s, c.platform, services.mine(s, c.tenant, c.actor.account_id or -1, tid), fid)

    row, data = await run(request, work, write=False)
    return _file_response(row, data)


@require(P.SUBMIT)
async def follow_rate(request: Request) -> Response:
    c = ctx(request)
    number = request.path_params["number"]
    form = await read_form(request)
    key = str(form.pop("key", ""))

    def work(s: Any, rated: RateIn) -> None:
        t = services.for_guest(s, c.tenant, number, key)
        services.rate(s, c.tenant, t, rated.version, rated.rating, rated.comment, f"guest:{t.phone[-4:]}")

    try:
        rated = RateIn.model_validate(form)
        await run(request, lambda s: work(s, rated))
    except (ValidationError, DomainError) as exc:
        data = await run(
            request, lambda s: _detail(request, s, services.for_guest(s, c.tenant, number, key)), write=False
        )
        return render(
            request,
            "interaction/follow.html",
            {**data, "key": key, "errors": errors_of(request, exc)},
            status=status_of(exc),
        )
    return RedirectResponse(f"/t/{c.tenant.code}/interaction/f/{number}?key={key}", status_code=303)


@require(P.SUBMIT)
async def my_list(request: Request) -> Response:
    c = ctx(request)
    if c.actor.is_guest:
        return RedirectResponse(f"/login?next=/t/{c.tenant.code}/interaction/my", status_code=303)
    rows = await run(
        request,
        lambda s: services.listing(s, c.platform, c.tenant, account_id=c.actor.account_id),
        write=False,
    )
    return render(request, "interaction/my.html", common(request, rows=rows))


@require(P.SUBMIT, visible=own_ticket)
async def my_detail(request: Request) -> Response:
    c = ctx(request)
    tid = int(request.path_params["ticket_id"])
    data = await run(
        request,
        lambda s: _detail(request, s, services.mine(s, c.tenant, c.actor.account_id or -1, tid)),
        write=False,
    )
    return render(request, "interaction/follow.html", {**data, "new": bool(request.query_params.get("new"))})


@require(P.SUBMIT, visible=own_ticket)
async def my_rate(request: Request) -> Response:
    c = ctx(request)
    tid = int(request.path_params["ticket_id"])
    form = await read_form(request)
    try:
        rated = RateIn.model_validate(form)
        await run(
            request,
            lambda s: services.rate(
                s,
                c.tenant,
                services.mine(s, c.tenant, c.actor.account_id or -1, tid),
                rated.version,
                rated.rating,
                rated.comment,
                c.actor.label,
            ),
        )
    except (ValidationError, DomainError) as exc:
        data = await run(
            request,
            lambda s: _detail(request, s, services.mine(s, c.tenant, c.actor.account_id or -1, tid)),
            write=False,
        )
        return render(
            request,
            "interaction/follow.html",
            {**data, "errors": errors_of(request, exc)},
            status=status_of(exc),
        )
    return RedirectResponse(f"/t/{c.tenant.code}/interaction/my/{tid}", status_code=303)


def routes() -> list[BaseRoute]:
    from plugins.interaction import views_kb, views_reviews, views_staff

    return [
        Route("/new", new, methods=["GET"]),
        Route("/new", submit, methods=["POST"]),
        Route("/f/{number}", follow, methods=["GET"]),
        Route("/f/{number}/rate", follow_rate, methods=["POST"]),
        Route("/f/{number}/files/{file_id:int}", follow_file),
        Route("/my/{ticket_id:int}/files/{file_id:int}", my_file),
        Route("/my", my_list),
        Route("/my/{ticket_id:int}", my_detail),
        Route("/my/{ticket_id:int}/rate", my_rate, methods=["POST"]),
        *views_staff.routes(),
        *views_reviews.routes(),
        *views_kb.routes(),
    ]
