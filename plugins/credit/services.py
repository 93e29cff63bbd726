"""Credit records and list entries: publish, repair, list, enter and leave. No HTTP here.

Writes go through a session scoped to the publishing tenant; each act of power is audited in the same
transaction. Public reads go through ``network_scope`` (the whole province tree) and see only what is
published today.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Conflict, DomainError, Invalid, NotFound, Scope, audit
from plugins.credit.dates import add_months, add_workdays, local_today
from plugins.credit.models import PENALTY_CATEGORIES, CreditListEntry, CreditRecord
from plugins.credit.rules import PUBLISH_WORKDAYS, Rules
from plugins.credit.subjects import normalise


def network_scope(tenant: Any) -> Scope:
    """Credit information is shared across the province's network (one credit platform per province):
    the subtree of the tenant's root. Used for public pages and the check, both filtered to published
    or aggregated data, never for staff lists of raw rows."""
    return Scope(path=tenant.path.split("/")[0], tenant_id=None, subtree=True)


@dataclass(frozen=True)
class PenaltyInput:
    subject_kind: str
    subject_code: str
    subject_name: str
    title: str
    decision_number: str
    severity: str
    source_department: str
    decision_date: date
    content: str = ""
    category: str = ""  # "" or "bid_rigging" (串通投标)
    court_confirmed: bool = False
    debarred_until: date | None = None  # a court-confirmed bid-rigging penalty: 2 years when not given


BID_RIGGING_DEBAR_MONTHS = 24  # Bidding Law art. 53 / implementing regulation art. 67: one to two years


def _check_penalty(data: PenaltyInput, today: date) -> str:
    code = normalise(data.subject_kind, data.subject_code)
    if data.decision_date > today:
        raise Invalid("The decision date is in the future", "决定日期不能晚于今天",
                      fields={"decision_date": "must not be in the future"})
    if data.severity not in ("minor", "general", "serious"):
        raise Invalid("Severity must be minor, general or serious", "严重程度应为轻微、一般或严重",
                      fields={"severity": "must be minor, general or serious"})
    for name in ("subject_name", "title", "decision_number", "source_department"):
        if not str(getattr(data, name)).strip():
            raise Invalid(f"{name} is required", f"请填写“{name}”", fields={name: "required"})
    if data.category not in PENALTY_CATEGORIES:
        raise Invalid("The category must be empty or bid_rigging", "处罚类别无效",
                      fields={"category": "must be empty or bid_rigging"})
    if data.court_confirmed and data.category != "bid_rigging":
        raise Invalid("Only a bid-rigging penalty is marked as court-confirmed here",
                      "只有串通投标类处罚需要标注“经法院确认”",
                      fields={"court_confirmed": "only for the bid_rigging category"})
    if data.debarred_until is not None:
        if not (data.category == "bid_rigging" and data.court_confirmed):
            raise Invalid("An exclusion end date needs a court-confirmed bid-rigging penalty",
                          "只有经法院确认的串通投标处罚才有禁止投标期限",
                          fields={"debarred_until": "only for a court-confirmed bid_rigging penalty"})
        if data.debarred_until <= data.decision_date:
            raise Invalid("The exclusion must end after the decision date", "禁止投标期限应晚于决定日期",
                          fields={"debarred_until": "must be after the decision date"})
    return code


def debarred_until(data: PenaltyInput) -> date | None:
    """The last day (exclusive) of the bidding exclusion a penalty carries; None when it carries none."""
    if data.category != "bid_rigging" or not data.court_confirmed:
        return None
    return data.debarred_until or add_months(data.decision_date, BID_RIGGING_DEBAR_MONTHS)


def _penalty_row(tenant: Any, rules: Rules, data: PenaltyInput, code: str, today: date, actor: str,
                 source_key: str | None, publish_deadline: date) -> dict[str, Any]:
    """The column values of one published penalty (``code``: the subject's checked, normalised code)."""
    return dict(
        tenant_id=tenant.id, tenant_path=tenant.path, kind="penalty", subject_kind=data.subject_kind,
        subject_code=code, subject_name=data.subject_name.strip(), title=data.title.strip(),
        decision_number=data.decision_number.strip(), content=data.content.strip(), severity=data.severity,
        source_department=data.source_department.strip(), decision_date=data.decision_date,
        publish_deadline=publish_deadline, published_on=today,
        publish_until=add_months(data.decision_date, rules.publish_months("penalty", data.severity)),
        source_key=source_key or _penalty_key(data), created_by=actor,
        category=data.category, court_confirmed=data.court_confirmed, debarred_until=debarred_until(data),
    )


def _penalty_key(data: PenaltyInput) -> str:
    return f"penalty:{data.source_department.strip()}:{data.decision_number.strip()}"


def record_penalty(session: Session, tenant: Any, rules: Rules, data: PenaltyInput, *, actor: str,
                   today: date | None = None, source_key: str | None = None) -> CreditRecord:
    """Publish one administrative penalty of ``tenant``."""
    today = today or local_today()
    code = _check_penalty(data, today)
    rec = CreditRecord(**_penalty_row(tenant, rules, data, code, today, actor, source_key,
                                      add_workdays(data.decision_date, PUBLISH_WORKDAYS)))
    _insert_once(session, rec, "decision_number", "this decision number is already published here",
                 "本级已公示过该决定文书号")
    audit.record(session, actor=actor, action="credit.penalty.publish", tenant=tenant,
                 target=f"credit_record:{rec.id}", details={"subject": code, "severity": data.severity,
                                                             "category": data.category,
                                                             "court_confirmed": data.court_confirmed})
    return rec


Refusals = list[tuple[int, DomainError]]


def record_penalties(session: Session, tenant: Any, rules: Rules, items: Sequence[tuple[int, PenaltyInput]],
                     *, actor: str, today: date | None = None, write: bool = True,
                     progress: Callable[[int], None] | None = None) -> tuple[int, Refusals]:
    """Publish many penalties of ``tenant`` set-based (imports): the same checks and audit entries as
    ``record_penalty`` one by one, with one look-up of decisions already published, one INSERT per 500
    rows and one audit append. Returns (rows written, (item number, error) for each refused row): nothing
    is written when a row is refused, or with ``write=False`` (check only)."""
    today = today or local_today()
    refused: Refusals = []
    checked: list[tuple[int, PenaltyInput, str]] = []
    for n, data in items:
        try:
            checked.append((n, data, _check_penalty(data, today)))
        except DomainError as exc:
            refused.append((n, exc))
    published = _published_keys(session, tenant, [_penalty_key(d) for _, d, _ in checked])
    deadline = functools.lru_cache(maxsize=None)(lambda day: add_workdays(day, PUBLISH_WORKDAYS))
    rows: list[dict[str, Any]] = []
    for n, data, code in checked:
        if _penalty_key(data) in published:
            en = "this decision number is already published here"
            refused.append((n, Conflict(en, "本级已公示过该决定文书号", code="duplicate",
                                        fields={"decision_number": en})))
            continue
        rows.append(_penalty_row(tenant, rules, data, code, today, actor, None, deadline(data.decision_date)))
    if refused or not write:
        return 0, refused
    table = cast(Table, CreditRecord.__table__)
    ids: list[int] = []
    for start in range(0, len(rows), 500):
        ids += session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                               rows[start:start + 500]).all()
        if progress is not None:
            progress(len(rows[start:start + 500]))
    audit.record_many(session, actor=actor, tenant=tenant, acts=[
        ("credit.penalty.publish", f"credit_record:{i}", {"subject": r["subject_code"],
                                                          "severity": r["severity"]})
        for i, r in zip(ids, rows, strict=True)])
    return len(ids), []


def _published_keys(session: Session, tenant: Any, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(session.scalars(select(CreditRecord.source_key).where(
            CreditRecord.tenant_id == tenant.id, CreditRecord.source_key.in_(keys[start:start + 500]))))
    return found


def _insert_once(session: Session, obj: Any, field: str, en: str, zh: str) -> None:
    existing = session.scalar(select(type(obj)).where(type(obj).source_key == obj.source_key,
                                                      type(obj).tenant_id == obj.tenant_id))
    if existing is not None:
        raise Conflict(en, zh, code="duplicate", fields={field: en})
    session.add(obj)
    try:
        session.flush()
    except IntegrityError:  # a concurrent insert of the same decision won; the transaction is void
        raise Conflict(en, zh, code="duplicate", fields={field: en}) from None


def record_licence(session: Session, tenant: Any, rules: Rules, *, payload: dict[str, Any], decided_on: date,
                   source_key: str, actor: str, today: date | None = None) -> CreditRecord | None:
    """Publish an approval decision as a licence record; None when it was already published."""
    existing = session.scalar(select(CreditRecord).where(CreditRecord.source_key == source_key,
                                                         CreditRecord.tenant_id == tenant.id))
    if existing is not None:
        return None
    today = today or local_today()
    kind = payload.get("applicant_kind", "legal")
    code = normalise(kind, str(payload.get("applicant_id_number", "")), field="applicant_id_number")
    rec = CreditRecord(
        tenant_id=tenant.id, tenant_path=tenant.path, kind="licence", subject_kind=kind, subject_code=code,
        subject_name=str(payload.get("applicant_name", "")), severity=None,
        title=str(payload.get("item_name") or payload.get("item_code") or ""),
        decision_number=str(payload.get("number", "")), content=str(payload.get("decision_reason") or ""),
        source_department=str(payload.get("department_code") or ""), decision_date=decided_on,
        publish_deadline=add_workdays(decided_on, PUBLISH_WORKDAYS), published_on=today,
        publish_until=add_months(decided_on, rules.publish_months("licence", None)),
        source_key=source_key, created_by=actor,
    )
    session.add(rec)
    session.flush()
    audit.record(session, actor=actor, action="credit.licence.publish", tenant=tenant,
                 target=f"credit_record:{rec.id}", details={"subject": code, "source": source_key})
    return rec


def repair(session: Session, tenant: Any, rules: Rules, record_id: int, *, reason: str, version: int,
           actor: str, today: date | None = None) -> CreditRecord:
    """Credit repair: end a penalty's publication early, with a reason, after the minimum period."""
    today = today or local_today()
    rec = session.get(CreditRecord, record_id)
    if rec is None or rec.tenant_id != tenant.id:
        raise NotFound("No such credit record here", "本级没有该信用记录")
    if rec.version != version:
        raise Conflict("Someone else changed this record; reload and try again",
                       "该记录已被他人修改，请刷新后重试",
                       fields={"version": f"current version is {rec.version}"})
    if not reason.strip():
        raise Invalid("A reason is required", "请填写信用修复理由", fields={"reason": "required"})
    if rec.kind != "penalty" or rec.repaired_on is not None:
        raise Conflict("Only a published, unrepaired penalty can be repaired",
                       "只有未修复的行政处罚信息可以修复")
    earliest = add_months(rec.decision_date, rules.repair_min_months(rec.severity))
    if today < earliest:
        raise Invalid(f"Repair is possible from {earliest.isoformat()}",
                      f"最短公示期未满，{earliest.isoformat()} 起可申请修复",
                      fields={"reason": f"minimum publication period runs until {earliest.isoformat()}"})
    rec.repaired_on, rec.repair_reason = today, reason.strip()
    rec.publish_until = min(rec.publish_until, today)
    session.flush()
    audit.record(session, actor=actor, action="credit.record.repair", tenant=tenant,
                 target=f"credit_record:{rec.id}", details={"reason": rec.repair_reason})
    return rec


def published(today: date) -> Any:
    """Visible to the public today: inside its publication period and not repaired."""
    return and_(CreditRecord.published_on <= today, CreditRecord.publish_until > today,
                CreditRecord.repaired_on.is_(None))


def active_entry(today: date) -> Any:
    return and_(CreditListEntry.entered_on <= today,
                or_(CreditListEntry.exit_on.is_(None), CreditListEntry.exit_on > today))


def tenant_records(session: Session, *, kind: str | None = None, limit: int = 200) -> list[CreditRecord]:
    """Raw rows of the session's tenant (staff with credit:record:view there)."""
    stmt = select(CreditRecord).order_by(CreditRecord.decision_date.desc(),
                                         CreditRecord.id.desc()).limit(limit)
    if kind:
        stmt = stmt.where(CreditRecord.kind == kind)
    return list(session.scalars(stmt))
