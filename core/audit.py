"""Append-only, hash-chained audit log of every act of power (accept, approve, deny, alert, grant, toggle).

The log is many chains, one per tenant (chain = the tenant's id; 0 for acts with no tenant), so that a
long transaction in one county (a 50,000-row import) never makes a citizen in another county wait: an
append locks only its own chain's head row in ``audit_chains`` until its transaction ends, where one
global lock used to serialise every audited write of the province. Each row's hash covers its content
and the previous row's hash in its chain; a chain starts from a genesis hash derived from its number, so
a row cannot be moved to another chain. Each head holds the chain's last sequence number and hash, and
``core_state['audit_chains']`` the number of chains, so ``govhall audit verify`` (core.audit_verify)
detects an edited row, a deleted row, a cut tail and a deleted chain, in every chain. Rows written
before chains existed form the legacy chain -1 with the old all-zero genesis (migration core_0006).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Integer, String, Table, UniqueConstraint, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.base import Base, PathType, UTCDateTime, utcnow
from core.db.upsert import upsert
from core.tenancy.models import CoreState

LEGACY_GENESIS = "0" * 64
INSTALLATION = 0  # the chain of acts that belong to no tenant
LEGACY = -1  # rows written before the log was split into chains
CHAINS_KEY = "audit_chains"  # core_state counter: how many chains exist


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("chain", "seq", name="uq_audit_log_chain_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100), index=True)
    tenant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The path at the time of the act: hashed, so `tenants move` leaves it as it was (core.tenancy.paths).
    tenant_path: Mapped[str] = mapped_column(PathType(), default="", index=True, info={"history": True})
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[Any] = mapped_column(JSON, default=dict, nullable=True)  # as core_0001 made it
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The head of one chain: where the next entry goes. Its row lock is the chain's append lock."""

    __tablename__ = "audit_chains"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


_HEADS = cast(Table, AuditChain.__table__)


def genesis(chain: int) -> str:
    """The ``prev_hash`` of a chain's first row."""
    if chain == LEGACY:
        return LEGACY_GENESIS
    return hashlib.sha256(f"govhall audit chain {chain}".encode()).hexdigest()


def chain_of(tenant: Any) -> int:
    tenant_id = getattr(tenant, "id", None)
    return INSTALLATION if tenant_id is None else int(tenant_id)


def naive_utc(at: datetime) -> datetime:
    """SQLite returns naive UTC, PostgreSQL aware in the session's zone: hash one form."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


_naive_utc = naive_utc  # the name tests and older callers use


def digest(prev: str, seq: int, at: datetime, actor: str, action: str, tenant_path: str, target: str,
           details: Any) -> str:
    body = json.dumps([prev, seq, at.isoformat(timespec="microseconds"), actor, action, tenant_path, target,
                       details], ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_digest = digest


def record(session: Session, *, actor: str, action: str, tenant: Any = None, target: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to ``tenant``'s chain in the caller's transaction (it commits or rolls back with
    the act it records). Locks that chain's head, and nothing else, until the transaction ends."""
    chain = chain_of(tenant)
    seq, prev = _advance(session, chain)
    at = naive_utc(utcnow())
    path = getattr(tenant, "path", "") or ""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    entry_hash = digest(prev, seq, at, actor, action, path, target, details)
    entry = AuditEntry(chain=chain, seq=seq, at=at, actor=actor, action=action,
                       tenant_id=getattr(tenant, "id", None), tenant_path=path, target=target,
                       details=details, prev_hash=prev, hash=entry_hash)
    session.add(entry)
    heads = _HEADS
    session.execute(update(heads).where(heads.c.chain == chain).values(last_hash=entry_hash))
    session.flush()
    return entry


def record_many(session: Session, *, actor: str, tenant: Any, acts: Sequence[tuple[str, str, dict[str, Any]]]
                ) -> int:
    """Append one entry per ``(action, target, details)`` to ``tenant``'s chain, in order, as ``record``
    would one by one, but with one claim, one INSERT and one head update (bulk imports). Returns the
    number of entries written."""
    if not acts:
        return 0
    chain = chain_of(tenant)
    last, prev = _advance(session, chain, len(acts))
    at = naive_utc(utcnow())
    path = getattr(tenant, "path", "") or ""
    rows = []
    for seq, (action, target, details) in enumerate(acts, last - len(acts) + 1):
        clean = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
        entry_hash = digest(prev, seq, at, actor, action, path, target, clean)
        rows.append({"chain": chain, "seq": seq, "at": at, "actor": actor, "action": action,
                     "tenant_id": getattr(tenant, "id", None), "tenant_path": path, "target": target,
                     "details": clean, "prev_hash": prev, "hash": entry_hash})
        prev = entry_hash
    session.execute(insert(cast(Table, AuditEntry.__table__)), rows)
    session.execute(update(_HEADS).where(_HEADS.c.chain == chain).values(last_hash=prev))
    return len(rows)


def _advance(session: Session, chain: int, n: int = 1) -> tuple[int, str]:
    """Claim the next ``n`` sequence numbers of ``chain``; returns the last of them and the hash the
    first links to. A write first, so the head row is locked (SQLite: the write lock taken) before its
    hash is read, and two appends can never read the same head."""
    heads = _HEADS
    claim = (update(heads).where(heads.c.chain == chain).values(last_seq=heads.c.last_seq + n)
             .returning(heads.c.last_seq, heads.c.last_hash))
    row = session.execute(claim).first()
    if row is None:  # a tenant created outside `tenants apply` (which opens chains in bulk)
        open_chains(session, [chain])
        row = session.execute(claim).one()
    return int(row[0]), str(row[1])


def open_chains(session: Session, chains: Iterable[int]) -> int:
    """Create the heads of chains that do not exist yet and count them; returns how many were created.

    Called by ``tenants apply`` for new tenants, so that a tenant's first audited act does not have to
    take the (global) chain counter's row lock inside what may be a long transaction."""
    heads = _HEADS
    wanted = sorted(set(chains))
    existing: set[int] = set()
    for i in range(0, len(wanted), 1000):
        existing.update(session.scalars(select(heads.c.chain).where(heads.c.chain.in_(wanted[i:i + 1000]))))
    missing = [c for c in wanted if c not in existing]
    created = 0
    for i in range(0, len(missing), 1000):
        rows = [{"chain": c, "last_seq": 0, "last_hash": genesis(c)} for c in missing[i:i + 1000]]
        stmt = _insert_ignore(session, heads).values(rows).returning(heads.c.chain)
        created += len(session.execute(stmt).all())  # rows a concurrent opener inserted are not returned
    if created:
        _count_chains(session, created)
    return created


def _insert_ignore(session: Session, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: a concurrent opener of the same chain wins without an error."""
    return upsert(session, table).on_conflict_do_nothing()


def _count_chains(session: Session, n: int) -> None:
    state = cast(Table, CoreState.__table__)
    result = session.execute(update(state).where(state.c.key == CHAINS_KEY)
                             .values(version=state.c.version + n))
    if not getattr(result, "rowcount", 0):
        session.add(CoreState(key=CHAINS_KEY, version=n))
        session.flush()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]
    chains: int = 0


def verify(session: Session, progress: Any = None) -> VerifyResult:
    """Walk every chain and report what is wrong (core.audit_verify does the walk)."""
    from core.audit_verify import verify as _verify

    return _verify(session, progress)
