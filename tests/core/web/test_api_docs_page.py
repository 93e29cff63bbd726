"""The API docs page in Chinese (#13 item 14): every summary translated (English beside it), markdown
rendered rather than backticks shown, the core's endpoints listed, headers translated by the core's own
catalogue; the audit log labels its times with the zone it shows them in."""

from __future__ import annotations

import re

from core.web.api_docs import build_openapi


def test_every_operation_has_a_chinese_summary(app, platform):
    doc = build_openapi(platform, list(app.routes))
    catalogue = platform.renderer.catalogue
    missing = [f"{op['tags'][0]}: {op['summary']}" for ops in doc["paths"].values() for op in ops.values()
               if catalogue.gettext("zh-CN", op["summary"], "" if op["tags"][0] == "core" else op["tags"][0])
               == op["summary"]]
    assert not missing, "API summaries without a Chinese translation:\n" + "\n".join(missing)


def test_docs_page_in_chinese(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    text = page.text
    core = text[text.index('id="tag-core"'):text.index('id="tag-approval"')]
    assert "/api/login" in core and "/api/me" in core and "没有接口" not in core
    assert "登录：返回会话" in text and 'lang="en"' in text  # Chinese first, the English beside it
    assert "`" not in re.sub(r"<pre>.*?</pre>", "", text, flags=re.S)  # markdown rendered, no backticks
    assert "<code>approval:application:submit</code>" in text
    assert "<th>类型</th>" in text and "事项类型" not in text


def test_audit_page_names_the_zone_it_shows(client, platform):
    from tests.factories import login, make_staff

    make_staff(platform, "auditor", "360000", "comprehensive_admin", subtree=True)
    login(client, "auditor")
    page = client.get("/t/360000/console/audit")
    assert page.status_code == 200 and "时间（北京时间）" in page.text and "UTC" not in page.text
