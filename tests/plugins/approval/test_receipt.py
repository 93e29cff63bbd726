"""The receipt and the citizen's space (#13 item 11): print button, QR code, promised limits, materials,
one name for the number, a confirmed withdrawal, messages linked, and the hall finder by name."""

from __future__ import annotations

import re

from approval_helpers import PDF, PNG

from tests.factories import csrf_token, login, make_account


def _apply(client):
    url = "/t/360102/approval/items/DH-SP-001/apply"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "f_shop_name": "老王小吃"},
                       files={"file_form": ("申请书.pdf", PDF, "application/pdf"),
                              "file_photo": ("门头.png", PNG, "image/png")})


def test_receipt_and_a_confirmed_withdrawal(client, platform, items):
    make_account(platform, "legal", "ent1", display_name="南昌某某餐饮有限公司")
    login(client, "ent1")
    r = _apply(client)
    assert r.status_code == 303 and r.headers["location"].endswith("?receipt=1")
    receipt = client.get(r.headers["location"]).text
    section = re.search(r'<section class="notice receipt".*?</section>', receipt, re.S).group(0)
    assert "申报回执" in section and "申报号" in section and "文书号" not in receipt
    assert "<svg" in section and "扫码查看办理进度" in section  # the QR code, drawn on the server
    assert "data-print" in section and "/static/p/approval/receipt.js" in receipt  # no inline script
    assert "5 个工作日内作出是否受理的决定" in section and "10 个工作日内办结" in section
    assert "食品经营许可申请书: 申请书.pdf" in section and "经营场所照片: 门头.png" in section
    assert 'href="/my/messages/"' in section
    assert client.get("/static/p/approval/receipt.js").status_code == 200

    app_url = r.headers["location"].split("?")[0]
    page = client.get(app_url).text
    assert "?receipt=1" in page  # the receipt can be shown again
    withdraw = re.search(r'<form[^>]*/withdraw".*?</form>', page, re.S).group(0)
    assert 'name="confirm" value="1" required' in withdraw and "不能恢复" in withdraw
    version = re.search(r'name="version" value="(\d+)"', withdraw).group(1)
    done = client.post(app_url + "/withdraw", data={"csrf_token": csrf_token(client, app_url),
                                                    "version": version, "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=withdraw")
    assert "您的申报已撤回" in client.get(done.headers["location"]).text


def test_my_space_finds_a_hall_by_name(client, platform):
    make_account(platform, "person", "cit1", display_name="张三")
    login(client, "cit1")
    page = client.get("/my/", params={"find": "东湖"})
    assert page.status_code == 200 and 'id="h-hall">办事大厅: 东湖区' in page.text.replace("\n", "")
    many = client.get("/my/", params={"find": "南昌"})
    assert many.text.count('href="/my/?hall=') >= 2 and 'id="my-hits"' in many.text
    none = client.get("/my/", params={"find": "不存在的地方"})
    assert "没有匹配的办事大厅" in none.text
    assert "区划代码）" in page.text  # the finder takes a name or a code
