"""JSON API: public search and report; staff penalties, repair, list entries and warning levels.

Errors use the one API shape ``{"error": {"code", "message", "fields"}}`` (core.web.errors).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import require
from core.errors import Invalid, NotFound
from plugins.credit import lists, public, services
from plugins.credit.check import assess_subject
from plugins.credit.dates import local_today
from plugins.credit.permissions import (
    LIST_MANAGE,
    PUBLIC_VIEW,
    RECORD_CREATE,
    RECORD_REPAIR,
    RECORD_VIEW,
    REPORT_VIEW,
)
from plugins.credit.rules import rules_from_platform
from plugins.credit.schemas import ListEntryIn, PenaltyIn, RecordOut, RepairIn
from plugins.credit.subjects import guess_kind, normalise


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json.loads(json.dumps(data, ensure_ascii=False, default=_default)),
                        status_code=status)


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    raise TypeError(type(value).__name__)


async def _body(request: Request, model: type[BaseModel]) -> Any:
    try:
        raw = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise Invalid("The body is not valid JSON", "请求体不是有效的 JSON",
                      fields={"body": "invalid JSON"}) from None
    if not isinstance(raw, dict):
        raise Invalid("The body must be a JSON object", "请求体应为 JSON 对象",
                      fields={"body": "expected an object"})
    return model.model_validate(raw)  # ValidationError -> 422 naming the fields


async def _run(request: Request, scope: Any, fn: Any, *, write: bool = False) -> Any:
    platform = request.state.ctx.platform

    def work() -> Any:
        if write:
            with platform.db.transaction(scope) as s:
                return fn(s)
        with platform.db.session(scope) as s:
            return fn(s)

    return await platform.db.run(work)


@require(PUBLIC_VIEW)
async def search(request: Request) -> Response:
    """Search published credit information by subject name or code (``?q=``)."""
    q = request.query_params.get("q", "")
    tenant = request.state.ctx.tenant
    hits = await _run(request, services.network_scope(tenant), lambda s: public.search(s, q, local_today()))
    return _json({"items": [{"kind": h.kind, "code": h.public_code, "name": h.name} for h in hits]})


@require(PUBLIC_VIEW)
async def report(request: Request) -> Response:
    """A subject's public credit report: published licences, penalties and list entries."""
    code = request.path_params["code"]
    tenant = request.state.ctx.tenant
    found = await _run(request, services.network_scope(tenant), lambda s: public.report(s, code,
                                                                                        local_today()))
    if found is None:
        raise NotFound("Nothing is published about this subject", "未查询到该主体的公示信用信息")
    data = _default(found)
    data["code"] = found.public_code
    data.pop("public_code")
    return _json(data)


@require(RECORD_VIEW)
async def list_records(request: Request) -> Response:
    """This tenant's own credit records (raw rows, including unpublished and repaired ones)."""
    kind = request.query_params.get("kind") or None
    rows = await _run(request, request.state.ctx.tenant.scope, lambda s: services.tenant_records(s,
                                                                                                 kind=kind))
    return _json({"items": [RecordOut.model_validate(r) for r in rows]})


@require(RECORD_CREATE)
async def create_penalty(request: Request) -> Response:
    """Publish an administrative penalty of this tenant."""
    data = await _body(request, PenaltyIn)
    ctx = request.state.ctx
    rules = rules_from_platform(ctx.platform, ctx.tenant)
    rec = await _run(request, ctx.tenant.scope, lambda s: RecordOut.model_validate(
        services.record_penalty(s, ctx.tenant, rules, data.to_input(), actor=ctx.actor.label)), write=True)
    return _json(rec, status=201)


@require(RECORD_REPAIR)
async def repair(request: Request) -> Response:
    """Credit repair: end a penalty's publication early (``{"reason", "version"}``; 409 when stale)."""
    data = await _body(request, RepairIn)
    ctx = request.state.ctx
    rules = rules_from_platform(ctx.platform, ctx.tenant)
    record_id = int(request.path_params["record_id"])
    rec = await _run(request, ctx.tenant.scope, lambda s: RecordOut.model_validate(services.repair(
        s, ctx.tenant, rules, record_id, reason=data.reason, version=data.version, actor=ctx.actor.label)),
        write=True)
    return _json(rec)


@require(LIST_MANAGE)
async def add_list_entry(request: Request) -> Response:
    """Put a subject on the red, black or abnormal-operations list of this tenant."""
    data = await _body(request, ListEntryIn)
    ctx = request.state.ctx
    entry_id = await _run(request, ctx.tenant.scope, lambda s: lists.add_entry(
        s, ctx.tenant, data.to_input(), actor=ctx.actor.label).id, write=True)
    return _json({"id": entry_id}, status=201)


@require(REPORT_VIEW)
async def warning(request: Request) -> Response:
    """A subject's warning level, reasons and measures under this tenant's rule set."""
    raw = request.path_params["code"]
    code = normalise(guess_kind(raw) or "legal", raw, field="code")
    ctx = request.state.ctx
    result = await _run(request, ctx.tenant.scope, lambda s: assess_subject(s, ctx.tenant, code))
    return _json({"code": code, "level": result.level, "reasons": result.reasons, "measures": result.measures,
                  "penalties": result.penalties, "lists": result.lists})


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
