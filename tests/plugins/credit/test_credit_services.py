"""Credit records and lists through the services (no HTTP): validation, periods, repair, isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from credit_helpers import ACME, BETA, TODAY, listed, penalty, set_setting
from sqlalchemy import func, select, text

from core.audit import AuditEntry
from core.db import Scope
from core.errors import Conflict, Invalid
from plugins.credit import public, services
from plugins.credit.dates import add_months, add_workdays
from plugins.credit.models import CreditRecord
from plugins.credit.rules import rules_from_platform
from plugins.credit.subjects import normalise


def test_codes_are_validated_and_the_error_names_the_code():
    assert normalise("legal", " " + ACME.lower() + " ") == ACME
    bad = ACME[:-1] + ("0" if ACME[-1] != "0" else "1")
    with pytest.raises(Invalid) as exc:
        normalise("legal", bad)
    assert bad in exc.value.message_en and "统一社会信用代码" in exc.value.message_zh
    assert exc.value.fields == {"subject_code": f"invalid unified social credit code {bad!r}"}
    with pytest.raises(Invalid) as exc:
        normalise("person", "360102199001010010")
    assert "360102199001010010" in exc.value.message_en and "公民身份号码" in exc.value.message_zh
    assert normalise("person", "11010519491231002x") == "11010519491231002X"
    with pytest.raises(Invalid):
        normalise("robot", ACME)


def test_publication_period_depends_on_kind_and_severity(platform):
    general = penalty(platform, ACME, days_ago=0, severity="general")
    serious = penalty(platform, ACME, days_ago=0, severity="serious")
    minor = penalty(platform, ACME, days_ago=0, severity="minor")
    assert general.publish_until == add_months(TODAY, 12) == date(2027, 11, 28)
    assert serious.publish_until == date(2029, 11, 28)
    assert minor.publish_until == TODAY  # Order 58: minor penalties are not published
    assert general.publish_deadline == add_workdays(TODAY, 7)
    with platform.db.session(Scope.tenant(0, "360000")) as s:
        hits = public.report(s, ACME, TODAY)
    assert hits is None  # a province session does not see Donghu's rows (tenant scope, not subtree)


def test_periods_are_tenant_settings_inherited_down_the_tree(platform):
    set_setting(platform, "360100", "credit.publish_months_penalty_general", 6)
    rec = penalty(platform, ACME, "360102", days_ago=0)
    other = penalty(platform, ACME, "360200", days_ago=0, number="other")
    assert rec.publish_until == date(2027, 5, 28)  # Nanchang's 6 months reach Donghu
    assert other.publish_until == date(2027, 11, 28)  # Jingdezhen keeps the default


def test_seven_working_days_skip_the_national_day_holiday():
    # 2026-09-30 (Wed) + 7 working days: 1-7 October are holidays, so the count starts on the 8th.
    assert add_workdays(date(2026, 9, 30), 7) >= date(2026, 10, 15)
    assert add_workdays(date(2026, 11, 23), 7) == date(2026, 12, 2)


def test_bad_penalty_input_changes_nothing(platform):
    with pytest.raises(Invalid) as exc:
        penalty(platform, "913601000000000000")
    assert "913601000000000000" in exc.value.message_en
    with pytest.raises(Invalid) as exc:
        penalty(platform, ACME, days_ago=-1)
    assert "decision_date" in exc.value.fields
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(CreditRecord)) == 0


def test_the_same_decision_is_published_once(platform):
    penalty(platform, ACME, number="洪罚〔2026〕1号")
    with pytest.raises(Conflict):
        penalty(platform, ACME, number="洪罚〔2026〕1号")
    penalty(platform, ACME, "360103", number="洪罚〔2026〕1号")  # another tenant's own numbering


def test_public_visibility_boundaries(platform):
    donghu = platform.directory.get("360102")
    rec = penalty(platform, ACME, days_ago=0)
    net = services.network_scope(donghu)
    with platform.db.session(net) as s:
        assert public.report(s, ACME, rec.publish_until - timedelta(days=1)) is not None
        assert public.report(s, ACME, rec.publish_until) is None  # the end day is outside the period
        assert public.report(s, ACME, TODAY - timedelta(days=1)) is None  # not yet published then


def test_repair_ends_publication_early_with_a_reason_after_the_minimum(platform):
    donghu = platform.directory.get("360102")
    rules = rules_from_platform(platform, donghu)
    rec = penalty(platform, ACME, days_ago=30)
    with pytest.raises(Invalid) as exc, platform.db.transaction(donghu.scope) as s:
        services.repair(s, donghu, rules, rec.id, reason="已整改", version=rec.version, actor="t",
                        today=TODAY)
    assert "reason" in exc.value.fields  # three months not yet over
    later = rec.decision_date + timedelta(days=100)
    with pytest.raises(Conflict), platform.db.transaction(donghu.scope) as s:
        services.repair(s, donghu, rules, rec.id, reason="已整改", version=rec.version + 1, actor="t",
                        today=later)
    with pytest.raises(Invalid), platform.db.transaction(donghu.scope) as s:
        services.repair(s, donghu, rules, rec.id, reason="  ", version=rec.version, actor="t", today=later)
    with platform.db.transaction(donghu.scope) as s:
        done = services.repair(s, donghu, rules, rec.id, reason="已整改并履行处罚", version=rec.version,
                               actor="t", today=later)
    assert done.repaired_on == later and done.publish_until == later and done.version == rec.version + 1
    with platform.db.session(services.network_scope(donghu)) as s:
        assert public.report(s, ACME, later) is None
    with platform.db.session(Scope.system()) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "credit.record.repair")).one()
    assert entry.details == {"reason": "已整改并履行处罚"} and entry.tenant_path == donghu.path


def test_repair_of_another_tenants_record_is_not_found(platform):
    xihu = platform.directory.get("360103")
    rec = penalty(platform, ACME, days_ago=200)
    from core.errors import NotFound

    with pytest.raises(NotFound), platform.db.transaction(xihu.scope) as s:
        services.repair(s, xihu, rules_from_platform(platform, xihu), rec.id, reason="x", version=1,
                        actor="t")


def test_staff_lists_are_tenant_scoped_public_reads_span_the_network(platform):
    penalty(platform, ACME, "360102")
    penalty(platform, BETA, "360103", name="西湖企业")
    donghu, xihu = platform.directory.get("360102"), platform.directory.get("360103")
    with platform.db.session(xihu.scope) as s:
        assert [r.subject_code for r in services.tenant_records(s)] == [BETA]
    with platform.db.session(services.network_scope(xihu)) as s:
        assert {h.code for h in public.search(s, "企业", TODAY)} == {ACME, BETA}
        assert [h.code for h in public.search(s, ACME.lower(), TODAY)] == [ACME]
        assert public.search(s, "%", TODAY) == []  # LIKE wildcards are literal
    assert donghu is not None


def test_people_are_found_by_full_id_only_and_shown_masked(platform):
    from core.tenancy.directory import TenantRef  # noqa: F401 - documents the tenant type used below
    from plugins.credit.services import PenaltyInput, record_penalty

    donghu = platform.directory.get("360102")
    pid = "11010519491231002X"
    with platform.db.transaction(donghu.scope) as s:
        record_penalty(s, donghu, rules_from_platform(platform, donghu), PenaltyInput(
            subject_kind="person", subject_code=pid, subject_name="张三", title="无证经营",
                                                                                      decision_number="p1",
            severity="general", source_department="市场监管", decision_date=TODAY), actor="t", today=TODAY)
    with platform.db.session(services.network_scope(donghu)) as s:
        assert public.search(s, "张三", TODAY) == []
        hit = public.search(s, pid, TODAY)[0]
    assert hit.public_code == "110105********002X"


def test_list_entries_validate_dates_and_refuse_a_second_active_entry(platform):
    listed(platform, ACME, "black")
    with pytest.raises(Conflict):
        listed(platform, ACME, "black", days_ago=1)
    listed(platform, ACME, "black", "360103")  # another tenant may list it too
    from plugins.credit.lists import ListInput, add_entry

    donghu = platform.directory.get("360102")
    with pytest.raises(Invalid) as exc, platform.db.transaction(donghu.scope) as s:
        add_entry(s, donghu, ListInput("red", "legal", BETA, "x", "y", "z", TODAY, TODAY), actor="t")
    assert "exit_on" in exc.value.fields


@pytest.mark.postgres
def test_row_level_security_hides_other_tenants_rows_from_raw_sql(platform):
    penalty(platform, ACME, "360102")
    penalty(platform, BETA, "360103", name="西湖企业")
    xihu = platform.directory.get("360103")
    with platform.db.session(xihu.scope) as s:
        codes = s.execute(text("SELECT subject_code FROM credit_records")).scalars().all()
    assert codes == [BETA]
