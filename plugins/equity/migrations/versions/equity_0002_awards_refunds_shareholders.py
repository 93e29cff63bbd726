"""Equity: the award after the auction (the winner, then the second bidder when the winner defaults),
deposit refunds and forfeits on the buyers, void deals (a defaulted winner's contract), and shareholders of
sellers and buyers for the related-buyer rule.

A project may now hold a void deal beside the live one, so the deal's uniqueness moves from the project
to (project, buyer): each buyer concludes at most one deal of a project.

Revision ID: equity_0002
Revises: equity_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "equity_0002"
down_revision = "equity_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def _id_and_tenant() -> list[sa.Column]:
    return [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
        sa.Column("project_id", BigId, sa.ForeignKey("equity_projects.id"), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("equity_buyers") as batch:
        batch.add_column(sa.Column("deposit_state", sa.String(12), nullable=False, server_default=""))
        batch.add_column(sa.Column("deposit_settled_on", sa.Date, nullable=True))
    with op.batch_alter_table("equity_deals") as batch:
        batch.add_column(sa.Column("void", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.drop_constraint("uq_equity_deals_project", type_="unique")
        batch.create_unique_constraint("uq_equity_deals_buyer", ["project_id", "buyer_id"])
    op.create_table(
        "equity_awards",
        *_id_and_tenant(),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("buyer_id", BigId, nullable=False),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("awarded_on", sa.Date, nullable=False),
        sa.Column("sign_due", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="open"),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("project_id", "rank", name="uq_equity_awards_rank"),
    )
    op.create_index("ix_equity_awards_project_id", "equity_awards", ["project_id"])
    op.create_table(
        "equity_shareholders",
        *_id_and_tenant(),
        sa.Column("buyer_id", BigId, nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False, server_default=""),
        sa.Column("source", sa.String(12), nullable=False, server_default="entered"),
        sa.Column("recorded_by", sa.String(100), nullable=False, server_default=""),
    )
    op.create_index("ix_equity_shareholders_project", "equity_shareholders", ["project_id", "buyer_id"])
    for table in ("equity_awards", "equity_shareholders"):
        enable_rls(op, table)


def downgrade() -> None:
    for table in ("equity_shareholders", "equity_awards"):
        disable_rls(op, table)
        op.drop_table(table)
    with op.batch_alter_table("equity_deals") as batch:
        batch.drop_constraint("uq_equity_deals_buyer", type_="unique")
        batch.create_unique_constraint("uq_equity_deals_project", ["project_id"])
        batch.drop_column("void")
    with op.batch_alter_table("equity_buyers") as batch:
        batch.drop_column("deposit_settled_on")
        batch.drop_column("deposit_state")
