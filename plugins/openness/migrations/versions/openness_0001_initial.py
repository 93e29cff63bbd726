"""Openness: requests for government information (依申请公开) and their handling steps.

Both tables are tenant-owned, so each gets row-level security. Depends on the core's tenants and
accounts (core_0005 and before).

Revision ID: openness_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "openness_0001"
down_revision = None
branch_labels = ("openness",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = ("openness_requests", "openness_request_steps")


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def _str(name: str, n: int) -> sa.Column:
    return sa.Column(name, sa.String(n), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "openness_requests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="received"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("requester_kind", sa.String(16), nullable=False, server_default="person"),
        sa.Column("requester_name", sa.String(120), nullable=False),
        _str("phone", 20),
        _str("email", 120),
        _str("address", 200),
        sa.Column("description", sa.Text, nullable=False),
        _str("department_code", 64),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("made_on", sa.Date, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("period", sa.JSON, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
        _text("correction_note"),
        sa.Column("correction_asked_on", sa.Date, nullable=True),
        sa.Column("completed_on", sa.Date, nullable=True),
        _str("third_party", 200),
        sa.Column("consult_sent_on", sa.Date, nullable=True),
        sa.Column("consult_due_on", sa.Date, nullable=True),
        _str("extension_state", 16),
        sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
        _text("extension_reason"),
        _str("extension_approved_by", 120),
        _str("outcome", 16),
        _str("ground", 32),
        _text("reply"),
        sa.Column("replied_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_openness_requests_number"),
    )
    op.create_index("ix_openness_requests_list", "openness_requests", ["tenant_id", "state", "id"])
    op.create_index("ix_openness_requests_due", "openness_requests", ["tenant_id", "state", "due_on"])
    op.create_index("ix_openness_requests_received", "openness_requests", ["tenant_id", "received_on"])
    op.create_index("ix_openness_requests_account", "openness_requests", ["account_id", "id"])
    op.create_table(
        "openness_request_steps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("request_id", BigId, sa.ForeignKey("openness_requests.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        _text("note"),
        sa.Column("days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_openness_request_steps_request", "openness_request_steps", ["request_id", "id"])
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
