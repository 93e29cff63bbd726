"""A refused application keeps the form: errors next to their fields in the reader's language, what was
typed kept, nothing stored; the wrong kind of account is told before typing anything (#13, item 8)."""

from __future__ import annotations

import re

from approval_helpers import PDF, PNG

from core.db import Scope
from plugins.approval.models import Application
from tests.factories import csrf_token, login, make_account

URL = "/t/360102/approval/items/DH-SP-001/apply"


def _post(client, fields, files, lang=""):
    token = csrf_token(client, URL)
    return client.post(URL + lang, data={"csrf_token": token, **fields}, files=files)


def test_a_missing_upload_keeps_the_form_with_errors_beside_the_fields(client, platform, items):
    make_account(platform, "legal", "ent1", display_name="南昌某某餐饮有限公司")
    login(client, "ent1")
    r = _post(client, {"f_shop_name": "老王小吃"}, {"file_form": ("申请书.pdf", PDF, "application/pdf")})
    assert r.status_code == 422
    assert 'value="老王小吃"' in r.text  # what was typed is kept
    assert 'id="form-errors"' in r.text and "申报未提交" in r.text
    photo = re.search(r'<input id="file_photo"[^>]*>\s*<span class="error" id="err-file_photo">([^<]+)<',
                      r.text)
    assert photo and photo.group(1) == "请上传此材料"
    assert 'aria-describedby="err-file_photo"' in r.text
    assert "err-file_form" not in r.text  # the file that was fine has no error
    assert "shop_name" not in re.sub(r'(id|name|for|aria-describedby)="[^"]*"', "", r.text)  # no raw keys
    assert "请重新选择" in r.text  # the browser does not keep files: say so

    r = _post(client, {"f_shop_name": "  "}, {"file_form": ("a.exe", b"MZ", "application/octet-stream"),
                                              "file_photo": ("p.png", PNG, "image/png")})
    assert r.status_code == 422
    assert re.search(r'id="err-f_shop_name">请填写此项<', r.text)
    assert re.search(r'id="err-file_form">文件类型须为 pdf', r.text)

    en = _post(client, {"f_shop_name": ""}, {}, lang="?lang=en")
    assert en.status_code == 422 and 'id="err-f_shop_name">required<' in en.text
    with platform.db.session(Scope.system()) as s:
        assert s.query(Application).count() == 0

    ok = _post(client, {"f_shop_name": "老王小吃"}, {"file_form": ("a.pdf", PDF, "application/pdf"),
                                                   "file_photo": ("p.png", PNG, "image/png")})
    assert ok.status_code == 303


def test_a_natural_person_is_told_before_uploading(client, platform, items):
    make_account(platform, "person", "cit1", display_name="张三")
    login(client, "cit1")
    guide = client.get("/t/360102/approval/items/DH-SP-001")
    assert "本事项仅限法人" in guide.text and URL not in guide.text
    page = client.get(URL)
    assert page.status_code == 200 and "本事项仅限法人" in page.text
    assert 'type="file"' not in page.text  # nothing to fill in or upload
    personal = client.get("/t/360102/approval/items/DH-WJ-002/apply")
    assert "本事项仅限" not in personal.text and 'type="file"' in personal.text
