"""`govhall audit verify`: in every chain (one per tenant) the hash chain detects an edited row, a deleted
row and a cut tail; a deleted chain and a rewritten row are detected too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core import audit
from core.db import Scope

# Two counties, two chains: the damage must be found in whichever chain it is done.
CHAINS = ("360102", "360103")


def _acts(cli) -> None:
    """Four audited acts through the CLI in each of two tenants' chains."""
    for code in CHAINS:
        for verb in ("enable", "disable", "enable", "inherit"):
            assert cli("plugins", verb, "credit", "--tenant", code).exit_code == 0


def _raw(platform, sql: str, **params) -> None:
    # As the database owner, outside the app's role: the tampering the chain exists to detect.
    with platform.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _chain(platform, code: str) -> int:
    return platform.directory.get(code).id


def _last_seq(platform, code: str) -> int:
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(text("SELECT max(seq) FROM audit_log WHERE chain = :c"),
                            {"c": _chain(platform, code)}))


def test_intact_log_verifies(cli, platform):
    _acts(cli)
    r = cli("audit", "verify")
    assert r.exit_code == 0, r.output
    assert "audit log intact" in r.output
    assert all(_last_seq(platform, code) == 4 for code in CHAINS)


def test_each_tenant_has_its_own_chain(cli, platform):
    _acts(cli)
    with platform.db.session(Scope.system()) as s:
        rows = s.execute(text("SELECT chain, seq, tenant_path FROM audit_log ORDER BY id")).all()
    for code in CHAINS:
        mine = [r for r in rows if r.chain == _chain(platform, code)]
        assert [r.seq for r in mine] == [1, 2, 3, 4]
        assert all(r.tenant_path.endswith(code) for r in mine)


@pytest.mark.parametrize("code", CHAINS)
def test_edited_row_is_named(cli, platform, code):
    _acts(cli)
    last = _last_seq(platform, code)
    _raw(platform, "UPDATE audit_log SET actor = 'mallory' WHERE chain = :c AND seq = :s",
         c=_chain(platform, code), s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"chain {code}: row {last - 1}: content does not match its hash (edited)" in r.output
    other = next(c for c in CHAINS if c != code)
    assert f"chain {other}:" not in r.output


def test_edited_details_are_detected(cli, platform):
    _acts(cli)
    last = _last_seq(platform, "360103")
    _raw(platform, "UPDATE audit_log SET details = :d WHERE chain = :c AND seq = :s",
         d='{"before": "on", "after": "on"}', c=_chain(platform, "360103"), s=last)
    r = cli("audit", "verify")
    assert r.exit_code == 1 and f"chain 360103: row {last}:" in r.output


@pytest.mark.parametrize("code", CHAINS)
def test_deleted_row_is_named(cli, platform, code):
    _acts(cli)
    last = _last_seq(platform, code)
    _raw(platform, "DELETE FROM audit_log WHERE chain = :c AND seq = :s",
         c=_chain(platform, code), s=last - 2)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"chain {code}: rows {last - 2}..{last - 2} are missing (deleted)" in r.output


@pytest.mark.parametrize("code", CHAINS)
def test_truncated_tail_is_detected(cli, platform, code):
    _acts(cli)
    last = _last_seq(platform, code)
    _raw(platform, "DELETE FROM audit_log WHERE chain = :c AND seq >= :s",
         c=_chain(platform, code), s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert (f"chain {code}: the log should end at row {last} but ends at row {last - 2} (tail deleted)"
            in r.output)


def test_a_whole_chain_cut_to_nothing_is_detected(cli, platform):
    _acts(cli)
    _raw(platform, "DELETE FROM audit_log WHERE chain = :c", c=_chain(platform, "360102"))
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert "chain 360102: the log should end at row 4 but ends at row 0 (tail deleted)" in r.output


def test_a_deleted_chain_with_its_head_is_detected(cli, platform):
    _acts(cli)
    chain = _chain(platform, "360102")
    _raw(platform, "DELETE FROM audit_log WHERE chain = :c", c=chain)
    _raw(platform, "DELETE FROM audit_chains WHERE chain = :c", c=chain)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert "1 audit chain(s) are missing (deleted with their head)" in r.output


def test_rows_whose_head_was_deleted_are_detected(cli, platform):
    _acts(cli)
    _raw(platform, "DELETE FROM audit_chains WHERE chain = :c", c=_chain(platform, "360103"))
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert "chain 360103: has rows but no head (its head was deleted)" in r.output


def test_rewritten_row_with_recomputed_hash_breaks_the_link(cli, platform):
    """Recomputing one row's hash after editing it does not help: the next row's link breaks."""
    _acts(cli)
    chain, last = _chain(platform, "360102"), _last_seq(platform, "360102")
    with platform.db.session(Scope.system()) as s:
        entry = s.scalar(audit.AuditEntry.__table__.select().where(
            audit.AuditEntry.chain == chain, audit.AuditEntry.seq == last - 1)
            .with_only_columns(audit.AuditEntry.id))
        entry = s.get(audit.AuditEntry, entry)
        forged = audit.digest(entry.prev_hash, entry.seq, audit.naive_utc(entry.at), "mallory", entry.action,
                              entry.tenant_path, entry.target, entry.details)
    _raw(platform, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE chain = :c AND seq = :s",
         h=forged, c=chain, s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"chain 360102: row {last}: previous-hash link broken" in r.output


def test_rewritten_last_row_disagrees_with_the_head(cli, platform):
    _acts(cli)
    chain, last = _chain(platform, "360103"), _last_seq(platform, "360103")
    with platform.db.session(Scope.system()) as s:
        entry = s.scalar(audit.AuditEntry.__table__.select().where(
            audit.AuditEntry.chain == chain, audit.AuditEntry.seq == last)
            .with_only_columns(audit.AuditEntry.id))
        entry = s.get(audit.AuditEntry, entry)
        forged = audit.digest(entry.prev_hash, entry.seq, audit.naive_utc(entry.at), "mallory", entry.action,
                              entry.tenant_path, entry.target, entry.details)
    _raw(platform, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE chain = :c AND seq = :s",
         h=forged, c=chain, s=last)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"chain 360103: row {last} is not the row its head recorded (rewritten)" in r.output


def test_a_row_moved_to_another_chain_breaks_both(cli, platform):
    """Chains start from different genesis hashes: a row cannot be carried over to another tenant."""
    _acts(cli)
    a, b = _chain(platform, "360102"), _chain(platform, "360103")
    _raw(platform, "DELETE FROM audit_log WHERE chain = :b AND seq = 1", b=b)
    _raw(platform, "UPDATE audit_log SET chain = :b WHERE chain = :a AND seq = 1", a=a, b=b)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert "chain 360103: row 1: previous-hash link broken" in r.output
    assert "chain 360102: rows 1..1 are missing (deleted)" in r.output


def test_a_tenant_created_outside_apply_gets_its_chain_on_first_use(platform):
    """The first act in a chain nobody opened opens it (and counts it), in the same transaction."""
    d = platform.directory
    chain = d.get("360102").id
    _raw(platform, "DELETE FROM audit_chains WHERE chain = :c", c=chain)
    _raw(platform, "UPDATE core_state SET version = version - 1 WHERE key = 'audit_chains'")
    with platform.db.transaction(Scope.system()) as s:
        audit.record(s, actor="t", action="test.mark", tenant=d.get("360102"))
        audit.record(s, actor="t", action="test.mark", tenant=d.get("360102"))
    with platform.db.session(Scope.system()) as s:
        result = audit.verify(s)
    assert result.ok, result.problems
