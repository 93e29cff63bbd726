"""Sunshine medicine: indexes shaped by the 5M-line plans (docs/benchmarks.md).

- A hospital's order list (newest first, 20 a page) is the scoped session's ``tenant_path = …`` plus
  ``hospital_id = …`` ordered by ``id``: ``(tenant_path, hospital_id, id)`` serves it as one backward index
  scan that stops after the page, where ``(hospital_id, id)`` met the tenant filters only in the heap (a
  bitmap over the hospital's whole year, then a sort).
- The overdue-payment scan reads open orders only: a partial index on ``(due_on, tenant_path)`` of the
  accepted or invoiced orders replaces ``(status, due_on)`` over every order (paid orders leave it, so it
  stays the size of a month's orders).
- PostgreSQL: functional-dependency statistics on ``(hospital_id, tenant_id, tenant_path)`` so the
  planner knows a hospital implies its tenant (without them it multiplies the three selectivities and
  expects one row where there are a thousand).

Revision ID: medicine_0002
Revises: medicine_0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "medicine_0002"
down_revision = "medicine_0001"
branch_labels = None
depends_on = None

OPEN = "status IN ('accepted', 'invoiced')"


def upgrade() -> None:
    op.create_index("ix_medicine_orders_page", "medicine_orders", ["tenant_path", "hospital_id", "id"])
    op.drop_index("ix_medicine_orders_hospital", table_name="medicine_orders")
    op.create_index(
        "ix_medicine_orders_open_due",
        "medicine_orders",
        ["due_on", "tenant_path"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.drop_index("ix_medicine_orders_due", table_name="medicine_orders")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS st_medicine_orders_hospital (dependencies) "
            "ON hospital_id, tenant_id, tenant_path FROM medicine_orders"
        )
        op.execute("ANALYZE medicine_orders")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_medicine_orders_hospital")
    op.create_index("ix_medicine_orders_due", "medicine_orders", ["status", "due_on"])
    op.drop_index("ix_medicine_orders_open_due", table_name="medicine_orders")
    op.create_index("ix_medicine_orders_hospital", "medicine_orders", ["hospital_id", "id"])
    op.drop_index("ix_medicine_orders_page", table_name="medicine_orders")
