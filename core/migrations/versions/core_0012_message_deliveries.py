"""Core: one row per (message, outside channel) — ``message_deliveries`` — claimed before its provider is
called.

The delivery task handed all of a message's channels to their providers inside one savepoint and then set
``messages.delivered_at``: when that record failed ("database is locked" on SQLite while the demo loads) or
a second channel's provider raised after the first had sent, the savepoint rolled back and the next run
sent again on every channel — the same SMS two or three times. Now each (message, channel) is claimed and
committed first (unique on ``(message_id, channel)``; ``next_try_at`` is the claim's lease and the back-off
after a failure), recorded as sent on its own, and given up visibly (``failed_at``, ``last_error``) after
a number of attempts (core.delivery). Tenant-owned like its message: row-level security, moved with its
tenant. Messages already delivered keep ``delivered_at``; the rest are planned by the next run.

Revision ID: core_0012
Revises: core_0011
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import BigId, PathType
from core.db.rls import disable_rls, enable_rls

revision = "core_0012"
down_revision = "core_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_message_deliveries_tenant_id_tenants"),
                  nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.Column("message_id", BigId,
                  sa.ForeignKey("messages.id", name="fk_message_deliveries_message_id_messages"),
                  nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_message_deliveries"),
        sa.UniqueConstraint("message_id", "channel", name="uq_message_deliveries_message_channel"),
    )
    op.create_index("ix_message_deliveries_tenant_id", "message_deliveries", ["tenant_id"])
    op.create_index("ix_message_deliveries_tenant_path", "message_deliveries", ["tenant_path"])
    due = sa.text("sent_at IS NULL AND failed_at IS NULL")
    op.create_index("ix_message_deliveries_due", "message_deliveries", ["next_try_at", "id"],
                    postgresql_where=due, sqlite_where=due)
    failed = sa.text("failed_at IS NOT NULL")
    op.create_index("ix_message_deliveries_failed", "message_deliveries", ["tenant_id", "failed_at"],
                    postgresql_where=failed, sqlite_where=failed)
    enable_rls(op, "message_deliveries")


def downgrade() -> None:
    disable_rls(op, "message_deliveries")
    op.drop_table("message_deliveries")
