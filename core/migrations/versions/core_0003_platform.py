"""Core: the event outbox with per-plugin deliveries, and periodic job runs.

``outbox_events`` is tenant-owned (tenant_id + tenant_path, row-level security on PostgreSQL) so that a
tenant-scoped session can only publish for its own tenant. ``event_deliveries`` records which plugin
handled which event (unique per pair: the exactly-once key). ``job_runs`` holds the last claimed slot of
each periodic task per tenant (0 = installation-wide). Partial index over pending events only, so the
dispatcher's scan does not grow with the event history.

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import BigId, PathType
from core.db.rls import disable_rls, enable_rls

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_outbox_events_tenant_id_tenants"), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_type", "outbox_events", ["type"])
    op.create_index("ix_outbox_events_tenant_id", "outbox_events", ["tenant_id"])
    op.create_index("ix_outbox_events_tenant_path", "outbox_events", ["tenant_path"])
    op.create_index("ix_outbox_events_pending", "outbox_events", ["id"],
                    postgresql_where=sa.text("dispatched_at IS NULL"),
                    sqlite_where=sa.text("dispatched_at IS NULL"))
    enable_rls(op, "outbox_events")
    op.create_table(
        "event_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", BigId,
                  sa.ForeignKey("outbox_events.id", name="fk_event_deliveries_event_id_outbox_events"),
                  nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_deliveries"),
        sa.UniqueConstraint("event_id", "plugin", name="uq_event_deliveries_event_plugin"),
    )
    op.create_index("ix_event_deliveries_event_id", "event_deliveries", ["event_id"])
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task", sa.String(200), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("last_slot", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("task", "tenant_id", name="uq_job_runs_task_tenant"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("event_deliveries")
    disable_rls(op, "outbox_events")
    op.drop_table("outbox_events")
