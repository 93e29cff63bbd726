"""The workbench queue as one Core statement (queries.queue, issue #14): against a plain Python reading of
what the page promises — the department's cases and those with a pending task for it, new cases first,
then the soonest deadline, ``state``/``due``/``q`` filters, the page limit — on more cases than a page
holds, so the per-branch limits inside the statement are exercised, and with another hall's cases of the
same department that must never show."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from approval_helpers import FOOD

from core.api import add_working_days
from plugins.approval import queries
from plugins.approval.models import Application, Task

TODAY = date(2026, 11, 16)
CLOSED = ("concluded", "refused", "withdrawn")
OURS, OTHER = "scjgj", "fgw"


def _cases(platform: Any, tenant: Any, item_id: int, n: int, rng: random.Random, tag: str) -> list[dict]:
    """``n`` applications of assorted states, departments and deadlines, with co-department tasks."""
    out = []
    with platform.db.transaction(tenant.scope) as s:
        for i in range(n):
            state = rng.choice((*queries.QUEUE_STATES, *queries.NEW_STATES, *CLOSED))
            fresh = state in queries.NEW_STATES
            deadline = None if fresh or rng.random() < 0.1 else TODAY + timedelta(days=rng.randint(-20, 20))
            dept = OURS if rng.random() < 0.6 else OTHER
            name = rng.choice(("张三", "李四", "南昌示例科技有限公司"))
            app = Application(
                number=f"{tag}-{i:05d}", item_id=item_id, item_code="FOOD", item_name="食品经营许可",
                item_version_no=1, department_code=dept, applicant_account_id=1, applicant_kind="natural",
                applicant_name=name, applicant_id_number="x", state=state, submitted_on=TODAY,
                deadline=deadline,
            )
            s.add(app)
            s.flush()
            task = None
            if dept == OTHER and rng.random() < 0.5:  # a co-department task for us, pending or not
                task = rng.choice(("pending", "approved"))
                s.add(Task(application_id=app.id, department_code=OURS, role="co", limit_days=5,
                           deadline=TODAY, state=task))
            out.append({"id": app.id, "number": app.number, "state": state, "deadline": deadline,
                        "dept": dept, "task": task, "name": name})
    return out


def _expected(cases: list[dict], departments: Any, *, state: Any = None, due: Any = None, q: str = "",
              limit: int = 50, new_first: bool = False, after_id: Any = None) -> list[int]:
    states = (state,) if state in queries.QUEUE_STATES else queries.QUEUE_STATES
    soon = add_working_days(TODAY, 3)

    def shown(c: dict) -> bool:
        if departments is not None and c["dept"] not in departments and c["task"] != "pending":
            return False
        if c["state"] not in states or (after_id is not None and c["id"] <= after_id):
            return False
        if q and not (c["number"] == q or q in c["name"] or q in "食品经营许可"):
            return False
        d = c["deadline"]
        if due == "overdue":
            return d is not None and d < TODAY
        if due == "soon":
            return d is not None and TODAY <= d <= soon
        return True

    def key(c: dict) -> tuple:
        first = 0 if (new_first and not due and c["state"] in queries.NEW_STATES) else 1
        return (first, c["deadline"] is None, c["deadline"] or date.min, c["id"])

    return [c["id"] for c in sorted(filter(shown, cases), key=key)][:limit]


@pytest.fixture
def cases(platform: Any, donghu: Any, xihu: Any, items: dict[str, int]) -> list[dict]:
    rng = random.Random(14)
    _cases(platform, xihu, items[FOOD["code"]], 40, rng, "XH")  # another hall, same department codes
    return _cases(platform, donghu, items[FOOD["code"]], 260, rng, "DH")


@pytest.mark.parametrize("departments", [frozenset({OURS}), None], ids=["department", "whole hall"])
@pytest.mark.parametrize("options", [
    {"new_first": True, "limit": 100},
    {"new_first": True, "limit": 7},
    {},
    {"limit": 5},
    {"state": "submitted", "new_first": True},
    {"state": "accepted", "new_first": True, "limit": 3},
    {"state": "bogus", "new_first": True},
    {"due": "overdue", "new_first": True},
    {"due": "soon"},
    {"q": "张三", "new_first": True, "limit": 20},
    {"q": "DH-00007"},
    {"q": "%"},
    {"after_id": 0, "limit": 11},
], ids=repr)
def test_one_statement_gives_the_page(platform: Any, donghu: Any, cases: list[dict], departments: Any,
                                      options: dict) -> None:
    if "after_id" in options:  # a cursor from the middle of the queue
        options = {**options, "after_id": sorted(c["id"] for c in cases)[len(cases) // 2]}
    with platform.db.read_connection(donghu.scope) as conn:
        rows = queries.queue(conn, donghu.scope, departments, today=TODAY, **options)
    assert [r.id for r in rows] == _expected(cases, departments, **options)
    assert len(rows) == len({r.id for r in rows})  # a case with a lead row and a task shows once


def test_the_page_fills_with_new_cases_before_older_ones(platform: Any, donghu: Any,
                                                         cases: list[dict]) -> None:
    """More new cases than a small page holds: the page is new cases only, though older cases of the
    department have earlier deadlines."""
    fresh = [c for c in cases if c["state"] in queries.NEW_STATES and c["dept"] == OURS]
    assert len(fresh) > 5
    with platform.db.read_connection(donghu.scope) as conn:
        rows = queries.queue(conn, donghu.scope, frozenset({OURS}), limit=5, new_first=True, today=TODAY)
    assert {r.state for r in rows} <= set(queries.NEW_STATES) and len(rows) == 5
