"""Credit: a penalty's category (``bid_rigging``, 串通投标), whether a court confirmed it, and the day the
bidding exclusion it carries ends. A court-confirmed bid-rigging penalty excludes the subject from bidding
(the ``credit.subject`` check reports it; plugins/bidding refuses the registration).

Revision ID: credit_0002
Revises: credit_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit_0002"
down_revision = "credit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_records") as batch:
        batch.add_column(sa.Column("category", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("court_confirmed", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("debarred_until", sa.Date, nullable=True))
    op.create_index("ix_credit_records_exclusion", "credit_records", ["subject_code", "category"])


def downgrade() -> None:
    op.drop_index("ix_credit_records_exclusion", table_name="credit_records")
    with op.batch_alter_table("credit_records") as batch:
        batch.drop_column("debarred_until")
        batch.drop_column("court_confirmed")
        batch.drop_column("category")
