"""The applicant → handler flow through real HTTP on the ASGI app, tenant boundaries, API errors."""

from __future__ import annotations

import re
import threading

import pytest
from approval_helpers import PDF, PNG

from core.db import Scope
from plugins.approval.models import Application
from tests.factories import csrf_token, login, make_account, make_staff


def _login(client, username, *args):
    """Log in as a browser would and, like a script on the page, send the session's CSRF token with the
    JSON API requests that ride on the cookie (core.identity.csrf)."""
    login(client, username, *args)
    client.headers["x-csrf-token"] = csrf_token(client, "/my/")
    return client


@pytest.fixture
def people(platform, items):
    enterprise = make_account(platform, "legal", "ent1", display_name="南昌某某餐饮有限公司")
    citizen = make_account(platform, "person", "cit1", display_name="张三")
    make_staff(platform, "dh_scj", "360102", "item_handler", department="scjgj")
    make_staff(platform, "dh_leader", "360102", "approval_leader", department="scjgj")
    make_staff(platform, "xh_handler", "360103", "item_handler")
    make_staff(platform, "prov_sup", "360000", "supervisor", subtree=True)
    return {"enterprise": enterprise, "citizen": citizen}


def _apply(client, code="DH-SP-001", files=None, fields=None):
    token = csrf_token(client, f"/t/360102/approval/items/{code}/apply")
    data = {"csrf_token": token, **(fields if fields is not None else {"f_shop_name": "老王小吃"})}
    files = (
        files
        if files is not None
        else {
            "file_form": ("申请书.pdf", PDF, "application/pdf"),
            "file_photo": ("门头.png", PNG, "image/png"),
        }
    )
    return client.post(f"/t/360102/approval/items/{code}/apply", data=data, files=files)


def _act(client, app_id, action, **fields):
    page = client.get(f"/t/360102/approval/workbench/{app_id}")
    assert page.status_code == 200, page.text[:300]
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        f"/t/360102/approval/workbench/{app_id}/{action}",
        data={"csrf_token": token, "version": fields.pop("version", version), **fields},
    )


def test_browse_search_and_guide(client, items):
    r = client.get("/t/360102/approval/items?entrance=legal")
    assert r.status_code == 200 and "食品经营许可" in r.text and "生育登记" not in r.text
    r = client.get("/t/360102/approval/search?q=经营许可")
    assert "食品经营许可" in r.text and "企业投资项目核准" not in r.text
    guide = client.get("/t/360102/approval/items/DH-FG-003")
    assert 'data-serial="30"' in guide.text and 'data-parallel="25"' in guide.text
    assert "办事指南" in client.get("/t/360102/approval/items/DH-SP-001").text
    assert client.get("/t/360102/approval/items/NOPE").status_code == 404
    api = client.get("/api/t/360102/approval/items", params={"q": "食品"}).json()
    assert [i["code"] for i in api["items"]] == ["DH-SP-001"]
    # another hall has its own catalogue
    assert "食品经营许可" not in client.get("/t/360103/approval/items").text


def test_applicant_to_handler_flow(client, platform, people):
    _login(client, "ent1")
    r = _apply(client)
    assert r.status_code == 303
    receipt = client.get(r.headers["location"])
    assert "360102-" in receipt.text and "回执" in receipt.text
    app_id = int(r.headers["location"].split("/my/")[1].split("?")[0])
    assert "360102-" in client.get("/t/360102/approval/my").text
    mine = client.get("/api/t/360102/approval/my/applications").json()["items"]
    assert mine[0]["id"] == app_id and mine[0]["tenant_code"] == "360102"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_scj")
    queue = client.get("/t/360102/approval/workbench")
    assert queue.status_code == 200 and "食品经营许可" in queue.text
    assert _act(client, app_id, "correct", missing="photo").status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "ent1")
    page = client.get(f"/t/360102/approval/my/{app_id}")
    assert "经营场所照片" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = client.post(
        f"/t/360102/approval/my/{app_id}/resubmit",
        data={"csrf_token": csrf_token(client, f"/t/360102/approval/my/{app_id}"), "version": version},
        files={"file_photo": ("新门头.png", PNG, "image/png")},
    )
    assert r.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_scj")
    for action, extra in (
        ("accept", {}),
        ("review", {}),
        ("approve", {"reason": "符合条件"}),
        ("conclude", {}),
    ):
        assert _act(client, app_id, action, **extra).status_code == 303, action
    case = client.get(f"/t/360102/approval/workbench/{app_id}")
    assert "已办结" in case.text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "ent1")
    token = csrf_token(client, f"/t/360102/approval/my/{app_id}")
    assert (
        client.post(
            f"/t/360102/approval/my/{app_id}/rate", data={"csrf_token": token, "level": "5"}
        ).status_code
        == 303
    )
    # the rating is an interaction review (#21), recorded when the event is delivered
    assert 'id="rating-pending"' in client.get(f"/t/360102/approval/my/{app_id}").text
    from core import events

    while events.dispatch_pending(platform):
        pass
    assert "★★★★★" in client.get(f"/t/360102/approval/my/{app_id}").text
    again = client.post(f"/t/360102/approval/my/{app_id}/rate", data={"csrf_token": token, "level": "3"})
    assert again.status_code == 409 and "已评价" in again.text
    assert "南昌某某餐饮有限公司" in client.get("/t/360102/approval/publicity").text


def test_bad_input_on_pages_and_api(client, platform, people):
    _login(client, "ent1")
    r = _apply(client, files={"file_form": ("申请书.pdf", PDF, "application/pdf")})
    assert r.status_code == 422 and "缺少必需材料" in r.text
    r = _apply(
        client,
        files={
            "file_form": ("a.exe", b"MZ", "application/octet-stream"),
            "file_photo": ("p.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 422 and "文件类型" in r.text
    r = _apply(
        client,
        files={
            "file_form": ("big.pdf", PDF + b"0" * (1024 * 1024), "application/pdf"),
            "file_photo": ("p.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 422 and "超过" in r.text
    r = _apply(client, code="DH-WJ-002", files={"file_id": ("id.pdf", PDF, "application/pdf")}, fields={})
    assert r.status_code == 422 and "本事项仅限自然人" in r.text
    assert _apply(client, code="NOPE").status_code == 404
    api = client.post(
        "/api/t/360102/approval/applications",
        data={
            "item_code": "DH-SP-001",
            "f_shop_name": "x",
            "csrf_token": csrf_token(client, "/t/360102/approval/items/DH-SP-001/apply"),
        },
        files={"file_form": ("a.pdf", PDF, "application/pdf")},
    )
    assert api.status_code == 422 and api.json()["error"]["code"] == "missing_material"
    assert "photo" in api.json()["error"]["fields"]
    with platform.db.session(Scope.system()) as s:
        assert s.query(Application).count() == 0


def _submit_api(client):
    token = csrf_token(client, "/t/360102/approval/items/DH-SP-001/apply")
    r = client.post(
        "/api/t/360102/approval/applications",
        data={"item_code": "DH-SP-001", "f_shop_name": "x", "csrf_token": token},
        files={"file_form": ("a.pdf", PDF, "application/pdf"), "file_photo": ("p.png", PNG, "image/png")},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_api_transitions_conflicts_and_tenant_boundary(client, platform, people):
    _login(client, "ent1")
    app = _submit_api(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "xh_handler")  # a Xihu handler: Donghu's case is not theirs
    assert client.get(f"/api/t/360102/approval/applications/{app['id']}").status_code == 403
    assert (
        client.post(
            f"/api/t/360102/approval/applications/{app['id']}/accept", json={"version": app["version"]}
        ).status_code
        == 403
    )
    assert client.get(f"/t/360102/approval/workbench/{app['id']}").status_code == 403
    assert client.get(f"/api/t/360103/approval/applications/{app['id']}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_scj")
    url = f"/api/t/360102/approval/applications/{app['id']}"
    bad = client.post(url + "/conclude", json={"version": app["version"]})
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "transition_not_allowed"
    ok = client.post(url + "/accept", json={"version": app["version"]})
    assert ok.status_code == 200 and ok.json()["state"] == "accepted" and ok.json()["deadline"]
    stale = client.post(url + "/refuse", json={"version": app["version"], "reason": "x"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert (
        client.post(
            url + "/extend", json={"version": ok.json()["version"], "days": 3, "reason": "复杂"}
        ).status_code
        == 403
    )
    queue = client.get("/api/t/360102/approval/workbench", params={"state": "accepted"}).json()
    assert [a["id"] for a in queue["items"]] == [app["id"]]
    unknown = client.post(url + "/frobnicate", json={"version": 2})  # the path's action is an enum
    assert unknown.status_code == 422 and "action" in unknown.json()["error"]["fields"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_leader")
    ext = client.post(
        url + "/extend", json={"version": ok.json()["version"], "days": 3, "reason": "情况复杂"}
    )
    assert ext.status_code == 200, ext.text


def test_two_transitions_at_once_one_gets_409(client, platform, people):
    _login(client, "ent1")
    app = _submit_api(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    _login(client, "dh_scj")
    url = f"/api/t/360102/approval/applications/{app['id']}"
    results: list[int] = []
    barrier = threading.Barrier(2)

    def go(action: str, body: dict) -> None:
        barrier.wait()
        results.append(client.post(url + "/" + action, json={"version": app["version"], **body}).status_code)

    threads = [
        threading.Thread(target=go, args=("accept", {})),
        threading.Thread(target=go, args=("refuse", {"reason": "材料不全"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]


def test_stats_tenant_and_supervisor_subtree(client, platform, people):
    _login(client, "ent1")
    _submit_api(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    _login(client, "dh_scj")
    own = client.get("/api/t/360102/approval/stats").json()
    assert own["received"] == 1 and own["subtree"] is False
    page = client.get("/t/360102/approval/stats")
    assert page.status_code == 200 and "<svg" in page.text and "办结率" in page.text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    _login(client, "prov_sup")
    sub = client.get("/api/t/360000/approval/stats?subtree=1").json()
    assert sub["subtree"] is True and sub["received"] == 1
    assert [c["code"] for c in sub["children"]] == ["360100"]
    assert client.get("/api/t/360000/approval/stats").json()["received"] == 0  # the province's own hall
    assert client.get("/t/360000/approval/stats?subtree=1").status_code == 200
    assert client.get("/api/t/360000/approval/stats?since=notadate").status_code == 422


def test_catalogue_management_stale_page_and_someone_elses_application(client, platform, people):
    make_staff(platform, "dh_admin", "360102", "comprehensive_admin")
    _login(client, "ent1")
    app = _submit_api(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "cit1")  # another applicant: the application does not exist for them
    assert client.get(f"/t/360102/approval/my/{app['id']}").status_code == 404
    assert client.get(f"/api/t/360102/approval/my/applications/{app['id']}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_scj")
    page = client.get(f"/t/360102/approval/workbench/{app['id']}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert _act(client, app["id"], "accept").status_code == 303
    stale = client.post(
        f"/t/360102/approval/workbench/{app['id']}/refuse",
        data={"csrf_token": token, "version": str(app["version"]), "reason": "x"},
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.text
    body = {
        "code": "DH-NEW-1",
        "name": "户外广告设施设置许可",
        "item_type": "licence",
        "entrance": "legal",
        "department_code": "zjj",
        "statutory_days": 20,
        "promised_days": 5,
    }
    assert client.post("/api/t/360102/approval/catalogue/items", json=body).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})

    _login(client, "dh_admin")
    r = client.post("/api/t/360102/approval/catalogue/items", json=body)
    assert r.status_code == 201 and r.json()["status"] == "draft"
    assert client.get("/api/t/360102/approval/items/DH-NEW-1").status_code == 404  # a draft is not public
    bad = client.post("/api/t/360102/approval/catalogue/items", json={**body, "promised_days": 99})
    assert bad.status_code == 422 and "promised_days" in bad.json()["error"]["fields"]
    assert (
        client.post("/api/t/360102/approval/catalogue/items/DH-NEW-1/publish").json()["status"] == "published"
    )
    assert (
        client.get("/api/t/360102/approval/items", params={"q": "户外广告"}).json()["items"][0]["code"]
        == "DH-NEW-1"
    )


def test_a_garbled_version_field_is_a_422_not_a_server_error(client, platform, people):
    _login(client, "ent1")
    app = _submit_api(client)
    token = csrf_token(client, f"/t/360102/approval/my/{app['id']}")
    r = client.post(
        f"/t/360102/approval/my/{app['id']}/withdraw", data={"csrf_token": token, "version": "abc"}
    )
    assert r.status_code == 422 and "版本号无效" in r.text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    _login(client, "dh_scj")
    page = client.get(f"/t/360102/approval/workbench/{app['id']}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        f"/t/360102/approval/workbench/{app['id']}/accept", data={"csrf_token": token, "version": "x"}
    )
    assert r.status_code == 422
    with platform.db.session(Scope.system()) as s:
        assert s.get(Application, app["id"]).state == "submitted"
