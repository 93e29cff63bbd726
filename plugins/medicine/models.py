"""Tables of sunshine medicine (阳光医药).

The catalogue is the province's platform data and not owned by one hall: products, the legal persons that
make and distribute them (by unified social credit code), the manufacturers' authorisations of
distributors, volume-based procurement rounds and their winning products. A listed price belongs to a
tier (``tier_path``: the province by default, a lower tier may list its own) and is versioned by its
effective day; a hall sees the deepest tier's latest price in force.

Hospitals and everything they do (their choices of distributor, orders, lines, invoices, payments,
committed volumes, prescriptions) are tenant-owned and get row-level security on PostgreSQL.
Money is in integer cents (fen).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, BigId, PathType, TenantScoped, UTCDateTime, utcnow

ORDER_STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "Draft"),
    "submitted": ("待配送企业确认", "Awaiting the distributor"),
    "confirmed": ("已确认", "Confirmed"),
    "declined": ("已拒绝", "Declined"),
    "shipped": ("已发货", "Shipped"),
    "accepted": ("已验收", "Accepted"),
    "invoiced": ("已开票", "Invoiced"),
    "paid": ("已回款", "Paid"),
}
LINE_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("待确认", "Pending"),
    "confirmed": ("已确认", "Confirmed"),
    "declined": ("已拒绝", "Declined"),
}
COMPANY_KINDS: dict[str, tuple[str, str]] = {
    "manufacturer": ("生产企业", "Manufacturer"),
    "distributor": ("配送企业", "Distributor"),
}
VISITS: dict[str, tuple[str, str]] = {
    "outpatient": ("门诊", "Outpatient"),
    "emergency": ("急诊", "Emergency"),
}


class Company(Base):
    """A manufacturer or a distributor: a legal person known by its unified social credit code."""

    __tablename__ = "medicine_companies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # manufacturer | distributor
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Product(Base):
    """A drug or consumable in the province's catalogue (挂网目录)."""

    __tablename__ = "medicine_products"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the platform's product code
    generic_name: Mapped[str] = mapped_column(String(200), index=True)
    dosage_form: Mapped[str] = mapped_column(String(50))
    strength: Mapped[str] = mapped_column(String(100))
    package: Mapped[str] = mapped_column(String(100))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("medicine_companies.id"), index=True)
    approval_number: Mapped[str] = mapped_column(String(50))
    atc_code: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ListedPrice(Base):
    """One version of a product's listed price (挂网价) at a tier, in force from ``effective_from``."""

    __tablename__ = "medicine_listed_prices"
    __table_args__ = (
        UniqueConstraint(
            "product_id", "tier_path", "effective_from", name="uq_medicine_listed_prices_version"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"), index=True)
    tier_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    tier_path: Mapped[str] = mapped_column(PathType(), index=True)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(100), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")


class Authorisation(Base):
    """A manufacturer authorises a distributor to deliver one of its products."""

    __tablename__ = "medicine_authorisations"
    __table_args__ = (UniqueConstraint("product_id", "distributor_id", name="uq_medicine_authorisations"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"), index=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("medicine_companies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Hospital(TenantScoped, Base):
    """A public hospital buying through the platform; it acts through its legal person's account."""

    __tablename__ = "medicine_hospitals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(20), default="")  # 三级甲等 ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Choice(TenantScoped, Base):
    """The distributor a hospital chose for a product (among those the manufacturer authorised)."""

    __tablename__ = "medicine_choices"
    __table_args__ = (UniqueConstraint("hospital_id", "product_id", name="uq_medicine_choices"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("medicine_hospitals.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("medicine_companies.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


OPEN_SQL = "status IN ('accepted', 'invoiced')"  # accepted, not yet paid: what the overdue scan reads


class Order(TenantScoped, Base):
    """A hospital's purchase order to one distributor. ``due_on`` is 30 days after acceptance."""

    __tablename__ = "medicine_orders"
    __table_args__ = (
        # medicine_0002: a hospital's order list as one backward scan; open orders by due day
        Index("ix_medicine_orders_page", "tenant_path", "hospital_id", "id"),
        Index(
            "ix_medicine_orders_open_due",
            "due_on",
            "tenant_path",
            postgresql_where=text(OPEN_SQL),
            sqlite_where=text(OPEN_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("medicine_hospitals.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("medicine_companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    ordered_on: Mapped[date] = mapped_column(Date)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # ordered
    accepted_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # what the hospital owes
    delivery_note: Mapped[str] = mapped_column(String(60), default="")
    shipped_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class OrderLine(TenantScoped, Base):
    """One product on an order at a price no higher than the listed price in force when ordered."""

    __tablename__ = "medicine_order_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("medicine_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    listed_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decline_reason: Mapped[str] = mapped_column(String(200), default="")
    shipped_qty: Mapped[int] = mapped_column(Integer, default=0)
    accepted_qty: Mapped[int] = mapped_column(Integer, default=0)
    batch: Mapped[str] = mapped_column(String(40), default="")
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Invoice(TenantScoped, Base):
    """One invoice in an order's chain: manufacturer → distributor (seq 1), distributor → hospital (seq 2).
    Anything beyond is a third invoice, refused by the service and found by the rule on imported data."""

    __tablename__ = "medicine_invoices"
    __table_args__ = (UniqueConstraint("order_id", "seq", name="uq_medicine_invoices_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("medicine_orders.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    issuer_code: Mapped[str] = mapped_column(String(18))
    receiver_code: Mapped[str] = mapped_column(String(18))
    number: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)


class Payment(TenantScoped, Base):
    """The hospital's payment of an order (one per order: paying twice is refused)."""

    __tablename__ = "medicine_payments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("medicine_orders.id"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    reference: Mapped[str] = mapped_column(String(60), default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")


class Round(Base):
    """A volume-based procurement round (带量采购) run by a tier, with its insurance prepayment share."""

    __tablename__ = "medicine_rounds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    tier_path: Mapped[str] = mapped_column(PathType(), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    prepay_percent: Mapped[int] = mapped_column(Integer, default=30)  # share of the year's amount
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoundProduct(Base):
    """A winning product of a round at its winning price."""

    __tablename__ = "medicine_round_products"
    __table_args__ = (UniqueConstraint("round_id", "product_id", name="uq_medicine_round_products"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("medicine_rounds.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"))
    price_cents: Mapped[int] = mapped_column(BigInteger)


class Commitment(TenantScoped, Base):
    """A hospital's committed annual quantity of a winning product, and the insurance prepayment."""

    __tablename__ = "medicine_commitments"
    __table_args__ = (
        UniqueConstraint("round_id", "hospital_id", "product_id", name="uq_medicine_commitments"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("medicine_rounds.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("medicine_hospitals.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"))
    annual_qty: Mapped[int] = mapped_column(Integer)
    prepaid_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class Prescription(TenantScoped, Base):
    """A prescription summary a hospital pushed (monitoring only: no patient identity is kept)."""

    __tablename__ = "medicine_prescriptions"
    __table_args__ = (
        UniqueConstraint("hospital_id", "external_id", name="uq_medicine_prescriptions_ext"),
        Index("ix_medicine_prescriptions_trace", "trace_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("medicine_hospitals.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(60))
    doctor: Mapped[str] = mapped_column(String(60))
    product_id: Mapped[int] = mapped_column(ForeignKey("medicine_products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    days_supply: Mapped[int] = mapped_column(Integer)
    visit: Mapped[str] = mapped_column(String(12))  # outpatient | emergency
    reason: Mapped[str] = mapped_column(Text, default="")
    trace_code: Mapped[str] = mapped_column(String(40), default="")
    dispensed_on: Mapped[date] = mapped_column(Date)
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


ALL = (
    Company,
    Product,
    ListedPrice,
    Authorisation,
    Hospital,
    Choice,
    Order,
    OrderLine,
    Invoice,
    Payment,
    Round,
    RoundProduct,
    Commitment,
    Prescription,
)
