"""JSON API: public search and report; staff penalties, repair, list entries and warning levels.

Errors use the one API shape ``{"error": {"code", "message", "fields"}}`` (core.web.errors).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import NotFound, api_doc, page_params, paginate, parse_body, parse_query, require, tenant_object
from plugins.credit import lists, public, services
from plugins.credit.check import assess_subject
from plugins.credit.dates import local_today
from plugins.credit.models import CreditRecord
from plugins.credit.permissions import (
    LIST_MANAGE,
    PUBLIC_VIEW,
    RECORD_CREATE,
    RECORD_REPAIR,
    RECORD_VIEW,
    REPORT_VIEW,
)
from plugins.credit.rules import rules_from_platform
from plugins.credit.schemas import (
    AssessmentOut,
    CreatedOut,
    HitsOut,
    ListEntryIn,
    PenaltyIn,
    RecordOut,
    RecordQuery,
    RepairIn,
    ReportOut,
    SearchQuery,
)
from plugins.credit.subjects import guess_kind, normalise


async def _run(request: Request, scope: Any, fn: Any, *, write: bool = False) -> Any:
    platform = request.state.ctx.platform

    def work() -> Any:
        if write:
            with platform.db.transaction(scope) as s:
                return fn(s)
        with platform.db.session(scope) as s:
            return fn(s)

    return await platform.db.run(work)


@api_doc(query=SearchQuery, response=HitsOut, summary="Search published credit information")
@require(PUBLIC_VIEW)
async def search(request: Request) -> Any:
    """Search published credit information by subject name or code (``?q=``, required)."""
    q = parse_query(request).q
    tenant = request.state.ctx.tenant
    hits = await _run(request, services.network_scope(tenant), lambda s: public.search(s, q, local_today()))
    return {"items": [{"kind": h.kind, "code": h.public_code, "name": h.name} for h in hits],
            "next_cursor": None}


@api_doc(response=ReportOut, summary="A subject's public credit report")
@require(PUBLIC_VIEW)
async def report(request: Request) -> Any:
    """A subject's public credit report: published licences, penalties and list entries."""
    code = request.path_params["code"]
    tenant = request.state.ctx.tenant
    found = await _run(request, services.network_scope(tenant), lambda s: public.report(s, code,
                                                                                        local_today()))
    if found is None:
        raise NotFound("Nothing is published about this subject", "未查询到该主体的公示信用信息")
    data = asdict(found)
    data["code"] = found.public_code
    data.pop("public_code")
    return data


@api_doc(query=RecordQuery, response=RecordOut, paginated=True, summary="This tenant's own credit records")
@require(RECORD_VIEW)
async def list_records(request: Request) -> Any:
    """This tenant's own credit records (raw rows, including unpublished and repaired ones), newest first;
    ``?kind=licence|penalty``, cursor pagination."""
    kind = parse_query(request).kind
    params = page_params(request)
    stmt = select(CreditRecord)
    if kind is not None:
        stmt = stmt.where(CreditRecord.kind == kind)
    page = await _run(request, request.state.ctx.tenant.scope,
                      lambda s: paginate(s, stmt, params, key=[CreditRecord.id], desc=True).as_json())
    return page


record_here = tenant_object(CreditRecord, "record_id", "No such credit record here", "本级没有该信用记录")


@api_doc(request=PenaltyIn, response=RecordOut, status=201, summary="Publish a penalty")
@require(RECORD_CREATE)
async def create_penalty(request: Request) -> Any:
    """Publish an administrative penalty of this tenant."""
    data = await parse_body(request, PenaltyIn)
    ctx = request.state.ctx
    rules = rules_from_platform(ctx.platform, ctx.tenant)
    return await _run(request, ctx.tenant.scope, lambda s: RecordOut.model_validate(
        services.record_penalty(s, ctx.tenant, rules, data.to_input(), actor=ctx.actor.label)), write=True)


@api_doc(request=RepairIn, response=RecordOut, summary="Credit repair")
@require(RECORD_REPAIR, visible=record_here)
async def repair(request: Request) -> Any:
    """Credit repair: end a penalty's publication early (``{"reason", "version"}``; 409 when stale)."""
    data = await parse_body(request, RepairIn)
    ctx = request.state.ctx
    rules = rules_from_platform(ctx.platform, ctx.tenant)
    record_id = int(request.path_params["record_id"])
    return await _run(request, ctx.tenant.scope, lambda s: RecordOut.model_validate(services.repair(
        s, ctx.tenant, rules, record_id, reason=data.reason, version=data.version, actor=ctx.actor.label)),
        write=True)


@api_doc(request=ListEntryIn, response=CreatedOut, status=201, summary="Add a list entry")
@require(LIST_MANAGE)
async def add_list_entry(request: Request) -> Any:
    """Put a subject on the red, black or abnormal-operations list of this tenant."""
    data = await parse_body(request, ListEntryIn)
    ctx = request.state.ctx
    entry_id = await _run(request, ctx.tenant.scope, lambda s: lists.add_entry(
        s, ctx.tenant, data.to_input(), actor=ctx.actor.label).id, write=True)
    return {"id": entry_id}


@api_doc(response=AssessmentOut, summary="A subject's credit warning level")
@require(REPORT_VIEW)
async def warning(request: Request) -> Any:
    """A subject's warning level, reasons and measures under this tenant's rule set."""
    raw = request.path_params["code"]
    code = normalise(guess_kind(raw) or "legal", raw, field="code")
    ctx = request.state.ctx
    result = await _run(request, ctx.tenant.scope, lambda s: assess_subject(s, ctx.tenant, code))
    return {"code": code, "level": result.level, "reasons": result.reasons,
            "measures": result.measures, "penalties": result.penalties, "lists": result.lists}


def routes() -> list[BaseRoute]:
    return [
        Route("/search", search, methods=["GET"]),
        Route("/subjects/{code}", report, methods=["GET"]),
        Route("/subjects/{code}/warning", warning, methods=["GET"]),
        Route("/records", list_records, methods=["GET"]),
        Route("/penalties", create_penalty, methods=["POST"]),
        Route("/records/{record_id:int}/repair", repair, methods=["POST"]),
        Route("/lists", add_list_entry, methods=["POST"]),
    ]
