"""Payment: a refund's state, so the gateway is called outside any database transaction.

A refund is reserved (``pending``) and committed before the gateway is asked, then recorded ``done`` or
``refused`` in a new transaction; one left ``pending`` by a crash or an unreachable gateway is completed
by the periodic task (the gateway refunds once per idempotency key). Refunds made before this revision
were recorded only after the gateway had made them: ``done``.

Revision ID: payment_0002
Revises: payment_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payment_0002"
down_revision = "payment_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_refunds") as batch:
        batch.add_column(sa.Column("state", sa.String(length=10), nullable=False, server_default="done"))
    op.create_index("ix_payment_refunds_pending", "payment_refunds", ["id"],
                    postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))


def downgrade() -> None:
    op.drop_index("ix_payment_refunds_pending", "payment_refunds")
    with op.batch_alter_table("payment_refunds") as batch:
        batch.drop_column("state")
