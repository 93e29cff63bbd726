"""HTML pages of market prices (charts over time and across counties, anomaly marks, entry and CSV
import), supply and demand (matches nearest first, contact through the platform) and the 12316 desk
(ask with photos, the experts' queue, the knowledge base)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    Invalid,
    charts,
    form_data,
    read_form,
    render,
    require,
    validate,
)
from plugins.agriculture import desk, market, prices
from plugins.agriculture import permissions as P
from plugins.agriculture.api_market import post_visible, price_rows, province_scope, question_visible
from plugins.agriculture.models import Photo
from plugins.agriculture.schemas import (
    AnswerIn,
    ContactIn,
    PostIn,
    PriceIn,
    PriceQuery,
    QuestionIn,
    SearchQuery,
)
from plugins.agriculture.views import _errors, common


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _tenant_name(ctx: Any, tenant_id: int) -> str:
    t = ctx.platform.directory.by_id.get(tenant_id)
    return "" if t is None else (t.name if ctx.lang == "zh-CN" else t.name_en or t.name)


# -- prices -------------------------------------------------------------------------------------------


async def _price_post(request: Request) -> None:
    ctx = _ctx(request)
    form = await form_data(request, max_file_mb=5)
    action = str(form.get("action", ""))
    if action == "import":
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid(
                "Choose a CSV file",
                "请选择 CSV 文件",
                fields={"file": "required"},
                fields_zh={"file": "必填"},
            )
        suffix = ".json" if upload.filename.lower().endswith(".json") else ".csv"
        blob = await upload.read()
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / (Path(upload.filename).stem[:60] + suffix)
            path.write_bytes(blob)
            file = prices.read_file(path, max_rows=5000)

        def work() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                prices.import_file(s, ctx.tenant, file, actor=ctx.actor.label)

    else:
        data = validate(PriceIn, {k: v for k, v in form.items() if k not in ("csrf_token", "action")})

        def work() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                prices.add(s, ctx.tenant, data, actor=ctx.actor.label)

    await ctx.platform.db.run(work)


def _price_charts(ctx: Any, rows: list[Any], product: str) -> dict[str, Any]:
    if not product or not rows:
        return {"line": None, "bar": None}
    series = prices.by_county(rows)
    days = sorted({d for per in series.values() for d in per})
    names = {tid: _tenant_name(ctx, tid) for tid in series}
    line = charts.line_chart(
        f"{product} · {'日均价格（元）' if ctx.lang == 'zh-CN' else 'Daily average price (yuan)'}",
        [d.strftime("%m-%d") for d in days],
        {
            names[t]: [float(prices.yuan(per[d])) if d in per else None for d in days]
            for t, per in series.items()
        },
    )
    latest = {t: per[max(per)] for t, per in series.items()}
    bar = charts.bar_chart(
        f"{product} · {'各县区最新价格（元）' if ctx.lang == 'zh-CN' else 'Latest price by county (yuan)'}",
        [names[t] for t in latest],
        {product: [float(prices.yuan(v)) for v in latest.values()]},
    )
    return {"line": line, "bar": bar}


@require(P.BUREAU)
async def prices_post(request: Request) -> Response:
    """The bureau enters a price or imports a file (all or nothing); errors re-render the page."""
    ctx = _ctx(request)
    try:
        await _price_post(request)
    except DomainError as exc:
        return await _prices(request, _errors(exc, ctx.lang), exc.status)
    return RedirectResponse(f"/t/{ctx.tenant.code}/agriculture/prices", status_code=303)


@require(P.PRICE_VIEW)
async def prices_page(request: Request) -> Response:
    """Prices here and below: a product's series per county over time, the latest across counties, the
    table with anomalies marked."""
    return await _prices(request, None, 200)


async def _prices(request: Request, errors: Any, status: int) -> Response:
    ctx = _ctx(request)
    q = validate(PriceQuery, {k: v for k, v in request.query_params.items() if k in ("product", "days")})

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(ctx.tenant.subtree_scope) as s:
            names = prices.products(s)
            product = q.product or (names[0] if names else "")
            rows, marks = price_rows(s, ctx.platform, product, q.days)
            s.expunge_all()
            return {"products": names, "product": product, "rows": rows, "marks": marks}

    data = await ctx.platform.db.run(work)
    band = ctx.platform.tenant_setting(ctx.tenant, prices.BAND_KEY)
    return render(
        request,
        "agriculture/prices.html",
        common(
            request,
            errors=errors,
            days=q.days,
            band=band,
            yuan=prices.yuan,
            tenant_name=lambda t: _tenant_name(ctx, t),
            **_price_charts(ctx, data["rows"], data["product"]),
            **data,
        ),
        status=status,
    )


# -- supply and demand ----------------------------------------------------------------------------------


@require(P.POST)
async def posts_post(request: Request) -> Response:
    ctx = _ctx(request)
    try:
        data = validate(PostIn, await read_form(request))

        def act() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                market.create(
                    s, ctx.tenant, data, account_id=ctx.actor.account_id, name=ctx.actor.display_name
                )

        await ctx.platform.db.run(act)
    except DomainError as exc:
        return await _posts(request, _errors(exc, ctx.lang), exc.status)
    return RedirectResponse(f"/t/{ctx.tenant.code}/agriculture/posts", status_code=303)


@require(P.POST_VIEW)
async def posts_page(request: Request) -> Response:
    return await _posts(request, None, 200)


async def _posts(request: Request, errors: Any, status: int) -> Response:
    ctx = _ctx(request)
    kind = request.query_params.get("kind", "")
    kind = kind if kind in market.KINDS else ""

    def work() -> list[Any]:
        with ctx.platform.db.session(ctx.tenant.subtree_scope) as s:
            rows = market.listing(s, kind)
            s.expunge_all()
            return rows

    rows = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/posts.html",
        common(
            request,
            rows=rows,
            kind=kind,
            kinds=market.KINDS,
            errors=errors,
            tenant_name=lambda t: _tenant_name(ctx, t),
        ),
        status=status,
    )


@require(P.POST, visible=post_visible)
async def post_contact(request: Request) -> Response:
    """A message to the poster through the platform; the page says it was sent."""
    ctx = _ctx(request)
    pid = int(request.path_params["post_id"])
    try:
        data = validate(ContactIn, await read_form(request))

        def act() -> None:
            with ctx.platform.db.transaction(province_scope(ctx.platform, ctx.tenant)) as s:
                market.contact(
                    s,
                    ctx.platform,
                    market.get(s, pid),
                    account_id=ctx.actor.account_id,
                    name=ctx.actor.display_name,
                    message=data.message,
                )

        await ctx.platform.db.run(act)
    except DomainError as exc:
        return await _post(request, _errors(exc, ctx.lang), exc.status, sent=False)
    return await _post(request, None, 200, sent=True)


@require(P.POST_VIEW, visible=post_visible)
async def post_page(request: Request) -> Response:
    """One post, its matches nearest first, and the contact form (signed-in users; guests see no phone)."""
    return await _post(request, None, 200, sent=False)


async def _post(request: Request, errors: Any, status: int, *, sent: bool) -> Response:
    ctx = _ctx(request)
    pid = int(request.path_params["post_id"])

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(province_scope(ctx.platform, ctx.tenant)) as s:
            post = market.get(s, pid)
            found = market.matches(s, post)
            s.expunge_all()
            return {"post": post, "matches": found}

    data = await ctx.platform.db.run(work)
    show_phone = ctx.allowed(P.BUREAU_VIEW) or data["post"].account_id == ctx.actor.account_id
    return render(
        request,
        "agriculture/post.html",
        common(
            request,
            errors=errors,
            sent=sent,
            kinds=market.KINDS,
            show_phone=show_phone,
            tenant_name=lambda t: _tenant_name(ctx, t),
            **data,
        ),
        status=status,
    )


# -- 12316 ----------------------------------------------------------------------------------------------


@require(P.ASK)
async def ask_post(request: Request) -> Response:
    """A question with up to three photos (type by content, size checked); errors re-render the page."""
    ctx = _ctx(request)
    posted = await form_data(request, max_file_mb=3)
    form = {k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        data = validate(QuestionIn, {k: form.get(k, "") for k in ("title", "body")})
        photos = [
            desk.Upload(f.filename or "", await f.read(desk.MAX_PHOTO_BYTES + 1))
            for f in posted.getlist("photos")
            if isinstance(f, UploadFile) and f.filename
        ]

        def act() -> None:
            with ctx.platform.db.transaction(ctx.tenant.scope) as s:
                desk.ask(
                    s,
                    ctx.platform,
                    ctx.tenant,
                    data,
                    photos,
                    account_id=ctx.actor.account_id,
                    name=ctx.actor.display_name,
                )

        await ctx.platform.db.run(act)
    except DomainError as exc:
        return await _ask(request, _errors(exc, ctx.lang), exc.status, form)
    return RedirectResponse(f"/t/{ctx.tenant.code}/agriculture/ask", status_code=303)


@require(P.KNOWLEDGE)
async def ask_page(request: Request) -> Response:
    """Ask (signed in) and search the published answers."""
    return await _ask(request, None, 200, {})


async def _ask(request: Request, errors: Any, status: int, form: dict[str, Any]) -> Response:
    ctx = _ctx(request)
    search = validate(SearchQuery, {"q": request.query_params.get("q", "")[:100]})

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(province_scope(ctx.platform, ctx.tenant)) as s:
            found = desk.knowledge(s, search.q)
            s.expunge_all()
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            mine = desk.mine(s, ctx.tenant, ctx.actor.account_id)
            s.expunge_all()
        return {"found": found, "mine": mine}

    data = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/ask.html",
        common(
            request, errors=errors, form=form, q=search.q, tenant_name=lambda t: _tenant_name(ctx, t), **data
        ),
        status=status,
    )


@require(P.ANSWER)
async def desk_page(request: Request) -> Response:
    ctx = _ctx(request)

    def work() -> list[Any]:
        with ctx.platform.db.session(ctx.tenant.subtree_scope) as s:
            rows = desk.for_experts(s, ctx.tenant)
            s.expunge_all()
            return rows

    rows = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/desk.html",
        common(request, rows=rows, tenant_name=lambda t: _tenant_name(ctx, t)),
    )


@require(P.ANSWER, visible=question_visible)
async def question_page(request: Request) -> Response:
    ctx = _ctx(request)
    qid = int(request.path_params["question_id"])
    errors: Any = None
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        form["publish"] = form.get("publish") == "yes"
        try:
            data = validate(AnswerIn, form)

            def act() -> None:
                with ctx.platform.db.transaction(ctx.tenant.subtree_scope) as s:
                    desk.answer(s, ctx.platform, ctx.tenant, qid, data, actor=ctx.actor.label)

            await ctx.platform.db.run(act)
            return RedirectResponse(f"/t/{ctx.tenant.code}/agriculture/desk", status_code=303)
        except DomainError as exc:
            errors, status = _errors(exc, ctx.lang), exc.status

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(ctx.tenant.subtree_scope) as s:
            q = desk.get_for_expert(s, ctx.tenant, qid)
            photo_ids = list(
                s.scalars(
                    Photo.__table__.select()
                    .with_only_columns(Photo.id)
                    .where(Photo.question_id == q.id)
                    .order_by(Photo.id)
                )
            )
            s.expunge_all()
            return {"question": q, "photo_ids": photo_ids}

    data = await ctx.platform.db.run(work)
    return render(
        request,
        "agriculture/question.html",
        common(request, errors=errors, tenant_name=lambda t: _tenant_name(ctx, t), **data),
        status=status,
    )


@require(P.ANSWER, visible=question_visible)
async def question_photo(request: Request) -> Response:
    ctx = _ctx(request)
    qid, pid = int(request.path_params["question_id"]), int(request.path_params["photo_id"])

    def work() -> tuple[str, bytes]:
        with ctx.platform.db.session(ctx.tenant.subtree_scope) as s:
            p = desk.photo(s, desk.get_for_expert(s, ctx.tenant, qid), pid)
            return p.content_type, p.data

    kind, blob = await ctx.platform.db.run(work)
    return Response(
        blob,
        media_type=kind,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/prices", prices_page, methods=["GET"]),
        Route("/prices", prices_post, methods=["POST"]),
        Route("/posts", posts_page, methods=["GET"]),
        Route("/posts", posts_post, methods=["POST"]),
        Route("/posts/{post_id:int}", post_page, methods=["GET"]),
        Route("/posts/{post_id:int}", post_contact, methods=["POST"]),
        Route("/ask", ask_page, methods=["GET"]),
        Route("/ask", ask_post, methods=["POST"]),
        Route("/desk", desk_page),
        Route("/desk/{question_id:int}", question_page, methods=["GET", "POST"]),
        Route("/desk/{question_id:int}/photos/{photo_id:int}", question_photo),
    ]
