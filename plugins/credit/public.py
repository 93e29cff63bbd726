"""Public credit information: search, a subject's credit report and the lists, over the province
network and only what is published today (natural persons' ID numbers masked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from core.api import Tenant, department_names
from plugins.credit.models import CreditListEntry, CreditRecord
from plugins.credit.services import active_entry, published
from plugins.credit.subjects import guess_kind, mask


@dataclass
class Hit:
    kind: str
    code: str
    name: str
    public_code: str


@dataclass
class Report:
    code: str
    kind: str
    name: str
    public_code: str
    licences: list[dict[str, Any]] = field(default_factory=list)
    penalties: list[dict[str, Any]] = field(default_factory=list)
    lists: list[dict[str, Any]] = field(default_factory=list)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(session: Session, q: str, today: date, limit: int = 50) -> list[Hit]:
    """Subjects with published records or active list entries, by name (contains) or exact code."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    code = q.upper()
    # Natural persons are found by their full ID number only, never by name (personal information).
    rec = select(CreditRecord.subject_kind.label("k"), CreditRecord.subject_code.label("c"),
                 CreditRecord.subject_name.label("n")).where(
        published(today), or_(CreditRecord.subject_code == code,
                              (CreditRecord.subject_kind == "legal")
                              & CreditRecord.subject_name.like(_like(q), escape="\\")))
    lst = select(CreditListEntry.subject_kind.label("k"), CreditListEntry.subject_code.label("c"),
                 CreditListEntry.subject_name.label("n")).where(
        active_entry(today), or_(CreditListEntry.subject_code == code,
                                 (CreditListEntry.subject_kind == "legal")
                                 & CreditListEntry.subject_name.like(_like(q), escape="\\")))
    u = union(rec, lst).subquery()
    rows = session.execute(select(u.c.k, u.c.c, func.max(u.c.n)).group_by(u.c.k, u.c.c)
                           .order_by(u.c.c).limit(limit)).all()
    return [Hit(k, c, n, mask(k, c)) for k, c, n in rows]


def report(session: Session, code: str, today: date) -> Report | None:
    """A subject's public credit report, or None when nothing about it is published."""
    code = (code or "").strip().upper()
    records = session.scalars(select(CreditRecord).where(CreditRecord.subject_code == code, published(today))
                              .order_by(CreditRecord.decision_date.desc())).all()
    entries = session.scalars(select(CreditListEntry).where(CreditListEntry.subject_code == code,
                                                            active_entry(today))
                              .order_by(CreditListEntry.entered_on.desc())).all()
    if not records and not entries:
        return None
    names = _tenant_names(session, {r.tenant_id for r in records} | {e.tenant_id for e in entries})
    depts = department_names(session, [(r.tenant_id, r.source_department) for r in records]
                             + [(e.tenant_id, e.issuing_department) for e in entries])
    first = records[0] if records else entries[0]
    kind = first.subject_kind or guess_kind(code) or "legal"
    out = Report(code=code, kind=kind, name=first.subject_name, public_code=mask(kind, code))
    for r in records:
        row = {"title": r.title, "decision_number": r.decision_number, "content": r.content,
               "severity": r.severity, "department": _dept(depts, r.tenant_id, r.source_department),
               "decision_date": r.decision_date, "publish_until": r.publish_until,
               "tenant": names.get(r.tenant_id, "")}
        (out.licences if r.kind == "licence" else out.penalties).append(row)
    for e in entries:
        out.lists.append({"list_type": e.list_type, "basis": e.basis,
                          "department": _dept(depts, e.tenant_id, e.issuing_department),
                          "entered_on": e.entered_on, "exit_on": e.exit_on, "tenant": names.get(e.tenant_id,
                                                                                                "")})
    return out


def list_entries(session: Session, list_type: str, today: date, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.scalars(select(CreditListEntry).where(CreditListEntry.list_type == list_type,
                                                         active_entry(today))
                           .order_by(CreditListEntry.entered_on.desc()).limit(limit)).all()
    names = _tenant_names(session, {e.tenant_id for e in rows})
    depts = department_names(session, [(e.tenant_id, e.issuing_department) for e in rows])
    return [{"code": e.subject_code, "public_code": mask(e.subject_kind, e.subject_code),
             "name": e.subject_name,
             "basis": e.basis, "department": _dept(depts, e.tenant_id, e.issuing_department),
             "entered_on": e.entered_on,
             "exit_on": e.exit_on, "tenant": names.get(e.tenant_id, "")} for e in rows]


def _dept(names: dict[tuple[int, str], str], tenant_id: int, code: str) -> str:
    """A department's name (records carry its code; an imported record may carry the name itself)."""
    return names.get((tenant_id, code), code)


def _tenant_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {i: n for i, n in session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids)))}


def recent(session: Session, today: date, kind: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The publicity list (双公示): latest published decisions across the network."""
    stmt = select(CreditRecord).where(published(today)).order_by(CreditRecord.decision_date.desc(),
                                                                 CreditRecord.id.desc()).limit(limit)
    if kind in ("licence", "penalty"):
        stmt = stmt.where(CreditRecord.kind == kind)
    rows = session.scalars(stmt).all()
    names = _tenant_names(session, {r.tenant_id for r in rows})
    depts = department_names(session, [(r.tenant_id, r.source_department) for r in rows])
    return [{"kind": r.kind, "code": r.subject_code, "public_code": mask(r.subject_kind, r.subject_code),
             "subject_kind": r.subject_kind, "name": r.subject_name, "title": r.title,
             "decision_number": r.decision_number, "severity": r.severity,
             "department": _dept(depts, r.tenant_id, r.source_department), "decision_date": r.decision_date,
             "tenant": names.get(r.tenant_id, "")} for r in rows]
