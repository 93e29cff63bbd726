"""Issue #10 item 8 over every object route (a route with an id in its path, pages and API): ownership
and tenancy are checked before anything else, so another tenant's or another owner's object — asked for
with a wrong version and a bad body — answers byte for byte what a missing id answers.

Before the fix a withdraw of another citizen's application with a wrong version answered 409 naming the
victim's application number, where a missing id answered 404."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from core.access.guard import object_check
from core.identity.demo import DEMO_PASSWORD
from core.web.inputs import ID_MAX
from tests.factories import csrf_token, login, make_account
from tests.routes import (
    DEMO_TENANT,
    ID_TABLES,
    PROVINCE_WIDE_TABLES,
    RouteInfo,
    all_routes,
    demo_citizen,
    demo_enterprise,
    demo_ids,
    make_superuser,
    token_for,
)

OTHER_TENANT = "360103"  # Xihu District: the same plugins on, none of the demo tenant's objects
REQUEST_ID = "order-test-0001"
BAD_JSON = {"version": 987654, "note": 5, "reason": ["not", "text"], "level": "x", "extra": True}
BAD_FORM = {"version": "987654", "level": "abc", "reason": "", "note": "", "days": "x"}


def _ask(route: RouteInfo, method: str, url: str, api_headers: dict[str, str], page: TestClient,
         api: TestClient) -> tuple[int, str, bytes]:
    headers = {"x-request-id": REQUEST_ID}
    if route.api:
        r = api.request(method, url, headers={**headers, **api_headers},
                        json=BAD_JSON if method == "POST" else None)
    elif method == "POST":
        r = page.post(url, headers=headers, data={**BAD_FORM, "csrf_token": csrf_token(page, "/login")})
    else:
        r = page.request(method, url, headers=headers)
    return r.status_code, r.headers.get("content-type", ""), r.content


def _missing(route: RouteInfo) -> dict[str, int]:
    return {name: ID_MAX for name in route.id_params}


@pytest.fixture
def world(demo_client: TestClient, demo_platform: Any) -> dict[str, Any]:
    staff = make_superuser(demo_platform)
    other = make_account(demo_platform, "person", "other_citizen")
    citizen = demo_citizen(demo_platform)
    enterprise = demo_enterprise(demo_platform)
    app = demo_client.app
    return {
        "routes": [r for r in all_routes(app) if r.id_params],
        "ids": demo_ids(demo_platform),
        "api": demo_client,
        "staff": ({"authorization": f"Bearer {token_for(demo_platform, staff)}"},
                  login(TestClient(app, follow_redirects=False), staff.username)),
        "other": ({"authorization": f"Bearer {token_for(demo_platform, other)}"},
                  login(TestClient(app, follow_redirects=False), other.username)),
        "owner": ({"authorization": f"Bearer {token_for(demo_platform, citizen)}"},
                  login(TestClient(app, follow_redirects=False), citizen.username, DEMO_PASSWORD)),
        # Routes only a legal person's role reaches (a bidder's acts in bidding) are asked as one.
        "legal": ({"authorization": f"Bearer {token_for(demo_platform, enterprise)}"},
                  login(TestClient(app, follow_redirects=False), enterprise.username, DEMO_PASSWORD)),
    }


def test_every_object_route_declares_its_check_and_the_demo_has_its_objects(world):
    routes = world["routes"]
    assert len(routes) >= 20
    assert all(object_check(r.endpoint) is not None for r in routes)
    # A use code exists only once a holder grants one and a clerk redeems it: the demo has none, so its
    # routes are asked with an id that is missing everywhere.
    assert {n for r in routes for n in r.id_params} - {"grant_id"} <= set(world["ids"])


def test_another_tenants_object_answers_exactly_like_a_missing_one(world):
    """The superuser holds every staff permission in both districts, the demo citizen owns the
    application: only tenancy tells the objects apart."""
    for route in world["routes"]:
        if route.id_params and all(ID_TABLES.get(p) in PROVINCE_WIDE_TABLES for p in route.id_params):
            continue  # read province-wide by design (tests/routes.py)
        headers, page = world["owner" if "/my/" in route.path else "staff"]
        for method in route.methods:
            theirs = route.url(tenant_code=OTHER_TENANT, **world["ids"])
            missing = route.url(tenant_code=OTHER_TENANT, **_missing(route))
            a = _ask(route, method, theirs, headers, page, world["api"])
            b = _ask(route, method, missing, headers, page, world["api"])
            if a[0] == b[0] == 403 and "/my/" not in route.path:  # staff hold no public role: ask a bidder
                headers, page = world["legal"]
                a = _ask(route, method, theirs, headers, page, world["api"])
                b = _ask(route, method, missing, headers, page, world["api"])
            assert a[0] == 404, f"{method} {theirs}: {a[0]} {a[2][:300]!r}"
            assert a == b, f"{method} {theirs} differs from a missing id: {a[2][:300]!r} / {b[2][:300]!r}"


def test_another_citizens_application_answers_exactly_like_a_missing_one(world):
    headers, page = world["other"]
    routes = [r for r in world["routes"] if "/my/" in r.path]
    assert len(routes) >= 6  # pages and API: view, withdraw, rate (+ resubmit on pages)
    for route in routes:
        for method in route.methods:
            theirs = route.url(**world["ids"])
            missing = route.url(**_missing(route))
            a = _ask(route, method, theirs, headers, page, world["api"])
            b = _ask(route, method, missing, headers, page, world["api"])
            assert a[0] == 404, f"{method} {theirs}: {a[0]} {a[2][:300]!r}"
            assert a == b, f"{method} {theirs} differs from a missing id: {a[2][:300]!r} / {b[2][:300]!r}"


def test_the_owner_still_gets_the_version_conflict(world):
    """The check is not a blanket 404: the applicant's own stale withdraw is still a 409."""
    owner = world["owner"][1]
    url = f"/t/{DEMO_TENANT}/approval/my/{world['ids']['app_id']}/withdraw"
    r = owner.post(url, data={"version": "987654", "reason": "x", "csrf_token": csrf_token(owner, "/login")})
    assert r.status_code in (409, 422), r.text[:300]
