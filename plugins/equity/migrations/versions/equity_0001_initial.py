"""Equity trading: transfer projects, term changes, intending buyers, online auctions with their
append-only bid log, and deals with their trade certificates.

Every table is tenant-owned (the exchange's tenant), so each gets row-level security. Depends on
core_0005 because trade certificates are signed with the tenant keys that revision added.

Revision ID: equity_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "equity_0001"
down_revision = None
branch_labels = ("equity",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = (
    "equity_projects",
    "equity_changes",
    "equity_buyers",
    "equity_auctions",
    "equity_bids",
    "equity_deals",
)


def _id_and_tenant() -> list[sa.Column]:
    return [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _project_fk() -> sa.Column:
    return sa.Column("project_id", BigId, sa.ForeignKey("equity_projects.id"), nullable=False)


def _projects() -> None:
    op.create_table(
        "equity_projects",
        *_id_and_tenant(),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("seller_name", sa.String(200), nullable=False),
        sa.Column("seller_code", sa.String(18), nullable=False),
        sa.Column("seller_representative", sa.String(100), nullable=False, server_default=""),
        sa.Column("supervisor_name", sa.String(200), nullable=False),
        sa.Column("appraisal_cents", sa.BigInteger, nullable=False),
        sa.Column("appraisal_approved_by", sa.String(200), nullable=False),
        sa.Column("appraisal_approved_on", sa.Date, nullable=False),
        sa.Column("listing_cents", sa.BigInteger, nullable=False),
        sa.Column("consent_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("consent_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("conditions", sa.Text, nullable=False, server_default=""),
        sa.Column("conditions_reviewed_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("method", sa.String(20), nullable=False, server_default="auction"),
        sa.Column("increment_cents", sa.BigInteger, nullable=False),
        sa.Column("deposit_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("control_change", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("status_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("pre_start", sa.Date, nullable=True),
        sa.Column("pre_end", sa.Date, nullable=True),
        sa.Column("pre_earliest_end", sa.Date, nullable=True),
        sa.Column("formal_start", sa.Date, nullable=True),
        sa.Column("formal_end", sa.Date, nullable=True),
        sa.Column("formal_earliest_end", sa.Date, nullable=True),
        sa.Column("first_listed_on", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_equity_projects_number"),
    )
    op.create_index("ix_equity_projects_list", "equity_projects", ["tenant_path", "status", "id"])
    op.create_table(
        "equity_changes",
        *_id_and_tenant(),
        sa.Column("project_id", BigId, sa.ForeignKey("equity_projects.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("made_on", sa.Date, nullable=False),
        sa.Column("during_formal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("restarted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("before", sa.Text, nullable=False, server_default=""),
        sa.Column("after", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.String(100), nullable=False),
    )


def _buyers_and_auctions() -> None:
    op.create_table(
        "equity_buyers",
        *_id_and_tenant(),
        sa.Column("project_id", BigId, sa.ForeignKey("equity_projects.id"), nullable=False, index=True),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("representative", sa.String(100), nullable=False, server_default=""),
        sa.Column("qualification", sa.Text, nullable=False, server_default=""),
        sa.Column("credit_level", sa.String(12), nullable=False, server_default=""),
        sa.Column("deposit_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("deposit_paid_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="registered"),
        sa.Column("status_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("project_id", "credit_code", name="uq_equity_buyers_code"),
    )
    op.create_table(
        "equity_auctions",
        *_id_and_tenant(),
        _project_fk(),
        sa.Column("start_cents", sa.BigInteger, nullable=False),
        sa.Column("increment_cents", sa.BigInteger, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("free_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("countdown_seconds", sa.Integer, nullable=False, server_default="300"),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_cents", sa.BigInteger, nullable=True),
        sa.Column("leader_id", BigId, nullable=True),
        sa.Column("accepted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("project_id", name="uq_equity_auctions_project"),
    )
    op.create_table(
        "equity_bids",
        *_id_and_tenant(),
        sa.Column("auction_id", BigId, sa.ForeignKey("equity_auctions.id"), nullable=False, index=True),
        sa.Column("buyer_id", BigId, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.Integer, nullable=True),
        sa.Column("accepted_cents", sa.BigInteger, nullable=True),
        sa.Column("refused", sa.String(30), nullable=False, server_default=""),
        sa.UniqueConstraint("auction_id", "seq", name="uq_equity_bids_seq"),
        sa.UniqueConstraint("auction_id", "accepted_cents", name="uq_equity_bids_price"),
    )


def _deals() -> None:
    op.create_table(
        "equity_deals",
        *_id_and_tenant(),
        _project_fk(),
        sa.Column("buyer_id", BigId, nullable=False),
        sa.Column("buyer_name", sa.String(200), nullable=False),
        sa.Column("buyer_code", sa.String(18), nullable=False),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("via", sa.String(12), nullable=False),
        sa.Column("contract_no", sa.String(60), nullable=False, server_default=""),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("mode", sa.String(12), nullable=False, server_default="full"),
        sa.Column("down_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("down_due", sa.Date, nullable=False),
        sa.Column("rest_due", sa.Date, nullable=True),
        sa.Column("rest_limit", sa.Date, nullable=True),
        sa.Column("paid_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("down_paid_on", sa.Date, nullable=True),
        sa.Column("paid_in_full_on", sa.Date, nullable=True),
        sa.Column("notice_start", sa.Date, nullable=True),
        sa.Column("notice_end", sa.Date, nullable=True),
        sa.Column("notice_earliest_end", sa.Date, nullable=True),
        sa.Column("certificate_no", sa.String(40), nullable=True, unique=True),
        sa.Column("certificate_on", sa.Date, nullable=True),
        sa.Column("canonical", sa.Text, nullable=False, server_default=""),
        sa.Column("signature", sa.String(100), nullable=False, server_default=""),
        sa.Column("key_id", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("project_id", name="uq_equity_deals_project"),
    )


def upgrade() -> None:
    _projects()
    _buyers_and_auctions()
    _deals()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
