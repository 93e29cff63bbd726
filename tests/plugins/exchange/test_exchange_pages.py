"""Exchange pages through the ASGI app: catalogue search, a request sent and answered in the pages,
a subsystem's secret shown once, the log viewer's verification, bad input re-rendered, boundaries."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from exchange_helpers import sync
from factories import csrf_token, login, make_staff
from sqlalchemy import select

from core.api import Scope
from core.web.i18n import Catalogue
from plugins.exchange.models import AccessRequest, Grant
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "exchange"


def test_every_exchange_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 40
    missing = [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])]
    assert not missing, f"add to plugins/exchange/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


def _post(client, page: str, action: str, data):
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return client.post(action, content=urlencode([("csrf_token", csrf_token(client, page)), *pairs]),
                       headers={"content-type": "application/x-www-form-urlencoded"})


def test_request_in_the_pages_then_answer_and_see_it(client, platform):
    sync(platform)
    make_staff(platform, "donghu_x", "360102", "exchange_officer", "xzspj")
    make_staff(platform, "nanchang_x", "360100", "exchange_officer", "fgw")
    login(client, "donghu_x")
    page = client.get("/t/360102/exchange/catalogue?q=信用")
    assert page.status_code == 200 and "企业信用预警报告" in page.text and "有条件共享" in page.text
    assert "审批办件状态与结果" not in page.text
    form = client.get("/t/360102/exchange/request?provider=360100&resource=credit.report")
    assert form.status_code == 200 and "预警等级" in form.text
    bad = _post(client, "/t/360102/exchange/catalogue", "/t/360102/exchange/request",
                {"provider": "360100", "resource": "credit.report", "department": "xzspj", "purpose": ""})
    assert bad.status_code == 422 and "purpose" in bad.text
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(AccessRequest)).all() == []
    # a department the staff member does not belong to: refused, naming the field, nothing stored
    other = _post(client, "/t/360102/exchange/catalogue", "/t/360102/exchange/request",
                  [("provider", "360100"), ("resource", "credit.report"), ("department", "fgw"),
                   ("purpose", "以他人部门名义申请"), ("fields", "level")])
    assert other.status_code == 422 and "只能以本人所在部门的名义申请" in other.text
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(AccessRequest)).all() == []
    sent = _post(client, "/t/360102/exchange/catalogue", "/t/360102/exchange/request",
                 [("provider", "360100"), ("resource", "credit.report"), ("department", "xzspj"),
                  ("purpose", "并联审批核查信用"), ("fields", "level"), ("fields", "subject_code")])
    assert sent.status_code == 303
    mine = client.get("/t/360102/exchange/mine?sent=1")
    assert "申请已提交" in mine.text and "待答复" in mine.text and "预警等级" in mine.text
    client.cookies.clear()
    login(client, "nanchang_x")
    queue = client.get("/t/360100/exchange/queue")
    assert "并联审批核查信用" in queue.text
    with platform.db.session(Scope.system()) as s:
        req = s.scalars(select(AccessRequest)).one()
    refused = _post(client, "/t/360100/exchange/queue", f"/t/360100/exchange/requests/{req.id}/answer",
                    {"decision": "refuse", "version": str(req.version), "reason": ""})
    assert refused.status_code == 422 and "理由" in refused.text
    ok = _post(client, "/t/360100/exchange/queue", f"/t/360100/exchange/requests/{req.id}/answer",
               [("decision", "narrow"), ("version", str(req.version)), ("fields", "level"),
                ("expires_on", "2099-01-01"), ("reason", "最小必要")])
    assert ok.status_code == 303
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(Grant)).one().fields == ["level"]
    assert client.get(f"/t/360103/exchange/requests/{req.id}/answer").status_code in (404, 405)
    other = _post(client, "/t/360100/exchange/queue", f"/t/360103/exchange/requests/{req.id}/answer",
                  {"decision": "refuse", "version": "1", "reason": "x"})
    assert other.status_code in (403, 404)


def test_subsystem_secret_shown_once_and_log_viewer_verifies(client, platform):
    make_staff(platform, "donghu_x", "360102", "exchange_officer", "xzspj")
    login(client, "donghu_x")
    r = _post(client, "/t/360102/exchange/mine", "/t/360102/exchange/systems",
              {"department": "xzspj", "subsystem": "hall", "title": "审批系统"})
    assert r.status_code == 200 and "只显示这一次" in r.text and 'id="new-secret"' in r.text
    again = client.get("/t/360102/exchange/mine")
    assert 'id="new-secret"' not in again.text and "审批系统" in again.text
    bad = _post(client, "/t/360102/exchange/mine", "/t/360102/exchange/systems",
                {"department": "xzspj", "subsystem": "Bad Name"})
    assert bad.status_code == 422
    sync(platform, "360102")
    from plugins.exchange import gateway

    with platform.db.session(Scope.system()) as s:
        from plugins.exchange.models import SystemCredential

        cred = s.scalars(select(SystemCredential)).one()
    t = platform.directory.get("360102")
    gateway.serve(platform, t, client_id=cred.client_id, secret="wrong", code="approval.items", asked=[],
                  params={})
    gateway.serve(platform, t, client_id="x-none", secret="x", code="approval.items", asked=[], params={})
    log = client.get("/t/360102/exchange/log")
    assert log.status_code == 200 and "核验通过" in log.text and "未知调用系统" in log.text
