"""One rating mechanism (issue #21): approval keeps no rating table; a rating is published as
``approval.service.rated`` and becomes an interaction review, whose rectification and outcome the applicant
sees on the application's page through ``govhall_approval_rating``. With interaction off no rating is
offered or taken and nothing breaks. A complaint about an application shows on its case page for the
clerk and the supervisor (``govhall_approval_case_panels``), never another hall's, and not when
interaction is off."""

from __future__ import annotations

import pytest
from approval_helpers import ctx, food_uploads, in_scope, who
from sqlalchemy import func, inspect, select

from core import events
from core.db import Scope
from core.errors import Conflict
from core.events import OutboxEvent
from plugins.approval import handling, services
from plugins.approval.models import Application
from plugins.interaction import reviews
from plugins.interaction import services as tickets
from plugins.interaction.models import Review
from plugins.interaction.schemas import TicketIn
from tests.factories import csrf_token, login, make_account, make_staff

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _handler():
    return who("staff", 100, departments=frozenset({"scjgj"}), label="staff:handler")


def _conclude(platform, donghu, app_id):
    for step, kw in ((handling.accept, {}), (handling.decide, {"approve": True, "reason": "符合条件"}),
                     (handling.conclude, {})):
        with in_scope(platform, donghu) as s:
            version = s.get(Application, app_id).version
            step(s, ctx(platform, donghu, _handler()), app_id, version, **kw)


@pytest.fixture
def applicant(platform):
    return make_account(platform, "legal", "ent1", display_name="南昌某某餐饮有限公司")


@pytest.fixture
def application(platform, donghu, items, applicant):
    with in_scope(platform, donghu) as s:
        a = services.submit(s, ctx(platform, donghu, who("legal", applicant.id)), "DH-SP-001",
                            {"shop_name": "老王小吃"}, food_uploads())
        return a.id, a.number


@pytest.fixture
def concluded(platform, donghu, application):
    _conclude(platform, donghu, application[0])
    return application


def _interaction_off(platform, code="360102"):
    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, platform.directory.get(code), "interaction", "off",
                         actor="tests")
    platform.refresh(force=True)


_RATED = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "approval.service.rated")


def _drain(platform):
    while events.dispatch_pending(platform):
        pass


def test_approval_keeps_no_rating_table(platform):
    assert "approval_ratings" not in inspect(platform.db.engine).get_table_names()


def test_a_rating_is_a_review_whose_rectification_the_applicant_sees(client, platform, donghu, concluded):
    app_id, number = concluded
    login(client, "ent1")
    page = f"/t/360102/approval/my/{app_id}"
    assert f'action="/t/360102/approval/my/{app_id}/rate"' in client.get(page).text
    token = csrf_token(client, page)
    r = client.post(f"{page}/rate", data={"csrf_token": token, "level": "1", "comment": f"太慢{XSS}"})
    assert r.status_code == 303
    waiting = client.get(page).text
    assert 'id="rating-pending"' in waiting and f"{app_id}/rate" not in waiting
    # rate once: a second rating, before or after the review is recorded, is refused and changes nothing
    again = client.post(f"{page}/rate", data={"csrf_token": token, "level": "5"})
    assert again.status_code == 409 and "已评价" in again.text
    _drain(platform)
    with platform.db.session(Scope.system()) as s:
        (rv,) = s.scalars(select(Review).where(Review.source_ref == f"approval.application:{app_id}")).all()
        assert (rv.source, rv.level, rv.number, rv.rect_state) == ("approval", 1, number, "open")
        assert rv.comment == f"太慢{XSS}"
    shown = client.get(page).text
    assert "★☆☆☆☆" in shown and ESCAPED in shown and XSS not in shown and "待核实整改" in shown
    assert "/t/360102/interaction/my-reviews" in shown
    client.headers["x-csrf-token"] = csrf_token(client, "/my/")
    api = client.post(f"/api/t/360102/approval/my/applications/{app_id}/rate", json={"level": 4})
    assert api.status_code == 409 and api.json()["error"]["code"] == "already_rated"
    with platform.db.transaction(donghu.scope) as s:
        rv = reviews.get(s, donghu, rv.id)
        reviews.rectify(s, platform, donghu, rv, rv.version, verified=True, verification="属实",
                        measures="窗口培训", reply=f"已整改{XSS}", actor="tests")
    shown = client.get(page).text
    assert "已整改待复核" in shown and f"已整改{ESCAPED}" in shown and XSS not in shown
    _drain(platform)
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(Review)) == 1


def test_with_interaction_off_no_rating_is_offered_or_taken(client, platform, donghu, concluded):
    app_id, _ = concluded
    _interaction_off(platform)
    login(client, "ent1")
    page = f"/t/360102/approval/my/{app_id}"
    shown = client.get(page)
    assert shown.status_code == 200 and 'id="rating-off"' in shown.text and "未开通好差评" in shown.text
    assert f"{app_id}/rate" not in shown.text
    r = client.post(f"{page}/rate", data={"csrf_token": csrf_token(client, page), "level": "5"})
    assert r.status_code == 409 and "未开通好差评" in r.text
    client.headers["x-csrf-token"] = csrf_token(client, "/my/")
    api = client.post(f"/api/t/360102/approval/my/applications/{app_id}/rate", json={"level": 5})
    assert api.status_code == 409 and api.json()["error"]["code"] == "rating_unavailable"
    with platform.db.session(Scope.system()) as s:
        assert s.get(Application, app_id).rated_at is None
        rated = _RATED
        assert s.scalar(rated) == 0
    make_staff(platform, "dh_scj", "360102", "item_handler", department="scjgj")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "dh_scj")
    case = client.get(f"/t/360102/approval/workbench/{app_id}")
    assert case.status_code == 200 and "data-panel" not in case.text


def test_only_a_concluded_application_is_rated_and_levels_are_checked(platform, donghu, application,
                                                                      applicant):
    app_id, _ = application
    c = ctx(platform, donghu, who("legal", applicant.id))
    with in_scope(platform, donghu) as s, pytest.raises(Conflict) as e:
        handling.rate(s, c, app_id, 5)
    assert e.value.code == "not_concluded"
    _conclude(platform, donghu, app_id)
    from core.errors import Invalid

    with in_scope(platform, donghu) as s, pytest.raises(Invalid):
        handling.rate(s, c, app_id, 6)


@pytest.mark.postgres
def test_two_ratings_at_once_record_one(platform, donghu, concluded, applicant):
    """The version column: a session that read the application before another rated it is refused."""
    app_id, _ = concluded
    c = ctx(platform, donghu, who("legal", applicant.id))
    import threading

    def second() -> None:
        with in_scope(platform, donghu) as s:
            handling.rate(s, c, app_id, 5)

    with in_scope(platform, donghu) as first:
        services.load(first, app_id)
        other = threading.Thread(target=second)  # another connection: the same thread may not hold two
        other.start()
        other.join()
        with pytest.raises(Conflict) as e:
            handling.rate(first, c, app_id, 2)
        assert e.value.code == "already_rated"
    with platform.db.session(Scope.system()) as s:
        rated = _RATED
        assert s.scalar(rated) == 1


def _ticket(platform, code, number, title, account_id):
    tenant = platform.directory.get(code)
    data = TicketIn.model_validate({"kind": "complaint", "title": title, "name": "张三",
                                    "content": "窗口人员态度差，请核查。", "about_application": number})
    with platform.db.transaction(tenant.scope) as s:
        t, _ = tickets.submit(s, platform, tenant, data, account_id=account_id, ip="10.0.0.9", actor="tests")
        return t.id


def test_a_complaint_about_an_application_shows_on_its_case_page(
    client, platform, donghu, application, applicant
):
    app_id, number = application
    mine = _ticket(platform, "360102", number, f"投诉办件{XSS}", applicant.id)
    _ticket(platform, "360103", number, "别的大厅的投诉", applicant.id)  # another hall: never shown here
    _ticket(platform, "360102", "360102-OTHER-1", "别的办件", applicant.id)
    make_staff(platform, "dh_scj", "360102", "item_handler", department="scjgj")
    make_staff(platform, "prov_sup", "360000", "supervisor", subtree=True)
    make_staff(platform, "xh_handler", "360103", "item_handler")
    login(client, "dh_scj")
    case = client.get(f"/t/360102/approval/workbench/{app_id}").text
    assert "涉及本办件的投诉等诉求" in case and f"投诉办件{ESCAPED}" in case and XSS not in case
    assert "投诉" in case and "待受理" in case and "别的大厅的投诉" not in case and "别的办件" not in case
    assert f"/interaction/tickets/{mine}" not in case  # the clerk cannot open the duty team's ticket
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "prov_sup")
    case = client.get(f"/t/360102/approval/workbench/{app_id}").text
    assert f'href="/t/360102/interaction/tickets/{mine}"' in case and "别的大厅的投诉" not in case
    assert client.get(f"/t/360102/interaction/tickets/{mine}").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    login(client, "xh_handler")
    assert client.get(f"/t/360103/approval/workbench/{app_id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/t/360102/")})
    _interaction_off(platform)
    login(client, "prov_sup")
    case = client.get(f"/t/360102/approval/workbench/{app_id}")
    assert case.status_code == 200 and "涉及本办件的投诉等诉求" not in case.text
