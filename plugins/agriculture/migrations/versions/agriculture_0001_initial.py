"""Agriculture: producers, lots with append-only events and their lineage links, compliance certificates,
market prices, supply and demand posts, 12316 questions and their photos.

Every table is tenant-owned (the county where the row was made), so each gets row-level security. The
lineage links are indexed both ways: a public code lookup walks upstream and downstream with a recursive
query over them.

Revision ID: agriculture_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import BigId, PathType, disable_rls, enable_rls

revision = "agriculture_0001"
down_revision = None
branch_labels = ("agriculture",)
depends_on = "core_0003"

TABLES = (
    "agri_producers",
    "agri_lots",
    "agri_events",
    "agri_links",
    "agri_certificates",
    "agri_prices",
    "agri_posts",
    "agri_questions",
    "agri_photos",
)
TS = sa.DateTime(timezone=True)


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", PathType(), nullable=False, index=True),
    ]


def _id() -> sa.Column:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def _traceability() -> None:
    op.create_table(
        "agri_producers",
        _id(),
        *_tenant_cols(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False, server_default=""),
        sa.Column("contact_name", sa.String(50), nullable=False, server_default=""),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("address", sa.String(200), nullable=False, server_default=""),
        sa.Column("account_id", sa.Integer, nullable=True, index=True),
        sa.Column("state", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "agri_lots",
        _id(),
        *_tenant_cols(),
        sa.Column("code", sa.String(19), nullable=False, unique=True),
        sa.Column("producer_id", BigId, sa.ForeignKey("agri_producers.id"), nullable=False, index=True),
        sa.Column("product", sa.String(60), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 3), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False, server_default="kg"),
        sa.Column("origin", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "agri_events",
        _id(),
        *_tenant_cols(),
        sa.Column("lot_id", BigId, sa.ForeignKey("agri_lots.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("place", sa.String(200), nullable=False, server_default=""),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("phi_days", sa.Integer, nullable=True),
        sa.Column("corrects_id", BigId, nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.String(100), nullable=False, server_default=""),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("corrects_id", name="uq_agri_events_corrects"),
    )
    op.create_index("ix_agri_events_lot", "agri_events", ["lot_id", "id"])
    op.create_table(
        "agri_links",
        _id(),
        *_tenant_cols(),
        sa.Column("parent_lot_id", BigId, sa.ForeignKey("agri_lots.id"), nullable=False),
        sa.Column("child_lot_id", BigId, sa.ForeignKey("agri_lots.id"), nullable=False),
        sa.Column("event_id", BigId, sa.ForeignKey("agri_events.id"), nullable=False),
        sa.UniqueConstraint("parent_lot_id", "child_lot_id", name="uq_agri_links_pair"),
    )
    op.create_index("ix_agri_links_child", "agri_links", ["child_lot_id"])
    op.create_table(
        "agri_certificates",
        _id(),
        *_tenant_cols(),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("lot_id", BigId, sa.ForeignKey("agri_lots.id"), nullable=False, unique=True),
        sa.Column("test_event_id", BigId, sa.ForeignKey("agri_events.id"), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("promise", sa.Text, nullable=False, server_default=""),
    )


def _market_and_desk() -> None:
    op.create_table(
        "agri_prices",
        _id(),
        *_tenant_cols(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("product", sa.String(60), nullable=False),
        sa.Column("market", sa.String(100), nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False),
        sa.Column("unit", sa.String(10), nullable=False, server_default="kg"),
        sa.Column("entered_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("tenant_id", "product", "market", "day", name="uq_agri_prices_key"),
    )
    op.create_index("ix_agri_prices_series", "agri_prices", ["tenant_path", "product", "day"])
    op.create_table(
        "agri_posts",
        _id(),
        *_tenant_cols(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("product", sa.String(60), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 3), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False, server_default="kg"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("poster_name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_agri_posts_match", "agri_posts", ["product", "kind", "state"])
    op.create_table(
        "agri_questions",
        _id(),
        *_tenant_cols(),
        sa.Column("asker_account_id", sa.Integer, nullable=False),
        sa.Column("asker_name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("asked_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("escalated_path", PathType(), nullable=True, index=True),
        sa.Column("escalated_on", sa.Date, nullable=True),
        sa.Column("answer", sa.Text, nullable=False, server_default=""),
        sa.Column("answered_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("answered_on", sa.Date, nullable=True),
        sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_agri_questions_open", "agri_questions", ["answered_on", "due_on"])
    op.create_table(
        "agri_photos",
        _id(),
        *_tenant_cols(),
        sa.Column("question_id", BigId, sa.ForeignKey("agri_questions.id"), nullable=False, index=True),
        sa.Column("content_type", sa.String(20), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def upgrade() -> None:
    _traceability()
    _market_and_desk()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
