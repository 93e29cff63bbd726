"""Licence pages through the ASGI app: the public verification page (current state; unknown and malformed
numbers answer a friendly 404, never a 500), file upload, use codes across counties, boundaries, staff
actions and the console's bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import csrf_token, login, make_account, make_staff
from licence_helpers import ACME, FOOD, TYPE_CODE, issue, load, make_type
from sqlalchemy import select, update

from core.db import Scope
from core.web.i18n import Catalogue
from plugins.licence import identifiers
from plugins.licence.models import LicenceType, UseCode
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "licence"


def test_every_licence_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 80
    missing = [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])]
    assert not missing, f"add to plugins/licence/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


@pytest.fixture
def licence(platform):
    make_type(platform)
    make_account(platform, "legal", "acme", display_name="江西测试企业有限公司", id_number=ACME)
    return load(platform, issue(platform).id)


def _form_post(client, page_path: str, action: str, **data: str):
    return client.post(action, data={"csrf_token": csrf_token(client, page_path), **data})


def test_guest_sees_the_current_state_on_the_verification_page(client, platform, licence):
    url = f"/t/360102/licence/v/{licence.identifier}"
    page = client.get(url)
    assert page.status_code == 200 and "有效" in page.text and "江西测试企业有限公司" in page.text
    assert "发证机关的电子签名验证通过" in page.text
    make_staff(platform, "officer", "360102", "item_handler")
    login(client, "officer")
    r = _form_post(
        client,
        f"/t/360102/licence/licences/{licence.id}",
        f"/t/360102/licence/licences/{licence.id}/revoke",
        version=str(licence.version),
        reason="以欺骗手段取得许可",
    )
    assert r.status_code == 303, r.text[:300]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    page = client.get(url + "?lang=en")
    assert page.status_code == 200 and "Revoked" in page.text and "以欺骗手段取得许可" in page.text
    assert "This licence was revoked" in page.text


@pytest.mark.parametrize("number", ["not-a-number", "<script>alert(1)</script>", "1" * 55])
def test_malformed_numbers_get_a_friendly_page_not_an_error(client, licence, number):
    page = client.get(f"/t/360102/licence/v/{number}")
    assert (
        page.status_code == 404 and "这不是有效的证照编号" in page.text and "<script>alert" not in page.text
    )


def test_an_unknown_or_other_halls_number_gets_a_friendly_404(client, licence):
    other = identifiers.compose(licence.type_code, licence.issuer_code, "2020010199999", 1).text
    for url in (f"/t/360102/licence/v/{other}", f"/t/360103/licence/v/{licence.identifier}"):
        page = client.get(url)
        assert page.status_code == 404 and "查无此证照" in page.text, url
    api = client.get(f"/api/t/360102/licence/verify/{other}")
    assert api.status_code == 404 and api.json()["error"]["code"] == "unknown_licence"


def _edit_page(pdf: bytes) -> bytes:
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    content = writer.pages[0].get_contents()
    content.set_data(content.get_data().replace(b"12 Tf", b"14 Tf", 1))
    writer.pages[0].replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_uploading_a_genuine_and_an_edited_file(client, licence):
    def upload(content: bytes):
        token = csrf_token(client, "/t/360102/licence/verify")
        return client.post(
            "/t/360102/licence/verify",
            data={"csrf_token": token},
            files={"file": ("licence.pdf", content, "application/pdf")},
        )

    good = upload(licence.pdf)
    assert good.status_code == 200 and "文件真实有效" in good.text and "当前状态" in good.text
    edited = upload(_edit_page(licence.pdf))
    assert edited.status_code == 422 and "页面上的文字或图形被编辑过" in edited.text
    broken = upload(b"%PDF-1.4 nothing here")
    assert broken.status_code == 422 and "文件核验不通过" in broken.text
    token = csrf_token(client, "/t/360102/licence/verify")
    missing = client.post("/t/360102/licence/verify", data={"csrf_token": token})
    assert missing.status_code == 422


def test_use_code_lets_a_clerk_in_another_county_see_the_licence_once(client, platform, licence):
    make_staff(platform, "clerk", "360103", "item_handler")
    make_staff(platform, "clerk2", "360103", "item_handler")
    login(client, "acme")
    page = _form_post(
        client,
        f"/t/360102/licence/my/{licence.id}",
        f"/t/360102/licence/my/{licence.id}/codes",
        purpose="办理分支机构登记",
    )
    assert page.status_code == 200
    code = re.search(r"data-code>([A-Z0-9-]+)<", page.text).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "clerk")
    r = _form_post(client, "/t/360103/licence/redeem", "/t/360103/licence/redeem", code=code.lower())
    assert r.status_code == 303, r.text[:300]
    shared = client.get(r.headers["location"])
    assert shared.status_code == 200 and licence.identifier in shared.text
    pdf = client.get(r.headers["location"] + "/pdf")
    assert pdf.status_code == 200 and pdf.content == licence.pdf
    again = _form_post(client, "/t/360103/licence/redeem", "/t/360103/licence/redeem", code=code)
    assert again.status_code == 409 and "已被使用或已过期" in again.text
    bad = _form_post(client, "/t/360103/licence/redeem", "/t/360103/licence/redeem", code="nope")
    assert bad.status_code == 422 and "12 位" in bad.text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360103/")})
    login(client, "clerk2")  # the view belongs to the clerk who redeemed it
    assert client.get(r.headers["location"]).status_code == 404
    with platform.db.session(Scope.system()) as s:
        row = s.scalars(select(UseCode)).one()
    assert row.redeemed_by.endswith("clerk") and row.purpose == "办理分支机构登记"


def test_an_expired_use_code_is_refused(client, platform, licence):
    make_staff(platform, "clerk", "360103", "item_handler")
    login(client, "acme")
    page = _form_post(
        client, f"/t/360102/licence/my/{licence.id}", f"/t/360102/licence/my/{licence.id}/codes"
    )
    code = re.search(r"data-code>([A-Z0-9-]+)<", page.text).group(1)
    from datetime import UTC, datetime, timedelta

    with platform.db.transaction(Scope.system()) as s:
        s.execute(update(UseCode).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "clerk")
    r = _form_post(client, "/t/360103/licence/redeem", "/t/360103/licence/redeem", code=code)
    assert r.status_code == 409


def test_other_holders_and_other_tenants_get_the_same_404_as_missing(client, platform, licence):
    make_account(platform, "legal", "rival")
    login(client, "rival")
    theirs = client.get(f"/t/360102/licence/my/{licence.id}")
    missing = client.get("/t/360102/licence/my/999999")
    assert theirs.status_code == missing.status_code == 404 and theirs.text == missing.text
    assert client.get(f"/t/360102/licence/my/{licence.id}/pdf").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    make_staff(platform, "elsewhere", "360103", "item_handler")
    login(client, "elsewhere")
    theirs = client.get(f"/t/360103/licence/licences/{licence.id}")
    missing = client.get("/t/360103/licence/licences/999999")
    assert theirs.status_code == missing.status_code == 404 and theirs.text == missing.text
    assert client.get(f"/t/360102/licence/licences/{licence.id}").status_code == 403


def test_staff_act_with_a_stale_version_or_no_reason_changes_nothing(client, platform, licence):
    make_staff(platform, "officer", "360102", "item_handler")
    login(client, "officer")
    page = f"/t/360102/licence/licences/{licence.id}"
    r = _form_post(client, page, page + "/suspend", version=str(licence.version), reason="")
    assert r.status_code == 422 and "必填" in r.text
    r = _form_post(client, page, page + "/suspend", version=str(licence.version + 5), reason="核查")
    assert r.status_code == 409 and "已被他人处理" in r.text
    assert load(platform, licence.id).state == "valid"
    r = _form_post(
        client,
        page,
        page + "/change",
        version=str(licence.version),
        reason="场所变更",
        f_premises="八一大道 3 号",
    )
    assert r.status_code == 303
    assert load(platform, licence.id).state == "changed"
    new = client.get(r.headers["location"])
    assert "八一大道 3 号" in new.text and "02" in new.text


def test_console_refuses_a_bad_type_in_chinese_and_stores_nothing(client, platform):
    make_staff(platform, "admin", "360102", "comprehensive_admin")
    login(client, "admin")
    form = {**{k: str(v) for k, v in FOOD.items() if k != "fields"}, "fields": "[not json"}
    r = _form_post(client, "/t/360102/licence/types", "/t/360102/licence/types", **form)
    assert r.status_code == 422 and "不是有效的 JSON" in r.text
    form["fields"] = "[]"
    form["code"] = TYPE_CODE[:-1] + "X"
    r = _form_post(client, "/t/360102/licence/types", "/t/360102/licence/types", **form)
    assert r.status_code == 422 and "证照类型代码应为" in r.text
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(LicenceType)).all() == []
    form["code"] = TYPE_CODE
    r = _form_post(client, "/t/360102/licence/types", "/t/360102/licence/types", **form)
    assert r.status_code == 303
    r = _form_post(
        client,
        "/t/360102/licence/types",
        "/t/360102/licence/mappings",
        item_code="DH SP 1",
        type_code=TYPE_CODE,
    )
    assert r.status_code == 422
    r = _form_post(
        client,
        "/t/360102/licence/types",
        "/t/360102/licence/mappings",
        item_code="DH-SP-001",
        item_name="食品经营许可",
        type_code=TYPE_CODE,
    )
    assert r.status_code == 303 and "食品经营许可" in client.get("/t/360102/licence/types").text


def test_every_page_renders_in_both_languages(client, platform, licence):
    make_staff(platform, "admin", "360102", "comprehensive_admin")
    login(client, "admin")
    pages = [
        "/t/360102/licence/verify",
        f"/t/360102/licence/v/{licence.identifier}",
        "/t/360102/licence/licences",
        f"/t/360102/licence/licences/{licence.id}",
        "/t/360102/licence/types",
        "/t/360102/licence/redeem",
    ]
    with platform.db.session(Scope.system()) as s:
        type_id = s.scalars(select(LicenceType.id)).first()
    pages.append(f"/t/360102/licence/types/{type_id}")
    for url in pages:
        for lang in ("zh-CN", "en"):
            r = client.get(f"{url}?lang={lang}")
            assert r.status_code == 200, (url, lang, r.text[:300])
            assert "None" not in re.sub(r"<[^>]+>", "", r.text), (url, lang)
