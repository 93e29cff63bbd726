"""Core: accounts, sessions, API tokens, role grants and login throttling (the unified login).

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-28
"""
from __future__ import annotations

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
