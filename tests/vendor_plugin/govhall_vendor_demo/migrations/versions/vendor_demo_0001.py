"""vendor_demo: the notices table, tenant-scoped with row-level security.

Revision ID: vendor_demo_0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import PathType, disable_rls, enable_rls

revision = "vendor_demo_0001"
down_revision = None
branch_labels = ("vendor_demo",)
depends_on = "core_0003"


def upgrade() -> None:
    op.create_table(
        "vendor_demo_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_vendor_demo_notes_tenant_id_tenants"), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vendor_demo_notes"),
    )
    op.create_index("ix_vendor_demo_notes_tenant_id", "vendor_demo_notes", ["tenant_id"])
    op.create_index("ix_vendor_demo_notes_tenant_path", "vendor_demo_notes", ["tenant_path"])
    enable_rls(op, "vendor_demo_notes")


def downgrade() -> None:
    disable_rls(op, "vendor_demo_notes")
    op.drop_table("vendor_demo_notes")
