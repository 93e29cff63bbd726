"""The baselines govhall is measured against (bench/bench_http.py): bare Starlette, no govhall code.

``hello`` answers a constant JSON; ``orm_row`` reads one department row with a naive SQLAlchemy ORM
session in a plain ``def`` endpoint (Starlette's threadpool) — the figure BASELINES.md calls
"+ one row by SQLAlchemy ORM"; ``naive_application`` is the naive authenticated read: the bearer token
looked up by its hash with its account, then one application row, in one ORM session in a plain ``def``
endpoint — no tenant, permission, department or row-level security. Database URL from BENCH_DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import os

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.identity.models import Account, ApiToken
from core.settings import normalise_db_url
from core.tenancy.models import Department, Tenant
from plugins.approval.models import Application

engine = create_engine(normalise_db_url(os.environ.get("BENCH_DATABASE_URL", "sqlite:///var/govhall.db")))


def naive_application(request: Request) -> JSONResponse:
    raw = request.headers.get("authorization", "")[7:]
    with Session(engine) as s:
        found = s.execute(select(ApiToken, Account).join(Account, Account.id == ApiToken.account_id)
                          .where(ApiToken.token_hash == hashlib.sha256(raw.encode()).hexdigest())).first()
        if found is None or found[0].revoked_at is not None or not found[1].active:
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        app = s.get(Application, int(request.path_params["app_id"]))
        if app is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"id": app.id, "number": app.number, "item_code": app.item_code,
                             "item_name": app.item_name, "state": app.state, "version": app.version,
                             "submitted_at": app.submitted_at.isoformat(),
                             "deadline": app.deadline.isoformat() if app.deadline else None})


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
    Route("/naive/applications/{app_id:int}", naive_application),
])
