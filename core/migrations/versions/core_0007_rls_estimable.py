"""Core: row-level security policies the planner does not mistake for a second tenant filter.

``core_0004`` made every ``*_tenant_isolation`` policy a plain range on ``tenant_path`` with bounds from
``current_setting()``. PostgreSQL folds those settings while planning, multiplies the policy's
selectivity into the query's own (identical) tenant filter and estimates one row, so at a million
applications the county queue and the item search walked the ``tenant_path`` index (39.6 and 122 ms
instead of 0.9 and 2.2 ms). This rewrites every policy, whichever branch created it, to the same range
written with the operators ``#>=#`` / ``#<#`` (``core.db.rls``: text_ge / text_lt with the estimator of
``<>``), so the planner estimates from the query's own filter. Visibility is unchanged.

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-11-29
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

from core.db.rls import _VISIBLE, OPERATORS_SQL, VISIBLE, is_postgres

revision = "core_0007"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def _policies() -> list[tuple[str, str]]:
    rows = op.get_bind().execute(text(
        "SELECT tablename, policyname FROM pg_policies "
        "WHERE schemaname = current_schema() AND policyname LIKE '%\\_tenant\\_isolation'"
    ))
    return [(r[0], r[1]) for r in rows]


def _rewrite(form: str) -> None:
    for table, policy in _policies():
        op.execute(f"DROP POLICY {policy} ON {table}")
        op.execute(f"CREATE POLICY {policy} ON {table} USING ({form}) WITH CHECK ({form})")


def upgrade() -> None:
    if not is_postgres(op):
        return
    op.execute(OPERATORS_SQL)
    _rewrite(VISIBLE)


def downgrade() -> None:
    if not is_postgres(op):
        return
    _rewrite(_VISIBLE)  # the operators stay: a plugin branch's policies may still use them
