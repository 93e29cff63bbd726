"""Public statistics of each hall with filters in the page (#13 item 13): "—" when nothing concluded,
readable week labels, the subtree offered only to those who hold it."""

from __future__ import annotations

from starlette.testclient import TestClient

from core.identity.demo import DEMO_PASSWORD
from tests.factories import login


def test_statistics_are_public_and_readable(demo_platform):
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform), follow_redirects=False) as client:
        hall = client.get("/t/360102/")
        assert "approval/stats" in hall.text  # offered to a guest in the hall's 阳光政务
        page = client.get("/t/360102/approval/stats")
        assert page.status_code == 200
        assert "-W" not in page.text and "当周" in page.text  # weeks as dates, not 2026-W45
        assert 'name="since"' in page.text and 'name="subtree"' not in page.text  # guests: this hall only
        empty = client.get("/t/360102/approval/stats", params={"since": "2030-01-01"})
        assert '<dd id="ontime">—</dd>' in empty.text and '<dd id="completion">—</dd>' in empty.text
        assert client.get("/t/360102/approval/stats", params={"subtree": "1"}).text.count("当周") > 0

        login(client, "province_supervisor", DEMO_PASSWORD)
        mine = client.get("/t/360100/approval/stats", params={"subtree": "1"})
        assert 'name="subtree" value="1" checked' in mine.text and "包含所有下级地区" in mine.text
