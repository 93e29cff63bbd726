"""Core: the inbox (``messages``) and the language a person chose (``accounts.language``).

Plugins tell a person or a department what happened (accepted, correction requested, licence issued,
payment due, a supervision card) through ``core.api.notify``; the messages live in one core table so that
"my messages" reads one place across every hall. Tenant-owned (the hall that sent it), so row-level
security like any tenant table; ``delivered_at`` marks a message handed to the outside channels
(a partial index keeps the delivery job's scan small); ``(tenant_id, dedupe_key)`` is unique so a
redelivered event produces a message once. ``accounts.language`` lets SMS and e-mail go out in the
recipient's language.

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.db.base import BigId, PathType
from core.db.rls import disable_rls, enable_rls

revision = "core_0010"
down_revision = "core_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    op.create_table(
        "messages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_messages_tenant_id_tenants"), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.Column("to_account_id", sa.Integer(),
                  sa.ForeignKey("accounts.id", name="fk_messages_to_account_id_accounts"), nullable=True),
        sa.Column("to_department_id", sa.Integer(),
                  sa.ForeignKey("departments.id", name="fk_messages_to_department_id_departments"),
                  nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("href", sa.String(300), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_messages_tenant_dedupe"),
    )
    op.create_index("ix_messages_tenant_id", "messages", ["tenant_id"])
    op.create_index("ix_messages_tenant_path", "messages", ["tenant_path"])
    op.create_index("ix_messages_account", "messages", ["to_account_id", "id"])
    op.create_index("ix_messages_department", "messages", ["to_department_id", "id"])
    pending = sa.text("delivered_at IS NULL")
    op.create_index("ix_messages_undelivered", "messages", ["id"], postgresql_where=pending,
                    sqlite_where=pending)
    enable_rls(op, "messages")


def downgrade() -> None:
    disable_rls(op, "messages")
    op.drop_table("messages")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("language")
