"""Core: row-level security policies as a tenant-path range (index-friendly), replacing the function form.

Databases migrated before this change carry policies ``USING (govhall_visible(tenant_path))``, which read
the scope settings once per row (~7 µs a row at a million rows) and read settings the engine no longer
sets (it now sets ``govhall.lo``/``govhall.hi``, see core.db.engine.rls_range). This rewrites every
``*_tenant_isolation`` policy, whichever branch created it, to the range form ``core.db.rls`` now
creates, and drops the old function. A fresh database already has the range form: nothing to rewrite.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

from core.db.rls import _VISIBLE, is_postgres

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None

_OLD = "govhall_visible(tenant_path)"


def _policies() -> list[tuple[str, str]]:
    rows = op.get_bind().execute(text(
        "SELECT tablename, policyname FROM pg_policies "
        "WHERE schemaname = current_schema() AND policyname LIKE '%\\_tenant\\_isolation'"
    ))
    return [(r[0], r[1]) for r in rows]


def upgrade() -> None:
    if not is_postgres(op):
        return
    for table, policy in _policies():
        op.execute(f"DROP POLICY {policy} ON {table}")
        op.execute(f"CREATE POLICY {policy} ON {table} USING ({_VISIBLE}) WITH CHECK ({_VISIBLE})")
    op.execute("DROP FUNCTION IF EXISTS govhall_visible(text)")


def downgrade() -> None:
    if not is_postgres(op):
        return
    op.execute("""
    CREATE OR REPLACE FUNCTION govhall_visible(row_path text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT row_path >= current_setting('govhall.lo', true)
         AND row_path < current_setting('govhall.hi', true)
    $$
    """)
    for table, policy in _policies():
        op.execute(f"DROP POLICY {policy} ON {table}")
        op.execute(f"CREATE POLICY {policy} ON {table} USING ({_OLD}) WITH CHECK ({_OLD})")
