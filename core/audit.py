"""Append-only, hash-chained audit log of every act of power (accept, approve, deny, alert, grant, toggle).

Each row's hash covers its content and the previous row's hash; ``core_state['audit']`` holds the number
of rows, so ``govhall audit verify`` detects an edited row, a deleted row and a truncated tail. Appends
are serialised (an advisory lock on PostgreSQL, SQLite's single writer otherwise) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.base import Base, PathType, utcnow
from core.tenancy.models import CoreState

GENESIS = "0" * 64
_LOCK_ID = 0x60B4A11  # advisory lock key for appends on PostgreSQL


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100), index=True)
    tenant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tenant_path: Mapped[str] = mapped_column(PathType(), default="", index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[Any] = mapped_column(JSON, default=dict, nullable=True)  # as core_0001 made it
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _naive_utc(at: datetime) -> datetime:
    """SQLite returns naive UTC, PostgreSQL aware in the session's zone: hash one form."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def _digest(prev: str, seq: int, at: datetime, actor: str, action: str, tenant_path: str, target: str,
            details: Any) -> str:
    body = json.dumps([prev, seq, at.isoformat(timespec="microseconds"), actor, action, tenant_path, target,
                       details], ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, *, actor: str, action: str, tenant: Any = None, target: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the act it records)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
    state = session.get(CoreState, "audit", with_for_update=True)
    if state is None:
        state = CoreState(key="audit", version=0)
        session.add(state)
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc())
                           .limit(1)).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = _naive_utc(utcnow())
    path = getattr(tenant, "path", "") or ""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, tenant_id=getattr(tenant, "id", None),
                       tenant_path=path, target=target, details=details, prev_hash=prev,
                       hash=_digest(prev, seq, at, actor, action, path, target, details))
    session.add(entry)
    state.version = seq
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        chunk = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > after)
                                     .order_by(AuditEntry.seq).limit(batch)))
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].seq
        session.expunge_all()


def verify(session: Session, progress: Any = None) -> VerifyResult:
    """Walk the chain; report every edited, missing or reordered row."""
    problems: list[str] = []
    prev, expected, checked = GENESIS, 1, 0
    for row in _rows(session):
        if row.seq != expected:
            problems.append(f"rows {expected}..{row.seq - 1} are missing (deleted)")
            prev = row.prev_hash  # resynchronise to keep reporting later damage
        if row.prev_hash != prev:
            problems.append(f"row {row.seq}: previous-hash link broken")
        at = _naive_utc(row.at)
        digest = _digest(row.prev_hash, row.seq, at, row.actor, row.action, row.tenant_path,
                         row.target, row.details)
        if digest != row.hash:
            problems.append(f"row {row.seq}: content does not match its hash (edited)")
        prev, expected, checked = row.hash, row.seq + 1, checked + 1
        if progress is not None:
            progress(1)
    state = session.get(CoreState, "audit")
    recorded = state.version if state else 0
    if recorded != expected - 1:
        problems.append(f"the log should end at row {recorded} but ends at row {expected - 1} (tail deleted)")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
