"""Bidding: tenders, documents, bidders, sealed bids and their declared files, objections, the expert
pool, panels and scores. Every table is tenant-owned and gets row-level security. Depends on core_0005
because bid receipts are signed with the tenant keys that revision added.

Revision ID: bidding_0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "bidding_0001"
down_revision = None
branch_labels = ("bidding",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TZ = sa.DateTime(timezone=True)
TABLES = (
    "bidding_tenders",
    "bidding_documents",
    "bidding_bidders",
    "bidding_bids",
    "bidding_bid_files",
    "bidding_objections",
    "bidding_experts",
    "bidding_panels",
    "bidding_scores",
)


def _id_and_tenant() -> list[sa.Column]:
    return [
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _tender_id() -> sa.Column:
    return sa.Column("tender_id", BigId, sa.ForeignKey("bidding_tenders.id"), nullable=False, index=True)


def _tenders() -> None:
    op.create_table(
        "bidding_tenders",
        *_id_and_tenant(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("ocid", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("procedure", sa.String(20), nullable=False, server_default="open"),
        sa.Column("tenderer_name", sa.String(200), nullable=False),
        sa.Column("tenderer_code", sa.String(18), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False, server_default=""),
        sa.Column("agent_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("estimated_cents", sa.BigInteger, nullable=False),
        sa.Column("state_funded", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("bond_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("status", sa.String(12), nullable=False, server_default="draft"),
        sa.Column("documents_from", sa.Date, nullable=False),
        sa.Column("documents_until", sa.Date, nullable=False),
        sa.Column("deadline", TZ, nullable=False),
        sa.Column("key_window_minutes", sa.Integer, nullable=False, server_default="60"),
        sa.Column("publicity_days", sa.Integer, nullable=False, server_default="3"),
        sa.Column("min_deadline_on", sa.Date, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("paused_since", TZ, nullable=True),
        sa.Column("opening_closed_at", TZ, nullable=True),
        sa.Column("publicity_from", sa.Date, nullable=True),
        sa.Column("publicity_until", sa.Date, nullable=True),
        sa.Column("min_publicity_until", sa.Date, nullable=True),
        sa.Column("award_bid_id", BigId, nullable=True),
        sa.Column("awarded_on", sa.Date, nullable=True),
        sa.Column("contract_due", sa.Date, nullable=True),
        sa.Column("contract_signed_on", sa.Date, nullable=True),
        sa.Column("contract_cents", sa.BigInteger, nullable=True),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.Column("status_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_bidding_tenders_number"),
    )
    op.create_index("ix_bidding_tenders_list", "bidding_tenders", ["tenant_path", "status", "id"])
    op.create_table(
        "bidding_documents",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("affects_bids", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("deadline_before", TZ, nullable=True),
        sa.Column("deadline_after", TZ, nullable=True),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False, server_default=""),
    )


def _bids() -> None:
    op.create_table(
        "bidding_bidders",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("account", sa.String(100), nullable=False, server_default=""),
        sa.Column("registered_at", TZ, nullable=False),
        sa.Column("credit_level", sa.String(12), nullable=False, server_default=""),
        sa.Column("credit_lists", sa.JSON, nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("flag_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("bond_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bond_state", sa.String(10), nullable=False, server_default="none"),
        sa.Column("bond_paid_on", sa.Date, nullable=True),
        sa.Column("bond_refunded_on", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tender_id", "credit_code", name="uq_bidding_bidders_code"),
    )
    op.create_table(
        "bidding_bids",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("bidder_id", BigId, sa.ForeignKey("bidding_bidders.id"), nullable=False, index=True),
        sa.Column("nonce", sa.String(24), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("ciphertext_sha256", sa.String(64), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Column("key_id", sa.String(80), nullable=False),
        sa.Column("submit_ip", sa.String(45), nullable=False, server_default=""),
        sa.Column("device", sa.String(64), nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False, server_default="sealed"),
        sa.Column("opened_at", TZ, nullable=True),
        sa.Column("price_cents", sa.BigInteger, nullable=True),
        sa.Column("score_x100", sa.Integer, nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("status_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tender_id", "bidder_id", name="uq_bidding_bids_bidder"),
    )
    op.create_table(
        "bidding_bid_files",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("bid_id", BigId, sa.ForeignKey("bidding_bids.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("author", sa.String(100), nullable=False, server_default=""),
        sa.Column("software", sa.String(100), nullable=False, server_default=""),
    )
    op.create_index("ix_bidding_bid_files_digest", "bidding_bid_files", ["tender_id", "sha256"])


def _objections_and_experts() -> None:
    op.create_table(
        "bidding_objections",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("stage", sa.String(12), nullable=False),
        sa.Column("objector_code", sa.String(18), nullable=False),
        sa.Column("objector_name", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("filed_at", TZ, nullable=False),
        sa.Column("answer_due", sa.Date, nullable=False),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("answer", sa.Text, nullable=False, server_default=""),
        sa.Column("upheld", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "bidding_experts",
        *_id_and_tenant(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("specialty", sa.String(100), nullable=False, server_default=""),
        sa.Column("employer_code", sa.String(18), nullable=False, server_default=""),
        sa.Column("employer_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("account", sa.String(100), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "bidding_panels",
        *_id_and_tenant(),
        sa.Column("tender_id", BigId, sa.ForeignKey("bidding_tenders.id"), nullable=False, unique=True),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("pool", sa.JSON, nullable=False),
        sa.Column("excluded", sa.JSON, nullable=False),
        sa.Column("members", sa.JSON, nullable=False),
        sa.Column("drawn_at", TZ, nullable=False),
        sa.Column("drawn_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "bidding_scores",
        *_id_and_tenant(),
        _tender_id(),
        sa.Column("expert_id", BigId, sa.ForeignKey("bidding_experts.id"), nullable=False),
        sa.Column("bid_id", BigId, sa.ForeignKey("bidding_bids.id"), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("scored_at", TZ, nullable=False),
        sa.UniqueConstraint("expert_id", "bid_id", name="uq_bidding_scores_expert_bid"),
    )


def upgrade() -> None:
    _tenders()
    _bids()
    _objections_and_experts()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
