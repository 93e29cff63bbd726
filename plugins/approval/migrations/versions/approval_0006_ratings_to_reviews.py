"""Approval: one rating mechanism (issue #21). Approval keeps no rating of its own any more: a rating is a
review of the interaction plugin, received through ``approval.service.rated``. The application keeps only
when it was rated (``rated_at``: rate once), filled from the old table, which is then dropped.

``depends_on`` interaction_0003, the data migration that copies the old ratings into interaction's
reviews, so the table is never dropped before its rows were copied.

Revision ID: approval_0006
Revises: approval_0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import enable_rls

revision = "approval_0006"
down_revision = "approval_0005"
branch_labels = None
depends_on = "interaction_0003"

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PATH = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.add_column("approval_applications", sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE approval_applications SET rated_at = (SELECT r.at FROM approval_ratings r "
        "WHERE r.application_id = approval_applications.id) "
        "WHERE id IN (SELECT application_id FROM approval_ratings)"
    )
    op.drop_index(op.f("ix_approval_ratings_tenant_path"), table_name="approval_ratings")
    op.drop_index(op.f("ix_approval_ratings_tenant_id"), table_name="approval_ratings")
    op.drop_table("approval_ratings")


def downgrade() -> None:
    """The table comes back empty (the ratings live on as interaction's reviews)."""
    op.create_table(
        "approval_ratings",
        sa.Column("id", BIG, nullable=False),
        sa.Column("application_id", BIG, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tenant_path", PATH, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["approval_applications.id"],
            name=op.f("fk_approval_ratings_application_id_approval_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_ratings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_ratings")),
        sa.UniqueConstraint("application_id", name=op.f("uq_approval_ratings_application_id")),
    )
    op.create_index(op.f("ix_approval_ratings_tenant_id"), "approval_ratings", ["tenant_id"], unique=False)
    op.create_index(
        op.f("ix_approval_ratings_tenant_path"), "approval_ratings", ["tenant_path"], unique=False
    )
    enable_rls(op, "approval_ratings")
    op.execute("ALTER TABLE approval_applications DROP COLUMN rated_at")  # no table copy on SQLite
