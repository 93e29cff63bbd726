"""JSON API of the approval plugin, mounted at ``/api/t/{code}/approval/``.

Errors use the one shape ``{"error": {"code", "message", "fields"}}`` (core.web.errors): e.g.
``unknown_item`` 404, ``wrong_entrance`` / ``missing_material`` / ``bad_upload`` 422,
``transition_not_allowed`` / ``stale_version`` 409. Lists are cursor-paginated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    NotFound,
    api_doc,
    audit,
    cursor_key,
    encode_cursor,
    form_data,
    page_model,
    page_params,
    paginate,
    parse_body,
    parse_path,
    parse_query,
    require,
)
from core.api import today as clock_today
from plugins.approval import catalogue, clock, handling, queries, services
from plugins.approval import permissions as P
from plugins.approval.fees import charged_fees
from plugins.approval.models import Application, ServiceItem
from plugins.approval.schemas import (
    ActionPath,
    ApplicationOut,
    CaseOut,
    ItemIn,
    ItemOut,
    ItemQuery,
    ItemVersionOut,
    MyApplicationDetailOut,
    MyApplicationOut,
    PublicDecisionOut,
    QueueQuery,
    RatingIn,
    StatsOut,
    StatsQuery,
    SubmitForm,
    TransitionIn,
)
from plugins.approval.views_staff import figures
from plugins.approval.webctx import (
    handled_application,
    my_applications,
    own_application,
    read_uploads,
    service_ctx,
    who_for,
)


def _item_json(item: Any, charged: dict[str, Any] | None = None) -> dict[str, Any]:
    """``charged``: what another plugin charges for items (plugins/approval/fees.py); it wins over the
    item's own fee column."""
    fee = (charged or {}).get(item.code)
    figs = clock.step_figures(item.steps) if item.is_parallel else None
    return {
        "code": item.code,
        "name": item.name,
        "item_type": item.item_type,
        "entrance": item.entrance,
        "section": item.section,
        "department_code": item.department_code,
        "promised_days": item.promised_days,
        "statutory_days": item.statutory_days,
        "fee": (fee.cents if fee is not None else item.fee_cents) / 100,
        "parallel": item.is_parallel,
        "serial_days": figs.serial if figs else None,
        "parallel_days": figs.parallel if figs else None,
        "version_no": item.version_no,
        "materials": [
            {
                "code": m.code,
                "name": m.name,
                "required": m.required,
                "allowed_types": m.allowed_types,
                "max_mb": m.max_mb,
            }
            for m in item.materials
        ],
        "form_fields": item.form_fields,
    }


@api_doc(query=ItemQuery, response=page_model(ItemOut),
         summary="Search published service items: the best 50 matches (next_cursor is always null)")
@require(P.ITEM_VIEW)
async def items(request: Request) -> Any:
    """Search or browse the tenant's published items (bigram search over name and keywords)."""
    ctx = request.state.ctx
    query = parse_query(request)

    def work() -> list[dict[str, Any]]:
        with ctx.platform.db.read(ctx.tenant.scope) as s:
            found = catalogue.search(s, query.q, entrance=query.entrance, section=query.section, limit=50)
            charged = charged_fees(ctx.platform, ctx.tenant, [i.code for i in found], s)
            return [_item_json(i, charged) for i in found]

    return {"items": await ctx.platform.db.run(work), "next_cursor": None}


@api_doc(response=ItemOut, summary="One item's guide")
@require(P.ITEM_VIEW)
async def item(request: Request) -> Any:
    ctx = request.state.ctx

    def work() -> dict[str, Any]:
        with ctx.platform.db.read(ctx.tenant.scope) as s:
            found = catalogue.get_item(s, request.path_params["code"])
            return _item_json(found, charged_fees(ctx.platform, ctx.tenant, [found.code], s))

    return await ctx.platform.db.run(work)


@api_doc(
    request=SubmitForm,
    request_media="multipart/form-data",
    response=ApplicationOut,
    status=201,
    summary="Apply online (multipart: item_code, f_<field>..., file_<material code>...)",
)
@require(P.APP_SUBMIT)
async def submit(request: Request) -> Any:
    """Multipart because materials are files; a session-cookie client's CSRF token is checked by the
    middleware (bearer-token clients need none)."""
    ctx = request.state.ctx
    max_mb = ctx.platform.settings["approval.upload_max_mb"]
    form = await form_data(request, max_file_mb=max_mb)  # a file past max_mb is refused as it streams
    uploads = await read_uploads(form, max_mb)
    fields = {k.removeprefix("f_"): str(v) for k, v in form.items() if k.startswith("f_")}
    code = str(form.get("item_code", ""))

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            app = services.submit(s, service_ctx(request, s), code, fields, uploads)
            return handling.application_view(s, app)

    return await ctx.platform.db.run(work)


@api_doc(response=page_model(MyApplicationOut),
         summary="My applications in every hall: the newest 200 (next_cursor is always null)")
@require(P.APP_OWN)
async def mine(request: Request) -> Any:
    ctx = request.state.ctx
    rows = await ctx.platform.db.run(lambda: my_applications(ctx.platform, ctx.actor.account_id))
    return {
        "items": [{**handling.application_view(None, r["app"]), "tenant_code": r["tenant"].code}
                  for r in rows],
        "next_cursor": None,
    }


def _applicant(request: Request, act: str, body: Any) -> dict[str, Any]:
    ctx = request.state.ctx
    app_id = int(request.path_params["app_id"])
    with ctx.platform.db.transaction(ctx.tenant.scope) as s:
        c = service_ctx(request, s)
        if act == "withdraw":
            app = services.withdraw(s, c, app_id, body.version, body.reason)
        elif act == "rate":
            handling.rate(s, c, app_id, body.level, body.comment)
            app = services.load(s, app_id)
        else:
            app = services.load(s, app_id)
            if app.applicant_account_id != c.who.account_id:  # also checked before the handler ran
                raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")
        out = handling.application_view(s, app)
        out["history"] = [
            {"at": h.at.isoformat(), "action": h.action, "to": h.to_state, "note": h.note}
            for h in services.history(s, app_id)
        ]
        return out


@api_doc(response=MyApplicationDetailOut, summary="One of my applications with its progress")
@require(P.APP_OWN, visible=own_application)
async def my_one(request: Request) -> Any:
    return await request.state.ctx.platform.db.run(lambda: _applicant(request, "view", None))


@api_doc(request=TransitionIn, response=MyApplicationDetailOut,
         summary="Withdraw my application before decision")
@require(P.APP_OWN, visible=own_application)
async def my_withdraw(request: Request) -> Any:
    body = await parse_body(request, TransitionIn)
    return await request.state.ctx.platform.db.run(lambda: _applicant(request, "withdraw", body))


@api_doc(request=RatingIn, response=MyApplicationDetailOut, summary="Rate a concluded application (once)")
@require(P.APP_RATE, visible=own_application)
async def my_rate(request: Request) -> Any:
    body = await parse_body(request, RatingIn)
    return await request.state.ctx.platform.db.run(lambda: _applicant(request, "rate", body))


@api_doc(query=QueueQuery, response=ApplicationOut, paginated=True, page_limit=(50, 100),
         summary="Workbench queue (?state=, ?due=overdue|soon)")
@require(P.APP_HANDLE)
async def queue(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)
    query = parse_query(request)
    after = cursor_key(params, (int,))

    def work() -> dict[str, Any]:
        with ctx.platform.db.read_connection(ctx.tenant.scope, stable_plan=True) as conn:  # measured
            rows = queries.queue(conn, ctx.tenant.scope, who_for(conn, ctx).departments, state=query.state,
                                 due=query.due, limit=params.limit + 1, after_id=after[0] if after else None)
        more = len(rows) > params.limit
        rows = rows[: params.limit]
        today = clock_today()
        return {
            "items": [handling.application_view(None, a, today) for a in rows],
            "next_cursor": encode_cursor([rows[-1].id]) if more and rows else None,
        }

    return await ctx.platform.db.run(work)


@api_doc(
    request=TransitionIn,
    response=ApplicationOut,
    path=ActionPath,
    summary="Act on an application: accept, refuse, correct, review, approve, deny, conclude, suspend, "
    "resume, extend. 409 stale_version when `version` is not the current one",
)
@require(P.APP_HANDLE, visible=handled_application)
async def act(request: Request) -> Any:
    ctx = request.state.ctx
    path = parse_path(request)
    body = await parse_body(request, TransitionIn)

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            c = service_ctx(request, s)
            app = handling.perform(s, c, path.app_id, path.action, body)
            return handling.application_view(s, app)

    return await ctx.platform.db.run(work)


@api_doc(response=CaseOut, summary="One application as the handler sees it")
@require(P.APP_HANDLE, visible=handled_application)
async def case(request: Request) -> Any:
    # handled_application (the route's visibility check) read the application, its tasks and findings in
    # one statement; the answer is built from that, with no second round trip.
    app, tasks, findings = request.state.approval_case
    out = handling.application_view(None, app)
    out["tasks"] = [
        {
            "department_code": t.department_code,
            "role": t.role,
            "state": t.state,
            "deadline": t.deadline,  # ISO text from the JSON of queries.case
            "reason": t.reason,
        }
        for t in tasks
    ]
    out["findings"] = [
        {"source": f.source, "code": f.code, "level": f.level, "message": f.message_zh} for f in findings
    ]
    return out


@api_doc(
    query=StatsQuery,
    response=StatsOut,
    summary="Statistics of this tenant, or with ?subtree=1 of its subtree "
    "(supervisors with a subtree grant); ?since=&until=",
)
@require(P.STATS_VIEW)
async def stats_api(request: Request) -> Any:
    parse_query(request)  # the page shares figures(); the API refuses what its document does not allow
    data = await request.state.ctx.platform.db.run(lambda: figures(request))
    return {**data["summary"], "subtree": data["subtree"], "weekly": data["weekly"],
            "children": data["children"]}


@api_doc(response=PublicDecisionOut, paginated=True, page_limit=(50, 100),
         summary="Published decisions (公示)")
@require(P.PUBLICITY_VIEW)
async def publicity(request: Request) -> Any:
    ctx = request.state.ctx
    params = page_params(request)

    def work() -> dict[str, Any]:
        with ctx.platform.db.read(ctx.tenant.scope) as s:
            stmt = select(Application).where(Application.decision.is_not(None))
            page = paginate(s, stmt, params, key=[Application.id], desc=True)
            return page.as_json(queries.public_view)

    return await ctx.platform.db.run(work)


@api_doc(
    request=ItemIn,
    response=ItemVersionOut,
    status=201,
    summary="Add a draft item version (the next version when the code exists); publish it separately",
)
@require(P.ITEM_MANAGE)
async def item_draft(request: Request) -> Any:
    """Comprehensive administrators maintain the catalogue: a draft never affects applications."""
    ctx = request.state.ctx
    body = await parse_body(request, ItemIn)

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            item = catalogue.new_version(s, ctx.tenant, body)
            audit.record(
                s,
                actor=ctx.actor.label,
                action="approval.item.draft",
                tenant=ctx.tenant,
                target=f"approval.item:{item.code}",
                details={"version": item.version_no},
            )
            return {**_item_json(item), "status": item.status}

    return await ctx.platform.db.run(work)


@api_doc(response=ItemVersionOut,
         summary="Publish the latest draft of an item; the version it replaces is retired")
@require(P.ITEM_MANAGE)
async def item_publish(request: Request) -> Any:
    ctx = request.state.ctx
    code = request.path_params["code"]

    def work() -> dict[str, Any]:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            draft = s.scalar(
                select(ServiceItem)
                .where(ServiceItem.code == code, ServiceItem.status == "draft")
                .order_by(ServiceItem.version_no.desc())
            )
            if draft is None:
                raise NotFound(f"No draft of item {code!r}", f"事项“{code}”没有待发布的草稿", code="no_draft")
            catalogue.publish(s, draft)
            audit.record(
                s,
                actor=ctx.actor.label,
                action="approval.item.publish",
                tenant=ctx.tenant,
                target=f"approval.item:{code}",
                details={"version": draft.version_no},
            )
            return {**_item_json(draft), "status": draft.status}

    return await ctx.platform.db.run(work)


def routes() -> list[BaseRoute]:
    return [
        Route("/items", items),
        Route("/items/{code}", item),
        Route("/catalogue/items", item_draft, methods=["POST"]),
        Route("/catalogue/items/{code}/publish", item_publish, methods=["POST"]),
        Route("/applications", submit, methods=["POST"]),
        Route("/my/applications", mine),
        Route("/my/applications/{app_id:int}", my_one),
        Route("/my/applications/{app_id:int}/withdraw", my_withdraw, methods=["POST"]),
        Route("/my/applications/{app_id:int}/rate", my_rate, methods=["POST"]),
        Route("/workbench", queue),
        Route("/applications/{app_id:int}", case),
        Route("/applications/{app_id:int}/{action}", act, methods=["POST"]),
        Route("/stats", stats_api),
        Route("/publicity", publicity),
    ]
