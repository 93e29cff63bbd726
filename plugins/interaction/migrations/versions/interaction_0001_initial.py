"""Interaction: tickets (12345-style consultations, complaints, suggestions, requests for help), their
steps, assignments to a handling tenant and department, links between tickets, and guests' phone codes.

Every table is tenant-owned, so each gets row-level security. Depends on the core's tenants and accounts
(core_0005 and before); the inbox its dispatches and replies use exists at the core's head.

Revision ID: interaction_0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import disable_rls, enable_rls

revision = "interaction_0001"
down_revision = None
branch_labels = ("interaction",)
depends_on = "core_0005"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Path = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
TABLES = (
    "interaction_tickets",
    "interaction_ticket_steps",
    "interaction_assignments",
    "interaction_ticket_links",
    "interaction_phone_codes",
)


def _tenant_cols() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
        sa.Column("tenant_path", Path, nullable=False, index=True),
    ]


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tickets() -> None:
    op.create_table(
        "interaction_tickets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="submitted"),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("access_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("about_department", sa.String(64), nullable=False, server_default=""),
        sa.Column("about_item", sa.String(64), nullable=False, server_default=""),
        sa.Column("about_application", sa.String(64), nullable=False, server_default=""),
        sa.Column("public_ok", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("extended_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pending_extension_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("handler_tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=True),
        sa.Column("handler_path", Path, nullable=True),
        sa.Column("handler_department", sa.String(64), nullable=False, server_default=""),
        sa.Column("reply", sa.Text, nullable=False, server_default=""),
        sa.Column("replied_on", sa.Date, nullable=True),
        sa.Column("callback_result", sa.String(16), nullable=False, server_default=""),
        sa.Column("callback_note", sa.Text, nullable=False, server_default=""),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("rating_comment", sa.Text, nullable=False, server_default=""),
        _at("created_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_interaction_tickets_number"),
    )
    op.create_index("ix_interaction_tickets_list", "interaction_tickets", ["tenant_id", "state", "id"])
    op.create_index("ix_interaction_tickets_account", "interaction_tickets", ["account_id", "id"])
    op.create_index(
        "ix_interaction_tickets_phone", "interaction_tickets", ["tenant_id", "phone", "created_at"]
    )
    op.create_table(
        "interaction_ticket_steps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("ticket_id", BigId, sa.ForeignKey("interaction_tickets.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("days", sa.Integer, nullable=False, server_default="0"),
        _at("at"),
    )
    op.create_index("ix_interaction_ticket_steps_ticket", "interaction_ticket_steps", ["ticket_id", "id"])


def _others() -> None:
    op.create_table(
        "interaction_assignments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("ticket_id", BigId, sa.ForeignKey("interaction_tickets.id"), nullable=False),
        sa.Column("ticket_tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("ticket_path", Path, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("department_code", sa.String(64), nullable=False, server_default=""),
        sa.Column("instructions", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("reply", sa.Text, nullable=False, server_default=""),
        sa.Column("replied_by", sa.String(120), nullable=False, server_default=""),
        _at("created_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index(
        "ix_interaction_assignments_open", "interaction_assignments", ["tenant_id", "state", "id"]
    )
    op.create_table(
        "interaction_ticket_links",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("ticket_id", BigId, sa.ForeignKey("interaction_tickets.id"), nullable=False),
        sa.Column("other_id", BigId, sa.ForeignKey("interaction_tickets.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _at("created_at"),
        sa.UniqueConstraint("ticket_id", "other_id", name="uq_interaction_ticket_links"),
    )
    op.create_table(
        "interaction_phone_codes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        *_tenant_cols(),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False, server_default=""),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("used", sa.Boolean, nullable=False, server_default=sa.false()),
        _at("created_at"),
        _at("expires_at"),
    )
    op.create_index(
        "ix_interaction_phone_codes_phone", "interaction_phone_codes", ["tenant_id", "phone", "id"]
    )


def upgrade() -> None:
    _tickets()
    _others()
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
