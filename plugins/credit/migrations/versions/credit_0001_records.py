"""Credit: records (licences and penalties), red/black/abnormal list entries, acceptance assessments.

All three tables are tenant-owned (the publishing or asking tenant), so each gets row-level security.

Revision ID: credit_0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "credit_0001"
down_revision = None
branch_labels = ("credit",)
depends_on = "core_0003"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = ("credit_records", "credit_list_entries", "credit_assessments")


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def upgrade() -> None:
    op.create_table(
        "credit_records",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("decision_number", sa.String(100), nullable=False, server_default=""),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("severity", sa.String(10), nullable=True),
        sa.Column("source_department", sa.String(100), nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("publish_deadline", sa.Date, nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("publish_until", sa.Date, nullable=False, index=True),
        sa.Column("repaired_on", sa.Date, nullable=True),
        sa.Column("repair_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("source_key", sa.String(120), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "source_key", name="uq_credit_records_tenant_source"),
        sa.CheckConstraint("kind IN ('licence', 'penalty')", name="kind"),
    )
    op.create_index("ix_credit_records_subject", "credit_records", ["subject_code", "kind"])
    op.create_table(
        "credit_list_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("list_type", sa.String(10), nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("issuing_department", sa.String(100), nullable=False),
        sa.Column("entered_on", sa.Date, nullable=False),
        sa.Column("exit_on", sa.Date, nullable=True),
        sa.Column("exit_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("source_key", sa.String(120), nullable=True, unique=True),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("list_type IN ('red', 'black', 'abnormal')", name="list_type"),
    )
    op.create_index("ix_credit_list_entries_subject", "credit_list_entries", ["subject_code", "list_type"])
    op.create_table(
        "credit_assessments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("item_code", sa.String(100), nullable=False, server_default=""),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("measures", sa.JSON, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_credit_assessments_subject", "credit_assessments", ["tenant_id", "subject_code",
                                                                            "id"])
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
