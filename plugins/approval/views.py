"""HTML pages of the public side: browse and search items, the guide page, apply online, my applications.

Handler and supervisor pages live in views_staff.py. Every endpoint declares its permission; the
services check the finer ones again, so a page can never do more than its service allows.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import Invalid, NotFound, form_data, render, require
from plugins.approval import catalogue, clock, handling, reuse, services
from plugins.approval import permissions as P
from plugins.approval.facts import case_facts, item_facts, rating_of
from plugins.approval.fees import item_fee
from plugins.approval.models import ENTRANCES, ITEM_TYPES, ServiceItem, UploadedMaterial
from plugins.approval.services import STATE_TITLES
from plugins.approval.webctx import form_int, my_applications, own_application, read_uploads, service_ctx


async def _form(request: Request) -> Any:
    """The posted form (files stay in it, spooled to disk); a file over the largest size a material may
    have is refused while it streams in (core.web.forms)."""
    return await form_data(request, max_file_mb=request.state.ctx.platform.settings["approval.upload_max_mb"])


def _db(request: Request) -> Any:
    return request.state.ctx.platform.db


def _base(request: Request) -> str:
    return f"/t/{request.state.ctx.tenant.code}/approval"


@require(P.ITEM_VIEW)
async def items_page(request: Request) -> Response:
    """Browse by entrance and section, or search (the hall's search box lands here too)."""
    q = request.query_params.get("q", "").strip()[:100]
    entrance = (
        request.query_params.get("entrance") if request.query_params.get("entrance") in ENTRANCES else None
    )
    section = request.query_params.get("section")
    section = section if section in ("approval", "public_service") else None
    parallel = request.query_params.get("parallel") == "1"
    # The hall's search box lets people choose: this hall's items, or this hall's and every hall's below.
    below = request.query_params.get("scope") == "below"
    ctx = request.state.ctx

    def work() -> list[Any]:
        scope = ctx.tenant.subtree_scope if below else ctx.tenant.scope
        with ctx.platform.db.session(scope) as s:
            found = catalogue.search(s, q, entrance=entrance, section=section, limit=200)
            return [i for i in found if i.is_parallel] if parallel else found

    found = await ctx.platform.db.run(work)
    halls = {i.tenant_id: ctx.platform.directory.by_id.get(i.tenant_id) for i in found}
    return render(
        request,
        "approval/items.html",
        {
            "items": found,
            "halls": halls,
            "below": below,
            "q": q,
            "entrance": entrance,
            "section": section,
            "parallel": parallel,
            "types": ITEM_TYPES,
            "entrances": ENTRANCES,
        },
    )


@require(P.ITEM_VIEW)
async def item_page(request: Request) -> Response:
    """办事指南: every standard element, materials, limits, fees, and for a parallel item both figures."""
    ctx = request.state.ctx
    code = request.path_params["code"]

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            found = catalogue.get_item(s, code)
            fee = item_fee(ctx.platform, ctx.tenant, found, s)
            return found, fee, item_facts(ctx.platform, ctx.tenant, found, s)

    item, fee, facts = await ctx.platform.db.run(work)
    figures = clock.step_figures(item.steps) if item.is_parallel else None
    return render(
        request,
        "approval/item.html",
        {"item": item, "fee": fee, "facts": facts, "figures": figures, "types": ITEM_TYPES,
         "entrances": ENTRANCES,
         "mismatch": entrance_mismatch(ctx.actor, item)},
    )


def entrance_mismatch(actor: Any, item: Any) -> str | None:
    """The entrance this item belongs to when the actor's kind of account cannot apply for it (a natural
    person looking at a legal-person item), told before anything is typed or uploaded; else None."""
    kind = {"person": "personal", "legal": "legal"}.get(actor.kind)
    if kind is None or item.entrance in ("both", kind):
        return None
    return str(item.entrance)


async def _apply_form(request: Request, *, values: dict[str, str] | None = None,
                      error: Invalid | None = None, sent: frozenset[str] = frozenset(),
                      chosen: dict[str, str] | None = None) -> Response:
    """The application form; after a refused submission the same form, 422, with what was typed kept
    and each problem next to its field in the reader's language (issue #13, item 8)."""
    ctx = request.state.ctx
    code = request.path_params["code"]

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            item = catalogue.get_item(s, code)
            _ = list(item.materials)
            who = service_ctx(request, s).who if not ctx.actor.is_guest else None
        applicant = reuse.applicant_of(who) if who is not None and who.kind in ("person", "legal") else {}
        return item, reuse.offered(ctx.platform, ctx.tenant, item, applicant) if applicant else {}

    item, offered = await ctx.platform.db.run(work)
    errors = error.field_messages(ctx.lang) if error is not None else {}
    field_names = {f["name"] for f in item.form_fields or []}
    return render(
        request,
        "approval/apply.html",
        {"item": item, "entrances": ENTRANCES, "max_mb": ctx.platform.settings["approval.upload_max_mb"],
         "values": values or {}, "error": error, "sent": sent, "offered": offered, "chosen": chosen or {},
         "field_errors": {k: v for k, v in errors.items() if k in field_names},
         "file_errors": {k: v for k, v in errors.items() if k not in field_names},
         "mismatch": entrance_mismatch(ctx.actor, item)},
        status=422 if error is not None else 200,
    )


@require(P.APP_SUBMIT)
async def apply_page(request: Request) -> Response:
    return await _apply_form(request)


@require(P.APP_SUBMIT)
async def apply_post(request: Request) -> Response:
    ctx = request.state.ctx
    form = await _form(request)
    fields = {k.removeprefix("f_"): str(v)[:2000] for k, v in form.items() if k.startswith("f_")}
    code = request.path_params["code"]
    chosen = {k.removeprefix("reuse_"): str(v)[:200] for k, v in form.items()
              if k.startswith("reuse_") and isinstance(v, str) and v}
    try:
        uploads = await read_uploads(form, ctx.platform.settings["approval.upload_max_mb"])

        def work() -> int:
            reused: dict[str, Any] = {}
            if chosen:  # fetched before the submission's transaction: a fetch may call other halls
                with ctx.platform.db.session(ctx.tenant.scope) as s:
                    who = service_ctx(request, s).who
                reused = reuse.fetch_chosen(ctx.platform, ctx.tenant, code, reuse.applicant_of(who), chosen)
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                return services.submit(s, service_ctx(request, s), code, fields, uploads, reused).id

        app_id = await ctx.platform.db.run(work)
    except Invalid as exc:
        sent = frozenset(k.removeprefix("file_") for k, v in form.multi_items()
                         if k.startswith("file_") and getattr(v, "filename", ""))
        return await _apply_form(request, values=fields, error=exc, sent=sent, chosen=chosen)
    return RedirectResponse(f"{_base(request)}/my/{app_id}?receipt=1", status_code=303)


@require(P.APP_OWN)
async def my_list(request: Request) -> Response:
    """My applications in every hall of the network (one login, 全网通办)."""
    ctx = request.state.ctx
    rows = await ctx.platform.db.run(lambda: my_applications(ctx.platform, ctx.actor.account_id))
    return render(
        request,
        "approval/my.html",
        {"rows": rows, "states": STATE_TITLES, "remaining": handling.remaining_days},
    )


def _own_detail(request: Request) -> dict[str, Any]:
    ctx = request.state.ctx
    app_id = int(request.path_params["app_id"])
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        app = services.load(s, app_id)
        if app.applicant_account_id != ctx.actor.account_id:
            raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")
        item = s.get(ServiceItem, app.item_id)
        return {
            "app": app,
            "item": item,
            "history": services.history(s, app_id),
            "tasks": services.tasks_of(s, app_id),
            "files": list(
                s.scalars(select(UploadedMaterial).where(UploadedMaterial.application_id == app_id))
            ),
            "rating": rating_of(ctx.platform, ctx.tenant, app, s) if app.state == "concluded" else None,
            "remaining": handling.remaining_days(app),
            "facts": case_facts(ctx.platform, ctx.tenant, app, "applicant", s),
            "reused": services.reused_of(s, app_id),
            "states": STATE_TITLES,
        }


@require(P.APP_OWN, visible=own_application)
async def my_detail(request: Request) -> Response:
    """Progress with timestamps, remaining working days, correction upload and rating."""
    data = await _db(request).run(lambda: _own_detail(request))
    data["receipt"] = request.query_params.get("receipt") == "1"
    done = request.query_params.get("done", "")
    data["done"] = done if done in ("withdraw", "resubmit", "rate") else ""
    if data["receipt"]:
        data["qr"] = receipt_qr(str(request.url.replace(query="")))
    return render(request, "approval/my_detail.html", data)


def receipt_qr(url: str) -> Markup:
    """The receipt's QR code (segno, an SVG drawn on the server): the application's own page, so a phone
    opens its progress."""
    import segno

    return Markup(segno.make(url, error="m").svg_inline(scale=3, title="QR"))  # noqa: S704 (segno's SVG)


def _applicant_act(request: Request, act: str, form: Any, uploads: list[Any]) -> None:
    ctx = request.state.ctx
    app_id = int(request.path_params["app_id"])
    version = form_int(form, "version", default=-1) if act != "rate" else 0
    if act != "rate" and version < 1:
        raise Invalid(
            "version must be a whole number", "版本号无效，请刷新页面后重试", fields={"version": "invalid"}
        )
    with ctx.platform.db.transaction(ctx.tenant.scope) as s:
        c = service_ctx(request, s)
        if act == "resubmit":
            services.resubmit(s, c, app_id, version, uploads)
        elif act == "withdraw":
            services.withdraw(s, c, app_id, version, str(form.get("reason", "")))
        else:
            level = str(form.get("level", ""))
            handling.rate(s, c, app_id, int(level) if level.isdigit() else 0, str(form.get("comment", "")))


def _applicant_endpoint(act: str, perm: Any) -> Any:
    @require(perm, visible=own_application)
    async def endpoint(request: Request) -> Response:
        form = await _form(request)
        max_mb = request.state.ctx.platform.settings["approval.upload_max_mb"]
        uploads = await read_uploads(form, max_mb) if act == "resubmit" else []
        await _db(request).run(lambda: _applicant_act(request, act, form, uploads))
        return RedirectResponse(f"{_base(request)}/my/{request.path_params['app_id']}?done={act}",
                                status_code=303)

    endpoint.__name__ = f"my_{act}"
    return endpoint


def routes() -> list[BaseRoute]:
    from plugins.approval import views_staff

    return [
        Route("/items", items_page),
        Route("/search", items_page, name="approval_search"),
        Route("/items/{code}", item_page),
        Route("/items/{code}/apply", apply_page, methods=["GET"]),
        Route("/items/{code}/apply", apply_post, methods=["POST"]),
        Route("/my", my_list),
        Route("/my/{app_id:int}", my_detail),
        Route("/my/{app_id:int}/resubmit", _applicant_endpoint("resubmit", P.APP_SUBMIT), methods=["POST"]),
        Route("/my/{app_id:int}/withdraw", _applicant_endpoint("withdraw", P.APP_OWN), methods=["POST"]),
        Route("/my/{app_id:int}/rate", _applicant_endpoint("rate", P.APP_RATE), methods=["POST"]),
        *views_staff.routes(),
    ]
