"""Tables of the payment plugin: fees per item, orders with their history, refunds, receipts and
reconciliations. Money is integer cents (分) everywhere; every row belongs to the collecting tenant."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

STAGES = ("before_acceptance", "before_conclusion", "on_demand")
STATES = ("created", "started", "submitted", "success", "failed", "cancelled", "error")
FINISHED = ("success", "failed", "cancelled", "error")


class Fee(TenantScoped, Base):
    """What an item costs at a tenant, on which legal basis, and when it must be paid."""

    __tablename__ = "payment_fees"
    __table_args__ = (UniqueConstraint("tenant_id", "item_code", name="uq_payment_fees_tenant_item"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_code: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Applications submitted before the fee took effect are not held for it (approval's gate).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Order(TenantScoped, Base):
    """One payment order: GOV.UK Pay's states, created -> started -> submitted -> success | failed |
    cancelled | error; expiry is ``failed`` with ``failure_code = 'expired'``."""

    __tablename__ = "payment_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_payment_orders_tenant_key"),
        UniqueConstraint("tenant_id", "reference", name="uq_payment_orders_tenant_reference"),
        Index("ix_payment_orders_payer", "payer_account_id", "id"),
        Index("ix_payment_orders_application", "application_id"),
        Index("ix_payment_orders_state", "tenant_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64))
    payer_account_id: Mapped[int] = mapped_column(Integer)
    payer_name: Mapped[str] = mapped_column(String(100), default="")
    item_code: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20))
    application_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    application_number: Mapped[str] = mapped_column(String(40), default="")
    amount_cents: Mapped[int] = mapped_column(Integer)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), default="created")
    failure_code: Mapped[str] = mapped_column(String(40), default="")
    provider: Mapped[str] = mapped_column(String(32))
    provider_payment_id: Mapped[str] = mapped_column(String(100), default="")
    next_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class OrderChange(TenantScoped, Base):
    """The history of an order's states, as they were learned."""

    __tablename__ = "payment_order_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, index=True)
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Refund(TenantScoped, Base):
    """Money given back on a successful order; the sum never exceeds what was paid."""

    __tablename__ = "payment_refunds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_payment_refunds_tenant_key"),
        Index("ix_payment_refunds_pending", "id", postgresql_where=text("state = 'pending'"),
              sqlite_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    provider_refund_id: Mapped[str] = mapped_column(String(100), default="")
    # pending (reserved, the gateway not yet answered) -> done | refused (payment_0002)
    state: Mapped[str] = mapped_column(String(10), default="done", server_default="done")
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Receipt(TenantScoped, Base):
    """The electronic receipt (电子票据) of one successful order."""

    __tablename__ = "payment_receipts"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_payment_receipts_order_id"),
        UniqueConstraint("tenant_id", "number", name="uq_payment_receipts_tenant_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId)
    number: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(Integer)
    payer_name: Mapped[str] = mapped_column(String(100))
    item_name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))


class Reconciliation(TenantScoped, Base):
    """One day's statement from a provider compared with the orders: every difference listed."""

    __tablename__ = "payment_reconciliations"
    __table_args__ = (Index("ix_payment_reconciliations_day", "tenant_id", "statement_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    statement_date: Mapped[date] = mapped_column(Date)
    lines: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    differences: Mapped[Any] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(100), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
