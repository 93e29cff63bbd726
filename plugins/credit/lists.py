"""Red, black and abnormal-operations lists: entries with basis, issuing department, entry and exit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Conflict, Invalid, NotFound, audit
from plugins.credit.dates import local_today
from plugins.credit.models import LIST_TYPES, CreditListEntry
from plugins.credit.services import active_entry
from plugins.credit.subjects import normalise


@dataclass(frozen=True)
class ListInput:
    list_type: str
    subject_kind: str
    subject_code: str
    subject_name: str
    basis: str
    issuing_department: str
    entered_on: date
    exit_on: date | None = None


def _check(data: ListInput) -> str:
    if data.list_type not in LIST_TYPES:
        raise Invalid("List must be red, black or abnormal", "名单类型应为红名单、黑名单或经营异常名录",
                      fields={"list_type": "must be red, black or abnormal"})
    code = normalise(data.subject_kind, data.subject_code)
    for name in ("subject_name", "basis", "issuing_department"):
        if not str(getattr(data, name)).strip():
            raise Invalid(f"{name} is required", f"请填写“{name}”", fields={name: "required"})
    if data.exit_on is not None and data.exit_on <= data.entered_on:
        raise Invalid("The exit date must be after the entry date", "移出日期应晚于列入日期",
                      fields={"exit_on": "must be after entered_on"})
    return code


def add_entry(session: Session, tenant: Any, data: ListInput, *, actor: str,
              source_key: str | None = None) -> CreditListEntry:
    code = _check(data)
    clash = session.scalar(select(CreditListEntry.id).where(
        CreditListEntry.subject_code == code, CreditListEntry.list_type == data.list_type,
        active_entry(data.entered_on)))
    if clash is not None:
        raise Conflict("The subject is already on this list here", "该主体已在本级该名单中",
                       fields={"subject_code": "already listed"})
    entry = CreditListEntry(
        tenant_id=tenant.id, tenant_path=tenant.path, list_type=data.list_type,
                            subject_kind=data.subject_kind,
        subject_code=code, subject_name=data.subject_name.strip(), basis=data.basis.strip(),
        issuing_department=data.issuing_department.strip(), entered_on=data.entered_on, exit_on=data.exit_on,
        source_key=source_key, created_by=actor)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action="credit.list.enter", tenant=tenant,
                 target=f"credit_list_entry:{entry.id}", details={"list": data.list_type, "subject": code})
    return entry


def exit_entry(session: Session, tenant: Any, entry_id: int, *, reason: str, version: int, actor: str,
               today: date | None = None) -> CreditListEntry:
    """Take a subject off a list today (移出), with a reason."""
    today = today or local_today()
    entry = session.get(CreditListEntry, entry_id)
    if entry is None or entry.tenant_id != tenant.id:
        raise NotFound("No such list entry here", "本级没有该名单记录")
    if entry.version != version:
        raise Conflict("Someone else changed this entry; reload and try again",
                       "该记录已被他人修改，请刷新后重试",
                       fields={"version": f"current version is {entry.version}"})
    if not reason.strip():
        raise Invalid("A reason is required", "请填写移出理由", fields={"reason": "required"})
    if entry.exit_on is not None and entry.exit_on <= today:
        raise Conflict("The subject has already left this list", "该主体已移出名单")
    entry.exit_on, entry.exit_reason = max(today, entry.entered_on), reason.strip()
    session.flush()
    audit.record(session, actor=actor, action="credit.list.exit", tenant=tenant,
                 target=f"credit_list_entry:{entry.id}", details={"reason": entry.exit_reason})
    return entry


def tenant_entries(session: Session, limit: int = 200) -> list[CreditListEntry]:
    return list(session.scalars(select(CreditListEntry).order_by(CreditListEntry.entered_on.desc())
                                .limit(limit)))
