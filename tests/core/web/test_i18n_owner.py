"""One English msgid, two meanings: each plugin's templates are translated by its own catalogue first
(issue #13: approval's 申报号 showed as credit's 文书号; the API docs' "Type" as approval's 事项类型)."""

from __future__ import annotations

from core.web.i18n import Catalogue


def test_each_plugin_keeps_its_own_wording(app, platform):
    catalogue: Catalogue = platform.renderer.catalogue
    assert catalogue.gettext("zh-CN", "Number", "approval") == "申报号"
    assert catalogue.gettext("zh-CN", "Number", "credit") == "文书号"
    assert catalogue.gettext("zh-CN", "Type") == "类型"  # core pages: the core's wording
    assert catalogue.gettext("zh-CN", "Type", "approval") == "事项类型"
    assert catalogue.gettext("zh-CN", "Open") == "打开"
    assert catalogue.gettext("en", "Number", "credit") == "Number"


def test_a_plugin_page_uses_its_plugin_wording(client, platform):
    page = client.get("/t/360102/credit/publicity")
    assert page.status_code == 200
    assert "申报号" not in page.text
