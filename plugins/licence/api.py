"""JSON API of the licence plugin, under ``/api/t/{code}/licence/``.

Public: ``GET verify/{identifier}`` (current state; an unknown or malformed number answers 404 with the
reason) and ``GET keys`` (the tenant's public keys for ``govhall licence verify --keys``). Holders: their
licences in every hall and use codes. Clerks: redeem a code. Staff: list, read, suspend, reinstate,
revoke (``version`` required: 409 ``stale_version`` when someone acted first). Console: the catalogue
and the item -> licence type table. Errors use ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    NotFound,
    api_doc,
    page_model,
    page_params,
    paginate,
    parse_body,
    parse_query,
    require,
    run_scoped,
    tenant_object,
)
from plugins.licence import catalogue, dates, holders, services, verification
from plugins.licence import permissions as P
from plugins.licence.models import Licence
from plugins.licence.schemas import (
    ActIn,
    GrantIn,
    KeysOut,
    LicenceOut,
    LicenceQuery,
    LicenceTypeIn,
    MappingIn,
    MappingOut,
    RedeemedOut,
    RedeemIn,
    TypeOut,
    UseCodeOut,
    VerificationOut,
)

_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def licence_out(lic: Licence, platform: Any, lang: str = "zh-CN") -> dict[str, Any]:
    tenant = platform.directory.by_id.get(lic.tenant_id)
    state = services.effective_state(lic, dates.today(platform))
    return {
        "id": lic.id,
        "identifier": lic.identifier,
        "type_code": lic.type_code,
        "type_name": lic.type_name,
        "version_no": lic.version_no,
        "state": state,
        "state_title": services.state_title(state, lang),
        "holder_name": lic.holder_name,
        "issuer_name": lic.issuer_name,
        "issued_on": lic.issued_on,
        "valid_from": lic.valid_from,
        "valid_until": lic.valid_until,
        "tenant_code": tenant.code if tenant else "",
        "version": lic.version,
    }


licence_here = tenant_object(Licence, "licence_id", "No such licence here", "本级没有该电子证照",
                             code="unknown_licence")


async def own_licence(request: Request) -> None:
    """One of the caller's own licences at this tenant; anyone else's answers like a missing one."""
    ctx = request.state.ctx
    licence_id = int(request.path_params["licence_id"])

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            holders.own(s, ctx.tenant, holders.holder_of(s, ctx.actor), licence_id)

    await ctx.platform.db.run(check)


@api_doc(response=VerificationOut, summary="Verify a licence number: its current state")
@require(P.VERIFY)
async def verify(request: Request) -> Any:
    ctx = request.state.ctx
    raw = request.path_params["identifier"]
    ans = await ctx.platform.db.run(lambda: verification.by_number(ctx.platform, ctx.tenant, raw))
    if ans.licence is None:
        zh, en = ans.problem or ("", "")
        raise NotFound(
            en,
            zh,
            code="unknown_licence" if ans.status == "unknown" else "bad_identifier",
            fields={"identifier": en},
        )
    lic = ans.licence
    return (
        {
            "identifier": lic.identifier,
            "found": True,
            "state": ans.state,
            "state_title": services.state_title(ans.state, ctx.lang),
            "reason": lic.state_reason,
            "type_name": lic.type_name,
            "holder_name": lic.holder_name,
            "issuer_name": lic.issuer_name,
            "valid_from": lic.valid_from,
            "valid_until": lic.valid_until,
            "signature_ok": ans.signature_ok,
            "key_id": lic.key_id,
            "newer_identifier": ans.newer,
        }
    )


@api_doc(response=KeysOut, summary="The tenant's public signing keys (current and retired)")
@require(P.VERIFY)
async def keys(request: Request) -> Any:
    ctx = request.state.ctx
    items = await _run(request, lambda s: verification.keys_for(s, ctx.tenant))
    return {"items": items, "next_cursor": None}


@api_doc(response=page_model(LicenceOut), summary="My licences in every hall (one page: next_cursor is null)")
@require(P.MINE)
async def mine(request: Request) -> Any:
    ctx = request.state.ctx

    def work() -> list[dict[str, Any]]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            holder = holders.holder_of(s, ctx.actor)
        rows = holders.my_licences(ctx.platform, holder) if holder else []
        return [licence_out(r["licence"], ctx.platform, ctx.lang) for r in rows]

    return ({"items": await ctx.platform.db.run(work), "next_cursor": None})


@api_doc(request=GrantIn, response=UseCodeOut, status=201, summary="A one-time use code for a clerk")
@require(P.MINE, visible=own_licence)
async def grant(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, GrantIn)
    licence_id = int(request.path_params["licence_id"])
    hours = int(ctx.platform.settings["licence.use_code_hours"])

    def work(s: Any) -> dict[str, Any]:
        lic = holders.own(s, ctx.tenant, holders.holder_of(s, ctx.actor), licence_id)
        code, row = holders.grant(
            s, ctx.tenant, lic, purpose=data.purpose, hours=hours, actor=ctx.actor.label
        )
        return {"code": code, "expires_at": row.expires_at.isoformat(), "licence_identifier": lic.identifier}

    return await _run(request, work, write=True)


@api_doc(request=RedeemIn, response=RedeemedOut, summary="Redeem a holder's use code")
@require(P.CODE_REDEEM)
async def redeem(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, RedeemIn)
    hours = int(ctx.platform.settings["licence.use_code_hours"])

    def work() -> dict[str, Any]:
        grant_id = holders.redeem(ctx.platform, ctx.tenant, data.code, actor=ctx.actor, hours=hours)
        _grant, lic = holders.shared(ctx.platform, ctx.tenant, ctx.actor, grant_id)
        return {"grant_id": grant_id, "licence": licence_out(lic, ctx.platform, ctx.lang)}

    return (await ctx.platform.db.run(work))


@api_doc(query=LicenceQuery, response=LicenceOut, paginated=True, page_limit=(50, 100),
         summary="This tenant's licences (?state=)")
@require(P.LICENCE_VIEW)
async def list_licences(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    state = parse_query(request).state

    def work(s: Any) -> dict[str, Any]:
        stmt = select(Licence).where(Licence.tenant_id == ctx.tenant.id)
        if state:
            stmt = stmt.where(Licence.state == state)
        page = paginate(s, stmt, params, key=[Licence.id], desc=True)
        return page.as_json(lambda lic: licence_out(lic, ctx.platform, ctx.lang))

    return (await _run(request, work))


@api_doc(response=LicenceOut, summary="One licence of this tenant")
@require(P.LICENCE_VIEW, visible=licence_here)
async def get_licence(request: Request) -> Any:
    ctx = request.state.ctx
    licence_id = int(request.path_params["licence_id"])
    return (
        await _run(
            request, lambda s: licence_out(services.load(s, ctx.tenant, licence_id), ctx.platform, ctx.lang)
        )
    )


def _act(action: str) -> Any:
    @api_doc(request=ActIn, response=LicenceOut, summary=f"{action.capitalize()} a licence (with a reason)")
    @require(P.LICENCE_MANAGE, visible=licence_here)
    async def endpoint(request: Request) -> Any:
        ctx = request.state.ctx
        data = await parse_body(request, ActIn)
        licence_id = int(request.path_params["licence_id"])
        return (
            await _run(
                request,
                lambda s: licence_out(
                    services.act(
                        s,
                        ctx.tenant,
                        licence_id,
                        action,
                        version=data.version,
                        reason=data.reason,
                        actor=ctx.actor.label,
                    ),
                    ctx.platform,
                    ctx.lang,
                ),
                write=True,
            )
        )

    endpoint.__name__ = f"licence_{action}"
    return endpoint


def _type_out(t: Any) -> dict[str, Any]:
    return {
        k: getattr(t, k)
        for k in (
            "id",
            "code",
            "name",
            "name_en",
            "department_name",
            "issuer_code",
            "holder_kind",
            "validity_months",
            "active",
            "version",
        )
    }


@api_doc(response=page_model(TypeOut), summary="The licence catalogue of this tenant (one page)")
@require(P.LICENCE_VIEW)
async def list_types(request: Request) -> Any:
    return (
        {
            "items": await _run(request, lambda s: [_type_out(t) for t in catalogue.types(s)]),
            "next_cursor": None,
        }
    )


@api_doc(request=LicenceTypeIn, response=TypeOut, status=201, summary="Add a licence type")
@require(P.TYPE_MANAGE)
async def create_type(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, LicenceTypeIn)
    row = await _run(
        request,
        lambda s: _type_out(catalogue.create_type(s, ctx.tenant, data, actor=ctx.actor.label)),
        write=True,
    )
    return row


@api_doc(response=page_model(MappingOut), summary="Which items produce which licence (one page)")
@require(P.LICENCE_VIEW)
async def list_mappings(request: Request) -> Any:
    def work(s: Any) -> list[dict[str, Any]]:
        return [
            {"item_code": m.item_code, "item_name": m.item_name, "type_code": t.code, "type_name": t.name}
            for m, t in catalogue.mappings(s)
        ]

    return ({"items": await _run(request, work), "next_cursor": None})


@api_doc(request=MappingIn, response=MappingOut, summary="Set the licence type an item produces")
@require(P.TYPE_MANAGE)
async def set_mapping(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, MappingIn)

    def work(s: Any) -> dict[str, Any]:
        m = catalogue.set_mapping(s, ctx.tenant, data, actor=ctx.actor.label)
        t = catalogue.type_by_code(s, ctx.tenant, data.type_code)
        return {"item_code": m.item_code, "item_name": m.item_name, "type_code": t.code, "type_name": t.name}

    return (await _run(request, work, write=True))


def routes() -> list[BaseRoute]:
    return [
        Route("/verify/{identifier:path}", verify, methods=["GET"]),
        Route("/keys", keys, methods=["GET"]),
        Route("/my", mine, methods=["GET"]),
        Route("/my/{licence_id:int}/codes", grant, methods=["POST"]),
        Route("/redeem", redeem, methods=["POST"]),
        Route("/licences", list_licences, methods=["GET"]),
        Route("/licences/{licence_id:int}", get_licence, methods=["GET"]),
        *(
            Route(f"/licences/{{licence_id:int}}/{a}", _act(a), methods=["POST"])
            for a in ("suspend", "reinstate", "revoke")
        ),
        Route("/types", list_types, methods=["GET"]),
        Route("/types", create_type, methods=["POST"]),
        Route("/mappings", list_mappings, methods=["GET"]),
        Route("/mappings", set_mapping, methods=["POST"]),
    ]
