"""Staff pages: this tenant's licences and their state changes; the console's licence catalogue and the
item -> licence type table. Bad input re-renders the form with the errors named, changing nothing."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    DomainError,
    Invalid,
    NotFound,
    form_errors,
    read_form,
    render,
    require,
    run_scoped,
    tenant_object,
)
from plugins.licence import catalogue, services
from plugins.licence import permissions as P
from plugins.licence.api import licence_here
from plugins.licence.models import LicenceType
from plugins.licence.schemas import ActIn, ChangeIn, LicenceTypeIn, MappingIn
from plugins.licence.views import common, pdf_response

type_here = tenant_object(LicenceType, "type_id", "No such licence type here", "本级没有该证照类型")


def _ctx(request: Request) -> Any:
    return request.state.ctx


def errors_of(request: Request, exc: Exception) -> dict[str, str]:
    """Field -> message in the page's language (pydantic errors and domain errors alike)."""
    return form_errors(exc, lang=_ctx(request).lang)


# -- licences -------------------------------------------------------------------------------------------


@require(P.LICENCE_VIEW)
async def licences(request: Request) -> Response:
    ctx = _ctx(request)
    state = request.query_params.get("state") or None
    q = request.query_params.get("q", "").strip()[:60]
    rows = await run_scoped(
        request, lambda s: services.tenant_licences(s, ctx.tenant, state=state, q=q)
    )
    return render(request, "licence/licences.html", common(request, rows=rows, state=state or "", q=q))


def _detail(s: Any, tenant: Any, licence_id: int) -> dict[str, Any]:
    lic = services.load(s, tenant, licence_id)
    return {"licence": lic, "history": services.history(s, lic.id), "newer": services.newer(s, lic)}


@require(P.LICENCE_VIEW, visible=licence_here)
async def licence_page(request: Request) -> Response:
    return await _licence_page(request)


async def _licence_page(
    request: Request, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    ctx = _ctx(request)
    data = await run_scoped(
        request, lambda s: _detail(s, ctx.tenant, int(request.path_params["licence_id"]))
    )
    return render(
        request, "licence/licence.html", common(request, errors=errors or {}, **data), status=status
    )


@require(P.LICENCE_VIEW, visible=licence_here)
async def licence_pdf(request: Request) -> Response:
    ctx = _ctx(request)
    lic, pdf = await run_scoped(
        request,
        lambda s: (lambda x: (x, x.pdf))(
            services.load(s, ctx.tenant, int(request.path_params["licence_id"]))
        ),
        write=False,
    )
    return pdf_response(lic, pdf)


@require(P.LICENCE_MANAGE, visible=licence_here)
async def licence_act(request: Request) -> Response:
    """Suspend, reinstate, revoke (with a reason) or change (a new version) one licence."""
    ctx = _ctx(request)
    action = request.path_params["action"]
    licence_id = int(request.path_params["licence_id"])
    form = await read_form(request)
    try:
        if action == "change":
            values = {k.removeprefix("f_"): str(v) for k, v in form.items() if k.startswith("f_")}
            data = ChangeIn.model_validate(
                {
                    "version": form.get("version"),
                    "reason": form.get("reason", ""),
                    "fields": values,
                    "holder_name": form.get("holder_name") or None,
                }
            )
            new = await run_scoped(
                request,
                lambda s: services.change(
                    s,
                    ctx.platform,
                    ctx.tenant,
                    licence_id,
                    version=data.version,
                    reason=data.reason,
                    values=data.fields,
                    holder_name=data.holder_name,
                    actor=ctx.actor.label,
                ),
                write=True,
            )
            return RedirectResponse(f"/t/{ctx.tenant.code}/licence/licences/{new.id}", status_code=303)
        if action not in ("suspend", "reinstate", "revoke"):
            raise NotFound("No such action", "没有该操作")
        act = ActIn.model_validate({"version": form.get("version"), "reason": form.get("reason", "")})
        await run_scoped(
            request,
            lambda s: services.act(
                s,
                ctx.tenant,
                licence_id,
                action,
                version=act.version,
                reason=act.reason,
                actor=ctx.actor.label,
            ),
            write=True,
        )
    except ValidationError as exc:
        return await _licence_page(request, errors_of(request, exc), 422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _licence_page(request, errors_of(request, exc), exc.status)
    return RedirectResponse(f"/t/{ctx.tenant.code}/licence/licences/{licence_id}", status_code=303)


# -- console: catalogue and mappings ----------------------------------------------------------------------


def _type_form(form: dict[str, Any]) -> LicenceTypeIn:
    """The type form: fields as one JSON text area (a list of {name, label, label_en, source})."""
    raw = str(form.get("fields") or "[]")
    try:
        fields = json.loads(raw)
    except ValueError:
        raise Invalid(
            "fields is not valid JSON", "“证照字段”不是有效的 JSON", fields={"fields": "not valid JSON"}
        ) from None
    values = {k: v for k, v in form.items() if k not in ("fields", "version")}
    return LicenceTypeIn.model_validate({**values, "fields": fields})


async def _catalogue(request: Request, **extra: Any) -> Response:
    rows = await run_scoped(
        request, lambda s: {"types": catalogue.types(s), "mappings": catalogue.mappings(s)}
    )
    status = extra.pop("status", 200)
    values = {"form": {}, "errors": {}, "map_form": {}, "map_errors": {}, **extra}
    return render(request, "licence/types.html", common(request, **rows, **values), status=status)


@require(P.TYPE_MANAGE)
async def types_page(request: Request) -> Response:
    ctx = _ctx(request)
    if request.method == "GET":
        return await _catalogue(request)
    form = await read_form(request)
    try:
        data = _type_form(form)
        await run_scoped(
            request,
            lambda s: catalogue.create_type(s, ctx.tenant, data, actor=ctx.actor.label),
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _catalogue(
            request,
            form=form,
            errors=errors_of(request, exc),
            status=getattr(exc, "status", 422) if isinstance(exc, DomainError) else 422,
        )
    return RedirectResponse(f"/t/{ctx.tenant.code}/licence/types", status_code=303)


@require(P.TYPE_MANAGE, visible=type_here)
async def type_edit(request: Request) -> Response:
    ctx = _ctx(request)
    type_id = int(request.path_params["type_id"])

    def current(s: Any) -> Any:
        row = next((t for t in catalogue.types(s) if t.id == type_id), None)
        if row is None:
            raise NotFound("No such licence type here", "本级证照目录中没有该证照类型")
        return row

    row = await run_scoped(request, current)
    form: dict[str, Any] = {
        **{
            k: getattr(row, k)
            for k in (
                "code",
                "name",
                "name_en",
                "department_code",
                "department_name",
                "issuer_code",
                "holder_kind",
                "validity_months",
                "version",
            )
        },
        "fields": json.dumps(row.fields, ensure_ascii=False, indent=1),
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            data = _type_form(form)
            version = int(str(form.get("version", "0"))) if str(form.get("version", "")).isdigit() else -1
            await run_scoped(
                request,
                lambda s: catalogue.update_type(
                    s, ctx.tenant, type_id, data, version=version, actor=ctx.actor.label
                ),
                write=True,
            )
            return RedirectResponse(f"/t/{ctx.tenant.code}/licence/types", status_code=303)
        except (ValidationError, DomainError) as exc:
            errors = errors_of(request, exc)
            status = exc.status if isinstance(exc, DomainError) else 422
    return render(
        request, "licence/type_edit.html", common(request, row=row, form=form, errors=errors), status=status
    )


@require(P.TYPE_MANAGE)
async def mapping_add(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    try:
        data = MappingIn.model_validate(form)
        await run_scoped(
            request,
            lambda s: catalogue.set_mapping(s, ctx.tenant, data, actor=ctx.actor.label),
            write=True,
        )
    except (ValidationError, DomainError) as exc:
        return await _catalogue(
            request,
            map_form=form,
            map_errors=errors_of(request, exc),
            status=exc.status if isinstance(exc, DomainError) else 422,
        )
    return RedirectResponse(f"/t/{ctx.tenant.code}/licence/types", status_code=303)


@require(P.TYPE_MANAGE)
async def mapping_remove(request: Request) -> Response:
    ctx = _ctx(request)
    await read_form(request)
    item_code = request.path_params["item_code"]
    await run_scoped(
        request,
        lambda s: catalogue.remove_mapping(s, ctx.tenant, item_code, actor=ctx.actor.label),
        write=True,
    )
    return RedirectResponse(f"/t/{ctx.tenant.code}/licence/types", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/licences", licences),
        Route("/licences/{licence_id:int}", licence_page),
        Route("/licences/{licence_id:int}/pdf", licence_pdf),
        Route("/licences/{licence_id:int}/{action}", licence_act, methods=["POST"]),
        Route("/types", types_page, methods=["GET", "POST"]),
        Route("/types/{type_id:int}", type_edit, methods=["GET", "POST"]),
        Route("/mappings", mapping_add, methods=["POST"]),
        Route("/mappings/{item_code}/delete", mapping_remove, methods=["POST"]),
    ]
