"""Pages of the power and responsibility lists (权责清单): the public list (by department and category,
with a chart), one power with its editions, and the keepers' pages — the working list, a new power, a
draft's edit / publish, a published power's revision / repeal / item links — and the console's gaps
(published powers no item exercises; items linked to no power). Bad input re-renders the page with the
errors named, changing nothing; a stale form answers 409."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import DomainError, NotFound, actor_names, charts, read_form, render, require, translate
from plugins.openness import law, powers
from plugins.openness import permissions as P
from plugins.openness.schemas import ActIn, LinkIn, PowerEditIn, PowerIn, PowerQuery, RepealIn
from plugins.openness.services import departments
from plugins.openness.web import common, ctx, errors_of, run, status_of

POWER_FIELDS = tuple(PowerIn.model_fields)


def _names(request: Request, s: Any) -> dict[str, str]:
    zh = ctx(request).lang == "zh-CN"
    return {d.code: d.name if zh else (d.name_en or d.name) for d in departments(s, ctx(request).tenant)}


def _base(request: Request, **values: Any) -> dict[str, Any]:
    return common(request, categories=law.POWER_CATEGORIES, power_states=law.POWER_STATES, **values)


@require(P.POWER_VIEW)
async def public_list(request: Request) -> Response:
    c = ctx(request)
    try:
        q = PowerQuery.model_validate(dict(request.query_params))
    except ValidationError:
        q = PowerQuery()

    def load(s: Any) -> dict[str, Any]:
        return {
            "rows": powers.published(s, c.tenant, department=q.department, category=q.category),
            "counts": powers.by_category(s, c.tenant),
            "dept_names": _names(request, s),
        }

    data = await run(request, load, write=False)
    zh = c.lang == "zh-CN"
    chart = None
    if any(data["counts"].values()):
        chart = charts.bar_chart(
            translate(request, "Powers by category"),
            # short names on the axis (a phone's chart has room for four characters)
            [
                pair[0].removeprefix("行政").replace("其他行政权力", "其他") if zh else pair[1]
                for pair in law.POWER_CATEGORIES.values()
            ],
            {translate(request, "Powers"): [data["counts"][k] for k in law.POWER_CATEGORIES]},
            horizontal=True,
            height=420,
        )
    return render(request, "openness/powers.html", _base(request, q=q, chart=chart, **data))


def _edition(request: Request, s: Any, *, drafts: bool) -> dict[str, Any]:
    c = ctx(request)
    row = powers.get(s, c.tenant, int(request.path_params["power_id"]))
    if row.state == "draft" and not drafts:
        raise NotFound("No such power here", "本级没有该权力事项", code="unknown_power")
    items = {i["code"]: i for i in powers.catalogue_items(c.platform, c.tenant, s)}
    links = powers.links(s, c.tenant, row.code)
    linked = [(link, items.get(link.item_code)) for link in links]
    return {
        "who": actor_names(s, [link.linked_by for link in links]),
        "p": row,
        "history": powers.editions(s, c.tenant, row.code, drafts=drafts),
        "linked": linked,
        "dept_names": _names(request, s),
        "items": list(items.values()),
    }


async def power_visible(request: Request) -> None:
    """``require(visible=...)``: a published (or past) edition of this hall; drafts only for keepers."""
    drafts = ctx(request).allowed(P.POWER_MANAGE)
    await run(request, lambda s: _edition(request, s, drafts=drafts), write=False)


@require(P.POWER_VIEW, visible=power_visible)
async def public_power(request: Request) -> Response:
    data = await run(request, lambda s: _edition(request, s, drafts=False), write=False)
    return render(request, "openness/power.html", _base(request, **data))


# -- the keepers ----------------------------------------------------------------------------------------


@require(P.POWER_MANAGE)
async def manage(request: Request) -> Response:
    c = ctx(request)

    def load(s: Any) -> dict[str, Any]:
        return {"rows": powers.working(s, c.tenant), "dept_names": _names(request, s)}

    return render(
        request, "openness/powers_manage.html", _base(request, **await run(request, load, write=False))
    )


async def _new_form(request: Request, values: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    depts = await run(
        request, lambda s: [(d.code, d.name, d.name_en) for d in departments(s, c.tenant)], write=False
    )
    return render(
        request,
        "openness/power_new.html",
        _base(request, values=values, departments=depts, **extra),
        status=status,
    )


@require(P.POWER_MANAGE)
async def new_page(request: Request) -> Response:
    return await _new_form(request, {k: "" for k in POWER_FIELDS} | {"category": "licensing"})


@require(P.POWER_MANAGE)
async def new_post(request: Request) -> Response:
    c = ctx(request)
    form = await read_form(request)
    values = {k: str(form.get(k, "")) for k in POWER_FIELDS}
    try:
        data = PowerIn.model_validate(values)
        row = await run(request, lambda s: powers.create(s, c.tenant, data, c.actor.label))
    except (ValidationError, DomainError) as exc:
        return await _new_form(request, values, status=status_of(exc), errors=errors_of(request, exc))
    return RedirectResponse(f"/t/{c.tenant.code}/openness/powers/manage/{row.id}", status_code=303)


async def power_here(request: Request) -> None:
    """``require(visible=...)``: any edition of this hall (another hall's answers 404)."""
    c = ctx(request)
    await run(request, lambda s: powers.get(s, c.tenant, int(request.path_params["power_id"])), write=False)


async def _power_page(request: Request, status: int = 200, **extra: Any) -> Response:
    c = ctx(request)

    def load(s: Any) -> dict[str, Any]:
        return _edition(request, s, drafts=True) | {
            "departments": [(d.code, d.name, d.name_en) for d in departments(s, c.tenant)]
        }

    data = await run(request, load, write=False)
    return render(request, "openness/power_edit.html", _base(request, **data, **extra), status=status)


@require(P.POWER_MANAGE, visible=power_here)
async def power_page(request: Request) -> Response:
    return await _power_page(request)


ACTS: dict[str, Any] = {
    "edit": PowerEditIn,
    "publish": ActIn,
    "revise": ActIn,
    "repeal": RepealIn,
    "link": LinkIn,
    "unlink": LinkIn,
}


def _do(request: Request, s: Any, action: str, data: Any) -> int:
    c = ctx(request)
    who, platform, tenant = c.actor.label, c.platform, c.tenant
    row = powers.get(s, tenant, int(request.path_params["power_id"]))
    if action == "edit":
        powers.edit(
            s, tenant, row, data.version, PowerIn.model_validate(data.model_dump(exclude={"version"})), who
        )
    elif action == "publish":
        powers.publish(s, platform, tenant, row, data.version, who)
    elif action == "revise":
        return powers.revise(s, tenant, row, data.version, who).id
    elif action == "repeal":
        powers.repeal(s, platform, tenant, row, data.version, data.note, who)
    elif action == "link":
        powers.link(s, platform, tenant, row, data.item_code, who)
    elif action == "unlink":
        powers.unlink(s, tenant, data.item_code)
    return row.id


def _act(action: str) -> Any:
    @require(P.POWER_MANAGE, visible=power_here)
    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        form = await read_form(request)
        try:
            data = ACTS[action].model_validate(form)
            target = await run(request, lambda s: _do(request, s, action, data))
        except (ValidationError, DomainError) as exc:
            return await _power_page(
                request, status=status_of(exc), errors=errors_of(request, exc), form=form
            )
        return RedirectResponse(f"/t/{c.tenant.code}/openness/powers/manage/{target}", status_code=303)

    endpoint.__name__ = f"power_{action}"
    return endpoint


@require(P.POWER_MANAGE)
async def gaps(request: Request) -> Response:
    c = ctx(request)

    def load(s: Any) -> dict[str, Any]:
        return powers.gaps(c.platform, c.tenant, s) | {"dept_names": _names(request, s)}

    return render(
        request, "openness/power_gaps.html", _base(request, **await run(request, load, write=False))
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/powers", public_list),
        Route("/powers/{power_id:int}", public_power),
        Route("/powers/manage", manage),
        Route("/powers/manage/new", new_page, methods=["GET"]),
        Route("/powers/manage/new", new_post, methods=["POST"]),
        Route("/powers/manage/{power_id:int}", power_page),
        *[Route(f"/powers/manage/{{power_id:int}}/{a}", _act(a), methods=["POST"]) for a in ACTS],
        Route("/powers/gaps", gaps),
    ]
