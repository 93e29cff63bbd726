"""Names for codes (core.labels): audit actions, targets, details, actors as people read them (#13 item 9)."""

from __future__ import annotations

import re

import pytest

from core.contracts import Label
from core.labels import Labels

TITLES = {"payment": ("支付", "Payment"), "approval": ("行政审批", "Approval")}


@pytest.fixture
def labels() -> Labels:
    return Labels.build({"approval": [Label("approval.application", "申请", "Application"),
                                      Label("approval.application.start_review", "开始审查", "Started"),
                                      Label("approval.item_title", "事项", "Item")]}, TITLES)


def test_actions_use_their_name_or_compose_one_from_names(labels):
    assert labels.action("approval.application.start_review", "zh-CN") == "开始审查"
    assert labels.action("approval.application.submitted", "zh-CN") == "行政审批：申请 已提交"
    assert labels.action("payment.order.created", "zh-CN") == "支付：已创建"
    assert labels.action("payment.order.frobnicated", "zh-CN") == "支付：操作"
    assert labels.action("plugin.switch", "zh-CN") == "切换插件"
    assert labels.action("plugin.switch", "en") == "Plugin switched"


def test_targets_details_and_actors_never_show_keys(labels):
    assert labels.target("approval.application:13", "zh-CN") == "申请 #13"
    assert labels.target("payment.order:2", "zh-CN") == "支付 #2"
    assert labels.target("licence:11100000MB0143028R001", "zh-CN") == "11100000MB0143028R001"
    assert labels.target("rule:bidding.collusion@1", "zh-CN") == "—"
    shown = labels.details({"from": "", "to": "created", "amount_cents": 2000, "rule_id": "x.y",
                            "card_ids": [1], "item_title": "食品经营许可"}, "zh-CN", "approval")
    assert shown == [("新状态", "已创建"), ("金额（分）", "2000"), ("事项", "食品经营许可")]
    assert labels.actor("system:payment", "zh-CN", TITLES) == "系统（支付）"
    assert labels.actor("staff:wang", "zh-CN", {"wang": "王五"}) == "王五"
    assert labels.actor("guest", "zh-CN") == "访客"


def test_a_plugin_names_only_its_own_codes():
    with pytest.raises(ValueError, match="outside its namespace"):
        Labels.build({"payment": [Label("approval.application", "申请", "Application")]}, TITLES)


def test_audit_page_shows_names_and_keeps_the_record(demo_platform):
    from starlette.testclient import TestClient

    from core.app import create_app
    from core.identity.demo import DEMO_PASSWORD
    from tests.factories import login

    with TestClient(create_app(platform=demo_platform), follow_redirects=False) as client:
        login(client, "nanchang_admin", DEMO_PASSWORD)
        html = client.get("/t/360102/console/audit").text
    body = re.split(r'<table id="audit"[^>]*>', html)[1].partition("</table>")[0]
    assert body.count('<details class="raw">') >= 5  # the stored record, for auditors, folded
    visible = re.sub(r'<details class="raw">.*?</details>', "", body, flags=re.S)
    assert "staff:" in body and "staff:" not in visible and "system:" not in visible
    assert not re.search(r"\b[a-z_]+\.[a-z_.]+\b", visible), "an action or target key is shown"
    assert "王五" in visible or "系统（" in visible
