"""`govhall audit verify`: the hash chain detects an edited row, a deleted row and a truncated tail."""

from __future__ import annotations

from sqlalchemy import text

from core.db import Scope


def _acts(cli) -> None:
    """Four audited acts through the CLI."""
    for args in (("enable", "credit", "--tenant", "360102"), ("disable", "credit", "--tenant", "360102"),
                 ("enable", "credit", "--tenant", "360103"), ("inherit", "credit", "--tenant", "360103")):
        assert cli("plugins", *args).exit_code == 0


def _raw(platform, sql: str, **params) -> None:
    # As the database owner, outside the app's role: the tampering the chain exists to detect.
    with platform.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _last_seq(platform) -> int:
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(text("SELECT max(seq) FROM audit_log")))


def test_intact_log_verifies(cli, platform):
    _acts(cli)
    r = cli("audit", "verify")
    assert r.exit_code == 0, r.output
    assert "audit log intact" in r.output
    assert _last_seq(platform) >= 4


def test_edited_row_is_named(cli, platform):
    _acts(cli)
    last = _last_seq(platform)
    _raw(platform, "UPDATE audit_log SET actor = 'mallory' WHERE seq = :s", s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"row {last - 1}: content does not match its hash (edited)" in r.output


def test_edited_details_are_detected(cli, platform):
    _acts(cli)
    last = _last_seq(platform)
    _raw(platform, "UPDATE audit_log SET details = :d WHERE seq = :s", d='{"before": "on", "after": "on"}',
         s=last)
    r = cli("audit", "verify")
    assert r.exit_code == 1 and f"row {last}:" in r.output


def test_deleted_row_is_named(cli, platform):
    _acts(cli)
    last = _last_seq(platform)
    _raw(platform, "DELETE FROM audit_log WHERE seq = :s", s=last - 2)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"rows {last - 2}..{last - 2} are missing (deleted)" in r.output


def test_truncated_tail_is_detected(cli, platform):
    _acts(cli)
    last = _last_seq(platform)
    _raw(platform, "DELETE FROM audit_log WHERE seq >= :s", s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"should end at row {last} but ends at row {last - 2} (tail deleted)" in r.output


def test_rewritten_row_with_recomputed_hash_breaks_the_link(cli, platform):
    """Recomputing one row's hash after editing it does not help: the next row's link breaks."""
    from core import audit

    _acts(cli)
    last = _last_seq(platform)
    with platform.db.session(Scope.system()) as s:
        row = s.scalar(audit.AuditEntry.__table__.select().where(audit.AuditEntry.seq == last - 1)
                       .with_only_columns(audit.AuditEntry.id))
        entry = s.get(audit.AuditEntry, row)
        at = audit._naive_utc(entry.at)
        forged = audit._digest(entry.prev_hash, entry.seq, at, "mallory", entry.action, entry.tenant_path,
                               entry.target, entry.details)
    _raw(platform, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = :s", h=forged, s=last - 1)
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert f"row {last}: previous-hash link broken" in r.output
