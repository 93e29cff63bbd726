"""Approval: partial indexes for the supervision rules' set-based scans.

Why: the periodic supervision scan asks, for a whole province in one statement, for the open applications
(accepted or in review) by deadline (due tomorrow, near the deadline, overdue), the ones still waiting for
an acceptance decision by submission date, and the decisions without a reason. Those are a few percent of
a table that keeps every application ever made; partial indexes hold only them, so each rule reads its
rows by index instead of scanning 1,000,000 (docs/benchmarks.md, Supervision).

Revision ID: approval_0003
Revises: approval_0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "approval_0003"
down_revision = "approval_0002"
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('accepted', 'in_review')")
WAITING = sa.text("state IN ('submitted', 'resubmitted')")
NO_REASON = sa.text("decision IS NOT NULL AND coalesce(trim(decision_reason), '') = ''")


def _partial(name: str, columns: list[str], where: sa.TextClause) -> None:
    op.create_index(name, "approval_applications", columns, postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    _partial("ix_approval_applications_open_deadline", ["deadline", "tenant_path"], OPEN)
    _partial("ix_approval_applications_waiting", ["submitted_on", "tenant_path"], WAITING)
    _partial("ix_approval_applications_no_reason", ["tenant_path"], NO_REASON)


def downgrade() -> None:
    for name in ("ix_approval_applications_no_reason", "ix_approval_applications_waiting",
                 "ix_approval_applications_open_deadline"):
        op.drop_index(name, table_name="approval_applications")
