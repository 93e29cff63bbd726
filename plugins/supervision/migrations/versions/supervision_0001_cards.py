"""Supervision: cards (one per rule, object and occurrence) and their action history.

Why: issue #5, the electronic supervision platform. Both tables are tenant-owned (the object's tenant)
and get row-level security on PostgreSQL. The unique key on (tenant, rule, object, occurrence) is what
the set-based insert-or-ignore relies on; the indexes serve the subtree lists (path, state), the escalated
queue of a tier (owner path, state), the escalation scan (state, feedback deadline) and a rescan's
look-up of the occurrences a rule already has cards for (rule, path). No more: each index is paid for on
every card a scan inserts.

Revision ID: supervision_0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.api import BigId, PathType, disable_rls, enable_rls

revision = "supervision_0001"
down_revision = None
branch_labels = ("supervision",)
depends_on = "core_0003"

TABLES = ["supervision_cards", "supervision_card_actions"]
TZ = sa.DateTime(timezone=True)


def _tenant_columns() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("tenant_path", PathType(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "supervision_cards",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("kind_of_power", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("object_type", sa.String(60), nullable=False),
        sa.Column("object_id", sa.String(100), nullable=False),
        sa.Column("occurrence", sa.String(100), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("feedback_due", sa.Date(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("owner_tenant_id", sa.Integer(), nullable=False),
        sa.Column("owner_path", PathType(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("source_event_id", BigId, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        *_tenant_columns(),
        sa.UniqueConstraint("tenant_id", "rule_id", "object_type", "object_id", "occurrence",
                            name="uq_supervision_cards_occurrence"),
    )
    op.create_index("ix_supervision_cards_path_state", "supervision_cards", ["tenant_path", "state"])
    op.create_index("ix_supervision_cards_owner_state", "supervision_cards", ["owner_path", "state"])
    op.create_index("ix_supervision_cards_due", "supervision_cards", ["state", "feedback_due"])
    op.create_index("ix_supervision_cards_rule_path", "supervision_cards", ["rule_id", "tenant_path"])

    op.create_table(
        "supervision_card_actions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("card_id", BigId, sa.ForeignKey("supervision_cards.id"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=False),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("owner_path", PathType(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_tenant_columns(),
    )
    op.create_index("ix_supervision_card_actions_card_id", "supervision_card_actions", ["card_id"])
    op.create_index("ix_supervision_card_actions_tenant_id", "supervision_card_actions", ["tenant_id"])
    op.create_index("ix_supervision_card_actions_tenant_path", "supervision_card_actions", ["tenant_path"])
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(op, table)
        op.drop_table(table)
