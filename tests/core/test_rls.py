"""Tenant isolation below the routes: the ORM guard (both databases) and PostgreSQL row-level security
(raw SQL that bypasses the guard still sees only its scope).

The probe table is mapped with the TenantScoped mixin like any plugin's table, created in the test's
own database, and kept out of the shared metadata so the models-vs-migrations check ignores it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import Integer, String, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Scope, ScopeError, TenantScoped
from core.db.base import tenant_scoped_tables
from core.db.rls import enable_rls

PG = bool(os.environ.get("GOVHALL_TEST_DATABASE_URL"))


class GuardProbe(TenantScoped, Base):
    __tablename__ = "guard_probe"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(50))


Base.metadata.remove(GuardProbe.__table__)


class _Op:
    """The two things ``enable_rls`` uses of alembic's ``op``, over one connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def get_bind(self) -> Any:
        return self.conn

    def execute(self, sql: str) -> None:
        self.conn.exec_driver_sql(sql)


@pytest.fixture
def probe(platform) -> dict[str, Any]:
    """The probe table with one row in Donghu, one in Xihu and one in a Donghu township."""
    with platform.db.engine.begin() as conn:
        GuardProbe.__table__.create(conn)
        enable_rls(_Op(conn), "guard_probe")
    d = platform.directory
    refs = {c: d.get(c) for c in ("360102", "360103", "360102015")}
    with platform.db.transaction(Scope.system()) as s:
        for code, t in refs.items():
            s.add(GuardProbe(tenant_id=t.id, tenant_path=t.path, title=code))
    return refs


def _titles(session: Any) -> list[str]:
    return sorted(session.scalars(select(GuardProbe.title)))


def test_orm_guard_reads_only_the_scope(platform, probe):
    donghu, xihu = probe["360102"], probe["360103"]
    with platform.db.session(donghu.scope) as s:
        assert _titles(s) == ["360102"]
        xihu_id = s.scalar(select(GuardProbe.id).where(GuardProbe.title == "360103"))
        assert xihu_id is None
    with platform.db.session(Scope.system()) as s:
        xihu_id = s.scalar(select(GuardProbe.id).where(GuardProbe.title == "360103"))
    with platform.db.session(donghu.scope) as s:
        assert s.get(GuardProbe, xihu_id) is None
    with platform.db.session(donghu.subtree_scope) as s:  # only when given explicitly
        assert _titles(s) == ["360102", "360102015"]
    city = platform.directory.get("360100")
    with platform.db.session(city.subtree_scope) as s:
        assert _titles(s) == ["360102", "360102015", "360103"]
    with platform.db.session(xihu.scope) as s:
        assert _titles(s) == ["360103"]


def test_orm_guard_refuses_writes_outside_the_scope(platform, probe):
    donghu, xihu = probe["360102"], probe["360103"]
    with pytest.raises(ScopeError, match="outside the session scope"), \
            platform.db.transaction(donghu.scope) as s:
        s.add(GuardProbe(tenant_id=xihu.id, tenant_path=xihu.path, title="forged"))
    with pytest.raises(ScopeError), platform.db.transaction(donghu.scope) as s:
        row = s.scalars(select(GuardProbe)).one()
        row.tenant_path = xihu.path  # moving a row out of the scope is a write outside it
    with platform.db.transaction(donghu.scope) as s:  # the tenant is filled in from the scope
        s.add(GuardProbe(title="own"))
    with platform.db.transaction(donghu.scope) as s:  # bulk updates are filtered too
        s.execute(update(GuardProbe).values(title="renamed"))
    with platform.db.session(Scope.system()) as s:
        assert _titles(s) == ["360102015", "360103", "renamed", "renamed"]


def test_session_without_scope_is_refused(platform, probe):
    s = platform.db._factory()
    with pytest.raises(ScopeError, match="without a scope"):
        s.scalars(select(GuardProbe)).all()
    s.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG, reason="row-level security exists on PostgreSQL only")
def test_rls_raw_sql_cannot_cross_tenants(platform, probe):
    donghu, xihu = probe["360102"], probe["360103"]
    with platform.db.transaction(donghu.scope) as s:
        assert [r[0] for r in s.execute(text("SELECT title FROM guard_probe ORDER BY title"))] == ["360102"]
        assert s.execute(text("UPDATE guard_probe SET title = 'x' WHERE title = '360103'")).rowcount == 0
        assert s.execute(text("DELETE FROM guard_probe WHERE title = '360103'")).rowcount == 0
    with pytest.raises(DBAPIError, match="row-level security"), platform.db.transaction(donghu.scope) as s:
        s.execute(text("INSERT INTO guard_probe (tenant_id, tenant_path, title) VALUES (:i, :p, 'forged')"),
                  {"i": xihu.id, "p": xihu.path})
    with platform.db.transaction(donghu.subtree_scope) as s:
        seen = sorted(r[0] for r in s.execute(text("SELECT title FROM guard_probe")))
        assert seen == ["360102", "360102015"]
    with platform.db.session(Scope.system()) as s:
        assert _titles(s) == ["360102", "360102015", "360103"]
    # and a connection that never set a scope sees nothing at all as the app role
    with platform.db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE govhall_app")
        assert conn.exec_driver_sql("SELECT count(*) FROM guard_probe").scalar() == 0


@pytest.mark.postgres
@pytest.mark.skipif(not PG, reason="row-level security exists on PostgreSQL only")
def test_every_tenant_scoped_table_has_forced_rls(platform):
    present = set(inspect(platform.db.engine).get_table_names())
    tables = [t for t in tenant_scoped_tables() if t in present]
    assert tables, "no tenant-scoped table is migrated"
    with platform.db.engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = ANY(:t)"),
            {"t": tables}).all())
    missing = sorted(t for t in tables if not rows.get(t))
    assert missing == [], f"tenant-scoped tables without enable_rls(op, table) in their migration: {missing}"


@pytest.mark.postgres
@pytest.mark.skipif(not PG, reason="plan caching is PostgreSQL's")
def test_every_pool_plans_each_statement_for_its_parameters(platform):
    """A prepared statement never falls back to a generic plan that cannot see the scope's range — but
    in the pool for statements declared to have one best plan (``read_connection(stable_plan=True)``)."""
    from core.db import Scope

    with platform.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
    with platform.db.read(Scope.system()) as s:
        assert s.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    with platform.db.reader.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
    with platform.db.read_connection(Scope.system()) as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
    with platform.db.read_connection(Scope.system(), stable_plan=True) as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"


def _read_titles(platform: Any, scope: Scope, **kw: Any) -> list[str]:
    with platform.db.read_connection(scope, **kw) as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM guard_probe"))


@pytest.mark.postgres
@pytest.mark.skipif(not PG, reason="row-level security exists on PostgreSQL only")
@pytest.mark.parametrize("stable_plan", [False, True])
def test_a_read_connection_keeps_its_scope_only_while_it_is_the_same(platform, probe, stable_plan):
    """Read connections keep their scope for the session and are not sent it again while the next use has
    the same one (issue #14: one round trip saved per read); a use with another scope is sent its own, so
    row-level security answers every use with its own tenant — on one connection, in any order."""
    from core.db.counter import counting

    donghu, xihu, town = probe["360102"], probe["360103"], probe["360102015"]
    pool = (platform.db._stable_reads() if stable_plan else platform.db._reads().kw["bind"]).pool
    pool.dispose()
    order = [donghu.scope, donghu.scope, xihu.scope, donghu.scope, donghu.subtree_scope, town.scope,
             Scope.system(), xihu.scope, xihu.scope]
    expected = {donghu.scope: ["360102"], xihu.scope: ["360103"], town.scope: ["360102015"],
                donghu.subtree_scope: ["360102", "360102015"],
                Scope.system(): ["360102", "360102015", "360103"]}
    sent = []
    for scope in order:  # one connection at a time: the pool hands back the same one
        with counting() as tally:
            assert _read_titles(platform, scope, stable_plan=stable_plan) == expected[scope], scope
        sent.append(sum("set_config" in st for st in tally.statements))
    assert sent == [1, 0, 1, 1, 1, 1, 1, 1, 0]
    # A connection the pool replaced (a restart, an invalidation) starts without a scope: it is sent again.
    with platform.db.read_connection(donghu.scope, stable_plan=stable_plan) as conn:
        conn.invalidate()
    with counting() as tally:
        assert _read_titles(platform, xihu.scope, stable_plan=stable_plan) == ["360103"]
    assert sum("set_config" in st for st in tally.statements) == 1
    # And another session on the server changing it behind the pool's back is not a thing govhall does:
    # nothing but set_scope sets these on a read connection (grep: set_config, SET ROLE, RESET).
