"""The licence catalogue of a tenant (licence types) and which approval item produces which type.

Writes take a session scoped to the tenant; each is audited and published as an event in the caller's
transaction. No HTTP here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import Conflict, NotFound, audit, events
from plugins.licence.identifiers import check_credit_code, check_type_code
from plugins.licence.models import ItemLicenceType, LicenceType
from plugins.licence.schemas import LicenceTypeIn, MappingIn


def types(session: Session, *, active_only: bool = False) -> list[LicenceType]:
    stmt = select(LicenceType).order_by(LicenceType.name, LicenceType.id)
    if active_only:
        stmt = stmt.where(LicenceType.active.is_(True))
    return list(session.scalars(stmt))


def type_by_code(session: Session, tenant: Any, code: str) -> LicenceType:
    found = session.scalar(
        select(LicenceType).where(LicenceType.tenant_id == tenant.id, LicenceType.code == code)
    )
    if found is None:
        raise NotFound(
            "No such licence type here",
            "本级证照目录中没有该证照类型",
            fields={"type_code": "unknown licence type"},
        )
    return found


def _values(data: LicenceTypeIn) -> dict[str, Any]:
    return {
        "code": check_type_code(data.code),
        "name": data.name,
        "name_en": data.name_en,
        "department_code": data.department_code,
        "department_name": data.department_name,
        "issuer_code": check_credit_code(data.issuer_code, "issuer_code"),
        "holder_kind": data.holder_kind,
        "validity_months": data.validity_months,
        "fields": [f.model_dump() for f in data.fields],
    }


def _publish(
    session: Session, tenant: Any, actor: str, verb: str, target: str, payload: dict[str, Any]
) -> None:
    audit.record(
        session, actor=actor, action=f"licence.{verb}", tenant=tenant, target=target, details=payload
    )
    events.publish(session, tenant=tenant, type=f"licence.{verb}", payload=payload, actor=actor)


def create_type(session: Session, tenant: Any, data: LicenceTypeIn, *, actor: str) -> LicenceType:
    values = _values(data)
    if (
        session.scalar(
            select(LicenceType.id).where(
                LicenceType.tenant_id == tenant.id, LicenceType.code == values["code"]
            )
        )
        is not None
    ):
        raise Conflict(
            "This licence type code is already in the catalogue",
            "证照目录中已有该证照类型代码",
            code="duplicate",
            fields={"code": "already in the catalogue"},
        )
    row = LicenceType(tenant_id=tenant.id, tenant_path=tenant.path, **values)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "This licence type code is already in the catalogue",
            "证照目录中已有该证照类型代码",
            code="duplicate",
            fields={"code": "already in the catalogue"},
        ) from None
    _publish(
        session,
        tenant,
        actor,
        "type.created",
        f"licence.type:{row.id}",
        {"type_id": row.id, "code": row.code, "name": row.name},
    )
    return row


def update_type(
    session: Session, tenant: Any, type_id: int, data: LicenceTypeIn, *, version: int, actor: str
) -> LicenceType:
    row = session.get(LicenceType, type_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such licence type here", "本级证照目录中没有该证照类型")
    if row.version != version:
        raise _stale()
    values = _values(data)
    if values["code"] != row.code:
        raise Conflict(
            "The type code cannot change: issued licences carry it",
            "证照类型代码不可修改",
            fields={"code": "cannot change"},
        )
    for k, v in values.items():
        setattr(row, k, v)
    try:
        session.flush()
    except StaleDataError:
        raise _stale() from None
    _publish(
        session,
        tenant,
        actor,
        "type.updated",
        f"licence.type:{row.id}",
        {"type_id": row.id, "code": row.code, "name": row.name},
    )
    return row


def _stale() -> Conflict:
    return Conflict(
        "Someone else changed this meanwhile; reload and try again",
        "已被他人修改，请刷新后重试",
        code="stale_version",
    )


def mappings(session: Session) -> list[tuple[ItemLicenceType, LicenceType]]:
    rows = session.execute(
        select(ItemLicenceType, LicenceType)
        .join(LicenceType, LicenceType.id == ItemLicenceType.type_id)
        .order_by(ItemLicenceType.item_code)
    )
    return [(m, t) for m, t in rows]


def set_mapping(session: Session, tenant: Any, data: MappingIn, *, actor: str) -> ItemLicenceType:
    """Item ``data.item_code`` produces licences of type ``data.type_code`` (replacing an earlier one)."""
    licence_type = type_by_code(session, tenant, check_type_code(data.type_code, "type_code"))
    row = mapping_for(session, tenant.id, data.item_code)
    if row is None:
        row = ItemLicenceType(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            item_code=data.item_code,
            type_id=licence_type.id,
            item_name=data.item_name,
            created_by=actor,
        )
        session.add(row)
    else:
        row.type_id, row.item_name = licence_type.id, data.item_name or row.item_name
    session.flush()
    _publish(
        session,
        tenant,
        actor,
        "mapping.set",
        f"licence.mapping:{data.item_code}",
        {"item_code": data.item_code, "type_code": licence_type.code},
    )
    return row


def remove_mapping(session: Session, tenant: Any, item_code: str, *, actor: str) -> None:
    row = mapping_for(session, tenant.id, item_code)
    if row is None:
        raise NotFound("This item produces no licence here", "本级该事项未关联证照类型")
    session.delete(row)
    session.flush()
    _publish(
        session, tenant, actor, "mapping.removed", f"licence.mapping:{item_code}", {"item_code": item_code}
    )


def mapping_for(session: Session, tenant_id: int, item_code: str) -> ItemLicenceType | None:
    return session.scalar(
        select(ItemLicenceType).where(
            ItemLicenceType.tenant_id == tenant_id, ItemLicenceType.item_code == item_code
        )
    )
