"""API conventions through real HTTP: validated bodies and the one error shape, cursor pagination over a
real table, the OpenAPI document and the offline docs page. A small plugin ("probe") is registered
in-process with its own permissions, a guest role extension and JSON routes."""

from __future__ import annotations

import types
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from core.access import require
from core.contracts import Permission, PluginInfo, RoleTemplate
from core.db import Scope
from core.errors import Invalid, NotFound
from core.hookspecs import hookimpl
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import service
from core.tenancy.models import Tenant
from core.web.api import (
    OutModel,
    api_doc,
    decode_cursor,
    encode_cursor,
    json_ok,
    page_params,
    paginate,
    parse_body,
)

NOTE_READ = Permission("probe:note:read", "查看便签", "Read notes", read_only=True)
NOTE_WRITE = Permission("probe:note:write", "写便签", "Write notes")
NOTE_ADMIN = Permission("probe:note:admin", "管理便签", "Administer notes")


class Item(OutModel):
    name: str = Field(min_length=1, max_length=20)
    qty: int = Field(ge=1)


class NoteIn(BaseModel):
    """A note to write."""

    title: str = Field(min_length=1, max_length=50)
    items: list[Item] = []


class NoteOut(OutModel):
    tenant: str
    title: str
    items: list[Item]
    written_on: date


class TenantOut(OutModel):
    code: str
    name: str


@api_doc(request=NoteIn, response=NoteOut, status=201)
@require(NOTE_WRITE)
async def write_note(request: Request) -> Response:
    """Write a note.

    Echoes the validated note with the tenant it was written at.
    """
    body = await parse_body(request, NoteIn)
    ctx = request.state.ctx
    return NoteOut(tenant=ctx.tenant.code, title=body.title, items=body.items, written_on=date(2026, 11, 28))


@api_doc(response=TenantOut, paginated=True, page_limit=(20, 50), summary="Tenants of this subtree, by code")
@require(NOTE_READ)
async def list_tenants(request: Request) -> Response:
    ctx = request.state.ctx
    params = page_params(request)
    desc = request.query_params.get("order") == "desc"

    def work() -> Any:
        with ctx.platform.db.session(Scope.system()) as s:
            p = ctx.tenant.path
            stmt = select(Tenant).where((Tenant.path == p) | Tenant.path.startswith(p + "/"))
            return paginate(s, stmt, params, key=[Tenant.code], desc=desc)

    page = await ctx.platform.db.run(work)
    return page.as_json(lambda t: TenantOut(code=t.code, name=t.name))


async def note_exists(request: Request) -> None:
    if request.path_params["note_id"] > 10:
        raise NotFound("no such note", "没有这条便签")


@require(NOTE_READ, visible=note_exists)
async def get_note(request: Request) -> Response:
    """One note by number."""
    note_id = request.path_params["note_id"]
    if note_id > 10:
        raise Invalid("no such note", "没有这条便签", fields={"note_id": "unknown"})
    return json_ok({"id": note_id})


@require(NOTE_ADMIN)
async def purge(request: Request) -> Response:
    """Remove every note."""
    return json_ok({"ok": True})


def probe_module() -> types.ModuleType:
    mod = types.ModuleType("probe_api")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name="probe", title_zh="测试插件", title_en="Probe", version="0",
                          default_enabled=True)

    @hookimpl
    def govhall_permissions() -> list[Permission]:
        return [NOTE_READ, NOTE_WRITE, NOTE_ADMIN]

    @hookimpl
    def govhall_roles() -> list[RoleTemplate]:
        return [RoleTemplate("guest", "访客", "Guest", (NOTE_READ.name, NOTE_WRITE.name))]

    @hookimpl
    def govhall_api_routes() -> list[Route]:
        return [Route("/notes", write_note, methods=["POST"]), Route("/tenants", list_tenants),
                Route("/notes/{note_id:int}", get_note), Route("/purge", purge, methods=["POST"])]

    for fn in (govhall_plugin_info, govhall_permissions, govhall_roles, govhall_api_routes):
        setattr(mod, fn.__name__, fn)
    return mod


@pytest.fixture
def api(db_url: str, tmp_path: Any) -> Any:
    from core.access import AccessControl
    from core.app import create_app

    settings = load_settings(overrides={"database_url": db_url, "data_dir": str(tmp_path), "env": "test",
                                        "watch_interval": 0.2})
    platform = Platform.start(settings, plugins=["hall"])
    platform.registry.add(probe_module())
    platform.access = AccessControl(platform)  # the probe's guest permissions
    platform.refresh(force=True)
    with TestClient(create_app(platform=platform), follow_redirects=False) as client:
        client.platform = platform  # type: ignore[attr-defined]
        yield client


def test_valid_body_is_parsed_and_answered(api):
    note = {"title": "材料清单", "items": [{"name": "身份证", "qty": 1}]}
    r = api.post("/api/t/360102/probe/notes", json=note)
    assert r.status_code == 201, r.text
    assert r.json() == {"tenant": "360102", "title": "材料清单", "items": [{"name": "身份证", "qty": 1}],
                        "written_on": "2026-11-28"}


def test_malformed_json_is_400_with_the_error_shape(api):
    r = api.post("/api/t/360102/probe/notes", content=b'{"title": "x",',
                 headers={"content-type": "application/json"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "malformed_json" and err["message"] and "body" in err["fields"]


def test_invalid_fields_are_422_naming_each_field(api):
    r = api.post("/api/t/360102/probe/notes", json={"title": "", "items": [{"name": "a", "qty": 0}]},
                 headers={"accept-language": "en"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid" and set(err["fields"]) == {"title", "items.0.qty"}
    r = api.post("/api/t/360102/probe/notes", json=["not", "an", "object"])
    assert r.status_code == 422 and "body" in r.json()["error"]["fields"]


def test_wrong_content_type_is_415(api):
    r = api.post("/api/t/360102/probe/notes", content=b"title=x",
                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"


def test_permission_and_plugin_gate_answer_in_the_error_shape(api):
    r = api.post("/api/t/360102/probe/purge")
    assert r.status_code == 401 and set(r.json()["error"]) == {"code", "message", "fields"}
    platform = api.platform
    with platform.db.transaction(Scope.system()) as s:
        service.set_plugin_state(s, platform.directory, platform.directory.get("360103"), "probe", "off",
                                 actor="tests")
    platform.refresh(force=True)
    assert api.post("/api/t/360103/probe/notes", json={"title": "x"}).status_code == 404
    assert api.post("/api/t/360102/probe/notes", json={"title": "x"}).status_code == 201
    assert api.get("/api/t/999999/probe/tenants").status_code == 404


@pytest.mark.parametrize("desc", [False, True])
def test_cursor_pagination_walks_every_row_once(api, desc):
    platform = api.platform
    nanchang = platform.directory.get("360100")
    expected = sorted([nanchang.code, *(t.code for t in platform.directory.descendants(nanchang))],
                      reverse=desc)
    seen: list[str] = []
    url = "/api/t/360100/probe/tenants?limit=4" + ("&order=desc" if desc else "")
    cursor = None
    for _ in range(100):
        r = api.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"} and len(body["items"]) <= 4
        seen += [i["code"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and len(expected) > 8


@pytest.mark.parametrize("query,field", [
    ("cursor=!!!", "cursor"), ("cursor=bm90LWpzb24", "cursor"),
    (f"cursor={encode_cursor(['a', 1])}", "cursor"),
    ("limit=0", "limit"), ("limit=51", "limit"), ("limit=ten", "limit"),
])
def test_bad_cursor_or_limit_is_422_naming_it(api, query, field):
    r = api.get(f"/api/t/360100/probe/tenants?{query}")
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["fields"]


def test_cursor_round_trips_typed_keys():
    key = [datetime(2026, 11, 28, 9, 30, tzinfo=UTC), date(2026, 10, 1), Decimal("12.50"), "360102", 42]
    assert decode_cursor(encode_cursor(key)) == tuple(key)


def test_openapi_document_lists_plugin_routes_with_schemas_and_permissions(api):
    r = api.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert {"name": "probe", "description": "测试插件 / Probe"} in doc["tags"]
    notes = doc["paths"]["/api/t/{tenant_code}/probe/notes"]["post"]
    assert notes["tags"] == ["probe"] and notes["summary"] == "Write a note."
    assert "probe:note:write" in notes["description"] and "Echoes the validated note" in notes["description"]
    body = notes["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NoteIn"}
    assert notes["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/NoteOut")
    assert notes["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert notes["parameters"][0]["name"] == "tenant_code"
    schemas = doc["components"]["schemas"]
    # The probe's TenantOut is not the hall's: it is documented under its package's prefix.
    probe_tenant = next(n for n in schemas
                        if n.endswith("TenantOut") and n not in ("TenantOut", "TenantTreeOut"))
    assert {"NoteIn", "NoteOut", "Item", "TenantOut", "Error"} <= set(schemas)
    assert schemas["NoteIn"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Item"}
    listing = doc["paths"]["/api/t/{tenant_code}/probe/tenants"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"tenant_code", "cursor", "limit"}
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    page = schemas[page["$ref"].rsplit("/", 1)[1]]
    assert page["properties"]["items"]["items"]["$ref"].endswith("/" + probe_tenant)
    assert set(schemas[probe_tenant]["properties"]) == {"code", "name"}
    assert page["required"] == ["items", "next_cursor"] and page["additionalProperties"] is False
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}
    one = doc["paths"]["/api/t/{tenant_code}/probe/notes/{note_id}"]["get"]
    note_id = {"name": "note_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}}
    assert note_id in one["parameters"]
    assert "probe:note:read" in one["description"]


def test_docs_page_works_offline(api):
    r = api.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "/api/t/{tenant_code}/probe/notes" in html and "probe:note:write" in html and "NoteIn" in html
    assert "接口文档" in html  # Chinese first
    assert "<script" not in html and "https://" not in html and "http://" not in html  # nothing fetched
    assert "API documentation" in api.get("/api/docs?lang=en").text
    assert api.get("/static/api_docs.css").status_code == 200


def test_openapi_document_of_every_installed_plugin_is_valid_openapi_3_1(client):
    """The real document (all installed plugins, the ``client`` fixture's full app) against the spec."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    with pytest.raises(OpenAPIValidationError):  # the validator does refuse a broken document
        validate({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"/x": {"get": {"responses": 1}}}})
    doc = client.get("/api/openapi.json").json()
    validate(doc)  # raises on any violation of the OpenAPI 3.1 schema
    assert doc["openapi"] == "3.1.0" and len(doc["paths"]) > 3
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert "ermission" in op["description"], f"{method.upper()} {path} does not name its permission"
            if path.startswith("/api/t/"):
                assert op["parameters"][0]["name"] == "tenant_code"
    assert client.get("/api/docs").status_code == 200  # renders every installed plugin's routes
