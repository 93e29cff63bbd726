"""Sunshine medicine: the province's catalogue (companies, products, versioned listed prices per tier,
authorisations, volume-procurement rounds) and the tenant-owned hospitals, choices, orders and their lines,
invoices, payments, committed volumes and prescription summaries. Tenant-owned tables get row-level
security.

Revision ID: medicine_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "medicine_0001"
down_revision = None
branch_labels = ("medicine",)
depends_on = "core_0003"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TZ = sa.DateTime(timezone=True)
TENANT_TABLES = (
    "medicine_hospitals",
    "medicine_choices",
    "medicine_orders",
    "medicine_order_lines",
    "medicine_invoices",
    "medicine_payments",
    "medicine_commitments",
    "medicine_prescriptions",
)
GLOBAL_TABLES = (
    "medicine_companies",
    "medicine_products",
    "medicine_listed_prices",
    "medicine_authorisations",
    "medicine_rounds",
    "medicine_round_products",
)


def _id() -> sa.Column:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def _tenant() -> list[sa.Column]:
    return [
        _id(),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _fk(name: str, table: str, *, index: bool = False, unique: bool = False) -> sa.Column:
    return sa.Column(name, BigId, sa.ForeignKey(f"{table}.id"), nullable=False, index=index, unique=unique)


def _catalogue() -> None:
    op.create_table(
        "medicine_companies",
        _id(),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "medicine_products",
        _id(),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("generic_name", sa.String(200), nullable=False, index=True),
        sa.Column("dosage_form", sa.String(50), nullable=False),
        sa.Column("strength", sa.String(100), nullable=False),
        sa.Column("package", sa.String(100), nullable=False),
        _fk("manufacturer_id", "medicine_companies", index=True),
        sa.Column("approval_number", sa.String(50), nullable=False),
        sa.Column("atc_code", sa.String(10), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "medicine_listed_prices",
        _id(),
        _fk("product_id", "medicine_products", index=True),
        sa.Column("tier_tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("tier_path", Path, nullable=False, index=True),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.UniqueConstraint(
            "product_id", "tier_path", "effective_from", name="uq_medicine_listed_prices_version"
        ),
    )
    op.create_table(
        "medicine_authorisations",
        _id(),
        _fk("product_id", "medicine_products", index=True),
        _fk("distributor_id", "medicine_companies", index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("product_id", "distributor_id", name="uq_medicine_authorisations"),
    )
    op.create_table(
        "medicine_rounds",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tier_tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("tier_path", Path, nullable=False, index=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("prepay_percent", sa.Integer, nullable=False, server_default="30"),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "medicine_round_products",
        _id(),
        _fk("round_id", "medicine_rounds", index=True),
        _fk("product_id", "medicine_products"),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("round_id", "product_id", name="uq_medicine_round_products"),
    )


def _hospitals() -> None:
    op.create_table(
        "medicine_hospitals",
        *_tenant(),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "medicine_choices",
        *_tenant(),
        _fk("hospital_id", "medicine_hospitals", index=True),
        _fk("product_id", "medicine_products"),
        _fk("distributor_id", "medicine_companies"),
        sa.Column("chosen_at", TZ, nullable=False),
        sa.UniqueConstraint("hospital_id", "product_id", name="uq_medicine_choices"),
    )


def _orders() -> None:
    op.create_table(
        "medicine_orders",
        *_tenant(),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        _fk("hospital_id", "medicine_hospitals"),
        _fk("distributor_id", "medicine_companies", index=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="draft"),
        sa.Column("ordered_on", sa.Date, nullable=False),
        sa.Column("total_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("accepted_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("delivery_note", sa.String(60), nullable=False, server_default=""),
        sa.Column("shipped_on", sa.Date, nullable=True),
        sa.Column("accepted_on", sa.Date, nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_medicine_orders_hospital", "medicine_orders", ["hospital_id", "id"])
    op.create_index("ix_medicine_orders_due", "medicine_orders", ["status", "due_on"])
    op.create_table(
        "medicine_order_lines",
        *_tenant(),
        _fk("order_id", "medicine_orders", index=True),
        _fk("product_id", "medicine_products", index=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("listed_cents", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("decline_reason", sa.String(200), nullable=False, server_default=""),
        sa.Column("shipped_qty", sa.Integer, nullable=False, server_default="0"),
        sa.Column("accepted_qty", sa.Integer, nullable=False, server_default="0"),
        sa.Column("batch", sa.String(40), nullable=False, server_default=""),
        sa.Column("accepted_on", sa.Date, nullable=True),
    )
    op.create_table(
        "medicine_invoices",
        *_tenant(),
        _fk("order_id", "medicine_orders", index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("issuer_code", sa.String(18), nullable=False),
        sa.Column("receiver_code", sa.String(18), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.UniqueConstraint("order_id", "seq", name="uq_medicine_invoices_seq"),
    )
    op.create_table(
        "medicine_payments",
        *_tenant(),
        _fk("order_id", "medicine_orders", unique=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False, index=True),
        sa.Column("reference", sa.String(60), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(100), nullable=False, server_default=""),
    )


def _volumes_and_prescriptions() -> None:
    op.create_table(
        "medicine_commitments",
        *_tenant(),
        _fk("round_id", "medicine_rounds", index=True),
        _fk("hospital_id", "medicine_hospitals", index=True),
        _fk("product_id", "medicine_products"),
        sa.Column("annual_qty", sa.Integer, nullable=False),
        sa.Column("prepaid_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.UniqueConstraint("round_id", "hospital_id", "product_id", name="uq_medicine_commitments"),
    )
    op.create_table(
        "medicine_prescriptions",
        *_tenant(),
        _fk("hospital_id", "medicine_hospitals", index=True),
        sa.Column("external_id", sa.String(60), nullable=False),
        sa.Column("doctor", sa.String(60), nullable=False),
        _fk("product_id", "medicine_products"),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("days_supply", sa.Integer, nullable=False),
        sa.Column("visit", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("trace_code", sa.String(40), nullable=False, server_default=""),
        sa.Column("dispensed_on", sa.Date, nullable=False),
        sa.Column("pushed_at", TZ, nullable=False),
        sa.UniqueConstraint("hospital_id", "external_id", name="uq_medicine_prescriptions_ext"),
    )
    op.create_index("ix_medicine_prescriptions_trace", "medicine_prescriptions", ["trace_code"])


def upgrade() -> None:
    _catalogue()
    _hospitals()
    _orders()
    _volumes_and_prescriptions()
    for table in TENANT_TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_rls(op, table)
        op.drop_table(table)
    for table in reversed(GLOBAL_TABLES):
        op.drop_table(table)
