"""Approval: daily figures per tenant (received, concluded, withdrawn, on time, late, working days).

Why: provincial statistics over every application took seconds at 1M rows (each row also passes the
row-level-security check); a per-tenant, per-day rollup kept by the transitions makes them cost the same at
any volume (bench/bench_approval.py, docs/benchmarks.md). Backfilled from existing applications.

Revision ID: approval_0002
Revises: approval_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import enable_rls

revision = "approval_0002"
down_revision = "approval_0001"
branch_labels = None
depends_on = None

PATH = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "approval_daily_figures",
        sa.Column("id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(c, sa.Integer(), nullable=False)
            for c in ("received", "concluded", "withdrawn", "on_time", "late", "days_used")
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tenant_path", PATH, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_daily_figures_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_daily_figures")),
        sa.UniqueConstraint("tenant_id", "day", name="uq_approval_daily_figures_tenant_day"),
    )
    op.create_index("ix_approval_daily_figures_path_day", "approval_daily_figures", ["tenant_path", "day"])
    op.create_index(op.f("ix_approval_daily_figures_tenant_id"), "approval_daily_figures", ["tenant_id"])
    op.create_index(op.f("ix_approval_daily_figures_tenant_path"), "approval_daily_figures", ["tenant_path"])
    enable_rls(op, "approval_daily_figures")
    op.execute("""
        INSERT INTO approval_daily_figures
            (tenant_id, tenant_path, day, received, concluded, withdrawn, on_time, late, days_used)
        SELECT tenant_id, tenant_path, submitted_on, count(*),
               sum(CASE WHEN state = 'concluded' THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'withdrawn' THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'concluded' AND on_time THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'concluded' AND NOT on_time THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'concluded' THEN coalesce(working_days_used, 0) ELSE 0 END)
        FROM approval_applications GROUP BY tenant_id, tenant_path, submitted_on
    """)


def downgrade() -> None:
    op.drop_table("approval_daily_figures")
