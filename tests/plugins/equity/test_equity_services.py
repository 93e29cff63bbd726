"""Transfer projects, buyers and deals on a real database (SQLite, and PostgreSQL with
GOVHALL_TEST_DATABASE_URL): the price rules, disclosure periods by the legal clock, changes that restart
disclosure, the credit black list, qualification, the payment plan, the signed certificate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from equity_helpers import (
    BUYERS,
    FILED,
    NAMES,
    auction_ready,
    disclosed,
    filed,
    project_in,
    tenant,
    with_buyers,
)
from sqlalchemy import func, select

from core.db import Scope
from core.errors import Conflict, Invalid
from plugins.equity import bidding, buyers, deals, services
from plugins.equity.models import Buyer, Change, Deal, Project


def _count(platform, model) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _project(platform, pid) -> Project:
    with platform.db.session(Scope.system()) as s:
        p = s.get(Project, pid)
        s.expunge(p)
        return p


def test_a_listing_below_the_appraisal_is_refused_naming_the_field(platform):
    platform.clock.set(FILED)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        services.create(s, platform, t, project_in(listing_cents=9_999_999_99), actor="tests")
    assert exc.value.code == "below_appraisal" and "listing_cents" in exc.value.fields
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        services.create(s, platform, t, project_in(seller_code="91360100MA0000000X"), actor="tests")
    assert "seller_code" in exc.value.fields
    assert _count(platform, Project) == 0


def test_unreviewed_conditions_and_a_short_disclosure_are_refused(platform):
    platform.clock.set(FILED)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        p = services.create(s, platform, t, project_in(), actor="tests")
        pid, v = p.id, p.version
    with platform.db.transaction(t.scope) as s, pytest.raises(Conflict):
        services.disclose(s, platform, t, pid, v, kind="formal", start=FILED, actor="tests")
    with platform.db.transaction(t.scope) as s:
        p = services.review_conditions(s, platform, t, pid, v, fair=True, reason="", actor="reviewer")
        v = p.version
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        # 19 working days after 1 December: one short of the 20 the measures require
        services.disclose(
            s, platform, t, pid, v, kind="formal", start=FILED, end=date(2026, 12, 28), actor="tests"
        )
    assert exc.value.code == "disclosure_too_short" and "2026-12-29" in exc.value.message_zh
    with platform.db.transaction(t.scope) as s:
        p = services.disclose(s, platform, t, pid, v, kind="formal", start=FILED, actor="tests")
        assert (p.status, p.formal_end, p.formal_earliest_end) == (
            "disclosure",
            date(2026, 12, 29),
            date(2026, 12, 29),
        )


def test_a_control_change_is_pre_disclosed_first(platform):
    pid = filed(platform, control_change=True)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        services.disclose(
            s, platform, t, pid, _project(platform, pid).version, kind="formal", start=FILED, actor="tests"
        )
    assert exc.value.code == "pre_disclosure_first"
    with platform.db.transaction(t.scope) as s:
        p = services.disclose(
            s, platform, t, pid, _project(platform, pid).version, kind="pre", start=FILED, actor="tests"
        )
        assert p.status == "pre_disclosure"
    platform.clock.set(date(2026, 12, 30))
    with platform.db.transaction(t.scope) as s:
        p = services.disclose(
            s, platform, t, pid, p.version, kind="formal", start=date(2026, 12, 30), actor="tests"
        )
        assert p.status == "disclosure"


def test_a_change_during_formal_disclosure_is_a_supplement_with_a_new_period(platform):
    pid = disclosed(platform)
    t = tenant(platform)
    platform.clock.set(date(2026, 12, 10))
    p = _project(platform, pid)
    with platform.db.transaction(t.scope) as s:
        services.change_terms(
            s,
            platform,
            t,
            pid,
            p.version,
            changes={"conditions": "企业法人，净资产不低于 3000 万元"},
            reason="放宽净资产要求",
            actor="tests",
        )
    p = _project(platform, pid)
    assert p.formal_start == date(2026, 12, 10) and p.formal_end == services.law.earliest_end(
        platform, t, date(2026, 12, 10), services.law.DISCLOSURE
    )
    with platform.db.session(Scope.system()) as s:
        c = s.scalars(select(Change)).one()
        assert (c.kind, c.during_formal, c.restarted) == ("supplement", True, True)
    with platform.db.transaction(t.scope) as s, pytest.raises(Conflict) as stale:
        services.change_terms(
            s, platform, t, pid, p.version - 1, changes={"deposit_cents": 1}, reason="x", actor="tests"
        )
    assert stale.value.code == "stale_version"


def test_relisting_below_90_percent_needs_the_written_consent(platform):
    pid = disclosed(platform)
    t = tenant(platform)
    platform.clock.set(date(2027, 1, 4))
    with platform.db.transaction(t.scope) as s:
        p = services.advance(s, platform, t, services.load(s, t, pid))
        assert p.status == "qualification"
        v = p.version
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        services.change_terms(
            s,
            platform,
            t,
            pid,
            v,
            changes={"listing_cents": 8_900_000_00},
            reason="无人受让，降价",
            actor="tests",
        )
    assert exc.value.code == "consent_required" and "consent" in exc.value.fields
    assert _project(platform, pid).listing_cents == 10_000_000_00  # nothing changed
    with platform.db.transaction(t.scope) as s:
        p = services.change_terms(
            s,
            platform,
            t,
            pid,
            v,
            changes={"listing_cents": 8_900_000_00},
            reason="无人受让，降价",
            consent=("批准单位同意函.pdf", b"%PDF consent"),
            actor="tests",
        )
        assert p.status == "disclosure" and p.consent_sha256 and p.formal_start == date(2027, 1, 4)
    with platform.db.session(Scope.system()) as s:
        assert s.scalars(select(Change.kind)).one() == "relist"


def test_twelve_months_without_a_qualified_buyer_means_reappraisal(platform):
    pid = disclosed(platform)
    t = tenant(platform)
    platform.clock.set(date(2027, 12, 1))
    with platform.db.transaction(t.scope) as s:
        assert services.advance_all(s, platform, t) == 1
    assert _project(platform, pid).status == "reappraisal"


def test_a_black_listed_buyer_is_refused_and_works_with_credit_off(platform, monkeypatch):
    pid = disclosed(platform)
    t = tenant(platform)

    class Hooks:
        def govhall_checks(self, **kw):
            from core.api import Finding

            return [
                [
                    Finding(
                        source="credit",
                        code="credit.subject",
                        level="serious",
                        message_zh="黑名单",
                        message_en="black",
                        facts={"level": "serious", "lists": ["black"]},
                    )
                ]
            ]

    real = platform.hooks
    monkeypatch.setattr(platform, "hooks", lambda tenant: Hooks())
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        buyers.register(s, platform, t, pid, credit_code=BUYERS[0], name=NAMES[0], actor="tests")
    assert exc.value.code == "blacklisted"
    monkeypatch.setattr(platform, "hooks", real)
    assert _count(platform, Buyer) == 0
    with platform.db.transaction(t.scope) as s:  # credit answers nothing bad here: registered
        b = buyers.register(s, platform, t, pid, credit_code=BUYERS[0], name=NAMES[0], actor="tests")
        assert b.status == "registered"


def test_one_qualified_buyer_means_agreement_several_an_auction(platform):
    pid, ids = with_buyers(platform, 2, qualify=1)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        buyers.proceed(s, platform, t, pid, p.version, starts_at=bidding.clock.now(platform), actor="tests")
        assert p.status == "agreement"
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        deals.sign(
            s,
            platform,
            t,
            pid,
            p.version,
            deals.ContractIn("HT-1", date(2027, 1, 4), price_cents=9_000_000_00),
            actor="tests",
        )
    assert exc.value.code == "below_listing"
    with platform.db.transaction(t.scope) as s:
        d = deals.sign(
            s, platform, t, pid, p.version, deals.ContractIn("HT-1", date(2027, 1, 4)), actor="tests"
        )
        assert (d.price_cents, d.via, d.buyer_id, d.down_due) == (
            10_000_000_00,
            "agreement",
            ids[0],
            date(2027, 1, 11),
        )


def _won(platform):
    pid, ids = auction_ready(platform, 2)
    t = tenant(platform)
    from equity_helpers import AUCTION_AT

    with platform.db.transaction(t.scope) as s:
        bidding.place_bid(
            s,
            platform,
            t,
            pid,
            credit_code=BUYERS[0],
            amount_cents=10_000_000_00,
            actor="a",
            now=AUCTION_AT + timedelta(minutes=1),
        )
    with platform.db.transaction(t.scope) as s:
        assert bidding.close_if_due(s, platform, t, pid, now=AUCTION_AT + timedelta(hours=1))
    return pid, ids, t


def test_instalments_need_30_percent_down_and_a_year_at_most(platform):
    pid, ids, t = _won(platform)
    version = _project(platform, pid).version
    for kw, code in (
        (dict(down_cents=2_999_999_99, rest_due=date(2027, 6, 1)), "down_too_low"),
        (dict(down_cents=3_000_000_00, rest_due=date(2028, 1, 5)), "term_too_long"),
    ):
        with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
            deals.sign(
                s,
                platform,
                t,
                pid,
                version,
                deals.ContractIn("HT-2", date(2027, 1, 4), mode="instalment", **kw),
                actor="tests",
            )
        assert exc.value.code == code
    assert _count(platform, Deal) == 0
    with platform.db.transaction(t.scope) as s:
        d = deals.sign(
            s,
            platform,
            t,
            pid,
            version,
            deals.ContractIn(
                "HT-2",
                date(2027, 1, 4),
                mode="instalment",
                down_cents=3_000_000_00,
                rest_due=date(2028, 1, 4),
            ),
            actor="tests",
        )
        assert d.rest_limit == date(2028, 1, 4)


def test_the_certificate_follows_payment_and_notice_and_verifies(platform):
    pid, ids, t = _won(platform)
    with platform.db.transaction(t.scope) as s:
        deals.sign(
            s,
            platform,
            t,
            pid,
            _project(platform, pid).version,
            deals.ContractIn("HT-3", date(2027, 1, 4)),
            actor="tests",
        )
    with platform.db.transaction(t.scope) as s, pytest.raises(Invalid) as exc:
        deals.issue_certificate(s, platform, t, pid, actor="tests")
    assert exc.value.code == "unpaid"
    platform.clock.set(date(2027, 1, 6))
    with platform.db.transaction(t.scope) as s:
        deals.pay(s, platform, t, pid, cents=10_000_000_00, on=date(2027, 1, 6), actor="tests")
        with pytest.raises(Invalid) as exc:
            deals.publish_notice(
                s, platform, t, pid, start=date(2027, 1, 6), end=date(2027, 1, 12), actor="tests"
            )
        assert exc.value.code == "notice_too_short"
    with platform.db.transaction(t.scope) as s:
        deals.publish_notice(s, platform, t, pid, start=date(2027, 1, 6), actor="tests")
        d = deals.issue_certificate(s, platform, t, pid, actor="tests")
        number = d.certificate_no
    with platform.db.session(t.scope) as s:
        v = deals.verify(s, t, number)
        assert v.found and v.signature_ok and v.body["buyer"]["name"] == NAMES[0]
        assert v.body["price_cents"] == 10_000_000_00
        d = s.scalars(select(Deal)).one()
        d.canonical = d.canonical.replace("10000000", "1000000")
        s.flush()
        assert not deals.verify(s, t, number).signature_ok  # a changed record no longer verifies
        s.rollback()
    assert _project(platform, pid).status == "concluded"
    with platform.db.session(tenant(platform, "360103").scope) as s:  # another tenant does not know it
        assert not deals.verify(s, tenant(platform, "360103"), number).found
