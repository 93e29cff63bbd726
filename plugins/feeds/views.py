"""Operators' pages: the feeds of this tenant (records held per stream as a chart, sending systems, recent
batches) and one batch with its per-record errors; the records of one stream (what a card links to)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.api import NotFound, charts, render, require
from plugins.feeds import permissions as P
from plugins.feeds import services
from plugins.feeds.api import batch_here, batch_out
from plugins.feeds.ingest import STATUSES
from plugins.feeds.models import CHANNELS, SOURCE_STATES
from plugins.feeds.streams import PACKS, STREAMS

RECORDS_SHOWN = 50


def _ctx(request: Request) -> Any:
    return request.state.ctx


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh-CN" else pair[1]


@require(P.VIEW)
async def index(request: Request) -> Response:
    ctx = _ctx(request)

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            counts = services.record_counts(s, ctx.tenant)
            batches = [batch_out(b, ctx.lang) for b in services.batches(s, ctx.tenant, limit=20)]
            srcs = [
                {
                    "title": r.title,
                    "client_id": r.client_id,
                    "department": r.department_code,
                    "streams": [
                        STREAMS[n].title_zh if ctx.lang == "zh-CN" else STREAMS[n].title_en
                        for n in r.streams
                        if n in STREAMS
                    ],
                    "state": _pick(SOURCE_STATES.get(r.state, (r.state, r.state)), ctx.lang),
                }
                for r in services.sources(s, ctx.tenant)
            ]
            return counts, batches, srcs

    counts, batches, srcs = await ctx.platform.db.run(work)
    zh = ctx.lang == "zh-CN"
    streams = [
        {
            "name": n,
            "title": st.title_zh if zh else st.title_en,
            "pack": _pick(PACKS[st.pack][1:], ctx.lang),
            "count": counts[n],
        }
        for n, st in STREAMS.items()
    ]
    chart = charts.bar_chart(
        "各数据流记录数" if zh else "Records held per stream",
        [s["title"] for s in streams],
        {"记录数" if zh else "Records": [s["count"] for s in streams]},
        horizontal=True,
    )
    for b in batches:
        b["channel_title"] = _pick(CHANNELS.get(b["channel"], (b["channel"], b["channel"])), ctx.lang)
    return render(
        request, "feeds/index.html", {"streams": streams, "batches": batches, "sources": srcs, "chart": chart}
    )


@require(P.VIEW, visible=batch_here)
async def batch(request: Request) -> Response:
    ctx = _ctx(request)
    bid = int(request.path_params["feed_batch_id"])

    def work() -> Any:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            return batch_out(services.batch(s, ctx.tenant, bid), ctx.lang), services.errors(
                s, ctx.tenant, bid
            )

    b, errors = await ctx.platform.db.run(work)
    b["channel_title"] = _pick(CHANNELS.get(b["channel"], (b["channel"], b["channel"])), ctx.lang)
    outcome = [(_pick(STATUSES[k], ctx.lang), b[k]) for k in STATUSES]
    return render(request, "feeds/batch.html", {"b": b, "errors": errors, "outcome": outcome})


@require(P.VIEW)
async def records(request: Request) -> Response:
    ctx = _ctx(request)
    st = STREAMS.get(request.path_params["stream"])
    if st is None:
        raise NotFound("No such stream", "没有该数据流", code="unknown_stream")
    key = request.query_params.get("key", "")[:200]
    cols = [
        c
        for c in st.table.columns
        if c.name not in ("id", "tenant_id", "tenant_path", "batch_id", "source_version")
    ]

    def work() -> list[Any]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            stmt = select(*cols).where(st.table.c.tenant_id == ctx.tenant.id)
            if key:
                stmt = stmt.where(st.table.c[st.key[0]] == key.split("|")[0])
            return [list(r) for r in s.execute(stmt.order_by(st.table.c.id.desc()).limit(RECORDS_SHOWN))]

    rows = await ctx.platform.db.run(work)
    title = st.title_zh if ctx.lang == "zh-CN" else st.title_en
    return render(
        request,
        "feeds/records.html",
        {"title": title, "columns": [c.name for c in cols], "rows": rows, "key": key, "stream": st.name},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/", index),
        Route("/batches/{feed_batch_id:int}", batch),
        Route("/records/{stream}", records),
    ]
