"""Bidding pages on the demo data: the notices of a city include its districts', a tender shows its periods
with their legal basis and (after the opening) a chart of prices, in Chinese and English; every msgid has a
Chinese translation; another district's tender answers 404 like a missing one."""

from __future__ import annotations

from pathlib import Path

from core.web.i18n import Catalogue
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "bidding"


def test_every_bidding_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 50
    assert [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])] == []


def test_notices_and_a_tender_in_both_languages(demo_client):
    city = demo_client.get("/t/360100/bidding/")
    assert city.status_code == 200
    assert "东湖区排水管网改造工程" in city.text and "南昌市公交站台提升改造工程" in city.text
    page = demo_client.get("/t/360102/bidding/tenders/3")
    assert page.status_code == 200
    assert "《招标投标法》第二十四条" in page.text and "开标结果" in page.text and "<svg" in page.text
    open_bids = demo_client.get("/t/360102/bidding/tenders/1")
    assert "开标前投标文件保持密封" in open_bids.text
    en = demo_client.get("/t/360102/bidding/tenders/3?lang=en")
    assert "Bidding Law, art. 24" in en.text and "Statutory periods" in en.text


def test_another_districts_tender_is_missing(demo_client):
    theirs = demo_client.get("/t/360103/bidding/tenders/1")
    missing = demo_client.get("/t/360103/bidding/tenders/999999")
    assert theirs.status_code == missing.status_code == 404 and theirs.content == missing.content
