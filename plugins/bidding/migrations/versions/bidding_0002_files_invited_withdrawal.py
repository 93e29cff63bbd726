"""Bidding: uploaded tender document files (bytes on disk, row with name, type, size and digest), the
invited bidders of an invited tender, and a bid's withdrawal before the deadline (its signed receipt).

Revision ID: bidding_0002
Revises: bidding_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "bidding_0002"
down_revision = "bidding_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("bidding_tenders") as batch:
        batch.add_column(sa.Column("invited", sa.JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("bidding_bids") as batch:
        batch.add_column(sa.Column("withdrawn_at", TZ, nullable=True))
        batch.add_column(sa.Column("withdrawal_receipt", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("withdrawal_signature", sa.String(100), nullable=False, server_default=""))
    op.create_table(
        "bidding_tender_files",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
        sa.Column("tender_id", BigId, sa.ForeignKey("bidding_tenders.id"), nullable=False, index=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False, server_default=""),
    )
    enable_rls(op, "bidding_tender_files")


def downgrade() -> None:
    disable_rls(op, "bidding_tender_files")
    op.drop_table("bidding_tender_files")
    with op.batch_alter_table("bidding_bids") as batch:
        batch.drop_column("withdrawal_signature")
        batch.drop_column("withdrawal_receipt")
        batch.drop_column("withdrawn_at")
    with op.batch_alter_table("bidding_tenders") as batch:
        batch.drop_column("invited")
