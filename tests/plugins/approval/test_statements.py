"""Round trips to the database per request on the main authenticated paths (issue #14).

Every request's log line carries ``sql``: the statements, BEGIN/COMMIT/ROLLBACK and health pings it sent
(core.db.counter). The counts below are pinned per route and backend; a change that adds a round trip to
one of these paths fails here, so it is noticed and either justified (raise the pin, say why in the
commit) or removed. Steady state: the second and later requests, after the first has filled the
per-process caches (actor, policy, departments); the least of three is taken, because once a second a
request may also carry the policy version poll.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from approval_helpers import FOOD, ctx, food_uploads, who
from factories import login, make_staff
from starlette.testclient import TestClient

from core.db import Scope
from core.db.counter import Tally, counting
from core.identity.models import Account
from core.identity.sessions import create_token
from plugins.approval import catalogue, services
from plugins.approval.schemas import ItemIn

PG = bool(os.environ.get("GOVHALL_TEST_DATABASE_URL"))
# route -> (SQLite, PostgreSQL). A GET reads through Database.read: on PostgreSQL no BEGIN/ROLLBACK, and
# the set_config of the scope and role for row-level security only when the read connection does not
# already hold that scope (core.db.engine.set_scope) — in the steady state of one tenant's requests it
# does; SQLite's driver begins nothing for a read.
PINNED = {
    "token: GET one application": (1, 1),  # the application with its tasks and findings, one statement
    "session: workbench page": (1, 1),  # the queue, new cases first, in one statement; names from memory
    "session: hall page": (0, 0),  # tenant, menu and permissions from memory
    "guest: hall page": (0, 0),  # rendered once per directory version
}


@pytest.fixture
def paths(platform: Any) -> dict[str, tuple[str, dict[str, str], str | None]]:
    """route -> (path, headers, username to log in as)."""
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(FOOD))
        app_id = services.submit(s, ctx(platform, donghu, who("legal")), FOOD["code"],
                                 {"shop_name": "一号店"}, food_uploads()).id
    handler = make_staff(platform, "stmt_handler", "360102", "item_handler", department="scjgj")
    with platform.db.transaction(Scope.system()) as s:
        _row, token = create_token(s, s.get(Account, handler.id), name="stmt", scopes=["*"], days=1,
                                   known_permissions=platform.registry.permissions)
    bearer = {"authorization": f"Bearer {token}"}
    return {
        "token: GET one application": (f"/api/t/360102/approval/applications/{app_id}", bearer, None),
        "session: workbench page": ("/t/360102/approval/workbench", {}, "stmt_handler"),
        "session: hall page": ("/t/360102/", {}, "stmt_handler"),
        "guest: hall page": ("/t/360102/", {}, None),
    }


class Tallied:
    """The app inside one more tally per request (the request's own tally adds to it)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last: Tally | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with counting() as tally:
            await self.app(scope, receive, send)
        self.last = tally


def _round_trips(client: TestClient, wrapped: Tallied, path: str, headers: dict[str, str]) -> list[Tally]:
    tallies = []
    for _ in range(4):
        r = client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert wrapped.last is not None
        tallies.append(wrapped.last)
    return tallies[1:]  # the first request fills the caches


@pytest.mark.parametrize("route", list(PINNED))
def test_round_trips_per_request_do_not_grow(app: Any, paths: Any, route: str) -> None:
    path, headers, user = paths[route]
    wrapped = Tallied(app)
    with TestClient(wrapped, follow_redirects=False) as client:
        if user:
            login(client, user)
        best = min(_round_trips(client, wrapped, path, headers), key=lambda t: t.n)
    steady, pinned = best.n, PINNED[route][1 if PG else 0]
    assert steady <= pinned, f"{route}: {steady} round trips, pinned at {pinned}: {best.statements}"
    if steady < pinned:
        pytest.fail(f"{route}: down to {steady} round trips from {pinned}: lower the pin in PINNED")


def test_the_count_is_real(app: Any, paths: Any) -> None:
    """The tally sees what a request sends: a page that reads the database counts at least its query."""
    path, headers, user = paths["session: workbench page"]
    wrapped = Tallied(app)
    with TestClient(wrapped, follow_redirects=False) as client:
        login(client, user)
        client.get(path, headers=headers)
    assert wrapped.last is not None and wrapped.last.kinds.get("select", 0) >= 1
