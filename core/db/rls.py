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
]


# The scope as a half-open range of tenant paths (core.db.engine.rls_range), set per transaction.
# Unset (no scope) both read NULL or '' and nothing is visible.
#
# The policy compares with two operators of our own, #>=# and #<#: the built-in text_ge/text_lt (C
# functions, leakproof, nanoseconds a row) with the selectivity estimator of "<>" (neqsel), so the
# planner counts the policy as keeping ~all rows. Every query also carries the application's own tenant
# filter (the ORM guard, core.db.engine), which the planner estimates from statistics and serves from the
# right index. With the plain range (``_VISIBLE``, core_0004) the planner evaluated current_setting() while
# planning, multiplied the policy's selectivity into the guard's identical filter and estimated one row:
# it then walked the tenant_path index instead of the query's own index (1M applications: queue 0.9 vs
# 39.6 ms, item search 2.2 vs 122 ms; docs/benchmarks.md). Same semantics, same strictness.
OPERATORS_SQL = """
DO $$ BEGIN
  CREATE OPERATOR #>=# (LEFTARG = text, RIGHTARG = text, FUNCTION = text_ge, RESTRICT = neqsel);
EXCEPTION WHEN duplicate_function OR duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
  CREATE OPERATOR #<# (LEFTARG = text, RIGHTARG = text, FUNCTION = text_lt, RESTRICT = neqsel);
EXCEPTION WHEN duplicate_function OR duplicate_object THEN NULL;
END $$
"""
VISIBLE = ("tenant_path #>=# current_setting('govhall.lo', true) "
           "AND tenant_path #<# current_setting('govhall.hi', true)")
# The plain range form of core_0004 (kept: that migration writes it).
_VISIBLE = ("tenant_path >= current_setting('govhall.lo', true) "
            "AND tenant_path < current_setting('govhall.hi', true)")


def is_postgres(op: Any) -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def setup_rls(op: Any) -> None:
    """Create the app role and its default grants (idempotent)."""
    if not is_postgres(op):
        return
    for sql in SETUP_SQL:
        op.execute(sql)


def enable_rls(op: Any, table: str) -> None:
    """Turn on row-level security for one tenant-scoped table."""
    if not is_postgres(op):
        return
    op.execute(OPERATORS_SQL)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO govhall_app")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {table}_tenant_isolation ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
    )


def disable_rls(op: Any, table: str) -> None:
    if not is_postgres(op):
        return
    op.execute(f"DROP POLICY IF EXISTS {table}_tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
