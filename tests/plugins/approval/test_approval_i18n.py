"""Every string the approval templates translate has a Chinese translation; pages switch to English."""

from __future__ import annotations

from pathlib import Path

from core.web.i18n import Catalogue
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "approval"


def test_every_approval_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 80
    catalogue = Catalogue([PLUGIN / "locale"])
    missing = {m: sorted(w) for m, w in msgids.items() if catalogue.missing([m])}
    assert not missing, f"add these to plugins/approval/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


def test_guide_page_in_english(client, items):
    r = client.get("/t/360102/approval/items/DH-SP-001?lang=en")
    assert "Service guide" in r.text and "Promised limit" in r.text and "10 working days" in r.text
