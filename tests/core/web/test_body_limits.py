"""Issue #10 item 4: one body size limit for every route (core.web.limits.BodyLimitMiddleware), counted
while the body streams in; uploads limited per file and in total, and in their number of parts, while
they stream (core.web.forms.form_data) — refused in the standard error shape before authentication,
the CSRF check or a handler reads the rest."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from core.web.forms import MAX_FILES
from core.web.limits import MAX_BODY_BYTES
from tests.factories import csrf_token, login
from tests.routes import all_routes, demo_citizen, demo_ids, token_for

MB = 1024 * 1024


def _is_413(r: Any, code: str = "body_too_large") -> bool:
    if r.status_code != 413:
        return False
    if r.headers.get("content-type", "").startswith("application/json"):
        err = r.json()["error"]
        return set(err) == {"code", "message", "fields"} and err["code"] == code
    return "413" in r.text


def test_every_route_refuses_a_body_over_the_limit_before_anything_reads_it(demo_client):
    """As a guest without a CSRF token: the answer is 413, not 403 or 401 — the limit comes first."""
    routes = [r for r in all_routes(demo_client.app) if set(r.methods) - {"GET"}]
    assert len(routes) > 30
    too_big = b"{" + b" " * MAX_BODY_BYTES + b"}"
    for route in routes:
        url = route.url()
        for method in (m for m in route.methods if m != "GET"):
            r = demo_client.request(method, url, content=too_big,
                                    headers={"content-type": "application/json"})
            assert _is_413(r), f"{method} {url}: {r.status_code} {r.text[:200]}"


def _chunks(total: int, size: int = 64 * 1024) -> Any:
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size


def test_a_chunked_body_is_counted_while_it_streams(demo_client):
    r = demo_client.post("/api/login", content=_chunks(MAX_BODY_BYTES + 64 * 1024),
                         headers={"content-type": "application/json"})
    assert _is_413(r)
    ok = demo_client.post("/api/login", content=iter([b'{"username": "nobody", ', b'"password": "x"}']),
                          headers={"content-type": "application/json"})
    assert ok.status_code == 401  # under the limit: read as usual


def test_a_body_without_content_type_is_refused(demo_client, demo_platform):
    token = token_for(demo_platform, demo_citizen(demo_platform))
    app_id = demo_ids(demo_platform)["app_id"]  # the citizen's own application: the body is read
    url = f"/api/t/360102/approval/my/applications/{app_id}/withdraw"
    r = demo_client.post(url, content=b'{"version": 1}', headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"


@pytest.fixture
def citizen(demo_client, demo_platform) -> dict[str, Any]:
    from core.identity.demo import DEMO_PASSWORD

    account = demo_citizen(demo_platform)
    return {"bearer": {"authorization": f"Bearer {token_for(demo_platform, account)}"},
            "page": login(TestClient(demo_client.app, follow_redirects=False), account.username,
                          DEMO_PASSWORD)}


APPLY = "/api/t/360102/approval/applications"


def test_a_file_over_its_limit_is_refused_as_it_streams(demo_client, demo_platform, citizen):
    demo_platform.settings.values["approval.upload_max_mb"] = 1
    r = demo_client.post(APPLY, headers=citizen["bearer"], data={"item_code": "X"},
                         files={"file_m1": ("a.pdf", b"%PDF" + b"0" * (MB + 10), "application/pdf")})
    assert _is_413(r) and "file_m1" in r.json()["error"]["fields"]
    # each file is counted on its own: three of 0.6 MiB pass the 1 MiB limit of one file
    part = b"%PDF" + b"0" * (6 * MB // 10)
    files = [(f"file_m{i}", (f"{i}.pdf", part, "application/pdf")) for i in range(3)]
    r = demo_client.post(APPLY, headers=citizen["bearer"], data={"item_code": "X"}, files=files)
    assert r.status_code != 413 and r.status_code < 500, r.text[:300]


def test_uploads_are_limited_in_total_and_in_parts(demo_client, demo_platform, citizen):
    demo_platform.settings.values["upload_max_mb"] = 2
    files = [(f"file_m{i}", (f"{i}.pdf", b"%PDF" + b"0" * (MB // 2), "application/pdf")) for i in range(6)]
    r = demo_client.post(APPLY, headers=citizen["bearer"], data={"item_code": "X"}, files=files)
    assert _is_413(r)
    demo_platform.settings.values["upload_max_mb"] = 50
    many = [(f"file_m{i}", (f"{i}.pdf", b"%PDF", "application/pdf")) for i in range(MAX_FILES + 1)]
    r = demo_client.post(APPLY, headers=citizen["bearer"], data={"item_code": "X"}, files=many)
    assert _is_413(r, "too_many_parts"), r.text[:300]


def test_a_page_upload_over_the_total_is_413_before_the_csrf_check(demo_client, demo_platform, citizen):
    demo_platform.settings.values["upload_max_mb"] = 1
    page = citizen["page"]
    token = csrf_token(page, "/my/")
    big = [("file_m1", ("a.pdf", b"0" * (2 * MB), "application/pdf"))]
    for sent in (token, "wrong"):
        r = page.post("/t/360102/approval/items/X/apply", data={"csrf_token": sent}, files=big)
        assert _is_413(r), r.status_code
