"""Core: the audit log as one hash chain per tenant, each with its own head row (``audit_chains``).

One global chain made every audited write of the network wait for the longest open transaction that
had audited anything (a 3,000-row credit import held it for 17 s). Each tenant now has its own chain
(``audit_log.chain`` = tenant id, 0 for acts without a tenant) whose head row in ``audit_chains`` is the
only lock an append takes. Rows already written keep their hashes as the legacy chain -1 (the old
all-zero genesis); its head takes the row count ``core_state['audit']`` held, so a tail cut before this
migration is still reported. ``core_state['audit_chains']`` counts the chains, so deleting a whole chain
with its head is reported too. The app role may update heads but never delete them.

Downgrade re-chains every row into one global chain (new sequence numbers and hashes, in id order):
history written after this migration has no single-chain form to go back to.

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-11-29
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None

LEGACY = -1
_ZERO = "0" * 64


def _genesis(chain: int) -> str:  # frozen copy of core.audit.genesis as of this revision
    return _ZERO if chain == LEGACY else hashlib.sha256(f"govhall audit chain {chain}".encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_audit_chains"),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("chain", sa.Integer(), nullable=False, server_default=str(LEGACY)))
        batch.drop_constraint("uq_audit_log_seq", type_="unique")
        batch.create_unique_constraint("uq_audit_log_chain_seq", ["chain", "seq"])
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("chain", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
    conn = op.get_bind()
    heads = _legacy_head(conn)
    tenants = [r[0] for r in conn.execute(sa.text("SELECT id FROM tenants ORDER BY id"))]
    heads += [{"chain": c, "last_seq": 0, "last_hash": _genesis(c)} for c in [0, *tenants]]
    for i in range(0, len(heads), 1000):
        conn.execute(sa.text("INSERT INTO audit_chains (chain, last_seq, last_hash) "
                             "VALUES (:chain, :last_seq, :last_hash)"), heads[i:i + 1000])
    conn.execute(sa.text("DELETE FROM core_state WHERE key IN ('audit', 'audit_chains')"))
    conn.execute(sa.text("INSERT INTO core_state (key, version) VALUES ('audit_chains', :n)"),
                 {"n": len(heads)})
    if conn.dialect.name == "postgresql":
        op.execute("REVOKE DELETE ON audit_chains FROM govhall_app")


def _legacy_head(conn: Any) -> list[dict[str, Any]]:
    counted = conn.execute(sa.text("SELECT version FROM core_state WHERE key = 'audit'")).scalar()
    last = conn.execute(sa.text("SELECT max(seq) FROM audit_log")).scalar()
    if not counted and not last:
        return []
    n = int(counted if counted is not None else last)
    row_hash = conn.execute(sa.text("SELECT hash FROM audit_log WHERE seq = :n"), {"n": n}).scalar()
    return [{"chain": LEGACY, "last_seq": n, "last_hash": row_hash or ""}]


def _digest(prev: str, seq: int, at: datetime, row: Any) -> str:  # frozen copy of core.audit.digest
    if at.tzinfo:
        at = at.astimezone(UTC).replace(tzinfo=None)
    details = json.loads(row.details) if isinstance(row.details, str) else row.details
    body = json.dumps([prev, seq, at.isoformat(timespec="microseconds"), row.actor, row.action,
                       row.tenant_path, row.target, details],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, at, actor, action, tenant_path, target, details "
                                "FROM audit_log ORDER BY id")).all()
    prev = _ZERO
    for seq, row in enumerate(rows, 1):
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
        h = _digest(prev, seq, at, row)
        conn.execute(sa.text("UPDATE audit_log SET seq = :s, chain = :c, prev_hash = :p, hash = :h "
                             "WHERE id = :i"), {"s": -seq, "c": 0, "p": prev, "h": h, "i": row.id})
        prev = h
    conn.execute(sa.text("UPDATE audit_log SET seq = -seq"))
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_log_chain_seq", type_="unique")
        batch.drop_column("chain")
        batch.create_unique_constraint("uq_audit_log_seq", ["seq"])
    conn.execute(sa.text("DELETE FROM core_state WHERE key IN ('audit', 'audit_chains')"))
    if rows:
        conn.execute(sa.text("INSERT INTO core_state (key, version) VALUES ('audit', :n)"), {"n": len(rows)})
    op.drop_table("audit_chains")
