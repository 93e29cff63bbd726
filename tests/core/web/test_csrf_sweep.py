"""Issue #10 item 5 / issue #11: CSRF is a middleware (core.identity.csrf.CsrfMiddleware), not a per-handler
check. Walks every registered route with an unsafe method: with a logged-in session cookie (pages and
the JSON API) and no token, whatever the content type — none at all included — the answer is 403 ``csrf``
before the handler runs; a guest on a page is refused the same way; a bearer-token request is exempt; the
token in the ``X-CSRF-Token`` header or as the form's first field passes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from core.identity.csrf import MULTIPART_TOKEN_WINDOW
from tests.factories import DEFAULT_PASSWORD, csrf_token, login
from tests.routes import all_routes, demo_ids, make_superuser, token_for

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
BODIES: list[tuple[str, dict[str, Any]]] = [
    ("no content type", {"content": b'{"version": 1}'}),
    ("no body at all", {}),
    ("application/json", {"content": b'{"version": 1}', "headers": {"content-type": "application/json"}}),
    ("text/plain", {"content": b'{"version": 1}', "headers": {"content-type": "text/plain"}}),
    ("urlencoded", {"data": {"version": "1", "reason": "x"}}),
    ("multipart", {"data": {"version": "1"},
                   "files": {"file_x": ("a.pdf", b"%PDF-1.4 x", "application/pdf")}}),
    ("wrong token", {"data": {"version": "1", "csrf_token": "0" * 64}}),
]


def _is_csrf_refusal(r: Any) -> bool:
    if r.status_code != 403:
        return False
    if r.headers.get("content-type", "").startswith("application/json"):
        return bool(r.json()["error"]["code"] == "csrf")
    return "CSRF" in r.text


@pytest.fixture
def actors(demo_client: TestClient, demo_platform: Any) -> dict[str, Any]:
    staff = make_superuser(demo_platform)
    app = demo_client.app
    session = login(TestClient(app, follow_redirects=False), staff.username)
    return {"client": demo_client, "session": session, "token": token_for(demo_platform, staff),
            "routes": [r for r in all_routes(app) if set(r.methods) & set(UNSAFE)],
            "ids": demo_ids(demo_platform)}


def test_every_unsafe_route_refuses_a_cookie_request_without_the_token(actors):
    routes = actors["routes"]
    assert len(routes) > 30 and any(r.api for r in routes) and any(not r.api for r in routes)
    for route in routes:
        url = route.url(**{n: actors["ids"].get(n, 1) for n in route.id_params})
        for method in (m for m in route.methods if m in UNSAFE):
            for what, kw in BODIES:
                r = actors["session"].request(method, url, **kw)
                assert _is_csrf_refusal(r), f"{method} {url} ({what}): {r.status_code} {r.text[:200]}"
            if not route.api:  # a guest on a page: the double-submit token is required too
                guest = TestClient(actors["client"].app, follow_redirects=False)
                r = guest.request(method, url, data={"a": "1"})
                assert _is_csrf_refusal(r), f"guest {method} {url}: {r.status_code}"


def test_bearer_tokens_are_exempt_and_the_header_token_passes(actors):
    session = actors["session"]
    token = csrf_token(session, "/my/")
    bearer = {"authorization": f"Bearer {actors['token']}"}
    for route in actors["routes"]:
        if route.path in ("/logout", "/api/logout"):  # would end the session the sweep goes on with
            continue
        url = route.url(**{n: actors["ids"].get(n, 1) for n in route.id_params})
        for method in (m for m in route.methods if m in UNSAFE):
            if route.api:
                r = actors["client"].request(method, url, headers=bearer, json={})
                assert not _is_csrf_refusal(r), f"bearer {method} {url}"
            r = session.request(method, url, content=b"{}",
                                headers={"x-csrf-token": token, "content-type": "application/json"})
            assert not _is_csrf_refusal(r), f"header token {method} {url}: {r.text[:200]}"


def test_form_token_passes_and_a_multipart_token_must_come_first(actors):
    session = actors["session"]
    token = csrf_token(session, "/my/")
    r = session.post("/t/360102/console/roles", data={"csrf_token": token, "account": "", "role": ""})
    assert not _is_csrf_refusal(r)
    verify = "/t/360102/licence/verify"
    r = session.post(verify, data={"csrf_token": token},
                     files={"file": ("a.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert not _is_csrf_refusal(r), r.text[:300]
    big = b"x" * (MULTIPART_TOKEN_WINDOW + 10)  # the token only after the window: not looked for
    r = session.post(verify, files=[("file", ("a.pdf", big, "application/pdf")),
                                    ("csrf_token", (None, token))])
    assert _is_csrf_refusal(r)


def test_the_json_api_tells_a_session_client_its_token(demo_client, demo_platform):
    staff = make_superuser(demo_platform)
    r = demo_client.post("/api/login", json={"username": staff.username, "password": DEFAULT_PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["csrf_token"]
    me = demo_client.get("/api/me")
    assert me.json()["csrf_token"] == token
    refused = demo_client.post("/api/logout", json={})
    assert _is_csrf_refusal(refused)
    ok = demo_client.post("/api/logout", json={}, headers={"x-csrf-token": token})
    assert ok.status_code == 200 and ok.json() == {"logged_out": True}
