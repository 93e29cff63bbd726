"""HTML pages of the public side: verification (by number and by file), my licences, use codes, and the
clerk's redemption. Staff and console pages are in views_staff.py.

Every endpoint declares its permission; ownership is checked before anything else, so another holder's
licence answers exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, Invalid, read_form, render, require, run_scoped
from plugins.licence import dates, holders, services, verification
from plugins.licence import permissions as P
from plugins.licence.api import own_licence
from plugins.licence.models import HOLDER_KINDS, STATES

MAX_UPLOAD = 5 * 1024 * 1024


async def shared_here(request: Request) -> None:
    """``require(visible=...)``: a licence this clerk redeemed here, while the view lasts; else 404."""
    ctx = request.state.ctx
    grant_id = int(request.path_params["grant_id"])
    await ctx.platform.db.run(lambda: holders.shared(ctx.platform, ctx.tenant, ctx.actor, grant_id))


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _base(request: Request) -> str:
    return f"/t/{_ctx(request).tenant.code}/licence"


def common(request: Request, **values: Any) -> dict[str, Any]:
    return {
        "states": STATES,
        "holder_kinds": HOLDER_KINDS,
        "mask": verification.mask,
        "today": dates.today(_ctx(request).platform),
        **values,
    }


def pdf_response(lic: Any, pdf: bytes) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="licence-{lic.identifier}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


# -- verification (public) ----------------------------------------------------------------------------


@require(P.VERIFY)
async def verify_page(request: Request) -> Response:
    """The verification form: a number typed in, or a licence file uploaded."""
    number = request.query_params.get("number", "").strip()[:100]
    if number:
        return RedirectResponse(
            f"{_base(request)}/v/{verification.identifiers.clean(number)}", status_code=303
        )
    return render(request, "licence/verify.html", common(request, answer=None, outcome=None))


@require(P.VERIFY)
async def verify_number(request: Request) -> Response:
    """What a QR code opens: the licence's current state, never a server error for a bad number."""
    ctx = _ctx(request)
    raw = request.path_params["identifier"]
    answer = await ctx.platform.db.run(lambda: verification.by_number(ctx.platform, ctx.tenant, raw))
    status = 200 if answer.status == "found" else 404
    return render(request, "licence/verify.html", common(request, answer=answer, outcome=None), status=status)


@require(P.VERIFY)
async def verify_upload(request: Request) -> Response:
    """An uploaded licence file, checked offline-style and against the current record."""
    ctx = _ctx(request)
    form = await read_form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid("Choose a licence PDF file", "请选择电子证照 PDF 文件", fields={"file": "required"})
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Invalid("A licence file is at most 5 MB", "证照文件不超过 5 MB", fields={"file": "too large"})
    outcome, answer = await ctx.platform.db.run(
        lambda: verification.check_file(ctx.platform, ctx.tenant, data)
    )
    return render(
        request,
        "licence/verify.html",
        common(request, answer=answer, outcome=outcome),
        status=200 if outcome.ok else 422,
    )


# -- my licences (holder) -----------------------------------------------------------------------------


@require(P.MINE)
async def my_list(request: Request) -> Response:
    """My licences in every hall of the network (one login)."""
    ctx = _ctx(request)
    holder = await run_scoped(request, lambda s: holders.holder_of(s, ctx.actor))
    rows = await ctx.platform.db.run(lambda: holders.my_licences(ctx.platform, holder)) if holder else []
    return render(request, "licence/my.html", common(request, rows=rows))


async def _mine(request: Request, work: Any, *, write: bool = False) -> Any:
    """``work(session, licence)`` on the caller's own licence of the path (404 for anyone else's)."""
    ctx = _ctx(request)
    licence_id = int(request.path_params["licence_id"])

    def own(s: Any) -> Any:
        return work(s, holders.own(s, ctx.tenant, holders.holder_of(s, ctx.actor), licence_id))

    return await run_scoped(request, own, write=write)


@require(P.MINE, visible=own_licence)
async def my_detail(request: Request) -> Response:
    def work(s: Any, lic: Any) -> dict[str, Any]:
        return {"licence": lic, "history": services.history(s, lic.id), "codes": holders.codes_of(s, lic.id)}

    data = await _mine(request, work)
    return render(request, "licence/my_detail.html", common(request, new_code=None, **data))


@require(P.MINE, visible=own_licence)
async def my_pdf(request: Request) -> Response:
    lic, pdf = await _mine(request, lambda s, lic: (lic, lic.pdf))
    return pdf_response(lic, pdf)


@require(P.MINE, visible=own_licence)
async def my_grant(request: Request) -> Response:
    """A one-time use code for a clerk: shown once on the page that answers this post."""
    ctx = _ctx(request)
    form = await read_form(request)
    purpose = str(form.get("purpose", ""))[:200]
    hours = int(ctx.platform.settings["licence.use_code_hours"])

    def work(s: Any, lic: Any) -> dict[str, Any]:
        code, _row = holders.grant(s, ctx.tenant, lic, purpose=purpose, hours=hours, actor=ctx.actor.label)
        return {
            "licence": lic,
            "history": services.history(s, lic.id),
            "codes": holders.codes_of(s, lic.id),
            "new_code": code,
        }

    data = await _mine(request, work, write=True)
    return render(request, "licence/my_detail.html", common(request, hours=hours, **data))


# -- the clerk's side of a use code -------------------------------------------------------------------


@require(P.CODE_REDEEM)
async def redeem(request: Request) -> Response:
    ctx = _ctx(request)
    if request.method == "GET":
        return render(request, "licence/redeem.html", common(request, error=None, code=""))
    form = await read_form(request)
    code = str(form.get("code", ""))[:40]
    hours = int(ctx.platform.settings["licence.use_code_hours"])
    try:
        grant_id = await ctx.platform.db.run(
            lambda: holders.redeem(ctx.platform, ctx.tenant, code, actor=ctx.actor, hours=hours)
        )
    except DomainError as exc:
        return render(
            request, "licence/redeem.html", common(request, error=exc, code=code), status=exc.status
        )
    return RedirectResponse(f"{_base(request)}/shared/{grant_id}", status_code=303)


@require(P.CODE_REDEEM, visible=shared_here)
async def shared(request: Request) -> Response:
    ctx = _ctx(request)
    grant_id = int(request.path_params["grant_id"])
    grant, lic = await ctx.platform.db.run(
        lambda: holders.shared(ctx.platform, ctx.tenant, ctx.actor, grant_id)
    )
    return render(
        request,
        "licence/shared.html",
        common(request, grant=grant, licence=lic, issuer=ctx.platform.directory.by_id.get(lic.tenant_id)),
    )


@require(P.CODE_REDEEM, visible=shared_here)
async def shared_pdf(request: Request) -> Response:
    ctx = _ctx(request)
    grant_id = int(request.path_params["grant_id"])

    _grant, lic = await ctx.platform.db.run(
        lambda: holders.shared(ctx.platform, ctx.tenant, ctx.actor, grant_id)
    )
    owner = ctx.platform.directory.by_id[lic.tenant_id]
    pdf = await run_scoped(request, lambda s: services.load(s, owner, lic.id).pdf, scope=owner.scope)
    return pdf_response(lic, pdf)


def routes() -> list[BaseRoute]:
    from plugins.licence import views_staff

    return [
        Route("/verify", verify_page, methods=["GET"]),
        Route("/verify", verify_upload, methods=["POST"]),
        Route("/v/{identifier:path}", verify_number),
        Route("/my", my_list),
        Route("/my/{licence_id:int}", my_detail),
        Route("/my/{licence_id:int}/pdf", my_pdf),
        Route("/my/{licence_id:int}/codes", my_grant, methods=["POST"]),
        Route("/redeem", redeem, methods=["GET", "POST"]),
        Route("/shared/{grant_id:int}", shared),
        Route("/shared/{grant_id:int}/pdf", shared_pdf),
        *views_staff.routes(),
    ]
