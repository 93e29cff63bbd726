"""A burst of concurrent accepts of one application against a small pool (issue #10, item 3), PostgreSQL.

    python bench/bench_accepts.py --database-url postgresql://postgres@127.0.0.1:5432/govhall_bench_accepts

Through the ASGI app in one event loop with its real threadpool (as uvicorn runs it): ``--accepts``
concurrent accepts of one submitted application with a handler's bearer token, and at the same time
``--reads`` guest reads of the catalogue, with a pool of ``--pool`` (+ as many overflow) connections and
a pool time-out of 30 s. Reports the time until every request has answered, the slowest guest read and
the status codes: one 200 and the rest 409 when nothing stalls; pool time-outs (500) after ~30 s when a
request holding the row lock waits for a second connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def burst(app: Any, app_id: int, version: int, token: str, accepts: int, reads: int) -> dict[str, Any]:
    import httpx2

    async def timed(coro: Any) -> tuple[int, float]:
        t0 = time.perf_counter()
        r = await coro
        return r.status_code, time.perf_counter() - t0

    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
        t0 = time.perf_counter()
        path = f"/api/t/360102/approval/applications/{app_id}/accept"
        auth = {"authorization": f"Bearer {token}"}
        done = await asyncio.gather(
            *[timed(client.post(path, json={"version": version}, headers=auth)) for _ in range(accepts)],
            *[timed(client.get("/api/t/360102/approval/items")) for _ in range(reads)])
        total = time.perf_counter() - t0
    return {"total_s": round(total, 3), "accept_status": dict(Counter(s for s, _ in done[:accepts])),
            "slowest_guest_read_s": round(max(t for _, t in done[accepts:]), 3),
            "read_status": dict(Counter(s for s, _ in done[accepts:]))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    ap.add_argument("--accepts", type=int, default=20)
    ap.add_argument("--reads", type=int, default=10)
    ap.add_argument("--pool", type=int, default=5)
    args = ap.parse_args()
    from sqlalchemy import select

    from bench.bench_http import prepare
    from core.app import create_app
    from core.db import Scope
    from plugins.approval.models import Application
    from tests.conftest import make_platform

    tmp = Path(tempfile.mkdtemp(prefix="govhall-accepts-"))
    info = prepare(args.database_url, tmp)
    platform = make_platform(args.database_url, tmp, env="development", database_pool_size=args.pool,
                             database_pool_timeout=30, log_level="error")
    with platform.db.session(Scope.system()) as s:  # a submitted demo case of the handler's department
        app = s.scalars(select(Application).where(Application.state == "submitted",
                                                  Application.tenant_path.like("%/360102"))).first()
        assert app is not None
    app_asgi = create_app(platform=platform)
    result = asyncio.run(burst(app_asgi, app.id, app.version, info["token"], args.accepts, args.reads))
    platform.close()
    print(json.dumps({"accepts": args.accepts, "reads": args.reads, "pool": args.pool, **result}, indent=2))


if __name__ == "__main__":
    main()
