"""Pages that refuse gracefully: each error status as a page in the user's language (and JSON on the API)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from starlette.routing import Route
from starlette.testclient import TestClient

from core.access.guard import public
from core.errors import Conflict, Invalid, NotFound


class _Form(BaseModel):
    age: int


def _raiser(exc_factory):
    @public
    async def endpoint(request):
        raise exc_factory()

    return endpoint


ROUTES = {
    "404": lambda: NotFound("No such application", "没有这个办件"),
    "409": lambda: Conflict("Changed by someone else", "已被他人修改"),
    "422": lambda: Invalid("Bad date", "日期格式有误", fields={"date": "应为 YYYY-MM-DD"}),
    "pydantic": lambda: _Form.model_validate({"age": "many"}),
    "500": lambda: RuntimeError("boom: secret detail"),
}


@pytest.fixture
def err_client(app):
    for name, factory in ROUTES.items():
        app.router.routes.insert(0, Route(f"/t/{{tenant_code}}/_err/{name}", _raiser(factory)))
        app.router.routes.insert(0, Route(f"/api/t/{{tenant_code}}/_err/{name}", _raiser(factory)))
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("name", "status", "zh", "en"), [
    ("404", 404, "没有这个办件", "No such application"),
    ("409", 409, "已被他人修改", "Changed by someone else"),
    ("422", 422, "日期格式有误", "Bad date"),
    ("pydantic", 422, "提交的内容有误", "The request has invalid fields"),
    pytest.param("500", 500, "系统出现错误", "Something went wrong on our side",
                 marks=pytest.mark.server_errors_expected),
])
def test_error_pages_in_both_languages(err_client, name, status, zh, en):
    r = err_client.get(f"/t/360102/_err/{name}")
    assert r.status_code == status
    assert "text/html" in r.headers["content-type"]
    assert zh in r.text and 'lang="zh-CN"' in r.text
    assert "东湖区" in r.text  # still inside the hall's shell, with a way back
    assert 'href="/t/360102/"' in r.text
    en_page = err_client.get(f"/t/360102/_err/{name}?lang=en")
    assert en_page.status_code == status
    assert en in en_page.text and 'lang="en"' in en_page.text


@pytest.mark.server_errors_expected
def test_500_shows_the_request_id_and_hides_the_detail(err_client):
    r = err_client.get("/t/360102/_err/500", headers={"X-Request-ID": "req-abc-12345"})
    assert r.status_code == 500
    assert '<code id="request-id">req-abc-12345</code>' in r.text
    assert "secret detail" not in r.text
    assert "请求编号" in r.text


def test_field_errors_are_named(err_client):
    r = err_client.get("/t/360102/_err/422")
    assert "<strong>date</strong>" in r.text and "应为 YYYY-MM-DD" in r.text
    r = err_client.get("/t/360102/_err/pydantic")
    assert "<strong>age</strong>" in r.text


def test_request_id_absent_below_500(err_client):
    r = err_client.get("/t/360102/_err/409")
    assert 'id="request-id"' not in r.text


@pytest.mark.parametrize(("name", "status", "code"), [
    ("404", 404, "not_found"), ("409", 409, "conflict"), ("422", 422, "invalid"),
    pytest.param("500", 500, "server_error", marks=pytest.mark.server_errors_expected),
])
def test_api_errors_are_json(err_client, name, status, code):
    r = err_client.get(f"/api/t/360102/_err/{name}")
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_unknown_page_and_unknown_tenant_are_404_pages(client):
    for url in ("/t/360102/no-such-page", "/t/999999/"):
        r = client.get(url + "?lang=en")
        assert r.status_code == 404 and "Not found" in r.text


def test_guest_on_console_is_sent_to_log_in(client):
    r = client.get("/t/360000/console/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
