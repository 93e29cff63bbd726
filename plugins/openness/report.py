"""The annual report's figures on requests (政府信息公开工作年度报告, "收到和处理政府信息公开申请情况"),
computed from the requests themselves: received in the year by channel and by requester, carried over,
handled by kind of reply and ground, carried into the next year, and replied on time or late. One
aggregate query per table over the hall's scope; a page with charts and a CSV of the same figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.api import charts, render, require, today, translate
from plugins.openness import law
from plugins.openness import permissions as P
from plugins.openness.models import DisclosureRequest as REQ
from plugins.openness.schemas import DisclosureReportQuery
from plugins.openness.web import common, ctx, run

KINDS = tuple(law.REQUESTER_KINDS)


def figures(session: Session, tenant: Any, year: int) -> dict[str, Any]:
    """Every figure of the year at ``tenant``; counts per requester kind (``person``/``legal``/``other``)
    and in total."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    here = REQ.tenant_id == tenant.id
    by_kind = {k: 0 for k in KINDS}

    def per_kind(rows: Any) -> dict[str, int]:
        out = dict(by_kind)
        for kind, n in rows:
            out[kind] = out.get(kind, 0) + int(n)
        return out | {"total": sum(out[k] for k in KINDS)}

    new = per_kind(
        session.execute(
            select(REQ.requester_kind, func.count())
            .where(here, REQ.received_on.between(first, last))
            .group_by(REQ.requester_kind)
        )
    )
    carried = per_kind(
        session.execute(
            select(REQ.requester_kind, func.count())
            .where(here, REQ.received_on < first, or_(REQ.replied_on.is_(None), REQ.replied_on >= first))
            .group_by(REQ.requester_kind)
        )
    )
    ahead = per_kind(
        session.execute(
            select(REQ.requester_kind, func.count())
            .where(here, REQ.received_on <= last, or_(REQ.replied_on.is_(None), REQ.replied_on > last))
            .group_by(REQ.requester_kind)
        )
    )
    channels = {ch: 0 for ch in law.CHANNELS} | {
        ch: int(n)
        for ch, n in session.execute(
            select(REQ.channel, func.count())
            .where(here, REQ.received_on.between(first, last))
            .group_by(REQ.channel)
        )
    }
    handled: dict[tuple[str, str], dict[str, int]] = {}
    late_when = and_(REQ.due_on.is_not(None), REQ.replied_on > REQ.due_on)
    timely = {"on_time": 0, "late": 0, "extended": 0}
    for outcome, ground, kind, n, late, extended in session.execute(
        select(
            REQ.outcome,
            REQ.ground,
            REQ.requester_kind,
            func.count(),
            func.sum(case((late_when, 1), else_=0)),
            func.sum(case((REQ.extension_state == "approved", 1), else_=0)),
        )
        .where(here, REQ.replied_on.between(first, last))
        .group_by(REQ.outcome, REQ.ground, REQ.requester_kind)
    ):
        cell = handled.setdefault((outcome, ground), dict(by_kind))
        cell[kind] = cell.get(kind, 0) + int(n)
        if (outcome, ground) != ("other", "withdrawn"):
            timely["late"] += int(late or 0)
            timely["on_time"] += int(n) - int(late or 0)
        timely["extended"] += int(extended or 0)
    rows: list[dict[str, Any]] = []
    for outcome, (zh, en, grounds) in law.OUTCOMES.items():
        keys = [(outcome, g) for g in grounds] or [(outcome, "")]
        for key in keys:
            cell = handled.get(key, dict(by_kind))
            gzh, gen = grounds.get(key[1], ("", ""))
            rows.append(
                {
                    "outcome": outcome,
                    "ground": key[1],
                    "name_zh": gzh or zh,
                    "name_en": gen or en,
                    "group_zh": zh,
                    "group_en": en,
                    **cell,
                    "total": sum(cell.get(k, 0) for k in KINDS),
                }
            )
    handled_total = {k: sum(int(r[k]) for r in rows) for k in (*KINDS, "total")}
    return {
        "year": year,
        "new": new,
        "carried": carried,
        "ahead": ahead,
        "channels": channels,
        "rows": rows,
        "handled": handled_total,
        "timely": timely,
    }


def _year(request: Request) -> int:
    try:
        q = DisclosureReportQuery.model_validate(dict(request.query_params))
    except ValidationError:
        q = DisclosureReportQuery()
    this = today(ctx(request).platform).year
    return q.year if 2000 <= q.year <= this else this


@require(P.REPORT)
async def page(request: Request) -> Response:
    c = ctx(request)
    year = _year(request)
    data = await run(request, lambda s: figures(s, c.tenant, year), write=False)
    zh = c.lang == "zh-CN"
    t = translate
    chart_channels = charts.bar_chart(
        t(request, "Requests received by channel"),
        [v[0] if zh else v[1] for v in law.CHANNELS.values()],
        {t(request, "Requests"): [data["channels"][k] for k in law.CHANNELS]},
    )
    groups: dict[str, int] = {}
    for r in data["rows"]:
        name = r["group_zh"] if zh else r["group_en"]
        groups[name] = groups.get(name, 0) + r["total"]
    chart_outcomes = charts.bar_chart(
        t(request, "Requests handled by kind of reply"),
        list(groups),
        {t(request, "Requests"): list(groups.values())},
        horizontal=True,
    )
    this = today(c.platform).year
    return render(
        request,
        "openness/report.html",
        common(
            request,
            f=data,
            chart_channels=chart_channels,
            chart_outcomes=chart_outcomes,
            years=list(range(this, this - 5, -1)),
            every_row=request.query_params.get("all") == "1",
            kinds=KINDS,
        ),
    )


@require(P.REPORT)
async def csv_file(request: Request) -> Response:
    c = ctx(request)
    year = _year(request)
    f = await run(request, lambda s: figures(s, c.tenant, year), write=False)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "项目 item",
            "依据 ground",
            "自然人 natural person",
            "法人 legal person",
            "其他组织 other organisation",
            "总计 total",
        ]
    )

    def line(zh: str, en: str, cells: dict[str, int], ground: str = "") -> None:
        w.writerow([f"{zh} {en}", ground, *[cells.get(k, 0) for k in KINDS], cells.get("total", 0)])

    line("本年新收政府信息公开申请数量", "Received this year", f["new"])
    line("上年结转政府信息公开申请数量", "Carried over from last year", f["carried"])
    for r in f["rows"]:
        ground = f"{r['name_zh']} {r['name_en']}" if r["ground"] else ""
        line(r["group_zh"], r["group_en"], r, ground)
    line("总计", "Total handled", f["handled"])
    line("结转下年度继续办理", "Carried into next year", f["ahead"])
    for ch, (zh, en) in law.CHANNELS.items():
        w.writerow([f"收到申请：{zh} Received: {en}", "", "", "", "", f["channels"][ch]])
    w.writerow(["按期答复 Replied on time", "", "", "", "", f["timely"]["on_time"]])
    w.writerow(["逾期答复 Replied late", "", "", "", "", f["timely"]["late"]])
    w.writerow(["延期答复 Extended (approved)", "", "", "", "", f["timely"]["extended"]])
    name = f"openness-{c.tenant.code}-{year}.csv"
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def routes() -> list[BaseRoute]:
    return [Route("/report", page), Route("/report.csv", csv_file)]
