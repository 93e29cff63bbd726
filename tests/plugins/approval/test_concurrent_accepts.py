"""Issue #10, item 3: concurrent accepts of one application must not exhaust the connection pool.

Accepting runs the acceptance checks inside the transaction that holds the application's row lock; the
credit plugin's check reads across the network. When that read took a second pooled connection, a burst
of accepts larger than the pool deadlocked: the winner waited for a connection while the losers held
every connection waiting for its row lock, until the pool time-out — and every other request in the
process (a guest reading the catalogue) stalled with them. Now a hook reads on the caller's connection
(core.db.subsession): the burst ends with one winner, the others are told the version moved (409), and
the guest's reads are answered. Real HTTP through the ASGI app, in one event loop with the app's real
threadpool; PostgreSQL, with a pool of 2 (+2 overflow) connections and more accepts than that.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx2
import pytest
from approval_helpers import FOOD, ctx, food_uploads, who
from factories import make_staff

from core.db import Scope
from core.identity.models import Account
from core.identity.sessions import create_token
from plugins.approval import catalogue, services
from plugins.approval.schemas import ItemIn
from plugins.credit.subjects import make_uscc
from tests.conftest import make_platform

pytestmark = pytest.mark.postgres
ACCEPTS = 12  # three times the pool's 2 + 2 overflow connections
GUEST_READS = 6
ACME = make_uscc("91360102MA3512345")  # a subject the credit check looks up


@pytest.fixture
def small_pool(db_url: str, tmp_path: Any) -> Any:
    p = make_platform(db_url, tmp_path, database_pool_size=2, database_pool_timeout=5)
    yield p
    p.close()


def _application(platform: Any) -> tuple[int, int, str]:
    """A submitted food licence at Donghu and a handler's bearer token: (id, version, token)."""
    donghu = platform.directory.get("360102")
    handler = make_staff(platform, "pool_handler", "360102", "item_handler", department="scjgj")
    with platform.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(FOOD))
        applicant = dataclasses.replace(who("legal"), id_number=ACME)
        app = services.submit(s, ctx(platform, donghu, applicant), FOOD["code"], {"shop_name": "一号店"},
                              food_uploads())
        app_id, version = app.id, app.version
    with platform.db.transaction(Scope.system()) as s:
        account = s.get(Account, handler.id)
        _row, raw = create_token(s, account, name="pool", scopes=["*"], days=1,
                                 known_permissions=platform.registry.permissions)
    return app_id, version, raw


async def _burst(app: Any, app_id: int, version: int, token: str) -> tuple[list[int], list[int]]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
        accepts = [client.post(f"/api/t/360102/approval/applications/{app_id}/accept",
                               json={"version": version}, headers={"authorization": f"Bearer {token}"})
                   for _ in range(ACCEPTS)]
        reads = [client.get("/api/t/360102/approval/items") for _ in range(GUEST_READS)]
        done = await asyncio.gather(*accepts, *reads)
    return [r.status_code for r in done[:ACCEPTS]], [r.status_code for r in done[ACCEPTS:]]


def test_more_concurrent_accepts_than_pooled_connections_do_not_stall(small_pool: Any) -> None:
    from core.app import create_app

    app_id, version, token = _application(small_pool)
    accepts, reads = asyncio.run(_burst(create_app(platform=small_pool), app_id, version, token))
    # Before the fix: pool time-outs (500/503) for the winner and every request queued behind it.
    assert sorted(accepts) == [200] + [409] * (ACCEPTS - 1), accepts
    assert reads == [200] * GUEST_READS, reads
    with small_pool.db.session(small_pool.directory.get("360102").scope) as s:
        app = services.load(s, app_id)
        assert (app.state, app.version) == ("accepted", version + 1)
        assert [f.source for f in services.findings_of(s, app_id)] == ["credit"]
