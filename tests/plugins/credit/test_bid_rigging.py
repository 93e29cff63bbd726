"""A court-confirmed bid-rigging penalty (串通投标, 经法院确认): entered through the penalty page, API and
import, reported by the ``credit.subject`` check as an exclusion from bidding while it runs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from credit_helpers import ACME, BETA, TODAY
from factories import login, make_staff
from sqlalchemy import select

from core.api import Invalid
from core.db import Scope
from plugins.credit.check import assess_subject
from plugins.credit.dates import add_months, local_today
from plugins.credit.models import CreditRecord
from plugins.credit.rules import rules_from_platform
from plugins.credit.services import PenaltyInput, record_penalty, repair

D = "/t/360102/credit"


def rigging(platform, code=ACME, *, decided=TODAY - timedelta(days=30), confirmed=True,
            until: date | None = None, category="bid_rigging", number="洪串1", tenant="360102", today=TODAY):
    t = platform.directory.get(tenant)
    with platform.db.transaction(t.scope) as s:
        return record_penalty(s, t, rules_from_platform(platform, t), PenaltyInput(
            subject_kind="legal", subject_code=code, subject_name="江西串标企业有限公司", title="串通投标",
            decision_number=number, severity="serious", source_department="发展改革委",
            decision_date=decided, category=category, court_confirmed=confirmed, debarred_until=until),
            actor="tests", today=today)


def assessed(platform, code=ACME, tenant="360102", today=TODAY):
    t = platform.directory.get(tenant)
    with platform.db.session(t.scope) as s:
        return assess_subject(s, t, code, today)


def test_court_confirmed_bid_rigging_excludes_for_two_years_by_default_across_the_network(platform):
    rec = rigging(platform)
    assert rec.debarred_until == add_months(TODAY - timedelta(days=30), 24)
    # entered at Donghu, seen when Xihu (same province network) asks
    a = assessed(platform, tenant="360103")
    assert a.level == "serious"
    decided = (TODAY - timedelta(days=30)).isoformat()
    assert a.bid_rigging == [{"decision_number": "洪串1", "decision_date": decided,
                              "debarred_until": rec.debarred_until.isoformat(),
                              "source_department": "发展改革委"}]
    assert any("串通投标" in r["zh"] and "bid-rigging" in r["en"] for r in a.reasons)
    # the day the exclusion ends it no longer applies (the penalty itself still counts)
    assert assessed(platform, today=rec.debarred_until).bid_rigging == []


def test_unconfirmed_repaired_or_other_penalties_do_not_exclude(platform):
    rigging(platform, confirmed=False, number="未确认")
    rigging(platform, BETA, category="", confirmed=False, number="普通")
    assert assessed(platform).bid_rigging == [] and assessed(platform, BETA).bid_rigging == []
    rec = rigging(platform, number="已修复", decided=TODAY - timedelta(days=400),
                  until=TODAY + timedelta(days=100))
    assert [x["decision_number"] for x in assessed(platform).bid_rigging] == ["已修复"]
    t = platform.directory.get("360102")
    with platform.db.transaction(t.scope) as s:
        repair(s, t, rules_from_platform(platform, t), rec.id, reason="整改完成", version=rec.version,
               actor="tests", today=TODAY)
    assert assessed(platform).bid_rigging == []


@pytest.mark.parametrize(("kw", "field"), [
    ({"category": "", "confirmed": True}, "court_confirmed"),
    ({"confirmed": False, "until": TODAY + timedelta(days=30)}, "debarred_until"),
    ({"until": TODAY - timedelta(days=31)}, "debarred_until"),
    ({"category": "cartel", "confirmed": False}, "category"),
])
def test_inconsistent_markers_are_refused_naming_the_field(platform, kw, field):
    with pytest.raises(Invalid) as err:
        rigging(platform, **kw)
    assert field in err.value.fields
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(CreditRecord)).first() is None


def test_supervisor_enters_it_on_the_penalty_page_and_through_the_api(client, platform):
    make_staff(platform, "officer", "360102", "credit_officer")
    login(client, "officer")
    page = client.get(f"{D}/records/new")
    assert "串通投标" in page.text and "经人民法院生效裁判确认" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    decided = local_today() - timedelta(days=3)
    data = {"csrf_token": token, "subject_kind": "legal", "subject_code": ACME, "subject_name": "甲公司",
            "title": "串通投标", "decision_number": "洪串2", "severity": "serious",
            "source_department": "发展改革委", "decision_date": decided.isoformat(),
            "category": "bid_rigging", "court_confirmed": "on", "debarred_until": ""}
    bad = client.post(f"{D}/records/new", data={**data, "debarred_until": decided.isoformat()})
    assert bad.status_code == 422 and "禁止投标期限应晚于决定日期" in bad.text
    assert client.post(f"{D}/records/new", data=data).status_code == 303
    listing = client.get(f"{D}/records")
    assert "串通投标" in listing.text and "禁止投标至" in listing.text
    api = client.post(f"/api{D}/penalties", json={
        "subject_kind": "legal", "subject_code": BETA, "subject_name": "乙公司", "title": "串通投标",
        "decision_number": "洪串3", "severity": "serious", "source_department": "发展改革委",
        "decision_date": decided.isoformat(), "category": "bid_rigging", "court_confirmed": True,
        "debarred_until": (decided + timedelta(days=366)).isoformat()},
        headers={"X-CSRF-Token": token})
    assert api.status_code == 201, api.text
    body = api.json()
    assert body["court_confirmed"] is True
    assert body["debarred_until"] == (decided + timedelta(days=366)).isoformat()
    with platform.db.session(Scope.system()) as s:
        rows = {r.decision_number: r for r in s.scalars(select(CreditRecord))}
    assert rows["洪串2"].court_confirmed and rows["洪串2"].debarred_until == add_months(decided, 24)


def test_import_carries_the_markers(cli, platform, tmp_path):
    f = tmp_path / "penalties.csv"
    f.write_text("subject_kind,subject_code,subject_name,title,decision_number,severity,source_department,"
                 "decision_date,category,court_confirmed,debarred_until\n"
                 f"legal,{ACME},甲公司,串通投标,罚1,serious,发展改革委,2026-10-01,bid_rigging,是,2027-10-01\n"
                 f"legal,{BETA},乙公司,虚假宣传,罚2,general,市场监管局,2026-09-01,,,\n", encoding="utf-8")
    r = cli("credit", "import", str(f), "--tenant", "360102")
    assert r.exit_code == 0, r.output
    with platform.db.session(Scope.system()) as s:
        rows = {x.decision_number: x for x in s.scalars(select(CreditRecord))}
    assert (rows["罚1"].category, rows["罚1"].court_confirmed, rows["罚1"].debarred_until) == (
        "bid_rigging", True, date(2027, 10, 1))
    assert (rows["罚2"].category, rows["罚2"].court_confirmed, rows["罚2"].debarred_until) == (
        "", False, None)
