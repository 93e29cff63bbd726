"""Pages of the exchange plugin, under ``/t/{code}/exchange/``: the catalogue (browse, search, ask),
my department's requests, grants and subsystems, the provider's queue, and the message log with its
verification status. Bad input re-renders the form with the errors named, changing nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    NotFound,
    Scope,
    decode_cursor,
    form_data,
    form_errors,
    page_params,
    paginate,
    read_form,
    render,
    require,
    run_scoped,
)
from plugins.exchange import msglog, services
from plugins.exchange import permissions as P
from plugins.exchange.api import grant_here, request_here, system_here
from plugins.exchange.models import (
    CYCLES,
    GRANT_STATES,
    REQUEST_STATES,
    RESULTS,
    SHARING,
    AccessRequest,
    Grant,
    LogEntry,
    Resource,
)
from plugins.exchange.schemas import RequestAnswerIn, RequestIn, RevokeIn, SystemIn, SystemRevokeIn


def _ctx(request: Request) -> Any:
    return request.state.ctx


def errors_of(request: Request, exc: Exception) -> dict[str, str]:
    return form_errors(exc, lang=_ctx(request).lang, whole_path=False)


def common(request: Request, **values: Any) -> dict[str, Any]:
    ctx = _ctx(request)
    return {
        "sharing_titles": SHARING,
        "cycles": CYCLES,
        "request_states": REQUEST_STATES,
        "grant_states": GRANT_STATES,
        "tenant_name": lambda tid: getattr(ctx.platform.directory.by_id.get(tid), "name", ""),
        "tenant_code_of": lambda tid: getattr(ctx.platform.directory.by_id.get(tid), "code", ""),
        "lang": ctx.lang,
        "can": lambda perm: ctx.platform.access.check(ctx.actor, ctx.tenant, perm.name).allowed,
        "P": P,
        **values,
    }


def _root_scope(tenant: Any, platform: Any) -> Scope:
    root = platform.directory.get(tenant.path.split("/")[0])
    return Scope.below(root.id, root.path)


async def _form_fields(request: Request) -> list[str]:
    """Every ticked ``fields`` box (read_form keeps the last value only; the parsed form is cached)."""
    return [str(v) for v in (await form_data(request)).getlist("fields")]


# -- the catalogue --------------------------------------------------------------------------------------


@require(P.CATALOGUE)
async def catalogue(request: Request) -> Response:
    ctx = _ctx(request)
    q = request.query_params.get("q", "").strip()[:100]
    sharing = request.query_params.get("sharing", "")
    sharing = sharing if sharing in SHARING else ""
    params = page_params(request, default_limit=50, max_limit=100)

    def work(s: Any) -> Any:
        return paginate(s, services.search_stmt(q, sharing=sharing), params, key=[Resource.id], desc=True)

    page = await run_scoped(request, work, scope=_root_scope(ctx.tenant, ctx.platform))
    nxt = page.next_cursor
    more = urlencode({"q": q, "sharing": sharing, "cursor": nxt}) if nxt else ""
    return render(
        request, "exchange/catalogue.html", common(request, rows=page.items, q=q, sharing=sharing, more=more)
    )


async def _request_page(
    request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    ctx = _ctx(request)
    provider = ctx.platform.directory.get(str(form.get("provider", "")))
    if provider is None or provider.path.split("/")[0] != ctx.tenant.path.split("/")[0]:
        raise NotFound("No such provider", "没有该数据提供方")

    def work(s: Any) -> tuple[Any, list[Any]]:
        return services.resource_by_code(s, provider, str(form.get("resource", ""))), services.departments(
            s, ctx.tenant
        )

    resource, depts = await run_scoped(request, work, scope=provider.scope)
    own = await ctx.platform.db.run(
        lambda: services.requester_departments(ctx.platform, ctx.actor, ctx.tenant)
    )
    depts = [d for d in depts if own is None or d.code in own]  # one asks for one's own department
    return render(
        request,
        "exchange/request.html",
        common(request, resource=resource, provider=provider, depts=depts, form=form, errors=errors),
        status=status,
    )


@require(P.REQUEST)
async def request_form(request: Request) -> Response:
    qp = request.query_params
    return await _request_page(
        request, {"provider": qp.get("provider", "")[:12], "resource": qp.get("resource", "")[:60]}, {}
    )


@require(P.REQUEST)
async def request_submit(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    values = {k: str(form.get(k, "")) for k in ("provider", "resource", "department", "purpose")}
    values["fields"] = await _form_fields(request)  # type: ignore[assignment]
    try:
        data = RequestIn.model_validate(values)
        provider = ctx.platform.directory.get(data.provider)
        if provider is None or provider.path.split("/")[0] != ctx.tenant.path.split("/")[0]:
            raise NotFound("No such provider", "没有该数据提供方", fields={"provider": "unknown"})
        member_of = await ctx.platform.db.run(
            lambda: services.requester_departments(ctx.platform, ctx.actor, ctx.tenant)
        )
        await run_scoped(
            request,
            lambda s: services.request_access(
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
            ),
            scope=provider.scope,
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _request_page(request, values, errors_of(request, exc), status=422)
    return RedirectResponse(f"/t/{ctx.tenant.code}/exchange/mine?sent=1", status_code=303)


# -- my department's side -------------------------------------------------------------------------------


async def _mine_page(request: Request, **extra: Any) -> Response:
    ctx = _ctx(request)
    # two lists, two cursors (as the queue): ?cursor= pages the requests, ?gcursor= the grants
    rparams = page_params(request, default_limit=50, max_limit=200)
    graw = request.query_params.get("gcursor")
    gparams = replace(rparams, after=decode_cursor(graw) if graw else None)
    got = await ctx.platform.db.run(lambda: services.mine(ctx.platform, ctx.tenant, rparams, gparams))
    here = {k: v for k, v in (("cursor", request.query_params.get("cursor")), ("gcursor", graw)) if v}
    more_reqs = urlencode({**here, "cursor": got["next_requests"]}) if got["next_requests"] else ""
    more_grants = urlencode({**here, "gcursor": got["next_grants"]}) if got["next_grants"] else ""

    def work(s: Any) -> tuple[list[Any], list[Any]]:
        return services.systems(s, ctx.tenant), services.departments(s, ctx.tenant)

    systems, depts = await run_scoped(request, work)
    return render(
        request,
        "exchange/mine.html",
        common(
            request,
            requests=got["requests"],
            grants=got["grants"],
            labels=got["labels"],
            more_reqs=more_reqs,
            more_grants=more_grants,
            systems=systems,
            depts=depts,
            sent=request.query_params.get("sent") == "1",
            **{"errors": {}, "form": {}, **extra},
        ),
        status=422 if extra.get("errors") else 200,
    )


@require(P.REQUEST)
async def mine(request: Request) -> Response:
    return await _mine_page(request)


@require(P.REQUEST)
async def system_create(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    values = {k: str(form.get(k, "")) for k in ("department", "subsystem", "title")}
    try:
        data = SystemIn.model_validate(values)
        row, secret = await run_scoped(
            request,
            lambda s: services.create_system(
                s, ctx.tenant, data.department, data.subsystem, data.title, actor=ctx.actor.label
            ),
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _mine_page(request, errors=errors_of(request, exc), form=values)
    return await _mine_page(request, new_secret=secret, new_client=row.client_id)


@require(P.REQUEST, visible=system_here)
async def system_revoke(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    sid = int(request.path_params["subsystem_id"])
    try:
        data = SystemRevokeIn.model_validate({"version": form.get("version", "")})
        await run_scoped(
            request,
            lambda s: services.revoke_system(s, ctx.tenant, sid, data.version, actor=ctx.actor.label),
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _mine_page(request, errors=errors_of(request, exc))
    return RedirectResponse(f"/t/{ctx.tenant.code}/exchange/mine", status_code=303)


# -- the provider's queue -------------------------------------------------------------------------------


async def _queue_page(request: Request, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    ctx = _ctx(request)
    # two lists, two cursors: ?cursor= pages the requests, ?gcursor= the grants
    rparams = page_params(request, default_limit=50, max_limit=200)
    graw = request.query_params.get("gcursor")
    gparams = replace(rparams, after=decode_cursor(graw) if graw else None)

    def work(s: Any) -> tuple[Any, Any, Any]:
        return (
            paginate(
                s, services.queue_stmt(ctx.tenant, ""), rparams, key=[AccessRequest.due_on, AccessRequest.id]
            ),
            paginate(s, services.grants_stmt(ctx.tenant), gparams, key=[Grant.id], desc=True),
            services.field_labels(s, ctx.tenant),
        )

    rpage, gpage, labels = await run_scoped(request, work)
    reqs, grants = rpage.items, gpage.items
    here = {k: v for k, v in (("cursor", request.query_params.get("cursor")), ("gcursor", graw)) if v}
    more_reqs = urlencode({**here, "cursor": rpage.next_cursor}) if rpage.next_cursor else ""
    more_grants = urlencode({**here, "gcursor": gpage.next_cursor}) if gpage.next_cursor else ""
    from core.api import add_calendar_days, today

    return render(
        request,
        "exchange/queue.html",
        common(
            request,
            reqs=reqs,
            grants=grants,
            labels=labels,
            more_reqs=more_reqs,
            more_grants=more_grants,
            errors=errors or {},
            today=today(ctx.platform),
            default_expiry=add_calendar_days(today(ctx.platform), 365),
        ),
        status=status,
    )


@require(P.PROVIDE)
async def queue(request: Request) -> Response:
    return await _queue_page(request)


@require(P.PROVIDE, visible=request_here)
async def answer(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    rid = int(request.path_params["sharing_request_id"])
    values: dict[str, Any] = {k: str(form.get(k, "")) for k in ("decision", "version", "reason")}
    values["expires_on"] = str(form.get("expires_on", "")) or None
    values["fields"] = await _form_fields(request) or None
    try:
        data = RequestAnswerIn.model_validate(values)
        await run_scoped(
            request,
            lambda s: services.answer(
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
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _queue_page(request, errors_of(request, exc), status=422)
    return RedirectResponse(f"/t/{ctx.tenant.code}/exchange/queue", status_code=303)


@require(P.PROVIDE, visible=grant_here)
async def revoke(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    gid = int(request.path_params["sharing_grant_id"])
    try:
        data = RevokeIn.model_validate({k: str(form.get(k, "")) for k in ("version", "reason")})
        await run_scoped(
            request,
            lambda s: services.revoke_grant(
                s,
                ctx.platform,
                ctx.tenant,
                gid,
                version=data.version,
                reason=data.reason,
                actor=ctx.actor.label,
            ),
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _queue_page(request, errors_of(request, exc), status=422)
    return RedirectResponse(f"/t/{ctx.tenant.code}/exchange/queue", status_code=303)


# -- the message log ------------------------------------------------------------------------------------


@require(P.LOG_VIEW)
async def log_page(request: Request) -> Response:
    ctx = _ctx(request)

    params = page_params(request, default_limit=100, max_limit=200)

    def work(s: Any) -> tuple[Any, Any]:
        # newest first; the verification covers the entries on this page (chained to the one before)
        page = paginate(s, msglog.entries_stmt(ctx.tenant), params, key=[LogEntry.seq], desc=True)
        seqs = [e.seq for e in page.items]
        doc = msglog.export(s, ctx.tenant, first=min(seqs), last=max(seqs)) if seqs else None
        return page, msglog.verify_export(doc) if doc else msglog.Verdict(True)

    page, verdict = await run_scoped(request, work)
    rows = page.items

    def lookups(s: Any) -> tuple[dict[str, str], dict[str, str]]:
        codes = {e.resource_code for e in rows}
        here = select(Resource).where(Resource.tenant_id == ctx.tenant.id, Resource.code.in_(codes))
        names = {r.code: r.name for r in s.scalars(here)} if codes else {}
        members = {}
        for ident in {e.consumer_identifier for e in rows}:
            try:
                path, dept = services.parse_identifier(ident)
            except DomainError:
                continue
            t = ctx.platform.directory.get(path.rsplit("/", 1)[-1])
            d = next((x for x in services.departments(s, t) if x.code == dept), None) if t else None
            if t is not None:
                members[ident] = f"{t.name} · {d.name if d else dept}"
        return names, members

    names, members = await run_scoped(request, lookups)
    return render(
        request,
        "exchange/log.html",
        common(
            request,
            rows=rows,
            verdict=verdict,
            results=RESULTS,
            names=names,
            more=f"cursor={page.next_cursor}" if page.next_cursor else "",
            member_name=lambda ident: members.get(ident, ident),
        ),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/catalogue", catalogue, methods=["GET"]),
        Route("/request", request_form, methods=["GET"]),
        Route("/request", request_submit, methods=["POST"]),
        Route("/mine", mine, methods=["GET"]),
        Route("/systems", system_create, methods=["POST"]),
        Route("/systems/{subsystem_id:int}/revoke", system_revoke, methods=["POST"]),
        Route("/queue", queue, methods=["GET"]),
        Route("/requests/{sharing_request_id:int}/answer", answer, methods=["POST"]),
        Route("/grants/{sharing_grant_id:int}/revoke", revoke, methods=["POST"]),
        Route("/log", log_page, methods=["GET"]),
    ]
