"""The baselines govhall is measured against (bench/bench_http.py): bare Starlette, no govhall code.

``hello`` answers a constant JSON; ``orm_row`` reads one department row with a naive SQLAlchemy ORM
session in a plain ``def`` endpoint (Starlette's threadpool) — the figure BASELINES.md calls
"+ one row by SQLAlchemy ORM". Database URL from BENCH_DATABASE_URL.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.settings import normalise_db_url
from core.tenancy.models import Department, Tenant

engine = create_engine(normalise_db_url(os.environ.get("BENCH_DATABASE_URL", "sqlite:///var/govhall.db")))


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


def orm_row(request: Request) -> JSONResponse:
    with Session(engine) as s:  # one query, one row (the tenant joined in, as govhall resolves it in memory)
        dep = s.scalar(select(Department).join(Tenant, Tenant.id == Department.tenant_id)
                       .where(Tenant.code == request.path_params["tenant"],
                              Department.code == request.path_params["code"]))
        return JSONResponse({"code": dep.code, "name": dep.name, "name_en": dep.name_en})


app = Starlette(routes=[
    Route("/hello", hello),
    Route("/row/{tenant}/{code}", orm_row),
])
