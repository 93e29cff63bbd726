"""Pages of the good-and-bad reviews: public figures with charts (per department, item and locality),
the staff list of reviews and a bad review's rectification (the department verifies, rectifies and
replies; the duty team re-checks), and a person's own reviews with their outcome."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    Department,
    DomainError,
    NotFound,
    charts,
    departments_of,
    read_form,
    render,
    require,
    translate,
)
from plugins.interaction import permissions as P
from plugins.interaction import reviews
from plugins.interaction.models import RECTIFICATION_STATES, REVIEW_LEVELS, SOURCES, Review
from plugins.interaction.schemas import RecheckIn, RectifyIn
from plugins.interaction.web import common, ctx, errors_of, run, status_of


def _names(s: Any, tenant_ids: list[int], lang: str) -> dict[str, str]:
    rows = s.scalars(select(Department).where(Department.tenant_id.in_(tenant_ids))).all()
    return {d.code: (d.name if lang == "zh-CN" else (d.name_en or d.name)) for d in rows}


def _ctx(request: Request, **values: Any) -> dict[str, Any]:
    return common(request, levels=REVIEW_LEVELS, sources=SOURCES, rect_states=RECTIFICATION_STATES, **values)


@require(P.FIGURES)
async def figures(request: Request) -> Response:
    c = ctx(request)
    d = c.platform.directory
    kids = [k for k in d.kids(c.tenant) if "interaction" in c.platform.enabled(k)]

    def load(s: Any) -> dict[str, Any]:
        names = _names(s, [c.tenant.id], c.lang)
        by_dept = reviews.figures(s, [c.tenant.id], "department")
        for row in by_dept:
            row["name"] = names.get(row["key"], "") or translate(request, "Hall as a whole")
        by_item = reviews.figures(s, [c.tenant.id], "item")
        for row in by_item:
            row["name"] = row["key"] or translate(request, "Consultations and complaints")
        total = reviews.figures(s, [c.tenant.id], "tenant")
        by_kid = []
        for k in kids:  # a few dozen tenants at most below one hall
            f = reviews.figures(s, [x.id for x in [k, *d.descendants(k)]], "tenant")
            agg = {
                "name": k.name if c.lang == "zh-CN" else k.name_en,
                "total": sum(r["total"] for r in f),
                "bad": sum(r["bad"] for r in f),
            }
            by_kid.append(agg)
        return {
            "by_dept": by_dept,
            "by_item": by_item,
            "total": total[0] if total else None,
            "by_kid": by_kid,
        }

    data = await run(request, load, write=False, scope=c.tenant.subtree_scope)
    t = translate
    if data["by_dept"]:
        data["dept_chart"] = charts.bar_chart(
            t(request, "Ratings by department"),
            [r["name"] for r in data["by_dept"]],
            {
                t(request, "Good (3 to 5)"): [r["total"] - r["bad"] for r in data["by_dept"]],
                t(request, "Bad (1 or 2)"): [r["bad"] for r in data["by_dept"]],
            },
        )
    if data["total"]:
        data["level_chart"] = charts.pie_chart(
            t(request, "Ratings by level"),
            {
                REVIEW_LEVELS[n][0 if c.lang == "zh-CN" else 1]: data["total"]["levels"][n - 1]
                for n in range(5, 0, -1)
            },
        )
    if any(k["total"] for k in data["by_kid"]):
        data["kid_chart"] = charts.bar_chart(
            t(request, "Bad review rate by locality (%)"),
            [k["name"] for k in data["by_kid"]],
            {
                t(request, "Bad review rate"): [
                    round(k["bad"] * 100 / k["total"], 1) if k["total"] else None for k in data["by_kid"]
                ]
            },
            percent=True,
        )
    return render(request, "interaction/figures.html", _ctx(request, **data))


def _mine_only(request: Request, s: Any) -> list[str] | None:
    c = ctx(request)
    if c.allowed(P.MANAGE):
        return None
    return [d.code for d in departments_of(s, c.actor.account_id or -1, c.tenant.id)]


@require(P.HANDLE)
async def review_list(request: Request) -> Response:
    c = ctx(request)
    bad = request.query_params.get("bad", "1") == "1"

    def load(s: Any) -> dict[str, Any]:
        rows = reviews.listing(s, c.tenant, bad_only=bad)
        mine = _mine_only(request, s)
        if mine is not None:
            rows = [r for r in rows if r.department_code in mine]
        return {"rows": rows, "names": _names(s, [c.tenant.id], c.lang), "bad": bad}

    return render(request, "interaction/reviews.html", _ctx(request, **await run(request, load, write=False)))


def _review(request: Request, s: Any) -> Review:
    c = ctx(request)
    row = reviews.get(s, c.tenant, int(request.path_params["review_id"]))
    mine = _mine_only(request, s)
    if mine is not None and row.department_code not in mine:
        raise NotFound("No such review here", "本级没有该评价", code="unknown_review")
    return row


async def review_visible(request: Request) -> None:
    """``require(visible=...)``: a review of this hall about the caller's department (any, for the duty
    team); anything else answers like a missing one."""
    await run(request, lambda s: _review(request, s), write=False)


async def _review_page(request: Request, status: int = 200, **extra: Any) -> Response:
    c = ctx(request)

    def load(s: Any) -> dict[str, Any]:
        return {
            "r": _review(request, s),
            "names": _names(s, [c.tenant.id], c.lang),
            "can_manage": c.allowed(P.MANAGE),
            **extra,
        }

    return render(
        request,
        "interaction/review.html",
        _ctx(request, **await run(request, load, write=False)),
        status=status,
    )


@require(P.HANDLE, visible=review_visible)
async def review(request: Request) -> Response:
    return await _review_page(request)


def _review_act(action: str) -> Any:
    perm = P.HANDLE if action == "rectify" else P.MANAGE

    @require(perm, visible=review_visible)
    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        form = await read_form(request)
        for flag in ("verified", "passed"):
            if flag in form:
                form[flag] = form[flag] == "1"
        try:
            if action == "rectify":
                data: Any = RectifyIn.model_validate(form)
                await run(
                    request,
                    lambda s: reviews.rectify(
                        s,
                        c.platform,
                        c.tenant,
                        _review(request, s),
                        data.version,
                        verified=data.verified,
                        verification=data.verification,
                        measures=data.measures,
                        reply=data.reply,
                        actor=c.actor.label,
                    ),
                )
            else:
                data = RecheckIn.model_validate(form)
                await run(
                    request,
                    lambda s: reviews.recheck(
                        s,
                        c.platform,
                        c.tenant,
                        _review(request, s),
                        data.version,
                        data.passed,
                        data.note,
                        c.actor.label,
                    ),
                )
        except (ValidationError, DomainError) as exc:
            return await _review_page(
                request, status=status_of(exc), errors=errors_of(request, exc), form=form
            )
        return RedirectResponse(
            f"/t/{c.tenant.code}/interaction/reviews/{request.path_params['review_id']}", status_code=303
        )

    endpoint.__name__ = f"review_{action}"
    return endpoint


@require(P.MY_REVIEWS)
async def my_reviews(request: Request) -> Response:
    c = ctx(request)
    rows = await run(
        request, lambda s: reviews.listing(s, c.tenant, account_id=c.actor.account_id or -1), write=False
    )
    return render(request, "interaction/my_reviews.html", _ctx(request, rows=rows))


def routes() -> list[BaseRoute]:
    return [
        Route("/figures", figures),
        Route("/reviews", review_list),
        Route("/reviews/{review_id:int}", review),
        Route("/reviews/{review_id:int}/rectify", _review_act("rectify"), methods=["POST"]),
        Route("/reviews/{review_id:int}/recheck", _review_act("recheck"), methods=["POST"]),
        Route("/my-reviews", my_reviews),
    ]
