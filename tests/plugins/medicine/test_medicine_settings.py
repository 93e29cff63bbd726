"""The thresholds of sunshine medicine are tenant settings with today's rules as defaults: the payment
term sets the due day on acceptance, the prescription limits and the peer factor decide the findings per
tenant of the scanned subtree, and a bad value is refused naming the setting."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from medicine_helpers import DAY, HOSPITAL, order_to, world

from core.db import Scope
from core.settings import SettingsError
from plugins.medicine import catalogue, rules, vbp
from plugins.medicine import settings as S
from plugins.medicine.models import Order


def _set(platform, code, key, value):
    sys.path.insert(0, str(Path(__file__).parents[1] / "credit"))
    import credit_helpers

    credit_helpers.set_setting(platform, code, key, value)


def test_the_defaults_are_todays_rules(platform):
    w = world(platform)
    assert {k: platform.tenant_setting(w.donghu, k) for k in S.DEFAULTS} == {
        "medicine.payment_days": 30,
        "medicine.outpatient_supply_days": 7,
        "medicine.emergency_supply_days": 3,
        "medicine.peer_volume_factor": 3,
        "medicine.vbp_lag_percent": 80,
    }
    oid = order_to(w, "accepted")
    with platform.db.session(w.donghu.scope) as s:
        assert s.get(Order, oid).due_on == DAY + timedelta(days=30)


def test_a_tenant_payment_term_sets_the_due_day(platform):
    w = world(platform)
    _set(platform, "360100", S.PAYMENT_DAYS, 45)  # Nanchang: Donghu inherits it
    oid = order_to(w, "accepted")
    with platform.db.session(w.donghu.scope) as s:
        assert s.get(Order, oid).due_on == DAY + timedelta(days=45)


def test_prescription_limits_and_peer_factor_per_tenant(platform):
    w = world(platform)
    a, b = w.products
    P = vbp.PrescriptionIn  # noqa: N806
    items = [
        P("R1", "甲", a, 1, 8, "outpatient", DAY),  # over 7, within 10
        P("R2", "乙", a, 1, 4, "emergency", DAY),  # over 3, within 5
        P("R3", "丙", a, 1, 12, "outpatient", DAY),  # over 10 too
        P("R5", "甲", b, 40, 3, "outpatient", DAY),  # 40 against the peers' 5.5: over 3x, under 10x
        P("R6", "乙", b, 5, 3, "outpatient", DAY),
        P("R7", "丙", b, 6, 3, "outpatient", DAY),
    ]
    with platform.db.transaction(w.donghu.scope) as s:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        vbp.push(s, w.donghu, h, items, actor="t")

    def found():
        province = platform.directory.get("360000")
        with platform.db.session(province.subtree_scope) as s:
            kw = {"platform": platform, "session": s, "tenant": province, "today": DAY}
            return (
                sorted(f.facts["days_supply"] for f in rules.scan_long_supply(**kw)),
                len(rules.scan_doctor_outlier(**kw)),
            )

    assert found() == ([4, 8, 12], 1)
    _set(platform, "360102", S.OUTPATIENT_DAYS, 10)
    _set(platform, "360102", S.EMERGENCY_DAYS, 5)
    _set(platform, "360102", S.PEER_FACTOR, 10)
    assert found() == ([12], 0)
    # Nanchang's own (looser) value does not reach Donghu, which overlays its own.
    _set(platform, "360100", S.OUTPATIENT_DAYS, 30)
    assert found() == ([12], 0)


def test_a_bad_value_is_refused_naming_the_setting(platform):
    world(platform)
    spec = {s.key: s for s in S.SPECS}
    for key, bad in ((S.PAYMENT_DAYS, 0), (S.OUTPATIENT_DAYS, "seven"), (S.LAG_PERCENT, 101)):
        with pytest.raises(SettingsError) as e:
            spec[key].coerce(bad, "tests")
        assert key in str(e.value)
    with platform.db.session(Scope.system()) as s:
        assert s.get(Order, 1) is None  # nothing was written
