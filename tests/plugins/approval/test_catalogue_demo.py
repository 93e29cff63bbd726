"""The demo catalogue at every tier, claims of the provincial basic catalogue, full guides, and the search
scope people choose in the hall's search box (#13 item 12)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from core.db import Scope
from plugins.approval.models import BasicItem, ServiceItem


@pytest.fixture
def client(demo_platform):
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform), follow_redirects=False) as c:
        yield c


def _codes(html: str) -> set[str]:
    return set(re.findall(r'/approval/items/([A-Z]+-[A-Z]+-\d+)"', html))


def test_halls_at_every_tier_show_items(client):
    for code in ("360000", "360100", "360102", "360103", "360102015", "360102015001"):
        r = client.get(f"/t/{code}/approval/items")
        assert r.status_code == 200 and _codes(r.text), f"the hall {code} shows no items"


def test_counties_claim_the_provincial_basic_catalogue(demo_platform):
    xihu = demo_platform.directory.get("360103")
    with demo_platform.db.session(Scope.system()) as s:
        basics = {b.id: b for b in s.scalars(select(BasicItem))}
        claimed = list(s.scalars(select(ServiceItem).where(ServiceItem.tenant_id == xihu.id)))
    assert len(claimed) >= 3
    for item in claimed:
        basic = basics[item.basic_item_id]  # every Xihu item is a claim of a basic item
        assert (item.code, item.name, item.legal_basis) == (basic.code, basic.name, basic.basis)
        assert item.department_name.startswith("西湖区")  # the implementation is the county's own


def test_every_demo_guide_states_legal_basis_and_conditions(demo_platform, client):
    with demo_platform.db.session(Scope.system()) as s:
        empty = [i.code for i in s.scalars(select(ServiceItem)) if not (i.legal_basis and i.conditions)]
    assert not empty, f"guides with no legal basis or conditions: {empty}"
    html = client.get("/t/360103/approval/items/JX-JB-001").text
    assert "公共场所卫生管理条例" in html and "<dd>—</dd>" not in html


def test_search_scope_this_hall_or_below(client):
    hall = client.get("/t/360100/").text
    assert 'name="scope" value="below"' in hall and "本级及下级" in hall
    here = client.get("/t/360100/approval/items", params={"q": "食品经营"}).text
    below = client.get("/t/360100/approval/items", params={"q": "食品经营", "scope": "below"}).text
    assert "DH-SP-001" not in _codes(here)
    assert "/t/360102/approval/items/DH-SP-001" in below  # linked at the hall that handles it
    assert "东湖区" in below
    # a village has no halls below it: no choice to offer
    assert 'name="scope"' not in client.get("/t/360102015001/").text
