"""Licences and their states: issue, change (a new version), suspend, reinstate, revoke, expire.

States: valid -> changed | suspended | revoked | expired; suspended -> valid | revoked | expired.
Every change is written to the licence's history, audited (core.audit) and published as an event
``licence.licence.<verb>`` in the caller's transaction. ``version`` is SQLAlchemy's version_id_col: an
act on a stale copy answers 409, and of two concurrent acts one wins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import Conflict, Invalid, NotFound, audit, events
from plugins.licence import dates, issuing
from plugins.licence.identifiers import compose
from plugins.licence.issuing import Holder
from plugins.licence.models import STATES, Licence, LicenceChange, LicenceType

# action: (states it may start from, resulting state, event verb)
ACTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "change": (("valid",), "changed", "changed"),
    "suspend": (("valid",), "suspended", "suspended"),
    "reinstate": (("suspended",), "valid", "reinstated"),
    "revoke": (("valid", "suspended"), "revoked", "revoked"),
    "expire": (("valid", "suspended"), "expired", "expired"),
}


def effective_state(lic: Licence, today: date) -> str:
    """The state people see: a licence past its last day is expired even before the nightly scan."""
    if lic.state in ("valid", "suspended") and lic.valid_until is not None and lic.valid_until < today:
        return "expired"
    return lic.state


def state_title(state: str, lang: str = "zh-CN") -> str:
    zh, en = STATES.get(state, (state, state))
    return zh if lang == "zh-CN" else en


def event_payload(lic: Licence, **extra: Any) -> dict[str, Any]:
    """What every licence event carries. ``recipient`` names the holder, so the messages inbox can
    address the event to them (by ID number or credit code; the account layer maps it to an account)."""
    return {
        "licence_id": lic.id,
        "identifier": lic.identifier,
        "type_code": lic.type_code,
        "type_name": lic.type_name,
        "version_no": lic.version_no,
        "state": lic.state,
        "holder_kind": lic.holder_kind,
        "holder_id_number": lic.holder_id_number,
        "holder_name": lic.holder_name,
        "recipient": {"kind": lic.holder_kind, "id_number": lic.holder_id_number, "name": lic.holder_name},
        "issuer_name": lic.issuer_name,
        "department_code": lic.department_code,
        "application_number": lic.application_number,
        "valid_until": lic.valid_until.isoformat() if lic.valid_until else None,
        **extra,
    }


def _history(
    session: Session,
    tenant: Any,
    lic: Licence,
    action: str,
    before: str,
    reason: str,
    actor: str,
    verb: str,
    **extra: Any,
) -> None:
    session.add(
        LicenceChange(
            tenant_id=lic.tenant_id,
            tenant_path=lic.tenant_path,
            licence_id=lic.id,
            action=action,
            from_state=before,
            to_state=lic.state,
            reason=reason,
            actor=actor,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"licence.licence.{action}",
        tenant=tenant,
        target=f"licence:{lic.identifier}",
        details={"from": before, "to": lic.state, "reason": reason, **extra},
    )
    events.publish(
        session,
        tenant=tenant,
        type=f"licence.licence.{verb}",
        payload=event_payload(lic, reason=reason, **extra),
        actor=actor,
    )


def issue(
    session: Session,
    platform: Any,
    tenant: Any,
    lt: LicenceType,
    holder: Holder,
    values: dict[str, str],
    *,
    actor: str,
    source_key: str | None = None,
    on: date | None = None,
    decided_on: date | None = None,
    application_number: str = "",
    item_name: str = "",
) -> Licence:
    """Issue version 1 of a licence of type ``lt`` to ``holder`` (values by field name)."""
    if not lt.active:
        raise Invalid(
            "This licence type is no longer issued", "该证照类型已停用", fields={"type": "inactive"}
        )
    holder = issuing.check_holder(holder, lt)
    today = on or dates.today(platform)
    ident = issuing.first_identifier(session, tenant, lt, today)
    fields = [
        {
            "name": f["name"],
            "label": f["label"],
            "label_en": f.get("label_en", ""),
            "value": str(values.get(f["name"], "")).strip()[:500],
        }
        for f in lt.fields or []
    ]
    until = dates.valid_until(today, lt.validity_months)
    built = issuing.build(
        session, platform, tenant, lt, ident, holder, fields, valid_from=today, valid_until=until
    )
    lic = _store(tenant, lt, built, holder, today, until, actor, source_key=source_key)
    lic.decided_on, lic.application_number, lic.item_name = decided_on, application_number, item_name
    lic.issue_deadline = dates.issue_deadline(decided_on) if decided_on else None
    session.add(lic)
    session.flush()
    _history(session, tenant, lic, "issue", "", "", actor, "issued")
    return lic


def _store(
    tenant: Any,
    lt: LicenceType,
    built: issuing.Built,
    holder: Holder,
    valid_from: date,
    until: date | None,
    actor: str,
    *,
    source_key: str | None = None,
) -> Licence:
    return Licence(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        identifier=built.identifier.text,
        type_id=lt.id,
        type_code=lt.code,
        type_name=lt.name,
        serial=built.identifier.serial,
        version_no=built.identifier.version_no,
        holder_kind=holder.kind,
        holder_id_number=holder.id_number,
        holder_name=holder.name,
        issuer_code=lt.issuer_code,
        issuer_name=lt.department_name,
        department_code=lt.department_code,
        data=built.data["fields"],
        issued_on=built.identifier.issued_on,
        valid_from=valid_from,
        valid_until=until,
        state="valid",
        source_key=source_key,
        canonical=built.canonical,
        signature=built.signature,
        key_id=built.key_id,
        pdf=built.pdf,
        pdf_sha256=built.pdf_sha256,
        created_by=actor,
    )


def load(session: Session, tenant: Any, licence_id: int, version: int | None = None) -> Licence:
    """A licence of this tenant; another tenant's answers exactly like a missing one."""
    lic = session.get(Licence, licence_id)
    if lic is None or lic.tenant_id != tenant.id:
        raise NotFound("No such licence here", "本级没有该电子证照", code="unknown_licence")
    if version is not None and lic.version != version:
        raise _stale(lic)
    return lic


def _stale(lic: Licence | None = None) -> Conflict:
    """409 for a stale version. After a failed flush the row cannot be read again: no current version."""
    return Conflict(
        "Someone else changed this licence meanwhile; reload and try again",
        "该证照已被他人处理，请刷新后重试",
        code="stale_version",
        fields={"version": f"current version is {lic.version}" if lic is not None else "changed meanwhile"},
    )


def _move(session: Session, lic: Licence, action: str) -> str:
    starts, to_state, _verb = ACTIONS[action]
    if lic.state not in starts:
        raise Conflict(
            f"A licence that is {STATES[lic.state][1].lower()} cannot be {action}d",
            f"证照当前状态为“{STATES[lic.state][0]}”，不能执行此操作",
            code="transition_not_allowed",
        )
    before = lic.state
    lic.state = to_state
    try:
        session.flush()
    except StaleDataError:
        raise _stale() from None
    return before


def act(
    session: Session, tenant: Any, licence_id: int, action: str, *, version: int, reason: str, actor: str
) -> Licence:
    """Suspend, reinstate or revoke, with a reason."""
    if action not in ("suspend", "reinstate", "revoke"):
        raise NotFound("No such action", "没有该操作")
    if not reason.strip():
        raise Invalid("A reason is required", "请填写理由", fields={"reason": "required"})
    lic = load(session, tenant, licence_id, version)
    before = _move(session, lic, action)
    lic.state_reason = reason.strip()
    session.flush()
    _history(session, tenant, lic, action, before, lic.state_reason, actor, ACTIONS[action][2])
    return lic


def change(
    session: Session,
    platform: Any,
    tenant: Any,
    licence_id: int,
    *,
    version: int,
    reason: str,
    values: dict[str, str],
    holder_name: str | None,
    actor: str,
    on: date | None = None,
) -> Licence:
    """A new version with changed field values (or holder name); the old version becomes ``changed``."""
    if not reason.strip():
        raise Invalid("A reason is required", "请填写变更理由", fields={"reason": "required"})
    old = load(session, tenant, licence_id, version)
    lt = issuing.type_of(session, old.type_id)
    known = {f["name"] for f in old.data or []}
    unknown = sorted(set(values) - known)
    if unknown:
        raise Invalid(
            f"Unknown fields: {', '.join(unknown)}",
            f"该证照没有这些字段：{'、'.join(unknown)}",
            fields={f"fields.{n}": "unknown field" for n in unknown},
        )
    before = _move(session, old, "change")
    old.state_reason = reason.strip()
    holder = issuing.check_holder(
        Holder(old.holder_kind, old.holder_id_number, holder_name if holder_name else old.holder_name), lt
    )
    fields = [{**f, "value": values.get(f["name"], f.get("value", ""))[:500]} for f in old.data or []]
    ident = compose(old.type_code, old.issuer_code, old.serial, old.version_no + 1)
    built = issuing.build(
        session,
        platform,
        tenant,
        lt,
        ident,
        holder,
        fields,
        valid_from=old.valid_from,
        valid_until=old.valid_until,
        previous=old.identifier,
    )
    new = _store(tenant, lt, built, holder, old.valid_from, old.valid_until, actor)
    new.previous_id, new.application_number, new.item_name = old.id, old.application_number, old.item_name
    new.issued_on = on or dates.today(platform)
    session.add(new)
    session.flush()
    _history(
        session,
        tenant,
        old,
        "change",
        before,
        old.state_reason,
        actor,
        "changed",
        new_identifier=new.identifier,
    )
    _history(session, tenant, new, "issue", "", old.state_reason, actor, "issued", previous=old.identifier)
    return new


def expire_due(session: Session, tenant: Any, today: date, *, limit: int = 500) -> int:
    """Mark this tenant's licences past their last day as expired (periodic task), each audited."""
    due = list(
        session.scalars(
            select(Licence)
            .where(
                Licence.tenant_id == tenant.id,
                Licence.state.in_(("valid", "suspended")),
                Licence.valid_until.is_not(None),
                Licence.valid_until < today,
            )
            .order_by(Licence.id)
            .limit(limit)
        )
    )
    for lic in due:
        before = _move(session, lic, "expire")
        _history(
            session,
            tenant,
            lic,
            "expire",
            before,
            f"有效期至 {lic.valid_until} 届满",
            "system:licence",
            "expired",
        )
    return len(due)


def history(session: Session, licence_id: int) -> list[LicenceChange]:
    return list(
        session.scalars(
            select(LicenceChange).where(LicenceChange.licence_id == licence_id).order_by(LicenceChange.id)
        )
    )


def newer(session: Session, lic: Licence) -> Licence | None:
    """The version that replaced ``lic`` (same tenant, type and serial, next version number)."""
    return session.scalar(
        select(Licence).where(
            Licence.tenant_id == lic.tenant_id,
            Licence.type_id == lic.type_id,
            Licence.serial == lic.serial,
            Licence.version_no == lic.version_no + 1,
        )
    )


def tenant_licences(
    session: Session, tenant: Any, *, state: str | None = None, q: str = "", limit: int = 200
) -> list[Licence]:
    stmt = select(Licence).where(Licence.tenant_id == tenant.id).order_by(Licence.id.desc()).limit(limit)
    if state in STATES:
        stmt = stmt.where(Licence.state == state)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            Licence.identifier.like(like)
            | Licence.holder_name.like(like)
            | Licence.application_number.like(like)
        )
    return list(session.scalars(stmt))


def by_identifier(session: Session, tenant: Any, identifier: str) -> Licence | None:
    return session.scalar(
        select(Licence).where(Licence.tenant_id == tenant.id, Licence.identifier == identifier)
    )
