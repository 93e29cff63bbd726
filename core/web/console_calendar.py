"""The console's calendar page: a year's days off and make-up working days and where they come from, the
warning for a year without a notice, entering a notice (provincial administrators) and local holidays.

Entering a notice is two steps: the notice text (the import format, docs/operations.md) is previewed with
the open deadlines it would move; confirming enters it and recomputes them in one audited step
(``core.holidays.enter``). Nothing is written on a refused or previewed input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core import holidays
from core.access import require
from core.calendar import HOLIDAY_NAMES
from core.hall import CONSOLE_VIEW, PLUGINS_MANAGE
from core.tenancy.directory import TenantRef
from core.web.forms import read_form
from core.web.render import render

MAX_NOTICE = 20_000  # characters of notice text
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


class NoticeForm(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_NOTICE)
    confirm: bool = False


class LocalForm(BaseModel):
    day: date
    name: str = Field(min_length=1, max_length=100)


def _year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    if raw.isdigit() and len(raw) == 4 and 1901 <= int(raw) <= 2099:
        return int(raw)
    return int(holidays_today(request).year)


def holidays_today(request: Request) -> date:
    from core.clock import today

    return today(request.state.ctx.platform)


def year_view(platform: Any, tenant: TenantRef, year: int) -> dict[str, Any]:
    from core.clock import calendar_for

    cal = calendar_for(platform, tenant)
    notice = cal.notices.get(year)
    return {
        "year": year, "source": cal.source(year), "provisional": cal.provisional(year),
        "sample": bool(notice and notice.sample), "title": notice.title if notice else "",
        "days_off": [{"day": d, "weekday": WEEKDAYS[d.weekday()], "key": k,
                      "name": HOLIDAY_NAMES.get(k, (k, k))} for d, k in cal.days_off(year).items()],
        "make_up": [{"day": d, "weekday": WEEKDAYS[d.weekday()]} for d in cal.make_up_days(year)],
        "working_days": cal.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)),
        "local": sorted((d, n) for d, n in cal.local.items() if d.year == year),
    }


def _page(request: Request, year: int, **extra: Any) -> dict[str, Any]:
    ctx = request.state.ctx
    tenant: TenantRef = ctx.tenant
    missing = holidays.missing_notice_years(ctx.platform)
    return {
        "view": year_view(ctx.platform, tenant, year), "years": [year - 1, year, year + 1],
        "missing": missing, "warning": holidays.warning_parts(missing) if missing else (),
        "can_enter": ctx.allowed(PLUGINS_MANAGE) and tenant.parent_id is None,
        "can_local": ctx.allowed(PLUGINS_MANAGE),
        "ancestors": ctx.platform.directory.ancestors(tenant)[:-1],
        "text": "", "preview": None, "refused": None, "saved": request.query_params.get("saved", ""),
        **extra,
    }


@require(CONSOLE_VIEW)
async def calendar_page(request: Request) -> Response:
    return render(request, "console/calendar.html", _page(request, _year(request)))


@require(PLUGINS_MANAGE)
async def enter_notice(request: Request) -> Response:
    """Preview (default) or, with ``confirm``, enter a notice; only at a top-level (provincial) hall."""
    ctx = request.state.ctx
    tenant: TenantRef = ctx.tenant
    form = NoticeForm.model_validate(await read_form(request))
    if tenant.parent_id is not None:
        page = _page(request, _year(request), text=form.text, refused={
            "zh": "节假日安排通知由省级管理员录入",
            "en": "A holiday notice is entered at the provincial hall"})
        return render(request, "console/calendar.html", page, status=403)
    try:
        notice = holidays.parse_notice(form.text)
        if not form.confirm:
            changes = await ctx.platform.db.run(lambda: holidays.preview(ctx.platform, notice))
            page = _page(request, notice.year, text=form.text, preview={"notice": notice, "changes": changes})
            return render(request, "console/calendar.html", page)
        await ctx.platform.db.run(lambda: holidays.enter(ctx.platform, notice, actor=ctx.actor.label))
    except holidays.NoticeError as exc:
        page = _page(request, _year(request), text=form.text, refused={"zh": str(exc), "en": str(exc)})
        return render(request, "console/calendar.html", page, status=422)
    return RedirectResponse(f"/t/{tenant.code}/console/calendar?year={notice.year}&saved=notice",
                            status_code=303)


@require(PLUGINS_MANAGE)
async def add_local(request: Request) -> Response:
    """Add a local holiday for this hall and every hall below it (national days off cannot be removed)."""
    ctx = request.state.ctx
    tenant: TenantRef = ctx.tenant
    form = LocalForm.model_validate(await read_form(request))
    try:
        await ctx.platform.db.run(lambda: holidays.add_local_holiday(
            ctx.platform, tenant, form.day, form.name, actor=ctx.actor.label))
    except holidays.NoticeError as exc:
        page = _page(request, form.day.year, refused={"zh": str(exc), "en": str(exc)})
        return render(request, "console/calendar.html", page, status=422)
    return RedirectResponse(f"/t/{tenant.code}/console/calendar?year={form.day.year}&saved=local",
                            status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/t/{tenant_code}/console/calendar", calendar_page, name="console_calendar"),
        Route("/t/{tenant_code}/console/calendar/notice", enter_notice, methods=["POST"],
              name="console_calendar_notice"),
        Route("/t/{tenant_code}/console/calendar/local", add_local, methods=["POST"],
              name="console_calendar_local"),
    ]
