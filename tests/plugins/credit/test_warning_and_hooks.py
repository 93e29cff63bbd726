"""The warning rule set, and what other plugins reach through hooks: the acceptance check, licence
publication on approval events (real outbox delivery), and the supervision rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from credit_helpers import ACME, BETA, TODAY, listed, penalty, set_setting, switch
from sqlalchemy import func, select

from core import events
from core.contracts import Event
from core.db import Scope
from plugins.credit.check import assess_subject, handle_event, serious_on_acceptance
from plugins.credit.dates import add_workdays, local_date, local_today
from plugins.credit.models import CreditAssessment, CreditRecord

SUBJECT = {"kind": "legal", "id_number": ACME, "name": "江西测试企业有限公司", "item_code": "FOOD-01"}


def level(platform, code=ACME, tenant="360102", today=TODAY):
    t = platform.directory.get(tenant)
    with platform.db.session(t.scope) as s:
        return assess_subject(s, t, code, today)


def test_levels_from_penalty_counts_and_the_window_boundary(platform):
    assert level(platform).level == "none"
    penalty(platform, ACME, days_ago=365)  # exactly twelve months ago: outside the window
    assert level(platform).level == "none"
    penalty(platform, ACME, days_ago=364)
    r = level(platform)
    assert r.level == "attention" and r.measures == ["check_history"] and r.penalties == 1
    penalty(platform, ACME, "360103", days_ago=20)  # another tenant's penalty counts (network)
    r = level(platform)
    assert r.level == "warning" and "no_fast_track" in r.measures and "2" in r.reasons[0]["zh"]
    penalty(platform, ACME, days_ago=30)
    penalty(platform, ACME, days_ago=40)
    assert level(platform).level == "serious"


def test_lists_and_serious_penalties_raise_the_level(platform):
    listed(platform, ACME, "abnormal")
    assert level(platform).level == "warning"
    listed(platform, ACME, "black", "360103")
    r = level(platform)
    assert r.level == "serious" and r.lists == ["abnormal", "black"]
    penalty(platform, BETA, severity="serious", number="s1")
    assert level(platform, BETA).level == "warning"


def test_red_list_gives_the_green_channel_only_without_adverse_records(platform):
    listed(platform, ACME, "red")
    r = level(platform)
    assert r.level == "none" and r.measures == ["green_channel"]
    penalty(platform, ACME, number="a")
    penalty(platform, ACME, number="b")
    assert "green_channel" not in level(platform).measures


def test_rule_set_is_a_tenant_setting(platform):
    penalty(platform, ACME)
    penalty(platform, ACME, number="second")
    assert level(platform).level == "warning"
    set_setting(platform, "360102", "credit.warning_warning_count", 3)
    set_setting(platform, "360102", "credit.warning_list_levels", {"black": "warning", "abnormal": "none"})
    assert level(platform).level == "attention"
    assert level(platform, tenant="360103").level == "warning"  # Xihu keeps the default rules
    listed(platform, ACME, "black")
    assert level(platform).level == "warning"


def test_invalid_rule_setting_is_refused(platform):
    from core.settings import SettingsError, validate_tenant_value

    with pytest.raises(SettingsError, match="credit.warning_list_levels"):
        validate_tenant_value(platform.settings, "credit.warning_list_levels", {"black": "fatal"}, "test")


def test_acceptance_check_returns_level_reasons_measures_and_stores_them(platform):
    donghu = platform.directory.get("360102")
    listed(platform, ACME, "black", days_ago=1, today=local_today())
    with platform.db.transaction(donghu.scope) as s:
        found = platform.hooks(donghu).govhall_checks(check="approval.acceptance", subject=SUBJECT,
                                                      tenant=donghu, session=s)
        other = platform.hooks(donghu).govhall_checks(check="bidding.qualification", subject=SUBJECT,
                                                      tenant=donghu, session=s)
    findings = [f for batch in found for f in batch]
    assert len(findings) == 1
    f = findings[0]
    assert (f.source, f.code, f.level) == ("credit", "credit.warning.serious", "serious")
    assert "黑名单" in f.message_zh and "manual_review" in f.measures and "no_fast_track" in f.measures
    assert other == []  # credit does not answer checks it does not know
    with platform.db.session(donghu.scope) as s:
        stored = s.scalars(select(CreditAssessment)).one()
    assert stored.level == "serious" and stored.item_code == "FOOD-01"


def test_clean_subject_gets_an_info_finding_and_bad_codes_do_not_break_acceptance(platform):
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        clean = platform.hooks(donghu).govhall_checks(check="approval.acceptance", subject=SUBJECT,
                                                      tenant=donghu, session=s)
        bad = platform.hooks(donghu).govhall_checks(
            check="approval.acceptance", subject={**SUBJECT, "id_number": "123"}, tenant=donghu, session=s)
    assert [f.code for b in clean for f in b] == ["credit.warning.none"]
    assert [f.code for b in bad for f in b] == ["credit.subject.invalid"]


def test_disabled_at_a_tenant_the_check_returns_nothing_there(platform):
    listed(platform, ACME, "black", days_ago=1, today=local_today())
    switch(platform, "360103", "credit", "off")
    xihu, donghu = platform.directory.get("360103"), platform.directory.get("360102")
    with platform.db.transaction(xihu.scope) as s:
        off = platform.hooks(xihu).govhall_checks(check="approval.acceptance", subject=SUBJECT, tenant=xihu,
                                                  session=s)
    with platform.db.transaction(donghu.scope) as s:
        on = platform.hooks(donghu).govhall_checks(check="approval.acceptance", subject=SUBJECT,
                                                   tenant=donghu, session=s)
    assert [f for b in off for f in b] == []
    assert [f.level for b in on for f in b] == ["serious"]
    assert not any(r["id"] == "credit.serious_subject_accepted"
                   for batch in platform.hooks(xihu).govhall_supervision_rules() for r in batch)


def _approved(application_id: int = 41) -> dict:
    return {"application_id": application_id, "number": f"DH2026{application_id:06d}", "item_code": "FOOD-01",
            "item_name": "食品经营许可", "applicant_kind": "legal", "applicant_id_number": ACME,
            "applicant_name": "江西测试企业有限公司", "department_code": "scjgj",
            "decision_reason": "符合条件"}


def test_approved_application_becomes_a_licence_once_through_the_outbox(platform):
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        event_id = events.publish(s, tenant=donghu, type="approval.application.approved", payload=_approved(),
                                  actor="staff:7")
    assert events.dispatch_pending(platform) >= 1
    with platform.db.session(donghu.scope) as s:
        rec = s.scalars(select(CreditRecord)).one()
        outbox = s.get(events.OutboxEvent, event_id)
        occurred = outbox.occurred_at
    decided = local_date(occurred)
    assert (rec.kind, rec.subject_code, rec.title, rec.source_department) == ("licence", ACME,
                                                                              "食品经营许可", "scjgj")
    assert rec.decision_date == decided and rec.published_on == local_today()
    assert rec.publish_deadline == add_workdays(decided, 7) and rec.published_on <= rec.publish_deadline
    assert rec.source_key == "approval.application:41"
    # Redelivery (a handler re-run, or the same decision published again) never publishes twice.
    ev = Event(id=event_id, type="approval.application.approved", tenant_id=donghu.id,
               tenant_path=donghu.path,
               payload=_approved(), occurred_at=occurred, actor="staff:7")
    with platform.db.transaction(donghu.scope) as s:
        handle_event(ev, s)
    with platform.db.transaction(donghu.scope) as s:
        events.publish(s, tenant=donghu, type="approval.application.approved", payload=_approved())
    events.dispatch_pending(platform)
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(CreditRecord)) == 1


def test_malformed_approval_payload_is_skipped_not_retried_forever(platform):
    donghu = platform.directory.get("360102")
    ev = Event(id=1, type="approval.application.approved", tenant_id=donghu.id, tenant_path=donghu.path,
               payload={**_approved(), "applicant_id_number": "bogus"}, occurred_at=datetime.now(UTC))
    with platform.db.transaction(donghu.scope) as s:
        handle_event(ev, s)
    with platform.db.session(donghu.scope) as s:
        assert s.scalar(select(func.count()).select_from(CreditRecord)) == 0


def test_supervision_rule_raises_a_finding_for_serious_subjects_only(platform):
    donghu = platform.directory.get("360102")
    rules = [r for batch in platform.hooks(donghu).govhall_supervision_rules() for r in batch
             if r["id"] == "credit.serious_subject_accepted"]
    assert len(rules) == 1 and rules[0]["kind_of_power"] == "administrative_approval"
    assert rules[0]["on_events"] == ("approval.application.accepted",)
    ev = Event(id=9, type="approval.application.accepted", tenant_id=donghu.id, tenant_path=donghu.path,
               payload=_approved(77), occurred_at=datetime.now(UTC))
    with platform.db.session(donghu.scope) as s:
        assert serious_on_acceptance(ev, s) == []
    listed(platform, ACME, "black", days_ago=1, today=local_today())
    with platform.db.transaction(donghu.scope) as s:  # the acceptance check stores the level ...
        platform.hooks(donghu).govhall_checks(check="approval.acceptance", subject=SUBJECT, tenant=donghu,
                                              session=s)
    with platform.db.session(donghu.scope) as s:  # ... and the rule reads it
        found = rules[0]["evaluate_event"](event=ev, session=s)
    assert [(f.level, f.object_type, f.object_id) for f in found] == [("serious", "approval.application",
                                                                       "77")]
    assert "黑名单" in found[0].message_zh
    other = Event(id=10, type="approval.application.approved", tenant_id=donghu.id, tenant_path=donghu.path,
                  payload=_approved(77), occurred_at=datetime.now(UTC) - timedelta(days=1))
    with platform.db.session(donghu.scope) as s:
        assert rules[0]["evaluate_event"](event=other, session=s) == []


def test_licences_published_after_seven_working_days_raise_a_supervision_prompt(platform):
    from core import jobs
    from plugins.credit.rules import rules_from_platform
    from plugins.credit.services import record_licence

    donghu, root = platform.directory.get("360102"), platform.directory.get("360000")
    rules = rules_from_platform(platform, donghu)
    today = local_today()
    with platform.db.transaction(donghu.scope) as s:
        late = record_licence(s, donghu, rules, payload=_approved(1), decided_on=today - timedelta(days=30),
                              source_key="t:late", actor="t", today=today)
        record_licence(s, donghu, rules, payload=_approved(2), decided_on=today, source_key="t:ok", actor="t",
                       today=today)
    rule = next(r for b in platform.hooks(root).govhall_supervision_rules() for r in b
                if r["id"] == "credit.licence_published_late")
    assert rule["scan_subtree"] is True
    with platform.db.session(root.subtree_scope) as s:
        found = rule["scan"](platform=platform, session=s, tenant=root)
    assert [(f.object_id, f.tenant_id) for f in found] == [(str(late.id), donghu.id)]
    # through the supervision plugin's own periodic scan: one card, and none again on the next run
    jobs.run_due(platform)
    jobs.run_due(platform, now=datetime.now(UTC) + timedelta(days=1))
    with platform.db.session(Scope.system()) as s:
        cards = [e.payload for e in s.scalars(select(events.OutboxEvent).where(
            events.OutboxEvent.type == "supervision.card.issued")) if e.payload["rule_id"] == rule["id"]]
    assert [c["object_id"] for c in cards] == [str(late.id)]


def test_any_plugin_may_ask_about_a_subject_with_the_credit_subject_check(platform):
    """Bidding, equity and medicine ask ``credit.subject`` with a purpose; the answer carries the level and
    the lists, and the purpose is stored with the assessment."""
    donghu = platform.directory.get("360102")
    listed(platform, ACME, "black", days_ago=1, today=local_today())
    subject = {"kind": "legal", "id_number": ACME, "name": "江西测试企业有限公司",
               "purpose": "bidding.registration"}
    with platform.db.transaction(donghu.scope) as s:
        found = platform.hooks(donghu).govhall_checks(check="credit.subject", subject=subject,
                                                      tenant=donghu, session=s)
    (f,) = [f for batch in found for f in batch]
    assert f.level == "serious" and f.facts["level"] == "serious" and f.facts["lists"] == ["black"]
    with platform.db.session(donghu.scope) as s:
        assert s.scalars(select(CreditAssessment)).one().item_code == "bidding.registration"
