"""Approval: "use my data on file" (issue #15) — a material may name where the applicant's data on file
can replace the upload (``approval_item_materials.reuse``), and what was fetched at submission is kept
with its provenance (``approval_reused_materials``, tenant-owned: row-level security).

Revision ID: approval_0005
Revises: approval_0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import enable_rls

revision = "approval_0005"
down_revision = "approval_0004"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("approval_item_materials") as batch:
        batch.add_column(sa.Column("reuse", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "approval_reused_materials",
        sa.Column("id", BIG, nullable=False),
        sa.Column("application_id", BIG, nullable=False),
        sa.Column("material_code", sa.String(length=40), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("plugin", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "tenant_path",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_reused_materials_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_reused_materials_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_reused_materials")),
    )
    for column in ("application_id", "tenant_id", "tenant_path"):
        op.create_index(op.f(f"ix_approval_reused_materials_{column}"), "approval_reused_materials", [column])
    enable_rls(op, "approval_reused_materials")


def downgrade() -> None:
    op.drop_table("approval_reused_materials")
    with op.batch_alter_table("approval_item_materials") as batch:
        batch.drop_column("reuse")
