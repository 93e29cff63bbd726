"""Openness: the power and responsibility lists (权责清单) — powers in editions (a new edition supersedes
the published one and the history is kept) — and the links from service items to the power each
exercises. Both tables are tenant-owned, so each gets row-level security.

Revision ID: openness_0002
Revises: openness_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "openness_0002"
down_revision = "openness_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = ("openness_powers", "openness_power_items")


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def upgrade() -> None:
    op.create_table(
        "openness_powers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("edition", sa.Integer, nullable=False, server_default="1"),
        sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("department_code", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("responsibilities", sa.Text, nullable=False),
        sa.Column("accountability", sa.Text, nullable=False, server_default=""),
        sa.Column("change_note", sa.Text, nullable=False, server_default=""),
        sa.Column("changed_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("published_on", sa.Date, nullable=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "code", "edition", name="uq_openness_powers_edition"),
    )
    op.create_index(
        "ix_openness_powers_list", "openness_powers", ["tenant_id", "state", "department_code", "category"]
    )
    op.create_index("ix_openness_powers_code", "openness_powers", ["tenant_id", "code", "edition"])
    op.create_table(
        "openness_power_items",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("power_code", sa.String(32), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("linked_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "item_code", name="uq_openness_power_items_item"),
    )
    op.create_index("ix_openness_power_items_power", "openness_power_items", ["tenant_id", "power_code"])
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
