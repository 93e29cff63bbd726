"""Interaction: good-and-bad reviews (好差评) of every concluded service, with the rectification a bad one
opens (verify, rectify, reply, re-check). Tenant-owned, so row-level security.

Revision ID: interaction_0002
Revises: interaction_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "interaction_0002"
down_revision = "interaction_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "interaction_reviews",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(120), nullable=False),
        sa.Column("number", sa.String(40), nullable=False, server_default=""),
        sa.Column("item_code", sa.String(64), nullable=False, server_default=""),
        sa.Column("item_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("department_code", sa.String(64), nullable=False, server_default=""),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("rated_on", sa.Date, nullable=False),
        sa.Column("rect_state", sa.String(16), nullable=False, server_default=""),
        sa.Column("rect_due_on", sa.Date, nullable=True),
        sa.Column("verified", sa.Boolean, nullable=True),
        sa.Column("verification", sa.Text, nullable=False, server_default=""),
        sa.Column("measures", sa.Text, nullable=False, server_default=""),
        sa.Column("reply", sa.Text, nullable=False, server_default=""),
        sa.Column("replied_on", sa.Date, nullable=True),
        sa.Column("recheck_note", sa.Text, nullable=False, server_default=""),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "source_ref", name="uq_interaction_reviews_source"),
    )
    op.create_index(
        "ix_interaction_reviews_figures", "interaction_reviews", ["tenant_id", "rated_on", "department_code"]
    )
    op.create_index(
        "ix_interaction_reviews_rectification",
        "interaction_reviews",
        ["tenant_id", "rect_state", "rect_due_on"],
    )
    op.create_index("ix_interaction_reviews_account", "interaction_reviews", ["account_id", "id"])
    enable_rls(op, "interaction_reviews")


def downgrade() -> None:
    disable_rls(op, "interaction_reviews")
    op.drop_table("interaction_reviews")
