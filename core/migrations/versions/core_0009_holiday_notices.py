"""Core: holiday notices (national, one per year) and local holidays (per tenant, row-level security).

A year's State Council arrangement is data the platform holds once the ``chinesecalendar`` package no
longer covers it (core.holidays); a tenant's local holidays add days off for its subtree.

Revision ID: core_0009
Revises: core_0007
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import BigId, PathType
from core.db.rls import disable_rls, enable_rls

revision = "core_0009"
down_revision = "core_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holiday_notices",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("off", sa.JSON(), nullable=False),
        sa.Column("work", sa.JSON(), nullable=False),
        sa.Column("entered_by", sa.String(100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_holiday_notices"),
    )
    op.create_table(
        "local_holidays",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_local_holidays_tenant_id_tenants"), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_local_holidays"),
        sa.UniqueConstraint("tenant_id", "day", name="uq_local_holidays_tenant_id"),
    )
    op.create_index("ix_local_holidays_tenant_id", "local_holidays", ["tenant_id"])
    op.create_index("ix_local_holidays_tenant_path", "local_holidays", ["tenant_path"])
    enable_rls(op, "local_holidays")


def downgrade() -> None:
    disable_rls(op, "local_holidays")
    op.drop_index("ix_local_holidays_tenant_path", table_name="local_holidays")
    op.drop_index("ix_local_holidays_tenant_id", table_name="local_holidays")
    op.drop_table("local_holidays")
    op.drop_table("holiday_notices")
