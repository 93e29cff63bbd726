"""JSON API of the exchange plugin, under ``/api/t/{code}/exchange/``.

* ``GET x/{resource}`` — the gateway (authenticated by a subsystem credential in ``X-Exchange-Client`` /
  ``X-Exchange-Secret``; see gateway.py). ``?fields=a,b`` narrows the answer; other parameters go to the
  provider.
* ``GET catalogue`` — search the catalogue of this tenant's whole tree.
* ``POST requests`` — ask a provider for a conditional resource; ``GET mine`` — this tenant's requests and
  grants everywhere (first pages; ``GET mine/requests`` and ``GET mine/grants`` page on); ``GET queue`` /
  ``POST requests/{id}/answer`` / ``GET grants`` / ``POST grants/{id}/revoke`` — the provider's side.
* ``GET|POST systems``, ``POST systems/{id}/revoke`` — subsystems and their credentials.
* ``POST resources`` — register an external HTTP service. ``GET log`` — the message log with its
  verification status.

Errors use ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    NotFound,
    Scope,
    api_doc,
    page_params,
    paginate,
    parse_body,
    parse_query,
    require,
    run_scoped,
    tenant_object,
)
from plugins.exchange import gateway, msglog, services
from plugins.exchange import permissions as P
from plugins.exchange.models import (
    REQUEST_STATES,
    SHARING,
    AccessRequest,
    Grant,
    LogEntry,
    Resource,
    SystemCredential,
)
from plugins.exchange.schemas import (
    CatalogueQuery,
    DeliveryIn,
    DeliveryOut,
    GatewayOut,
    GrantOut,
    HttpResourceIn,
    LogPage,
    LogQuery,
    MineOut,
    RequestAnswerIn,
    RequestIn,
    RequestOut,
    ResourceOut,
    RevokeIn,
    SystemIn,
    SystemList,
    SystemOut,
    SystemRevokeIn,
)


class GatewayError(DomainError):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        zh, _, en = message.partition(" ")
        super().__init__(en or message, zh, code=code, fields=fields)
        self.status = status


_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def _code_of(platform: Any, tenant_id: int) -> str:
    t = platform.directory.by_id.get(tenant_id)
    return t.code if t else ""


def resource_out(r: Resource, platform: Any, lang: str = "zh-CN") -> dict[str, Any]:
    zh, en = SHARING.get(r.sharing, (r.sharing, r.sharing))
    return {
        "id": r.id,
        "tenant_code": _code_of(platform, r.tenant_id),
        "code": r.code,
        "name": r.name,
        "name_en": r.name_en,
        "description": r.description,
        "provider": r.provider_identifier,
        "provider_name": r.provider_name,
        "fields": r.fields or [],
        "update_cycle": r.update_cycle,
        "sharing": r.sharing,
        "sharing_title": zh if lang == "zh-CN" else en,
        "legal_basis": r.legal_basis,
        "format": r.format,
        "source": r.source,
    }


def request_out(r: AccessRequest, platform: Any, lang: str = "zh-CN") -> dict[str, Any]:
    zh, en = REQUEST_STATES.get(r.state, (r.state, r.state))
    return {
        "id": r.id,
        "provider_code": _code_of(platform, r.tenant_id),
        "resource_code": r.resource_code,
        "resource_name": r.resource_name,
        "consumer": r.consumer_identifier,
        "consumer_name": r.consumer_name,
        "purpose": r.purpose,
        "fields": list(r.fields or []),
        "state": r.state,
        "state_title": zh if lang == "zh-CN" else en,
        "submitted_on": r.submitted_on,
        "due_on": r.due_on,
        "answered_on": r.answered_on,
        "answer_reason": r.answer_reason,
        "grant_id": r.grant_id,
        "version": r.version,
    }


def grant_out(g: Grant, platform: Any) -> dict[str, Any]:
    return {
        "id": g.id,
        "provider_code": _code_of(platform, g.tenant_id),
        "resource_code": g.resource_code,
        "resource_name": g.resource_name,
        "consumer": g.consumer_identifier,
        "consumer_name": g.consumer_name,
        "fields": list(g.fields or []),
        "granted_on": g.granted_on,
        "expires_on": g.expires_on,
        "state": g.state,
        "revoke_reason": g.revoke_reason,
        "version": g.version,
    }


def system_out(c: SystemCredential, secret: str | None = None) -> dict[str, Any]:
    return {
        "id": c.id,
        "member": c.member_identifier,
        "subsystem": c.subsystem,
        "title": c.title,
        "client_id": c.client_id,
        "state": c.state,
        "version": c.version,
        "secret": secret,
    }


# --- the gateway -----------------------------------------------------------------------------------------


@api_doc(response=GatewayOut, summary="The gateway: one query for a resource, as a registered subsystem")
@require(P.GATEWAY)
async def call(request: Request) -> Any:
    ctx = request.state.ctx
    code = request.path_params["resource"]
    try:
        asked, params = gateway.check_params(dict(request.query_params))
    except gateway.Refused as r:
        raise GatewayError(r.status, r.code, r.message, r.bad_fields) from None
    ans = await ctx.platform.db.run(
        lambda: gateway.serve(
            ctx.platform,
            ctx.tenant,
            client_id=request.headers.get("x-exchange-client", "")[:80],
            secret=request.headers.get("x-exchange-secret", "")[:200],
            code=code[:60],
            asked=asked,
            params=params,
        )
    )
    if ans.status != 200:
        raise GatewayError(ans.status, ans.code, ans.message, ans.bad_fields)
    return {
        "resource": code,
        "provider": ctx.tenant.path,
        "fields": ans.fields,
        "data": ans.data,
        "log_seq": ans.log_seq,
        "log_hash": ans.log_hash,
    }


@api_doc(
    request=DeliveryIn,
    response=DeliveryOut,
    summary="Deliver records to a resource that receives them, as a registered subsystem",
)
@require(P.GATEWAY)
async def deliver(request: Request) -> Any:
    ctx = request.state.ctx
    code = request.path_params["resource"]
    body = (await parse_body(request, DeliveryIn)).model_dump()
    ans = await ctx.platform.db.run(
        lambda: gateway.deliver(
            ctx.platform,
            ctx.tenant,
            client_id=request.headers.get("x-exchange-client", "")[:80],
            secret=request.headers.get("x-exchange-secret", "")[:200],
            code=code[:60],
            body=body,
        )
    )
    if ans.status != 200:
        raise GatewayError(ans.status, ans.code, ans.message, ans.bad_fields)
    return {
        "resource": code,
        "receiver": ctx.tenant.path,
        "data": ans.data,
        "log_seq": ans.log_seq,
        "log_hash": ans.log_hash,
    }


# --- the catalogue ---------------------------------------------------------------------------------------


@api_doc(
    response=ResourceOut,
    query=CatalogueQuery,
    paginated=True,
    page_limit=(20, 100),
    summary="Search the data catalogue of the whole tree",
)
@require(P.CATALOGUE)
async def catalogue(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, CatalogueQuery)
    params = page_params(request)
    root = ctx.platform.directory.get(ctx.tenant.path.split("/")[0])
    assert root is not None

    def work(s: Any) -> dict[str, Any]:
        page = paginate(s, services.search_stmt(q.q, sharing=q.sharing), params, key=[Resource.id], desc=True)
        return page.as_json(lambda r: resource_out(r, ctx.platform, ctx.lang))

    return await _run(request, work, scope=Scope.below(root.id, root.path))


@api_doc(
    request=HttpResourceIn,
    response=ResourceOut,
    status=201,
    summary="Register an external HTTP service as a resource",
)
@require(P.PROVIDE)
async def register(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, HttpResourceIn)
    return await _run(
        request,
        lambda s: resource_out(
            services.register_http(s, ctx.tenant, data, actor=ctx.actor.label), ctx.platform, ctx.lang
        ),
        write=True,
    )


# --- requests and grants ---------------------------------------------------------------------------------


@api_doc(request=RequestIn, response=RequestOut, status=201, summary="Ask a provider for a resource")
@require(P.REQUEST)
async def create_request(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, RequestIn)
    provider = ctx.platform.directory.get(data.provider)
    if provider is None or provider.path.split("/")[0] != ctx.tenant.path.split("/")[0]:
        raise NotFound(
            "No such provider", "没有该数据提供方", code="unknown_provider", fields={"provider": "unknown"}
        )
    member_of = await ctx.platform.db.run(
        lambda: services.requester_departments(ctx.platform, ctx.actor, ctx.tenant)
    )

    def work(s: Any) -> dict[str, Any]:
        row = services.request_access(
            s,
            ctx.platform,
            provider,
            ctx.tenant,
            resource_code=data.resource,
            department=data.department,
            purpose=data.purpose,
            fields=data.fields,
            actor=ctx.actor.label,
            member_of=member_of,
        )
        return request_out(row, ctx.platform, ctx.lang)

    return await _run(request, work, write=True, scope=provider.scope)


@api_doc(
    response=MineOut,
    summary="This tenant's requests and grants at every provider: the first page of each (newest first); "
    "next_requests_cursor / next_grants_cursor continue with GET mine/requests and GET mine/grants",
)
@require(P.REQUEST)
async def mine(request: Request) -> Any:
    ctx = request.state.ctx

    def work() -> dict[str, Any]:
        got = services.mine(ctx.platform, ctx.tenant)
        return {
            "requests": [request_out(r, ctx.platform, ctx.lang) for r in got["requests"]],
            "grants": [grant_out(g, ctx.platform) for g in got["grants"]],
            "next_requests_cursor": got["next_requests"],
            "next_grants_cursor": got["next_grants"],
        }

    return await ctx.platform.db.run(work)


@api_doc(
    response=RequestOut,
    paginated=True,
    page_limit=(50, 500),
    summary="This tenant's requests at every provider, newest first",
)
@require(P.REQUEST)
async def mine_requests(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work() -> dict[str, Any]:
        page = services.mine_requests(ctx.platform, ctx.tenant, params)
        return page.as_json(lambda r: request_out(r, ctx.platform, ctx.lang))

    return await ctx.platform.db.run(work)


@api_doc(
    response=GrantOut,
    paginated=True,
    page_limit=(50, 500),
    summary="Grants this tenant's departments hold at every provider, newest first",
)
@require(P.REQUEST)
async def mine_grants(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work() -> dict[str, Any]:
        page = services.mine_grants(ctx.platform, ctx.tenant, params)
        return page.as_json(lambda g: grant_out(g, ctx.platform))

    return await ctx.platform.db.run(work)


@api_doc(
    response=RequestOut,
    paginated=True,
    page_limit=(50, 500),
    summary="The provider's queue of requests (pending first by due day)",
)
@require(P.PROVIDE)
async def queue(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work(s: Any) -> dict[str, Any]:
        page = paginate(
            s, services.queue_stmt(ctx.tenant, ""), params, key=[AccessRequest.due_on, AccessRequest.id]
        )
        return page.as_json(lambda r: request_out(r, ctx.platform, ctx.lang))

    return await _run(request, work)


request_here = tenant_object(
    AccessRequest, "sharing_request_id", "No such request here", "本级没有该共享申请", code="unknown_request"
)
grant_here = tenant_object(
    Grant, "sharing_grant_id", "No such grant here", "本级没有该授权", code="unknown_grant"
)
system_here = tenant_object(
    SystemCredential, "subsystem_id", "No such subsystem here", "本级没有该子系统", code="unknown_system"
)


@api_doc(request=RequestAnswerIn, response=RequestOut, summary="Approve, narrow or refuse a request")
@require(P.PROVIDE, visible=request_here)
async def answer(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, RequestAnswerIn)
    rid = int(request.path_params["sharing_request_id"])
    return await _run(
        request,
        lambda s: request_out(
            services.answer(
                s,
                ctx.platform,
                ctx.tenant,
                rid,
                decision=data.decision,
                version=data.version,
                fields=data.fields,
                expires_on=data.expires_on,
                reason=data.reason,
                actor=ctx.actor.label,
            ),
            ctx.platform,
            ctx.lang,
        ),
        write=True,
    )


@api_doc(
    response=GrantOut, paginated=True, page_limit=(50, 500), summary="Grants this tenant's departments gave"
)
@require(P.PROVIDE)
async def grants(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work(s: Any) -> dict[str, Any]:
        page = paginate(s, services.grants_stmt(ctx.tenant), params, key=[Grant.id], desc=True)
        return page.as_json(lambda g: grant_out(g, ctx.platform))

    return await _run(request, work)


@api_doc(request=RevokeIn, response=GrantOut, summary="Revoke a grant")
@require(P.PROVIDE, visible=grant_here)
async def revoke(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, RevokeIn)
    gid = int(request.path_params["sharing_grant_id"])
    return await _run(
        request,
        lambda s: grant_out(
            services.revoke_grant(
                s,
                ctx.platform,
                ctx.tenant,
                gid,
                version=data.version,
                reason=data.reason,
                actor=ctx.actor.label,
            ),
            ctx.platform,
        ),
        write=True,
    )


# --- subsystems --------------------------------------------------------------------------------------------


@api_doc(response=SystemList, summary="This tenant's subsystems and their credentials (no secrets)")
@require(P.REQUEST)
async def list_systems(request: Request) -> Any:
    ctx = request.state.ctx
    return await _run(
        request,
        lambda s: {"items": [system_out(c) for c in services.systems(s, ctx.tenant)], "next_cursor": None},
    )


@api_doc(
    request=SystemIn,
    response=SystemOut,
    status=201,
    summary="Register a subsystem; its secret is in this answer only",
)
@require(P.REQUEST)
async def create_system(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, SystemIn)

    def work(s: Any) -> dict[str, Any]:
        row, secret = services.create_system(
            s, ctx.tenant, data.department, data.subsystem, data.title, actor=ctx.actor.label
        )
        return system_out(row, secret)

    return await _run(request, work, write=True)


@api_doc(request=SystemRevokeIn, response=SystemOut, summary="Revoke a subsystem's credential")
@require(P.REQUEST, visible=system_here)
async def revoke_system(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, SystemRevokeIn)
    sid = int(request.path_params["subsystem_id"])
    return await _run(
        request,
        lambda s: system_out(services.revoke_system(s, ctx.tenant, sid, data.version, actor=ctx.actor.label)),
        write=True,
    )


# --- the message log ---------------------------------------------------------------------------------------


@api_doc(response=LogPage, query=LogQuery, summary="The message log from ?first=, with its verification")
@require(P.LOG_VIEW)
async def log(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, LogQuery)
    params = page_params(request, default_limit=50, max_limit=500)  # a page with its verification

    def work(s: Any) -> dict[str, Any]:
        page = paginate(s, msglog.entries_stmt(ctx.tenant, first=q.first), params, key=[LogEntry.seq])
        rows = page.items
        first = rows[0].seq if rows else q.first
        doc = msglog.export(s, ctx.tenant, first=first, last=rows[-1].seq if rows else first)
        verdict = msglog.verify_export(doc)
        page.extra = {"verified": verdict.ok, "problem": verdict.problem_en}
        return page.as_json(
            lambda e: {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "resource": e.resource_code,
                "consumer": e.consumer_identifier,
                "result": e.result,
                "status": e.status,
                "hash": e.hash,
                "key_id": e.key_id,
            }
        )

    return await _run(request, work)


def routes() -> list[BaseRoute]:
    return [
        Route("/x/{resource}", call, methods=["GET"]),
        Route("/x/{resource}", deliver, methods=["POST"]),
        Route("/catalogue", catalogue, methods=["GET"]),
        Route("/resources", register, methods=["POST"]),
        Route("/requests", create_request, methods=["POST"]),
        Route("/mine", mine, methods=["GET"]),
        Route("/mine/requests", mine_requests, methods=["GET"]),
        Route("/mine/grants", mine_grants, methods=["GET"]),
        Route("/queue", queue, methods=["GET"]),
        Route("/requests/{sharing_request_id:int}/answer", answer, methods=["POST"]),
        Route("/grants", grants, methods=["GET"]),
        Route("/grants/{sharing_grant_id:int}/revoke", revoke, methods=["POST"]),
        Route("/systems", list_systems, methods=["GET"]),
        Route("/systems", create_system, methods=["POST"]),
        Route("/systems/{subsystem_id:int}/revoke", revoke_system, methods=["POST"]),
        Route("/log", log, methods=["GET"]),
    ]
