"""What other plugins reach through hooks: the acceptance check, the licence publication on approval,
and the supervision rule for serious subjects. Hooks get a session scoped to the asking tenant and no
platform, so settings come from rules_from_db, and network reads run in a sub-session over the caller's
own connection and transaction (core.db.subsession): never a second pooled connection."""

from __future__ import annotations

from datetime import date
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Event, Finding, Invalid, subsession
from plugins.credit.dates import local_date, local_today
from plugins.credit.models import CreditAssessment
from plugins.credit.rules import rules_from_db
from plugins.credit.services import network_scope, record_licence
from plugins.credit.subjects import normalise
from plugins.credit.warning import Assessment, assess, finding

log = structlog.get_logger(__name__)
ACCEPTANCE = "approval.acceptance"
# The check any plugin may ask about a subject (bidding registration, equity buyers, medicine suppliers):
# ``subject={"kind": "legal"|"natural", "id_number", "name", "purpose": "<plugin>.<what>"}``.
SUBJECT = "credit.subject"
ANSWERS = (ACCEPTANCE, SUBJECT)
RULE_ID = "credit.serious_subject_accepted"


def assess_subject(session: Session, tenant: Any, code: str, today: date | None = None) -> Assessment:
    rules = rules_from_db(session, tenant)
    with subsession(session, network_scope(tenant)) as net:  # RLS applies on PostgreSQL
        return assess(net, rules, code, today or local_today())


def acceptance_check(check: str, subject: dict[str, Any], tenant: Any, session: Session) -> list[Finding]:
    """The credit finding for the applicant at acceptance (or for any subject another plugin asks about);
    stored so supervision can act on it."""
    if check not in ANSWERS:
        return []
    try:
        code = normalise(str(subject.get("kind", "")), str(subject.get("id_number", "")), field="id_number")
    except Invalid as exc:
        # Approval validated the applicant already; an unusable code is reported, not fatal.
        return [Finding(source="credit", code="credit.subject.invalid", level="attention",
                        message_zh=f"无法核查信用：{exc.message_zh}",
                        message_en=f"Credit not checked: {exc.message_en}",
                        object_type="credit.subject", object_id=str(subject.get("id_number", "")),
                        tenant_id=tenant.id)]
    result = assess_subject(session, tenant, code)
    session.add(CreditAssessment(tenant_id=tenant.id, tenant_path=tenant.path, subject_code=code,
                                 subject_name=str(subject.get("name", "")),
                                 item_code=str(subject.get("item_code") or subject.get("purpose") or ""),
                                 level=result.level,
                                 reasons=result.reasons, measures=result.measures))
    session.flush()
    return [finding(result, subject, tenant.id)]


def handle_event(event: Event, session: Session) -> None:
    """approval.application.approved -> a licence record (双公示), once per application."""
    if event.type != "approval.application.approved":
        return
    payload = dict(event.payload)
    tenant = _EventTenant(event.tenant_id, event.tenant_path)
    try:
        rec = record_licence(session, tenant, rules_from_db(session, tenant), payload=payload,
                             decided_on=local_date(event.occurred_at),
                             source_key=f"approval.application:{payload.get('application_id')}",
                             actor=event.actor or "system:credit")
    except Invalid as exc:
        # A malformed payload will not improve on redelivery: log it and let the delivery succeed.
        log.warning("credit.licence.skipped", event_id=event.id, reason=exc.message_en)
        return
    if rec is not None:
        log.info("credit.licence.published", event_id=event.id, record_id=rec.id)


class _EventTenant:
    """The tenant of an event (id and path are all record writes need)."""

    def __init__(self, tenant_id: int, path: str) -> None:
        self.id, self.path = tenant_id, path
        self.code = path.rsplit("/", 1)[-1]


def serious_on_acceptance(event: Event, session: Session) -> list[Finding]:
    """Supervision rule: a subject at the serious level was accepted. Reads the assessment the acceptance
    check stored at this tenant (computing it afresh if the check did not run)."""
    if event.type != "approval.application.accepted":
        return []
    payload = event.payload
    number = str(payload.get("applicant_id_number", "")).strip().upper()
    stored = session.scalar(select(CreditAssessment).where(
        CreditAssessment.tenant_id == event.tenant_id, CreditAssessment.subject_code == number)
        .order_by(CreditAssessment.id.desc()).limit(1))
    if stored is not None:
        level, reasons = stored.level, stored.reasons
    else:
        try:
            code = normalise(str(payload.get("applicant_kind", "")), number)
        except Invalid:
            return []
        result = assess_subject(session, _EventTenant(event.tenant_id, event.tenant_path), code)
        level, reasons = result.level, result.reasons
    if level != "serious":
        return []
    why_zh = "；".join(r["zh"] for r in reasons)
    why_en = "; ".join(r["en"] for r in reasons)
    return [Finding(
        source="credit", code=RULE_ID, level="serious",
        message_zh=f"受理了信用预警等级为“严重”的申请人 {payload.get('applicant_name', '')}：{why_zh}",
        message_en=f"Accepted an applicant at credit level serious "
                   f"({payload.get('applicant_name', '')}): {why_en}",
        object_type="approval.application", object_id=str(payload.get("application_id", "")),
        tenant_id=event.tenant_id, facts={"subject_code": number, "reasons": reasons,
                                          "number": payload.get("number", "")},
    )]


LATE_RULE_ID = "credit.licence_published_late"


def late_licences(session: Session, tenant: Any, today: date | None = None, **_: Any) -> list[Finding]:
    """Supervision scan (whole tree in one query): licences published after the seven working days of
    the 双公示 rule. Cards are unique per rule and record, so re-scans issue nothing twice."""
    from plugins.credit.models import CreditRecord

    rows = session.execute(
        select(CreditRecord.id, CreditRecord.tenant_id, CreditRecord.subject_name,
               CreditRecord.decision_number,
               CreditRecord.decision_date, CreditRecord.publish_deadline, CreditRecord.published_on)
        .where(CreditRecord.kind == "licence", CreditRecord.published_on > CreditRecord.publish_deadline)
        .order_by(CreditRecord.id)).all()
    return [Finding(
        source="credit", code=LATE_RULE_ID, level="attention",
        message_zh=f"行政许可 {r.decision_number}（{r.subject_name}）于 {r.published_on} 公示，"
                   f"超过 7 个工作日期限 {r.publish_deadline}",
        message_en=f"Licence {r.decision_number} ({r.subject_name}) published on {r.published_on}, after the "
                   f"seven-working-day limit {r.publish_deadline}",
        object_type="credit.record", object_id=str(r.id), tenant_id=r.tenant_id,
        facts={"decision_date": r.decision_date.isoformat(), "deadline": r.publish_deadline.isoformat(),
               "published_on": r.published_on.isoformat()},
    ) for r in rows]
