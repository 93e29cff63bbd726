"""Producers register under their county; the county agriculture bureau confirms or rejects them.

A producer acts through the account that registered it; only a confirmed producer may create lots.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import Conflict, Invalid, NotFound, audit, notify, publish, utcnow
from plugins.agriculture.models import Producer
from plugins.agriculture.schemas import DecisionIn, ProducerIn


def register(
    session: Session, tenant: Any, data: ProducerIn, *, account_id: int | None, actor: str
) -> Producer:
    """A new producer at ``tenant``, awaiting the bureau. One registration per name per county."""
    taken = session.scalar(
        select(Producer.id).where(
            Producer.tenant_id == tenant.id, Producer.name == data.name, Producer.state != "rejected"
        )
    )
    if taken:
        raise Conflict(
            "A producer of this name is already registered in this county",
            "本县已登记同名生产主体",
            code="producer_exists",
            fields={"name": "already registered"},
        )
    row = Producer(tenant_id=tenant.id, tenant_path=tenant.path, account_id=account_id, **data.model_dump())
    session.add(row)
    session.flush()
    publish(
        session,
        tenant=tenant,
        type="agriculture.producer.registered",
        payload={"producer_id": row.id, "name": row.name},
        actor=actor,
    )
    return row


def get(session: Session, tenant: Any, producer_id: int) -> Producer:
    row = session.get(Producer, producer_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such producer here", "本级没有该生产主体", code="unknown_producer")
    return row


def decide(session: Session, tenant: Any, producer_id: int, data: DecisionIn, *, actor: str) -> Producer:
    """The bureau confirms or rejects a pending producer (optimistic version: 409 when stale)."""
    row = get(session, tenant, producer_id)
    if row.version != data.version:
        raise Conflict(
            "Someone acted on this producer first; reload",
            "该生产主体已被他人处理，请刷新",
            code="stale_version",
        )
    if row.state != "pending":
        raise Invalid(
            "Only a pending producer can be confirmed or rejected",
            "只能确认或退回待确认的生产主体",
            code="not_pending",
        )
    row.state = "confirmed" if data.confirm else "rejected"
    row.reason = data.reason
    row.decided_by = actor
    row.decided_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "Someone acted on this producer first; reload",
            "该生产主体已被他人处理，请刷新",
            code="stale_version",
        ) from None
    audit.record(
        session,
        actor=actor,
        action=f"agriculture.producer.{row.state}",
        tenant=tenant,
        target=f"agri_producer:{row.id}",
        details={"name": row.name, "reason": row.reason},
    )
    publish(
        session,
        tenant=tenant,
        type=f"agriculture.producer.{row.state}",
        payload={"producer_id": row.id},
        actor=actor,
    )
    if row.account_id is not None:
        notify(
            session,
            tenant=tenant,
            kind="agriculture.producer",
            to_account=row.account_id,
            title_zh=f"生产主体“{row.name}”{'已确认' if data.confirm else '未通过确认'}",
            title_en=f"Producer {row.name} {'confirmed' if data.confirm else 'rejected'}",
            body_zh=row.reason,
            body_en=row.reason,
            dedupe_key=f"agriculture.producer:{row.id}",
            href="agriculture/producer",
        )
    return row


def listing(session: Session, tenant: Any, state: str | None = None) -> list[Producer]:
    q = select(Producer).where(Producer.tenant_id == tenant.id)
    if state:
        q = q.where(Producer.state == state)
    return list(session.scalars(q.order_by(Producer.id.desc()).limit(500)))


def of_account(session: Session, tenant: Any, account_id: int | None) -> list[Producer]:
    if account_id is None:
        return []
    return list(
        session.scalars(
            select(Producer)
            .where(Producer.tenant_id == tenant.id, Producer.account_id == account_id)
            .order_by(Producer.id)
        )
    )


def confirmed_of(session: Session, tenant: Any, account_id: int | None, producer_id: int) -> Producer:
    """The actor's own confirmed producer; anyone else's answers like a missing one."""
    row = session.get(Producer, producer_id)
    if row is None or row.tenant_id != tenant.id or account_id is None or row.account_id != account_id:
        raise NotFound("No such producer of yours here", "本级没有您的该生产主体", code="unknown_producer")
    if row.state != "confirmed":
        raise Invalid(
            "The county bureau has not confirmed this producer yet",
            "该生产主体尚未经县农业农村局确认",
            code="producer_not_confirmed",
            fields={"producer_id": "not confirmed"},
        )
    return row
