"""Tables of the feeds plugin: the systems that send records, the batches they sent with per-record
errors, and one typed table per record type (fiscal, cadre personnel, judicial enforcement and the
livelihood-fund registers).

Every table is tenant-owned (the sending department's tenant) and gets row-level security on PostgreSQL.
A record table has its natural key unique per tenant, so re-sending a record updates it in place;
``source_version`` is the sending system's version of the record (its timestamp in microseconds), so a
late, older copy never overwrites a newer one. Money is kept in cents (fen) as integers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.api import Base, BigId, TenantScoped, UTCDateTime, utcnow

CHANNELS: dict[str, tuple[str, str]] = {
    "api": ("批量接口", "Bulk API"),
    "file": ("文件导入", "File import"),
    "exchange": ("数据共享交换平台", "Data exchange"),
    "demo": ("演示数据", "Demo data"),
}
SOURCE_STATES: dict[str, tuple[str, str]] = {"active": ("有效", "Active"), "revoked": ("已撤销", "Revoked")}


class Source(TenantScoped, Base):
    """A sending system of one department (a treasury payment system, a court's case system ...) with
    its credential: client id + SHA-256 of a random 256-bit secret shown once."""

    __tablename__ = "feed_sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    department_code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100), default="")
    streams: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(10), default="active")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Batch(TenantScoped, Base):
    """One delivery of records of one stream, with what became of them."""

    __tablename__ = "feed_batches"
    __table_args__ = (Index("ix_feed_batches_tenant_received", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stream: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    sender: Mapped[str] = mapped_column(String(260), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    total: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    stale: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class RecordError(TenantScoped, Base):
    """A record of a batch that was rejected: its row (position in the batch, from 1), key and why."""

    __tablename__ = "feed_errors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(BigInteger, index=True)
    row: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(String(500), default="")


class _Record(TenantScoped):
    """Columns every record table has besides its own."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    department_code: Mapped[str] = mapped_column(String(32))
    source_version: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[int] = mapped_column(BigInteger)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        key = cls.__natural_key__  # type: ignore[attr-defined]
        return (UniqueConstraint("tenant_id", *key, name=f"uq_{cls.__tablename__}_key"),)  # type: ignore[attr-defined]


# --- fiscal revenue and expenditure (财政收支) --------------------------------------------------------


class BudgetLine(_Record, Base):
    __tablename__ = "feed_fiscal_budget_lines"
    __natural_key__ = ("line_code",)

    line_code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    special_fund: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)


class Payment(_Record, Base):
    __tablename__ = "feed_fiscal_payments"
    __natural_key__ = ("payment_no",)

    payment_no: Mapped[str] = mapped_column(String(60))
    line_code: Mapped[str] = mapped_column(String(60), index=True)
    supplier_code: Mapped[str] = mapped_column(String(40), index=True)
    supplier_name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(200), default="")


# --- cadre personnel (干部人事) ------------------------------------------------------------------------


class Appointment(_Record, Base):
    """An appointment to a post. ``publicity_days`` is the working days of the pre-appointment publicity,
    counted by the legal clock when the record arrives."""

    __tablename__ = "feed_cadre_appointments"
    __natural_key__ = ("appointment_no",)

    appointment_no: Mapped[str] = mapped_column(String(60))
    person_code: Mapped[str] = mapped_column(String(40), index=True)
    person_name: Mapped[str] = mapped_column(String(60))
    post_code: Mapped[str] = mapped_column(String(40))
    post_title: Mapped[str] = mapped_column(String(100))
    publicity_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    publicity_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    publicity_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    objections_open: Mapped[int] = mapped_column(Integer, default=0)
    appointed_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Relative(_Record, Base):
    """A declared family relation between two cadres (from the personal-matters reports)."""

    __tablename__ = "feed_cadre_relatives"
    __natural_key__ = ("person_code", "relative_code")

    person_code: Mapped[str] = mapped_column(String(40))
    relative_code: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(20))


# --- judicial enforcement (司法执法) -------------------------------------------------------------------


class Case(_Record, Base):
    """An enforcement case. ``deadline`` is its statutory limit counted by the legal clock on arrival."""

    __tablename__ = "feed_judicial_cases"
    __natural_key__ = ("case_no",)

    case_no: Mapped[str] = mapped_column(String(60))
    violation_code: Mapped[str] = mapped_column(String(40))
    violation_title: Mapped[str] = mapped_column(String(200))
    opened_on: Mapped[date] = mapped_column(Date)
    limit_days: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(10))  # working | calendar
    deadline: Mapped[date] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    penalty_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    notice_required: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_served_on: Mapped[date | None] = mapped_column(Date, nullable=True)


# --- livelihood funds (惠民资金) -----------------------------------------------------------------------


class SubsidyPayment(_Record, Base):
    __tablename__ = "feed_livelihood_payments"
    __natural_key__ = ("payment_no",)

    payment_no: Mapped[str] = mapped_column(String(60))
    subsidy_code: Mapped[str] = mapped_column(String(40))
    subsidy_title: Mapped[str] = mapped_column(String(100))
    payee_id: Mapped[str] = mapped_column(String(18), index=True)
    payee_name: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)


class Death(_Record, Base):
    """The civil-affairs / public-security register of deaths."""

    __tablename__ = "feed_livelihood_deaths"
    __natural_key__ = ("person_id",)

    person_id: Mapped[str] = mapped_column(String(18))
    died_on: Mapped[date] = mapped_column(Date)


class StaffMember(_Record, Base):
    """The staff register of a department (who works there)."""

    __tablename__ = "feed_livelihood_staff"
    __natural_key__ = ("staff_department", "person_id")

    staff_department: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[str] = mapped_column(String(18))
    person_name: Mapped[str] = mapped_column(String(60))
