"""The hall plugin's JSON API: a tenant and its departments (public information).

These are the hottest reads of the hall and the benchmark's "one row through the full chain"
(bench/bench_http.py): a statement built once, one pooled connection, no ORM unit of work — the
engineered data path BASELINES.md points at (the ORM, not the driver, dominates a one-row read).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.access import require
from core.errors import NotFound
from core.hall import HALL_VIEW
from core.tenancy.models import Department
from core.web.api import OutModel, api_doc, page_model


class TenantOut(OutModel):
    code: str
    name: str
    name_en: str
    level: str
    kind: str
    path: str


class TenantTreeOut(TenantOut):
    ancestors: list[TenantOut]
    children: list[TenantOut]


class DepartmentOut(OutModel):
    code: str
    name: str
    name_en: str

_dep = Department.__table__
# Built once at import; SQLAlchemy caches its compiled form, so a request pays only for execution.
_ONE_DEPARTMENT = select(_dep.c.code, _dep.c.name, _dep.c.name_en).where(
    _dep.c.tenant_id == bindparam("tenant_id"), _dep.c.code == bindparam("code")
)
_DEPARTMENTS = select(_dep.c.code, _dep.c.name, _dep.c.name_en).where(
    _dep.c.tenant_id == bindparam("tenant_id")
).order_by(_dep.c.code)


def _tenant_json(t: Any) -> dict[str, Any]:
    return {"code": t.code, "name": t.name, "name_en": t.name_en, "level": t.level, "kind": t.kind,
            "path": t.path}


@api_doc(response=TenantTreeOut, summary="This hall, its parents and its children")
@require(HALL_VIEW)
async def tenant_info(request: Request) -> Any:
    """The tenant, its parent chain and its children."""
    ctx = request.state.ctx
    d = ctx.platform.directory
    return {**_tenant_json(ctx.tenant),
            "ancestors": [_tenant_json(a) for a in d.ancestors(ctx.tenant)[:-1]],
            "children": [_tenant_json(c) for c in d.kids(ctx.tenant)]}


@api_doc(response=page_model(DepartmentOut),
         summary="Every department of this hall's government (one page: next_cursor is always null)")
@require(HALL_VIEW)
async def departments(request: Request) -> Any:
    """Every department of the tenant's government."""
    ctx = request.state.ctx
    db = ctx.platform.db

    def read() -> list[dict[str, Any]]:
        with db.reader.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(_DEPARTMENTS, {"tenant_id": ctx.tenant.id})]

    return {"items": await db.run(read), "next_cursor": None}


@api_doc(response=DepartmentOut, summary="One department by its code")
@require(HALL_VIEW)
async def department(request: Request) -> Any:
    """One department by its code."""
    ctx = request.state.ctx
    db = ctx.platform.db
    code = request.path_params["code"]

    def read() -> Any:
        with db.reader.connect() as conn:
            return conn.execute(_ONE_DEPARTMENT, {"tenant_id": ctx.tenant.id, "code": code}).first()

    row = await db.run(read)
    if row is None:
        raise NotFound(f"no department {code!r} at {ctx.tenant.code}",
                       f"{ctx.tenant.name}没有代码为 {code} 的部门")
    return dict(row._mapping)


def routes() -> list[BaseRoute]:
    return [
        Route("/tenant", tenant_info),
        Route("/departments", departments),
        Route("/departments/{code}", department),
    ]
