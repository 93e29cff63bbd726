"""PostgreSQL row-level security for tenant-scoped tables: the third line of tenant isolation.

The app switches to the unprivileged role ``govhall_app`` for every scoped transaction
(core.db.engine), so a query that bypasses the ORM guard still only sees rows of its scope. Superusers
and table owners bypass RLS, which is why the role switch is needed. Call ``enable_rls`` from a
migration after creating a table that uses the TenantScoped mixin; it is a no-op on SQLite.
"""

from __future__ import annotations

from typing import Any

SETUP_SQL = [
    """
    DO $$ BEGIN
      CREATE ROLE govhall_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$
    """,
    "GRANT USAGE ON SCHEMA public TO govhall_app",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO govhall_app",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO govhall_app",
    """
    CREATE OR REPLACE FUNCTION govhall_visible(row_path text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT CASE
        WHEN coalesce(current_setting('govhall.scope', true), '') = '' THEN false
        WHEN current_setting('govhall.scope', true) = '*' THEN true
        WHEN current_setting('govhall.subtree', true) = '1' THEN
             row_path = current_setting('govhall.scope', true)
          OR (row_path >= current_setting('govhall.scope', true) || '/'
              AND row_path < current_setting('govhall.scope', true) || '0')
        ELSE row_path = current_setting('govhall.scope', true)
      END
    $$
    """,
]


def is_postgres(op: Any) -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def setup_rls(op: Any) -> None:
    """Create the app role, its default grants and the visibility function (idempotent)."""
    if not is_postgres(op):
        return
    for sql in SETUP_SQL:
        op.execute(sql)


def enable_rls(op: Any, table: str) -> None:
    """Turn on row-level security for one tenant-scoped table."""
    if not is_postgres(op):
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO govhall_app")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {table}_tenant_isolation ON {table} "
        f"USING (govhall_visible(tenant_path)) WITH CHECK (govhall_visible(tenant_path))"
    )


def disable_rls(op: Any, table: str) -> None:
    if not is_postgres(op):
        return
    op.execute(f"DROP POLICY IF EXISTS {table}_tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
