"""The hall plugin's JSON API: the tenant and its departments, through the full request chain."""

from __future__ import annotations


def test_tenant_with_ancestors_and_children(client):
    body = client.get("/api/t/360102/hall/tenant").json()
    assert body["code"] == "360102" and body["name"] == "东湖区"
    assert [a["code"] for a in body["ancestors"]] == ["360000", "360100"]
    assert all(c["code"].startswith("360102") for c in body["children"])


def test_departments_are_those_of_the_tenant_only(client):
    province = client.get("/api/t/360000/hall/departments").json()["items"]
    assert len(province) == 47
    assert client.get("/api/t/360000/hall/departments/fgw").json()["code"] == "fgw"
    # a provincial department is not a department of Donghu District (which has its own fgw)
    r = client.get("/api/t/360102/hall/departments/jyt")  # the provincial Education Department
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_unknown_tenant_is_404_json(client):
    r = client.get("/api/t/999999/hall/tenant")
    assert r.status_code == 404 and "error" in r.json()
