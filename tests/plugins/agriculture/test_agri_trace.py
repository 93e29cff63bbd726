"""Traceability services on a real database: producers confirmed by the bureau, lot codes (unique,
checked, never reused), append-only events with order checks and corrections, certificates only after a
passing test, the chain walked three hops both ways, and the supervision rules over it."""

from __future__ import annotations

from datetime import date

import pytest
from agri_helpers import DAY, certificate, event, lookup, lot, producer, scan
from factories import make_account
from pydantic import ValidationError
from sqlalchemy import func, select

from core.db import Scope
from core.errors import Conflict, Invalid, NotFound
from plugins.agriculture import codes, producers, rules
from plugins.agriculture.models import LotEvent
from plugins.agriculture.schemas import DecisionIn, EventIn, LotIn


@pytest.fixture(autouse=True)
def _today(platform):
    platform.clock.set(date(2026, 11, 2))


def test_codes_carry_the_county_and_a_check_digit_and_say_what_is_wrong():
    code = codes.new_code("360102")
    assert len(code) == 19 and code.startswith("360102") and codes.parse(f" {code[:6]}-{code[6:]} ") == code
    with pytest.raises(codes.BadCode, match="check digit"):
        codes.parse(code[:-1] + str((int(code[-1]) + 1) % 10))
    with pytest.raises(codes.BadCode, match="19 digits"):
        codes.parse(code[:-1])
    with pytest.raises(codes.BadCode, match="digits only"):
        codes.parse("36010２" + code[6:])  # a full-width digit is not a digit here


def test_only_a_confirmed_producer_makes_lots_and_a_decision_needs_the_current_version(platform):
    farmer = make_account(platform, "person", "farmer")
    p = producer(platform, account_id=farmer.id, confirm=False)
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Invalid, match="not confirmed"):
        producers.confirmed_of(s, tenant, farmer.id, p.id)
    with platform.db.transaction(tenant.scope) as s, pytest.raises(Conflict, match="acted on this producer"):
        producers.decide(s, tenant, p.id, DecisionIn(confirm=True, version=p.version + 1), actor="x")
    with pytest.raises(ValidationError, match="reason"):
        DecisionIn(confirm=False, version=1)
    with platform.db.transaction(tenant.scope) as s:
        producers.decide(s, tenant, p.id, DecisionIn(confirm=True, version=p.version), actor="officer")
    with platform.db.transaction(tenant.scope) as s:
        assert producers.confirmed_of(s, tenant, farmer.id, p.id).state == "confirmed"
        with pytest.raises(NotFound):
            producers.confirmed_of(
                s, tenant, farmer.id + 1, p.id
            )  # someone else's producer: like a missing one
    other = platform.directory.get("360103")
    with platform.db.transaction(other.scope) as s, pytest.raises(NotFound):
        producers.get(s, other, p.id)


def test_a_code_is_never_used_twice_and_a_malformed_pre_printed_code_is_refused(platform):
    p = producer(platform)
    first = lot(platform, p.id)
    with pytest.raises(Conflict, match="already in use"):
        lot(platform, p.id, code=first.code)
    with pytest.raises(Invalid, match="check digit"):
        lot(platform, p.id, code=first.code[:-1] + str((int(first.code[-1]) + 1) % 10))
    with pytest.raises(ValidationError):
        LotIn(product="芹菜", quantity="-1")


def test_events_are_checked_for_order_and_refusals_change_nothing(platform):
    p = producer(platform)
    x = lot(platform, p.id)
    with pytest.raises(Invalid, match="not been harvested"):
        event(platform, x.id, kind="shipment", buyer="南昌深圳农产品中心批发市场")
    with pytest.raises(Invalid, match="future"):
        event(platform, x.id, kind="harvest", occurred_on=date(2026, 11, 3))
    event(
        platform,
        x.id,
        kind="input",
        input_kind="pesticide",
        material="吡虫啉",
        phi_days=7,
        occurred_on=date(2026, 10, 1),
    )
    h = event(platform, x.id, kind="harvest")
    with pytest.raises(Invalid, match="already harvested"):
        event(platform, x.id, kind="harvest")
    with pytest.raises(Invalid, match="before the harvest"):
        event(platform, x.id, kind="input", input_kind="fertiliser", material="有机肥")
    with pytest.raises(Invalid, match="before the harvest"):
        event(platform, x.id, kind="test", passed=True, lab="县检测站", occurred_on=date(2026, 10, 11))
    with pytest.raises(Invalid, match="Nothing was shipped"):
        event(platform, x.id, kind="receipt", buyer="超市")
    with pytest.raises(ValidationError, match="phi_days"):
        EventIn(kind="input", occurred_on=DAY, input_kind="pesticide", material="吡虫啉")
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(LotEvent).where(LotEvent.lot_id == x.id)) == 2
    # A correction declares the harvest wrong: the lot is unharvested again, the event stays on record.
    event(platform, x.id, kind="correction", corrects_id=h.id, reason="采收日期录错")
    with pytest.raises(Conflict, match="already declared wrong"):
        event(platform, x.id, kind="correction", corrects_id=h.id, reason="again")
    with pytest.raises(Invalid, match="not been harvested"):
        event(platform, x.id, kind="shipment", buyer="超市")
    event(platform, x.id, kind="harvest", occurred_on=date(2026, 10, 13))
    a = lookup(platform, x.code)
    assert [e.kind for e in a.events] == ["input", "harvest", "correction", "harvest"] and a.wrong == {h.id}


def test_certificate_only_after_a_passing_latest_test(platform):
    p = producer(platform)
    x = lot(platform, p.id)
    event(platform, x.id, kind="harvest")
    with pytest.raises(Invalid, match="passing lab test"):
        certificate(platform, x.id)
    event(platform, x.id, kind="test", passed=False, lab="县检测站", items="毒死蜱超标")
    with pytest.raises(Invalid, match="passing lab test"):
        certificate(platform, x.id)
    event(platform, x.id, kind="test", passed=True, lab="市检测中心")
    c = certificate(platform, x.id)
    assert c.number.startswith("HG360102") and len(c.number) == 22
    with pytest.raises(Conflict, match="already has a certificate"):
        certificate(platform, x.id)


def _processed(platform, parent, product, day=DAY):
    ev = event(
        platform,
        parent.id,
        kind="processing",
        occurred_on=day,
        outputs=[{"product": product, "quantity": "10"}],
    )
    return ev.data["outputs"][0]["code"]


def test_the_chain_is_walked_three_hops_up_and_down_from_any_lot(platform):
    p = producer(platform)
    raw = lot(platform, p.id, product="脐橙")
    event(platform, raw.id, kind="harvest")
    c1 = _processed(platform, raw, "脐橙分级果")
    a1 = lookup(platform, c1)
    c2 = _processed(platform, a1.lot, "脐橙礼盒")
    c3 = _processed(platform, lookup(platform, c2).lot, "脐橙礼盒（12枚）")
    c4 = _processed(platform, lookup(platform, c3).lot, "脐橙礼盒（6枚）")
    top = lookup(platform, raw.code)
    assert [(c.lot.code, c.hops, c.direction) for c in top.chain] == [
        (c1, 1, "downstream"),
        (c2, 2, "downstream"),
        (c3, 3, "downstream"),
        (c4, 4, "downstream"),
    ]
    bottom = lookup(platform, c4)
    assert [(c.lot.code, c.hops) for c in bottom.chain] == [(c3, 1), (c2, 2), (c1, 3), (raw.code, 4)]
    assert any(e.kind == "harvest" for e in bottom.chain[-1].events)  # the harvest shows four hops up
    mid = lookup(platform, c2)
    assert {c.direction for c in mid.chain} == {"upstream", "downstream"}
    # A processed lot has no harvest of its own but may ship (it exists from its processing day).
    with pytest.raises(Invalid, match="processed lot"):
        event(platform, lookup(platform, c1).lot.id, kind="harvest")
    event(platform, lookup(platform, c1).lot.id, kind="shipment", buyer="超市")


def test_lookup_answers_malformed_unknown_and_other_tenant_codes_without_errors(platform):
    p = producer(platform)
    x = lot(platform, p.id)
    assert lookup(platform, "abc").status == "malformed"
    unknown = codes.new_code("360102")
    assert lookup(platform, unknown).status == "unknown"
    assert lookup(platform, x.code, "360103").status == "unknown"  # another county's hall
    assert lookup(platform, x.code, "360100").status == "found"  # the city sees its subtree


def test_supervision_rules_find_each_violation_once_and_ignore_corrected_events(platform):
    p = producer(platform)
    bad = lot(platform, p.id)
    event(
        platform,
        bad.id,
        kind="input",
        input_kind="pesticide",
        material="吡虫啉",
        phi_days=14,
        occurred_on=date(2026, 10, 5),
    )
    event(platform, bad.id, kind="harvest")  # 7 days after: inside the 14-day interval
    event(platform, bad.id, kind="test", passed=False, lab="县检测站")
    event(platform, bad.id, kind="shipment", buyer="批发市场", occurred_on=date(2026, 10, 14))
    good = lot(platform, p.id)
    event(
        platform,
        good.id,
        kind="input",
        input_kind="pesticide",
        material="吡虫啉",
        phi_days=3,
        occurred_on=date(2026, 10, 5),
    )
    event(platform, good.id, kind="harvest")
    event(platform, good.id, kind="test", passed=False, lab="县检测站")
    event(platform, good.id, kind="test", passed=True, lab="市检测中心", occurred_on=date(2026, 10, 13))
    certificate(platform, good.id)
    ship = event(platform, good.id, kind="shipment", buyer="超市", occurred_on=date(2026, 10, 14))
    assert [f.object_id for f in scan(platform, rules.shipped_without_certificate)] == [str(bad.id)]
    assert [f.object_id for f in scan(platform, rules.shipped_after_failed_test)] == [str(bad.id)]
    assert [f.object_id for f in scan(platform, rules.harvest_inside_interval)] == [str(bad.id)]
    assert scan(platform, rules.shipped_without_certificate, "360103") == []  # another county
    # The shipment of the bad lot was a mistake: declared wrong, the findings go away.
    ship_bad = lookup(platform, bad.code).events[-1]
    event(platform, bad.id, kind="correction", corrects_id=ship_bad.id, reason="未实际发货")
    assert scan(platform, rules.shipped_without_certificate) == []
    assert scan(platform, rules.shipped_after_failed_test) == []
    assert ship.id != ship_bad.id
