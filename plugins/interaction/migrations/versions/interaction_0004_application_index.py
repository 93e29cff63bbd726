"""Interaction: tickets found by the application they are about (approval's case page panel).

Revision ID: interaction_0004
Revises: interaction_0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "interaction_0004"
down_revision = "interaction_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_interaction_tickets_application", "interaction_tickets", ["tenant_id", "about_application"]
    )


def downgrade() -> None:
    op.drop_index("ix_interaction_tickets_application", table_name="interaction_tickets")
