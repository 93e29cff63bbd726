"""Interaction: the public knowledge base of answered consultations (published with consent, personal
data removed) and files attached to tickets and replies. Tenant-owned, so row-level security.

Revision ID: interaction_0005
Revises: interaction_0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "interaction_0005"
down_revision = "interaction_0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def _owned() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
        sa.Column("ticket_id", BigId, sa.ForeignKey("interaction_tickets.id"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "interaction_kb_entries",
        *_owned(),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("published_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("ticket_id", name="uq_interaction_kb_entries_ticket"),
    )
    op.create_index("ix_interaction_kb_entries_list", "interaction_kb_entries", ["tenant_id", "id"])
    enable_rls(op, "interaction_kb_entries")
    op.create_table(
        "interaction_attachments",
        *_owned(),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_interaction_attachments_ticket", "interaction_attachments", ["ticket_id", "id"])
    enable_rls(op, "interaction_attachments")


def downgrade() -> None:
    for table in ("interaction_attachments", "interaction_kb_entries"):
        disable_rls(op, table)
        op.drop_table(table)
