"""/api/openapi.json tells the truth (issue #10 item 11, #11 "responses through their declared models"):
every documented GET, called on the demo data, answers what its schema says; lists are lists; inputs
declare their limits; the session cookie has its real name; unsupported methods answer 405 with Allow."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import text
from starlette.testclient import TestClient

from core.db import Scope
from core.identity.sessions import SESSION_COOKIE
from tests.routes import (
    DEMO_TENANT,
    all_routes,
    demo_citizen,
    demo_enterprise,
    demo_ids,
    make_superuser,
    token_for,
)


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": doc["components"]})


def _codes(platform: Any) -> dict[str, str]:
    """Values for the string path parameters that exist in the demo tenant."""
    tenant = platform.directory.get(DEMO_TENANT)
    with platform.db.session(Scope.system()) as s:
        item = s.execute(text("SELECT code FROM approval_items WHERE tenant_id = :t AND status = 'published' "
                              "ORDER BY code LIMIT 1"), {"t": tenant.id}).scalar()
        subject = s.execute(text("SELECT subject_code FROM credit_records WHERE tenant_id = :t "
                                 "AND kind = 'penalty' ORDER BY id LIMIT 1"), {"t": tenant.id}).scalar()
        name = s.execute(text("SELECT subject_name FROM credit_records WHERE subject_code = :c"),
                         {"c": subject}).scalar()
        dept = s.execute(text("SELECT code FROM departments WHERE tenant_id = :t ORDER BY code LIMIT 1"),
                         {"t": tenant.id}).scalar()
        licence = s.execute(text("SELECT identifier FROM licences WHERE tenant_id = :t ORDER BY id LIMIT 1"),
                            {"t": tenant.id}).scalar()
        lot = s.execute(text("SELECT code FROM agri_lots WHERE tenant_id = :t ORDER BY id LIMIT 1"),
                        {"t": tenant.id}).scalar()
        certificate = s.execute(text("SELECT certificate_no FROM equity_deals WHERE tenant_id = :t "
                                     "AND certificate_no IS NOT NULL ORDER BY id LIMIT 1"),
                                {"t": tenant.id}).scalar()
    return {"item": str(item), "subject": str(subject), "subject_name": str(name), "department": str(dept),
            "identifier": str(licence), "lot": str(lot), "certificate": str(certificate)}


@pytest.fixture
def contract(demo_client: TestClient, demo_platform: Any) -> dict[str, Any]:
    staff = make_superuser(demo_platform)
    citizen = demo_citizen(demo_platform)
    enterprise = demo_enterprise(demo_platform)  # a bidder's own registration (bidding)
    return {
        "client": demo_client,
        "doc": demo_client.get("/api/openapi.json").json(),
        "actors": [{"authorization": f"Bearer {token_for(demo_platform, a)}"}
                   for a in (staff, citizen, enterprise)],
        "ids": demo_ids(demo_platform),
        "codes": _codes(demo_platform),
    }


def _fill(path: str, op: dict[str, Any], contract: dict[str, Any]) -> tuple[str, dict[str, str]]:
    codes, ids = contract["codes"], contract["ids"]
    values = {"tenant_code": DEMO_TENANT, "identifier": codes["identifier"],
              **{k: str(v) for k, v in ids.items()}}
    if "/approval/items/" in path:
        values["code"] = codes["item"]
    elif "/credit/subjects/" in path:
        values["code"] = codes["subject"]
    elif "/hall/departments/" in path:
        values["code"] = codes["department"]
    elif "/equity/certificates/" in path:
        values["number"] = codes["certificate"]
    elif "/agriculture/trace/" in path:
        values["code"] = codes["lot"]
    elif "/exchange/x/" in path:  # the gateway: a public resource, called as the demo subsystem
        values["resource"] = "approval.items"
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    query = {p["name"]: codes["subject_name"][:2] for p in op.get("parameters", [])
             if p["in"] == "query" and p["required"]}
    return path, query


def test_every_documented_get_answers_what_its_schema_says_on_demo_data(contract):
    doc, client = contract["doc"], contract["client"]
    checked = []
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None or path in ("/api/openapi.json", "/api/docs"):
            continue
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        url, query = _fill(path, op, contract)
        answered = []
        for headers in contract["actors"]:
            if "/exchange/x/" in path:
                from plugins.exchange.demo import DEMO_CLIENT, DEMO_SECRET

                headers = {**headers, "X-Exchange-Client": DEMO_CLIENT, "X-Exchange-Secret": DEMO_SECRET}
            r = client.get(url, params=query, headers=headers)
            assert r.status_code < 500, f"GET {url}: {r.status_code} {r.text[:300]}"
            if r.status_code == 200:
                errors = sorted(_validator(doc, schema).iter_errors(r.json()), key=str)
                assert not errors, f"GET {url} breaks its schema: {errors[0].message} at {errors[0].path}"
                answered.append(r.json())
        assert answered, f"GET {url}: nobody got a 200 to compare"
        checked.append(path)
    assert len(checked) >= 20


def test_lists_are_documented_as_lists_with_a_string_cursor(contract):
    doc = contract["doc"]
    schemas = doc["components"]["schemas"]
    lists = 0
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None or path in ("/api/openapi.json", "/api/docs"):
            continue
        ref = op["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "")
        schema = schemas[ref.rsplit("/", 1)[1]] if ref else {}
        if "items" in schema.get("properties", {}) and not ref.endswith("ChartOut") \
                and not ref.endswith("DashboardOut"):  # a chart's rows are not a list one pages through
            lists += 1
            assert schema["properties"]["items"]["type"] == "array", path
            cursor = schema["properties"]["next_cursor"]
            types = {alt.get("type") for alt in cursor.get("anyOf", [cursor])}
            assert "null" in types and types <= {"string", "null"}, path
            assert "next_cursor" in schema["required"], path
    assert lists >= 8


def _walk(schema: Any, doc: dict[str, Any], seen: set[str]) -> list[dict[str, Any]]:
    """Every subschema of ``schema``, following $refs once."""
    out: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[1]
            if name in seen:
                return out
            seen.add(name)
            return _walk(doc["components"]["schemas"][name], doc, seen)
        out.append(schema)
        for value in schema.values():
            out += _walk(value, doc, seen)
    elif isinstance(schema, list):
        for value in schema:
            out += _walk(value, doc, seen)
    return out


def test_every_input_declares_its_limits(contract):
    """Strings have a maxLength, integers a minimum and maximum, arrays a maxItems: what the parser
    enforces is what the document says, and nothing unbounded reaches a column."""
    doc = contract["doc"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            inputs = [p["schema"] for p in op.get("parameters", [])]
            for media in op.get("requestBody", {}).get("content", {}).values():
                inputs.append(media["schema"])
            for sub in (s for schema in inputs for s in _walk(schema, doc, set())):
                where = f"{method.upper()} {path}: {sub}"
                if sub.get("type") == "string" and "enum" not in sub and "format" not in sub:
                    assert "maxLength" in sub or "pattern" in sub, where
                if sub.get("type") == "integer":
                    assert "minimum" in sub and "maximum" in sub, where
                if sub.get("type") == "array":
                    assert "maxItems" in sub, where


def test_the_document_names_the_real_cookie_and_documents_login_logout_me(contract):
    doc = contract["doc"]
    assert doc["components"]["securitySchemes"]["session"]["name"] == SESSION_COOKIE
    login = doc["paths"]["/api/login"]["post"]
    assert set(login["responses"]) >= {"200", "201", "422", "429"}
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApiLogin")
    assert "post" in doc["paths"]["/api/logout"] and "get" in doc["paths"]["/api/me"]
    act = doc["paths"]["/api/t/{tenant_code}/approval/applications/{app_id}/{action}"]["post"]
    action = next(p for p in act["parameters"] if p["name"] == "action")
    assert "accept" in action["schema"]["enum"] and "frobnicate" not in action["schema"]["enum"]
    search = doc["paths"]["/api/t/{tenant_code}/credit/search"]["get"]
    q = next(p for p in search["parameters"] if p["name"] == "q")
    assert q["required"] is True and q["schema"]["maxLength"] == 100


def test_required_query_and_declared_limits_are_enforced(contract):
    client, staff = contract["client"], contract["actors"][0]
    r = client.get(f"/api/t/{DEMO_TENANT}/credit/search", headers=staff)
    assert r.status_code == 422 and "q" in r.json()["error"]["fields"]
    r = client.get(f"/api/t/{DEMO_TENANT}/credit/search", params={"q": "x" * 101}, headers=staff)
    assert r.status_code == 422 and "q" in r.json()["error"]["fields"]
    r = client.get(f"/api/t/{DEMO_TENANT}/approval/workbench", params={"limit": 101}, headers=staff)
    assert r.status_code == 422 and "limit" in r.json()["error"]["fields"]
    r = client.get(f"/api/t/{DEMO_TENANT}/supervision/cards", params={"cursor": "12"}, headers=staff)
    assert r.status_code == 422 and "cursor" in r.json()["error"]["fields"]


def test_unsupported_methods_answer_405_with_allow_on_every_route(contract):
    client = contract["client"]
    for route in all_routes(client.app):
        url = route.url(**contract["ids"])
        for method in ("TRACE", "PATCH", "PUT", "DELETE"):
            if method in route.methods:
                continue
            r = client.request(method, url)
            assert r.status_code == 405, f"{method} {url}: {r.status_code}"
            allowed = {m.strip() for m in r.headers["allow"].split(",")}
            assert set(route.methods) <= allowed, f"{method} {url}: Allow {r.headers['allow']}"


def test_every_operation_documents_its_success_body(contract):
    """Each JSON route declares a response model (core.web.api.api_doc), so the comparison above covers
    every GET and the fuzz can check every answer."""
    for path, ops in contract["doc"]["paths"].items():
        if path in ("/api/openapi.json", "/api/docs"):
            continue
        for method, op in ops.items():
            ok = [code for code in op["responses"] if code.startswith("2")]
            assert ok, f"{method.upper()} {path}"
            for code in ok:
                assert "schema" in op["responses"][code]["content"]["application/json"], f"{method} {path}"
