"""A request holds one pooled connection (issue #10, item 3): a thread that takes a second connection of
the transaction pool while holding one fails in tests (core.db.engine.one_connection_per_thread, switched
to raise by tests/conftest.py, so every test of the suite is a sweep for the defect); a hook reads in
another scope on the caller's connection through core.db.subsession instead, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.db import Scope, subsession
from core.db.engine import NestedConnectionError, nested_connections_allowed


def test_a_second_pooled_connection_inside_a_transaction_is_refused(platform):
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        s.execute(text("SELECT 1"))
        with pytest.raises(NestedConnectionError), platform.db.session(Scope.system()) as other:
            other.execute(text("SELECT 1"))
    with platform.db.session(Scope.system()) as after:  # released: the next one is fine
        assert after.execute(text("SELECT 1")).scalar() == 1


def test_subsession_reads_another_scope_on_the_same_connection(platform):
    d = platform.directory
    donghu, province = d.get("360102"), d.get("360000")
    with platform.db.transaction(donghu.scope) as s:
        mine = s.connection()
        with subsession(s, province.subtree_scope) as net:
            assert net.connection().connection.dbapi_connection is mine.connection.dbapi_connection
            assert net.execute(text("SELECT count(*) FROM tenants")).scalar() > 100
        assert s.execute(text("SELECT 1")).scalar() == 1  # the caller's transaction goes on


def test_deliberate_nesting_can_be_declared(platform):
    with nested_connections_allowed(), platform.db.transaction(Scope.system()) as s:
        s.execute(text("SELECT 1"))
        with platform.db.session(Scope.system()) as other:
            assert other.execute(text("SELECT 1")).scalar() == 1
