"""Audit chains per tenant: a long transaction in one county does not hold up an audited write in another
(PostgreSQL, where writers really run side by side), and core_0006 carries an existing log over intact."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from core import audit
from core.db import Database, Scope, migrate
from core.settings import normalise_db_url
from core.tenancy.directory import TenantRef

PG_URL = os.environ.get("GOVHALL_TEST_DATABASE_URL", "").strip()
PROVINCE = TenantRef(1, "360000", "360000", "province", "government", "江西省", "", None)


def _record_with_lock_timeout(platform, code: str) -> None:
    """One audited act in its own transaction that gives up (an error, not a wait) after 2 s on a lock."""
    with platform.db.transaction(Scope.system()) as s:
        s.execute(text("SET LOCAL lock_timeout = '2s'"))
        audit.record(s, actor="t", action="test.other", tenant=platform.directory.get(code))


@pytest.mark.postgres
def test_a_long_transaction_in_one_county_does_not_block_another(platform):
    d = platform.directory
    held, release = threading.Event(), threading.Event()

    def long_import() -> None:  # audits in 360102, then stays open like a 50,000-row import
        with platform.db.transaction(Scope.system()) as s:
            for _ in range(3):
                audit.record(s, actor="t", action="test.import", tenant=d.get("360102"))
            held.set()
            release.wait(30)

    worker = threading.Thread(target=long_import)
    worker.start()
    try:
        assert held.wait(30)
        _record_with_lock_timeout(platform, "360103")  # another county: must not wait for the import
        _record_with_lock_timeout(platform, "360000")  # and the province above it neither
        # The same county does wait: its chain is locked (proof the lock is real, not skipped).
        with pytest.raises(OperationalError, match="lock timeout"):
            _record_with_lock_timeout(platform, "360102")
    finally:
        release.set()
        worker.join()
    with platform.db.session(Scope.system()) as s:
        result = audit.verify(s)
    assert result.ok, result.problems


@pytest.mark.postgres
def test_concurrent_appends_to_one_chain_never_fork(platform):
    tenant = platform.directory.get("360102")

    def append(n: int) -> None:
        for _ in range(n):
            with platform.db.transaction(Scope.system()) as s:
                audit.record(s, actor="t", action="test.race", tenant=tenant)

    threads = [threading.Thread(target=append, args=(15,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with platform.db.session(Scope.system()) as s:
        seqs = s.scalars(text("SELECT seq FROM audit_log WHERE chain = :c ORDER BY seq"),
                         {"c": tenant.id}).all()
        result = audit.verify(s)
    assert seqs == list(range(1, 61))
    assert result.ok, result.problems


# -- core_0006 over a log written before chains existed ----------------------------------------------------

@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    if not PG_URL:
        db = Database(f"sqlite:///{tmp_path / 'legacy.db'}")
        yield db
        db.dispose()
        return
    admin = create_engine(normalise_db_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"govhall_audit_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Database(normalise_db_url(PG_URL).rsplit("/", 1)[0] + f"/{name}")
    yield db
    db.dispose()
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _old_digest(prev: str, seq: int, at: datetime, action: str) -> str:
    """core_0001's chain: one global sequence from an all-zero genesis."""
    body = json.dumps([prev, seq, at.isoformat(timespec="microseconds"), "old", action, "360000", "", {}],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _write_legacy_log(db: Database, n: int) -> None:
    prev = "0" * 64
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO tenants (id, code, path, level, kind, name, name_en, active, "
                          "updated_at) VALUES (1, '360000', '360000', 'province', 'government', "
                          "'江西省', '', true, :t)"),
                     {"t": datetime(2026, 1, 1)})
        for seq in range(1, n + 1):
            at = datetime(2026, 1, 1, 8, 0, seq)
            h = _old_digest(prev, seq, at, f"old.{seq}")
            conn.execute(text("INSERT INTO audit_log (seq, at, actor, action, tenant_id, tenant_path, "
                              "target, details, prev_hash, hash) VALUES (:s, :at, 'old', :a, 1, '360000', "
                              "'', '{}', :p, :h)"),
                         {"s": seq, "at": at, "a": f"old.{seq}", "p": prev, "h": h})
            prev = h
        conn.execute(text("INSERT INTO core_state (key, version) VALUES ('audit', :n)"), {"n": n})


def _verify(db: Database) -> audit.VerifyResult:
    with db.session(Scope.system()) as s:
        return audit.verify(s)


def test_an_existing_log_becomes_the_legacy_chain_and_still_verifies(empty_db):
    cfg = migrate.alembic_config(empty_db, [])
    command.upgrade(cfg, "core_0005")
    _write_legacy_log(empty_db, 5)
    command.upgrade(cfg, "heads")
    result = _verify(empty_db)
    assert result.ok, result.problems
    assert result.checked == 5
    with empty_db.transaction(Scope.system()) as s:  # new acts go to the tenant's own chain
        audit.record(s, actor="new", action="test.new", tenant=PROVINCE)
    assert _verify(empty_db).ok
    with empty_db.engine.begin() as conn:  # a tail cut in the old log is still found
        conn.execute(text("DELETE FROM audit_log WHERE chain = -1 AND seq = 5"))
    problems = _verify(empty_db).problems
    assert "chain legacy: the log should end at row 5 but ends at row 4 (tail deleted)" in problems


def test_downgrade_rechains_every_row_into_one_global_chain(empty_db):
    cfg = migrate.alembic_config(empty_db, [])
    command.upgrade(cfg, "core_0005")
    _write_legacy_log(empty_db, 2)
    command.upgrade(cfg, "heads")
    with empty_db.transaction(Scope.system()) as s:
        for _ in range(2):
            audit.record(s, actor="old", action="test.new", tenant=PROVINCE)
    command.downgrade(cfg, "core_0005")
    with empty_db.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, at, action, prev_hash, hash FROM audit_log ORDER BY seq")).all()
        counted = conn.execute(text("SELECT version FROM core_state WHERE key = 'audit'")).scalar()
    assert [r.seq for r in rows] == [1, 2, 3, 4] and counted == 4
    prev = "0" * 64
    for r in rows:
        assert r.prev_hash == prev
        prev = r.hash
    command.upgrade(cfg, "heads")
    assert _verify(empty_db).ok
