"""Good-and-bad reviews: a ticket's rating and approval's rating arrive through the same
``<plugin>.service.rated`` event; a bad one opens a rectification due in the tenant's working days, which
the department answers and the duty team re-checks (sent back, then closed); figures per department."""

from __future__ import annotations

from datetime import date

import pytest
from factories import csrf_token, login, make_account
from interaction_helpers import submit, wide
from sqlalchemy import select

from core import events
from core.api import DomainError
from core.db import Scope
from core.identity.demo import DEMO_PASSWORD
from plugins.interaction import reviews, services
from plugins.interaction.models import Review

MONDAY = date(2026, 11, 2)


def _rated_ticket(platform, level: int) -> int:
    county = platform.directory.get("360102")
    t, _ = submit(platform, account_id=make_account(platform).id, about_department="scjgj")
    with platform.db.transaction(wide(platform)) as s:
        row = services.get(s, county, t.id)
        services.accept(s, county, row, row.version, "duty")
        services.dispatch(s, platform, county, row, county, "scjgj", row.version, "duty")
        services.reply(s, platform, county, row, None, "已处理", "duty")
        services.rate(s, county, row, row.version, level, "态度差", "person")
    while events.dispatch_pending(platform):
        pass
    return t.id


def test_a_bad_ticket_rating_opens_a_rectification_through_to_recheck(platform):
    platform.clock.set(MONDAY)
    county = platform.directory.get("360102")
    tid = _rated_ticket(platform, 2)
    with platform.db.transaction(county.scope) as s:
        (r,) = s.scalars(select(Review)).all()
        assert (r.source, r.source_ref) == ("interaction", f"interaction.ticket:{tid}")
        assert r.department_code == "scjgj"
        assert (r.rect_state, r.rect_due_on) == ("open", date(2026, 11, 16))  # 10 working days
        with pytest.raises(DomainError):
            reviews.recheck(s, platform, county, r, r.version, True, "", "duty")  # nothing replied yet
        reviews.rectify(
            s,
            platform,
            county,
            r,
            r.version,
            verified=True,
            verification="属实",
            measures="约谈窗口人员",
            reply="已整改，感谢监督",
            actor="dept",
        )
        reviews.recheck(s, platform, county, r, r.version, False, "整改不到位", "duty")
        assert r.rect_state == "open" and r.closed_on is None
        reviews.rectify(
            s,
            platform,
            county,
            r,
            r.version,
            verified=True,
            verification="属实",
            measures="全员培训",
            reply="已再次整改",
            actor="dept",
        )
        reviews.recheck(s, platform, county, r, r.version, True, "", "duty")
        assert (r.rect_state, r.closed_on) == ("closed", MONDAY)
    with platform.db.session(county.scope) as s:  # delivered again: still one review
        reviews.record(s, platform, county, {"service_ref": f"interaction.ticket:{tid}", "level": 1}, "x")
        assert len(s.scalars(select(Review)).all()) == 1


def test_good_ratings_open_nothing_and_figures_group_by_department(platform):
    county = platform.directory.get("360102")
    _rated_ticket(platform, 5)
    _rated_ticket(platform, 1)
    with platform.db.session(county.scope) as s:
        assert sorted((r.level, r.rect_state) for r in s.scalars(select(Review))) == [(1, "open"), (5, "")]
        (f,) = reviews.figures(s, [county.id], "department")
        assert (f["key"], f["total"], f["bad"], f["average"]) == ("scjgj", 2, 1, 3.0)
        assert f["levels"] == [1, 0, 0, 0, 1]


def test_approvals_rating_goes_through_the_same_mechanism(demo_platform, demo_client):
    from core.identity.models import Account
    from plugins.approval.models import Application

    with demo_platform.db.session(Scope.system()) as s:
        app = s.scalars(select(Application).where(Application.state == "concluded")).first()
        assert app is not None
        citizen = s.get(Account, app.applicant_account_id)
    login(demo_client, citizen.username, DEMO_PASSWORD)
    page = f"/t/{app.tenant_path.rsplit('/', 1)[1]}/approval/my/{app.id}"
    r = demo_client.post(
        f"{page}/rate",
        data={"csrf_token": csrf_token(demo_client, page), "level": "1", "comment": "<b>慢</b>"},
    )
    assert r.status_code == 303, r.text[:300]
    while events.dispatch_pending(demo_platform):
        pass
    with demo_platform.db.session(Scope.system()) as s:
        (rv,) = s.scalars(select(Review).where(Review.source_ref == f"approval.application:{app.id}")).all()
        assert (rv.source, rv.level, rv.account_id, rv.rect_state) == ("approval", 1, citizen.id, "open")
        assert rv.item_name == app.item_name and rv.department_code == app.department_code
    mine = demo_client.get(f"{page.split('/approval')[0]}/interaction/my-reviews")
    assert mine.status_code == 200 and app.number in mine.text and "&lt;b&gt;慢&lt;/b&gt;" in mine.text
    figures = demo_client.get(f"{page.split('/approval')[0]}/interaction/figures")
    assert figures.status_code == 200 and "<svg" in figures.text
