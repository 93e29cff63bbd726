"""The public knowledge base of answered consultations (published with the person's consent and the duty
team's choice, personal data removed, searchable, paged, per hall) and files attached to tickets and
replies (checked like approval's uploads: type by content, size, count; shown to those allowed; another
hall's answers 404)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import csrf_token, login, make_account, make_staff
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.db import Scope
from plugins.interaction import attachments, redact
from plugins.interaction.models import Attachment, KnowledgeEntry, Ticket

BASE = "/t/360102/interaction"
XSS = "<script>alert(1)</script>"
ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
PDF = b"%PDF-1.4 a reply letter"
PNG = b"\x89PNG\r\n\x1a\n a photo"
QUESTION = (
    "您好，我叫王小明，身份证号360102199001011234，手机13812345678，座机0791-86123456。"
    "请问在东湖区办理居住证需要哪些材料？窗口的刘师傅说要租房合同，邮箱 wxm@example.com。"
)


@pytest.fixture(autouse=True)
def _day(platform):
    platform.clock.set(date(2026, 11, 2))


def _post(client, page, action, files=None, **data):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data}, files=files)


def _client(app):
    return TestClient(app, follow_redirects=False)


def _count(platform, model) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


# -- redaction ---------------------------------------------------------------------------------------


def test_personal_data_is_removed_from_realistic_chinese_text():
    out = redact.redact(QUESTION, names=["王小明"])
    for secret in ("王小明", "360102199001011234", "13812345678", "86123456", "wxm@example.com", "刘师傅"):
        assert secret not in out, (secret, out)
    assert "居住证" in out and "租房合同" in out and "刘某师傅" in out
    assert redact.ID_NUMBER in out and redact.PHONE in out and redact.EMAIL in out
    more = redact.redact(
        "联系人：李建国，电话 +86 139-0791-2233 或 139 0791 2233；身份证36010219900101123X；"
        "卡号6222 0202 0011 2233 445。张主任和陈女士很耐心。我是东湖区居民。"
    )
    for secret in ("李建国", "139-0791-2233", "139 0791 2233", "36010219900101123X", "6222 0202"):
        assert secret not in more, (secret, more)
    assert "张某主任" in more and "陈某女士" in more and "东湖区居民" in more
    asked = "我叫钱多多，想问居住证。"
    assert redact.names_in(asked) == ["钱多多"]
    assert redact.redact("钱多多您好，请携带材料。", names=redact.names_in(asked)) == "某某您好，请携带材料。"
    plain = "营业执照变更需要哪些材料？办理时限是几个工作日？"
    assert redact.redact(plain) == plain


# -- knowledge base ----------------------------------------------------------------------------------


def _consultation(client, platform, app, public_ok=True, kind="consultation", files=None):
    make_account(platform, "person", "asker", display_name="王小明")
    login(client, "asker")
    new = f"{BASE}/new"
    form = {"op": "submit", "kind": kind, "title": f"居住证办理{XSS}", "content": QUESTION + XSS,
            "name": "王小明", "phone": "13812345678"}
    if public_ok:
        form["public_ok"] = "on"
    r = _post(client, new, new, files=files, **form)
    assert r.status_code == 303, r.text[:600]
    tid = int(re.search(r"/my/(\d+)", r.headers["location"]).group(1))
    make_staff(platform, "duty", "360102", "interaction_officer")
    duty = login(_client(app), "duty")
    page = f"{BASE}/tickets/{tid}"
    assert _post(duty, page, f"{page}/accept", version="1").status_code == 303
    reply = f"请携带身份证和租房合同到政务大厅办理，王小明您也可拨打13812345678咨询。{XSS}"
    r = _post(duty, page, f"{page}/reply", version="2", reply=reply,
              files=[("files", ("答复函.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303, r.text[:600]
    return tid, duty, page


def test_an_answered_consultation_is_published_without_personal_data(client, app, platform):
    tid, duty, page = _consultation(client, platform, app)
    staff = duty.get(page).text
    assert 'id="f-publish"' in staff and "13812345678" in staff  # the ticket itself, for the duty team
    draft = re.search(r'<textarea id="kb-question"[^>]*>(.*?)</textarea>', staff, re.S).group(1)
    assert "王小明" not in draft and "13812345678" not in draft and "360102199001011234" not in draft
    assert ESC in draft and XSS not in staff
    # an edit that puts a number back is redacted again; HTML stays text
    r = _post(duty, page, f"{page}/publish", title=f"居住证办理{XSS}", question=draft + " 另：13900001111",
              answer=f"携带身份证和租房合同办理。{XSS}")
    assert r.status_code == 303, r.text[:600]
    again = _post(duty, page, f"{page}/publish", title="再次发布", question="再次发布的问题", answer="再次")
    assert again.status_code == 409 and "已发布" in again.text
    guest = _client(app)
    kb = guest.get(f"{BASE}/kb")
    assert kb.status_code == 200 and "居住证办理" in kb.text and "租房合同" in kb.text
    for secret in ("王小明", "13812345678", "13900001111", "360102199001011234", "wxm@example.com", XSS):
        assert secret not in kb.text, secret
    assert ESC in kb.text
    assert "居住证" in guest.get(f"{BASE}/kb", params={"q": "租房合同"}).text
    assert 'id="kb-empty"' in guest.get(f"{BASE}/kb", params={"q": "营业执照%_"}).text
    assert "居住证办理" not in guest.get("/t/360103/interaction/kb").text  # another hall's base
    r = _post(duty, page, f"{page}/unpublish")
    assert r.status_code == 303 and _count(platform, KnowledgeEntry) == 0
    assert "居住证办理" not in guest.get(f"{BASE}/kb").text


def test_the_knowledge_base_pages(app, platform):
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        for n in range(3):
            t = Ticket(tenant_id=donghu.id, tenant_path=donghu.path, number=f"2026110200{n:02d}",
                       kind="consultation", state="closed", title="t", content="c", name="n", public_ok=True,
                       received_on=date(2026, 11, 2), due_on=date(2026, 11, 5))
            s.add(t)
            s.flush()
            s.add(KnowledgeEntry(tenant_id=donghu.id, tenant_path=donghu.path, ticket_id=t.id,
                                 title=f"第{n}条咨询", question="问题内容", answer="答复内容",
                                 published_on=date(2026, 11, 2)))
    guest = _client(app)
    seen = []
    url = f"{BASE}/kb?limit=1"
    for _ in range(3):
        page = guest.get(url)
        assert page.status_code == 200 and page.text.count("data-entry") == 1
        seen += re.findall(r"第(\d)条咨询", page.text)
        more = re.search(r'rel="next" href="\?([^"]+)"', page.text)
        url = f"{BASE}/kb?limit=1&" + more.group(1).replace("&amp;", "&") if more else ""
    assert seen == ["2", "1", "0"] and url == ""
    assert guest.get(f"{BASE}/kb?cursor=nonsense").status_code == 422
    assert guest.get(f"{BASE}/kb?limit=1000").status_code == 422


def test_publication_needs_consent_an_answered_consultation_and_valid_text(client, app, platform):
    tid, duty, page = _consultation(client, platform, app, public_ok=False)
    staff = duty.get(page).text
    assert 'id="kb-no-consent"' in staff and 'id="f-publish"' not in staff
    r = _post(duty, page, f"{page}/publish", title="标题", question="问题内容很长", answer="答复")
    assert r.status_code == 409 and "未同意公开" in r.text
    with platform.db.transaction(Scope.system()) as s:
        s.get(Ticket, tid).public_ok = True
    r = _post(duty, page, f"{page}/publish", title="", question="短", answer="")
    assert r.status_code == 422 and "标题 (title)" in r.text
    assert _count(platform, KnowledgeEntry) == 0
    make_staff(platform, "xihu", "360103", "interaction_officer")
    xihu = login(_client(app), "xihu")
    r = _post(xihu, "/t/360103/interaction/tickets", f"/t/360103/interaction/tickets/{tid}/publish",
              title="标题", question="问题内容很长", answer="答复")
    assert r.status_code == 404 and _count(platform, KnowledgeEntry) == 0


# -- attachments -------------------------------------------------------------------------------------


def test_files_of_the_submitter_and_the_reply_are_shown_to_those_allowed(client, app, platform):
    img = "<img src=x onerror=alert(1)>"
    files = [("files", (f"现场{img}.png", PNG, "image/png")), ("files", ("证明.pdf", PDF, "application/pdf"))]
    tid, duty, page = _consultation(client, platform, app, files=files)
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(Attachment).order_by(Attachment.id)).all()
        assert [(r.side, r.content_type) for r in rows] == [
            ("submitter", "image/png"), ("submitter", "application/pdf"), ("reply", "application/pdf")]
        ids = [r.id for r in rows]
    mine = client.get(f"{BASE}/my/{tid}").text
    assert "现场&lt;img src=x onerror=alert(1)&gt;.png" in mine and img not in mine and "答复函.pdf" in mine
    got = client.get(f"{BASE}/my/{tid}/files/{ids[2]}")
    assert got.status_code == 200 and got.content == PDF
    assert "attachment" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    staff = duty.get(page).text
    assert f"{BASE}/tickets/{tid}/files/{ids[0]}" in staff
    assert duty.get(f"{BASE}/tickets/{tid}/files/{ids[0]}").content == PNG
    # another person, another hall, another ticket's number: all answer like a missing file
    make_account(platform, "person", "other")
    other = login(_client(app), "other")
    assert other.get(f"{BASE}/my/{tid}/files/{ids[0]}").status_code == 404
    make_staff(platform, "xihu", "360103", "interaction_officer")
    xihu = login(_client(app), "xihu")
    assert xihu.get(f"/t/360103/interaction/tickets/{tid}/files/{ids[0]}").status_code == 404
    assert duty.get(f"{BASE}/tickets/{tid}/files/999999").status_code == 404
    # a file changed on disk is refused, not delivered
    with platform.db.session(Scope.system()) as s:
        sha = s.get(Attachment, ids[1]).sha256
    Path(attachments.blob_path(platform.settings.data_dir, sha)).write_bytes(b"%PDF changed")
    assert duty.get(f"{BASE}/tickets/{tid}/files/{ids[1]}").status_code == 422


def test_a_township_reply_carries_files_the_guest_sees(client, app, platform, codes):
    new = f"{BASE}/new"
    assert _post(client, new, new, op="code", phone="13800138000", kind="complaint").status_code == 200
    r = _post(client, new, new, op="submit", kind="complaint", title="路灯不亮", content="村口路灯坏了一个月",
              name="访客", phone="13800138000", code=codes[-1][1],
              files=[("files", ("路灯.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"))])
    assert r.status_code == 303, r.text[:500]
    follow = r.headers["location"]
    number, key = re.search(r"/f/(\d+)\?key=([\w-]+)", follow).groups()
    make_staff(platform, "duty", "360102", "interaction_officer")
    make_staff(platform, "town", "360102015", "item_handler")
    duty, town = login(_client(app), "duty"), login(_client(app), "town")
    with platform.db.session(Scope.system()) as s:
        tid = s.scalar(select(Ticket.id))
    page = f"{BASE}/tickets/{tid}"
    assert _post(duty, page, f"{page}/accept", version="1").status_code == 303
    assert _post(duty, page, f"{page}/dispatch", version="2", target="360102015:").status_code == 303
    work = town.get("/t/360102015/interaction/work")
    aid = int(re.search(r'data-assignment="(\d+)"', work.text).group(1))
    item = f"/t/360102015/interaction/work/{aid}"
    shown = town.get(item).text
    fid = int(re.search(rf"{item}/files/(\d+)", shown).group(1))
    assert town.get(f"{item}/files/{fid}").status_code == 200
    bad = _post(town, item, f"{item}/reply", version="3", reply="已修复",
                files=[("files", ("病毒.pdf", b"MZ\x90\x00", "application/pdf"))])
    assert bad.status_code == 422 and "文件类型" in bad.text
    assert _count(platform, Attachment) == 1
    r = _post(town, item, f"{item}/reply", version="3", reply="已修复",
              files=[("files", ("维修单.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303, r.text[:500]
    mine = client.get(f"{BASE}/f/{number}?key={key}").text
    reply_id = max(int(x) for x in re.findall(rf"/f/{number}/files/(\d+)\?key=", mine))
    assert client.get(f"{BASE}/f/{number}/files/{reply_id}?key={key}").content == PDF
    assert client.get(f"{BASE}/f/{number}/files/{reply_id}?key=wrong").status_code == 404


def test_bad_uploads_are_refused_and_change_nothing(client, app, platform, codes):
    make_account(platform, "person", "asker")
    login(client, "asker")
    new = f"{BASE}/new"
    form = {"op": "submit", "kind": "complaint", "title": "占道经营", "content": "门口长期占道经营",
            "name": "张三"}
    cases = [
        [("files", ("假图片.png", b"GIF89a not a png", "image/png"))],
        [("files", ("程序.exe", b"MZ\x90\x00", "application/octet-stream"))],
        [("files", (f"{n}.pdf", PDF, "application/pdf")) for n in range(attachments.MAX_FILES + 1)],
        [("files", ("空.pdf", b"", "application/pdf"))],
    ]
    for files in cases:
        r = _post(client, new, new, files=files, **form)
        assert r.status_code == 422, r.text[:300]
        assert "附件" in r.text or "文件" in r.text
    big = platform.settings["interaction.attachment_max_mb"] * 1024 * 1024 + 1
    huge = [("files", ("大.pdf", b"%PDF" + b"0" * big, "application/pdf"))]
    r = _post(client, new, new, files=huge, **form)
    assert r.status_code == 413
    assert _count(platform, Ticket) == 0 and _count(platform, Attachment) == 0
    with pytest.raises(Exception) as e:
        attachments.check([attachments.Upload("a.pdf", b"%PDF" + b"0" * (1024 * 1024))], max_mb=1)
    assert getattr(e.value, "code", "") == "bad_upload"


def test_the_demo_halls_have_a_knowledge_base(demo_client):
    donghu = demo_client.get(f"{BASE}/kb").text
    assert "居住证办理需要哪些材料" in donghu and "周明" not in donghu and "13907910001" not in donghu
    assert "新生儿医保" in demo_client.get("/t/360100/interaction/kb").text
    assert "新生儿医保" not in donghu
