"""Payment: fees per item, payment orders and their history, refunds, receipts and reconciliations.

Every table is tenant-owned (the collecting tenant), so each gets row-level security. Orders are unique
per ``(tenant, idempotency_key)``: a repeated creation returns the first order instead of a second one.

Revision ID: payment_0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import BigId, PathType, disable_rls, enable_rls

revision = "payment_0001"
down_revision = None
branch_labels = ("payment",)
depends_on = "core_0003"

TABLES = (
    "payment_fees",
    "payment_orders",
    "payment_order_changes",
    "payment_refunds",
    "payment_receipts",
    "payment_reconciliations",
)


def _tenant(table: str) -> list[sa.Column]:
    return [
        sa.Column(
            "tenant_id",
            sa.Integer,
            sa.ForeignKey("tenants.id", name=f"fk_{table}_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("tenant_path", PathType(), nullable=False),
    ]


def _create(table: str, *cols: sa.Column | sa.Constraint) -> None:
    op.create_table(
        table,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant(table),
        *cols,
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )
    op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
    op.create_index(f"ix_{table}_tenant_path", table, ["tenant_path"])


def upgrade() -> None:
    at = sa.DateTime(timezone=True)
    _create(
        "payment_fees",
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", at, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "item_code", name="uq_payment_fees_tenant_item"),
    )
    _create(
        "payment_orders",
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("payer_account_id", sa.Integer, nullable=False),
        sa.Column("payer_name", sa.String(100), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("application_id", BigId, nullable=True),
        sa.Column("application_number", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("refunded_cents", sa.Integer, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("failure_code", sa.String(40), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("provider_payment_id", sa.String(100), nullable=False),
        sa.Column("next_url", sa.String(500), nullable=False),
        sa.Column("created_at", at, nullable=False),
        sa.Column("expires_at", at, nullable=False),
        sa.Column("finished_at", at, nullable=True),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_payment_orders_tenant_key"),
        sa.UniqueConstraint("tenant_id", "reference", name="uq_payment_orders_tenant_reference"),
    )
    op.create_index("ix_payment_orders_payer", "payment_orders", ["payer_account_id", "id"])
    op.create_index("ix_payment_orders_application", "payment_orders", ["application_id"])
    op.create_index("ix_payment_orders_state", "payment_orders", ["tenant_id", "state", "id"])
    _create(
        "payment_order_changes",
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("from_state", sa.String(12), nullable=False),
        sa.Column("to_state", sa.String(12), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", at, nullable=False),
    )
    op.create_index("ix_payment_order_changes_order_id", "payment_order_changes", ["order_id"])
    _create(
        "payment_refunds",
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("provider_refund_id", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", at, nullable=False),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_payment_refunds_tenant_key"),
    )
    op.create_index("ix_payment_refunds_order_id", "payment_refunds", ["order_id"])
    _create(
        "payment_receipts",
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("payer_name", sa.String(100), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("issued_at", at, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.UniqueConstraint("order_id", name="uq_payment_receipts_order_id"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_payment_receipts_tenant_number"),
    )
    _create(
        "payment_reconciliations",
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("statement_date", sa.Date, nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("matched", sa.Integer, nullable=False),
        sa.Column("differences", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("imported_at", at, nullable=False),
    )
    op.create_index(
        "ix_payment_reconciliations_day", "payment_reconciliations", ["tenant_id", "statement_date"]
    )
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
