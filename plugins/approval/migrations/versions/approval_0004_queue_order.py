"""Approval: the workbench queue's first page by index, in deadline order.

Why: the queue shows a department's open (and recently decided) applications, soonest deadline first,
50 or 100 at a time. With only ``ix_approval_applications_queue`` (tenant, department, state, deadline)
PostgreSQL fetched every queued application of the county and sorted them: 98 rows at 1,000,000
applications, 1,062 at 10,000,000 — a cost that grows with the data. This partial index holds just the
queued states, ordered by (tenant, department, deadline, id), so the first page is the first rows of
one index range whatever the table's size (docs/benchmarks.md, "The province at 10 million").

Revision ID: approval_0004
Revises: approval_0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from plugins.approval.models import QUEUE_PREDICATE

revision = "approval_0004"
down_revision = "approval_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text(QUEUE_PREDICATE)
    op.create_index("ix_approval_applications_queue_due", "approval_applications",
                    ["tenant_path", "department_code", "deadline", "id"], postgresql_where=where,
                    sqlite_where=where)


def downgrade() -> None:
    op.drop_index("ix_approval_applications_queue_due", "approval_applications")
