"""Tables of the agriculture plugin (智慧农业): producers, traceable lots with their append-only events,
lot lineage (processing), compliance certificates, market prices, supply and demand posts and the 12316
desk. Every table is tenant-owned (the county where the row was made), with row-level security on
PostgreSQL.

Events are never updated or deleted: a correction is another event whose ``corrects_id`` names the
wrong one (GS1 EPCIS 2.0 error declaration). ``AgriLink`` holds the lot -> lot edges a processing event
creates, so a code lookup walks the chain with one recursive query.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, PathType, TenantScoped, UTCDateTime, utcnow

PRODUCER_KINDS: dict[str, tuple[str, str]] = {
    "enterprise": ("农业企业", "Agricultural enterprise"),
    "cooperative": ("农民专业合作社", "Farmers' cooperative"),
    "family_farm": ("家庭农场", "Family farm"),
    "grower": ("种养殖户", "Individual grower"),
}
PRODUCER_STATES: dict[str, tuple[str, str]] = {
    "pending": ("待县农业农村局确认", "Awaiting the county bureau"),
    "confirmed": ("已确认", "Confirmed"),
    "rejected": ("未通过", "Rejected"),
}
EVENT_KINDS: dict[str, tuple[str, str]] = {
    "input": ("投入品使用", "Input used"),
    "harvest": ("采收", "Harvest"),
    "test": ("检测", "Lab test"),
    "processing": ("加工分装", "Processing"),
    "shipment": ("发货", "Shipment"),
    "receipt": ("收货", "Receipt"),
    "correction": ("更正声明", "Correction"),
}
INPUT_KINDS: dict[str, tuple[str, str]] = {
    "seed": ("种子种苗", "Seed"),
    "fertiliser": ("肥料", "Fertiliser"),
    "pesticide": ("农药", "Pesticide"),
    "veterinary": ("兽药", "Veterinary drug"),
    "feed": ("饲料", "Feed"),
}


class Producer(TenantScoped, Base):
    """A producer (enterprise, cooperative, family farm, grower) registered under its county; the county
    agriculture bureau confirms it before it may create lots."""

    __tablename__ = "agri_producers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # never shown to guests
    address: Mapped[str] = mapped_column(String(200), default="")
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Lot(TenantScoped, Base):
    """A lot of a product: the smallest traced unit, with a code that is unique across the network and
    never reused (lots are never deleted)."""

    __tablename__ = "agri_lots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(19), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("agri_producers.id"), index=True)
    product: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(10), default="kg")
    origin: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LotEvent(TenantScoped, Base):
    """One append-only event of a lot (what, when, where, why). ``data`` holds the kind's fields
    (input: material, input_kind, phi_days; test: passed, lab, items; shipment: buyer; processing:
    outputs). A correction has ``corrects_id`` and a ``reason``."""

    __tablename__ = "agri_events"
    __table_args__ = (
        Index("ix_agri_events_lot", "lot_id", "id"),
        UniqueConstraint("corrects_id", name="uq_agri_events_corrects"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("agri_lots.id"))
    kind: Mapped[str] = mapped_column(String(12))
    occurred_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[Any] = mapped_column(JSON, default=dict)
    # Copied out of ``data`` for the set-based supervision rules (no JSON operators across databases).
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    phi_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    corrects_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LotLink(TenantScoped, Base):
    """An edge of the lineage: ``child`` was made from ``parent`` by processing ``event_id``."""

    __tablename__ = "agri_links"
    __table_args__ = (
        UniqueConstraint("parent_lot_id", "child_lot_id", name="uq_agri_links_pair"),
        Index("ix_agri_links_child", "child_lot_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_lot_id: Mapped[int] = mapped_column(ForeignKey("agri_lots.id"))
    child_lot_id: Mapped[int] = mapped_column(ForeignKey("agri_lots.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("agri_events.id"))


class Certificate(TenantScoped, Base):
    """A compliance certificate (承诺达标合格证) for one lot, resting on a passing lab test."""

    __tablename__ = "agri_certificates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("agri_lots.id"), unique=True)
    test_event_id: Mapped[int] = mapped_column(ForeignKey("agri_events.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(100), default="")
    promise: Mapped[str] = mapped_column(Text, default="")


class Price(TenantScoped, Base):
    """A daily market price of a product at a market of a county, in integer cents per unit."""

    __tablename__ = "agri_prices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product", "market", "day", name="uq_agri_prices_key"),
        Index("ix_agri_prices_series", "tenant_path", "product", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(60))
    market: Mapped[str] = mapped_column(String(100))
    price_cents: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(10), default="kg")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Post(TenantScoped, Base):
    """A supply (供应) or demand (求购) post. The phone is for staff only; others contact through the
    platform's messages."""

    __tablename__ = "agri_posts"
    __table_args__ = (Index("ix_agri_posts_match", "product", "kind", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # supply | demand
    product: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(10), default="kg")
    note: Mapped[str] = mapped_column(Text, default="")
    poster_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), default="")
    account_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Question(TenantScoped, Base):
    """A 12316 question asked at a county. Due ``answer_working_days`` working days after it was asked;
    unanswered by then it is escalated to the city (``escalated_path``), whose experts may answer it."""

    __tablename__ = "agri_questions"
    __table_args__ = (Index("ix_agri_questions_open", "answered_on", "due_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    asker_account_id: Mapped[int] = mapped_column(Integer)
    asker_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    asked_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    escalated_path: Mapped[str | None] = mapped_column(PathType(), nullable=True, index=True)
    escalated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(100), default="")
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Photo(TenantScoped, Base):
    """A photo attached to a question (JPEG or PNG, checked by its first bytes and size)."""

    __tablename__ = "agri_photos"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("agri_questions.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
