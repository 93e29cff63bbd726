"""HTML pages: public search, report, publicity and lists; staff records, penalty entry, repair, lists.

Public pages read the province network through ``network_scope`` and see only what is published; staff
pages read and write the request tenant's own rows (its scope) behind their permission.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    NotFound,
    department_names,
    form_errors,
    read_form,
    render,
    require,
    tenant_object,
)
from plugins.credit import lists, public, services
from plugins.credit.check import assess_subject
from plugins.credit.dates import local_today
from plugins.credit.models import CreditListEntry, CreditRecord
from plugins.credit.permissions import (
    LIST_MANAGE,
    PUBLIC_VIEW,
    RECORD_CREATE,
    RECORD_REPAIR,
    RECORD_VIEW,
    REPORT_VIEW,
)
from plugins.credit.rules import rules_from_platform
from plugins.credit.schemas import ListEntryIn, PenaltyIn, RepairIn
from plugins.credit.subjects import guess_kind, normalise
from plugins.credit.warning import LEVEL_NAMES, MEASURES


def _ctx(request: Request) -> Any:
    return request.state.ctx


async def _public_read(request: Request, fn: Any) -> Any:
    ctx = _ctx(request)

    def work() -> Any:
        with ctx.platform.db.session(services.network_scope(ctx.tenant)) as s:
            return fn(s)

    return await ctx.platform.db.run(work)


record_here = tenant_object(CreditRecord, "record_id", "No such credit record here", "本级没有该信用记录")
entry_here = tenant_object(CreditListEntry, "entry_id", "No such list entry here", "本级没有该名单记录")


@require(PUBLIC_VIEW)
async def index(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    today = local_today()
    hits = await _public_read(request, lambda s: public.search(s, q, today)) if q else []
    return render(request, "credit/index.html", {"q": q, "hits": hits})


@require(PUBLIC_VIEW)
async def report(request: Request) -> Response:
    code = request.path_params["code"].strip().upper()
    found = await _public_read(request, lambda s: public.report(s, code, local_today()))
    if found is None:
        raise NotFound("Nothing is published about this subject", "未查询到该主体的公示信用信息")
    return render(request, "credit/report.html", {"report": found, "today": local_today()})


@require(PUBLIC_VIEW)
async def publicity(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    rows = await _public_read(request, lambda s: public.recent(s, local_today(), kind or None))
    return render(request, "credit/publicity.html", {"rows": rows, "kind": kind})


@require(PUBLIC_VIEW)
async def list_page(request: Request) -> Response:
    today = local_today()
    data = await _public_read(request, lambda s: {t: public.list_entries(s, t, today)
                                                  for t in ("red", "black", "abnormal")})
    return render(request, "credit/lists.html", {"lists": data})


async def _tenant_tx(request: Request, fn: Any) -> Any:
    """Run ``fn(session)`` in a transaction of the request's own tenant."""
    ctx = _ctx(request)

    def work() -> Any:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            return fn(s)

    return await ctx.platform.db.run(work)


def _rules(request: Request) -> Any:
    ctx = _ctx(request)
    return rules_from_platform(ctx.platform, ctx.tenant)


@require(RECORD_VIEW)
async def records(request: Request) -> Response:
    kind = request.query_params.get("kind") or None
    def load(s: Any) -> tuple[Any, dict[tuple[int, str], str]]:
        rows = services.tenant_records(s, kind=kind)
        return rows, department_names(s, [(r.tenant_id, r.source_department) for r in rows])

    rows, depts = await _tenant_tx(request, load)
    return render(request, "credit/records.html", {"rows": rows, "kind": kind or "", "today": local_today(),
                                                   "depts": depts})



def _field_errors(request: Request, exc: Exception) -> dict[str, str]:
    """Field -> message in the page's language; a domain error's own message for the field it names."""
    return form_errors(exc, lang=_ctx(request).lang)


@require(RECORD_CREATE)
async def new_penalty(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "credit/penalty_form.html", {"form": {}, "errors": {}})
    form = await read_form(request)
    try:
        data = PenaltyIn.model_validate(form)
        actor = _ctx(request).actor.label
        tenant = _ctx(request).tenant
        rules = _rules(request)
        await _tenant_tx(request, lambda s: services.record_penalty(s, tenant, rules, data.to_input(),
                                                                    actor=actor))
    except (ValidationError, DomainError) as exc:
        status = getattr(exc, "status", 422)
        errors = _field_errors(request, exc)
        return render(request, "credit/penalty_form.html", {"form": form, "errors": errors}, status=status)
    return RedirectResponse(f"/t/{_ctx(request).tenant.code}/credit/records", status_code=303)


@require(RECORD_REPAIR, visible=record_here)
async def repair(request: Request) -> Response:
    form = await read_form(request)
    record_id = int(request.path_params["record_id"])
    data = RepairIn.model_validate(form)
    ctx = _ctx(request)
    rules, actor = _rules(request), ctx.actor.label
    await _tenant_tx(request, lambda s: services.repair(s, ctx.tenant, rules, record_id, reason=data.reason,
                                                       version=data.version, actor=actor))
    return RedirectResponse(f"/t/{ctx.tenant.code}/credit/records", status_code=303)


@require(LIST_MANAGE)
async def manage_lists(request: Request) -> Response:
    ctx = _ctx(request)
    form: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            data = ListEntryIn.model_validate({k: (v or None) if k == "exit_on" else v for k,
                                               v in form.items()})
            actor = ctx.actor.label
            await _tenant_tx(request, lambda s: lists.add_entry(s, ctx.tenant, data.to_input(), actor=actor))
            return RedirectResponse(f"/t/{ctx.tenant.code}/credit/lists/manage", status_code=303)
        except (ValidationError, DomainError) as exc:
            errors, status = _field_errors(request, exc), getattr(exc, "status", 422)
    def load(s: Any) -> tuple[Any, dict[tuple[int, str], str]]:
        rows = lists.tenant_entries(s)
        return rows, department_names(s, [(e.tenant_id, e.issuing_department) for e in rows])

    rows, depts = await _tenant_tx(request, load)
    page = {"rows": rows, "form": form, "errors": errors, "today": local_today(), "depts": depts}
    return render(request, "credit/manage_lists.html", page, status=status)


@require(LIST_MANAGE, visible=entry_here)
async def exit_list(request: Request) -> Response:
    form = await read_form(request)
    entry_id = int(request.path_params["entry_id"])
    data = RepairIn.model_validate(form)
    ctx = _ctx(request)
    actor = ctx.actor.label
    await _tenant_tx(request, lambda s: lists.exit_entry(s, ctx.tenant, entry_id, reason=data.reason,
                                                         version=data.version, actor=actor))
    return RedirectResponse(f"/t/{ctx.tenant.code}/credit/lists/manage", status_code=303)


@require(REPORT_VIEW)
async def warning(request: Request) -> Response:
    """Staff view of a subject's warning level, reasons and measures (what the check tells approval)."""
    raw = request.query_params.get("code", "").strip()
    result = None
    if raw:
        kind = guess_kind(raw) or "legal"
        code = normalise(kind, raw, field="code")
        ctx = _ctx(request)
        result = await ctx.platform.db.run(lambda: _assess(ctx, code))
    return render(request, "credit/warning.html", {"code": raw, "result": result, "levels": LEVEL_NAMES,
                                                   "measures": MEASURES})


def _assess(ctx: Any, code: str) -> Any:
    with ctx.platform.db.session(ctx.tenant.scope) as s:
        return assess_subject(s, ctx.tenant, code)


def routes() -> list[BaseRoute]:
    return [
        Route("/", index, name="credit_index"),
        Route("/subjects/{code}", report, name="credit_report"),
        Route("/publicity", publicity, name="credit_publicity"),
        Route("/lists", list_page, name="credit_lists"),
        Route("/lists/manage", manage_lists, methods=["GET", "POST"], name="credit_manage_lists"),
        Route("/lists/{entry_id:int}/exit", exit_list, methods=["POST"], name="credit_exit_list"),
        Route("/records", records, name="credit_records"),
        Route("/records/new", new_penalty, methods=["GET", "POST"], name="credit_new_penalty"),
        Route("/records/{record_id:int}/repair", repair, methods=["POST"], name="credit_repair"),
        Route("/warning", warning, name="credit_warning"),
    ]
