"""The clerk's queue (#13 item 10): new cases first, then by due date with overdue ones marked in words;
a search; final decisions need a confirmation and every action says what happened."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from core.identity.demo import DEMO_PASSWORD
from tests.factories import login

QUEUE = "/t/360102/approval/workbench"


@pytest.fixture
def clerk(demo_platform):
    from core.app import create_app

    with TestClient(create_app(platform=demo_platform), follow_redirects=False) as c:
        login(c, "donghu_handler", DEMO_PASSWORD)
        yield c


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="([a-z]*)" data-app="\d+">', html)


def test_queue_order_marks_and_search(clerk):
    page = clerk.get(QUEUE)
    assert page.status_code == 200
    kinds = _rows(page.text)
    assert kinds, "the demo has open applications at Donghu"
    # new cases (no deadline yet) come first, not at the bottom
    if "new" in kinds:
        assert kinds[: kinds.count("new")] == ["new"] * kinds.count("new")
    assert "xzspj" not in page.text and "东湖区行政审批局" in page.text  # the department by its name
    for row in re.findall(r'<tr class="overdue".*?</tr>', page.text, re.S):
        assert "已超期" in row  # said in words, not only in colour
    number = re.search(r'workbench/\d+">(\d{6}-[^<]+)</a>', page.text).group(1)
    found = clerk.get(QUEUE, params={"q": number})
    assert _rows(found.text) and len(_rows(found.text)) == 1 and number in found.text
    none = clerk.get(QUEUE, params={"q": "没有这个申请人"})
    assert _rows(none.text) == [] and "没有符合条件的办件" in none.text


def test_final_decisions_ask_for_confirmation_and_actions_say_what_happened(clerk):
    page = clerk.get(QUEUE, params={"state": "submitted"})
    app_id = re.search(r'data-app="(\d+)"', page.text)
    assert app_id, "the demo has a submitted application at Donghu"
    case = clerk.get(f"{QUEUE}/{app_id.group(1)}")
    refuse = re.search(r'<form[^>]*/refuse" class="action danger">.*?</form>', case.text, re.S).group(0)
    assert 'name="confirm" value="1" required' in refuse and "不能撤回" in refuse
    accept = re.search(r'<form[^>]*/accept" class="action">.*?</form>', case.text, re.S).group(0)
    assert "confirm" not in accept  # accepting is not final
    version = re.search(r'name="version" value="(\d+)"', case.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', case.text).group(1)
    r = clerk.post(f"{QUEUE}/{app_id.group(1)}/accept", data={"csrf_token": token, "version": version})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=accept")
    done = clerk.get(r.headers["location"])
    assert 'id="done"' in done.text and "已受理" in done.text
