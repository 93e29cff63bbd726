"""``govhall audit verify``: walk every audit chain and name each edited, deleted or cut-off row.

Checks, per chain: each row's hash against its content, each row's link to the row before it (the
chain's genesis for the first), sequence numbers without gaps, and the last row against the chain's head
(``audit_chains``: a deleted tail leaves the head pointing past the end). Across chains: the number of
heads against ``core_state['audit_chains']`` (a deleted chain, head and rows) and rows without a head.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.audit import (
    CHAINS_KEY,
    INSTALLATION,
    LEGACY,
    AuditChain,
    AuditEntry,
    VerifyResult,
    digest,
    genesis,
    naive_utc,
)
from core.tenancy.models import CoreState, Tenant

_COLUMNS = tuple(AuditEntry.__table__.c[n] for n in (
    "chain", "seq", "at", "actor", "action", "tenant_path", "target", "details", "prev_hash", "hash"))


def _rows(session: Session, batch: int = 5000) -> Iterator[Any]:
    """Every row in (chain, seq) order, in keyset-paginated batches (a million rows stay cheap)."""
    t = AuditEntry.__table__
    after: tuple[int, int] | None = None
    while True:
        stmt = select(*_COLUMNS).order_by(t.c.chain, t.c.seq).limit(batch)
        if after is not None:
            stmt = stmt.where(tuple_(t.c.chain, t.c.seq) > tuple_(*after))
        chunk = session.execute(stmt).all()
        if not chunk:
            return
        yield from chunk
        after = (chunk[-1].chain, chunk[-1].seq)


@dataclass
class _Walk:
    """The state of the walk through one chain."""

    heads: dict[int, tuple[int, str]]
    labels: dict[int, str]
    problems: list[str] = field(default_factory=list)
    chain: int | None = None
    prev: str = ""
    expected: int = 1
    seen: set[int] = field(default_factory=set)

    def label(self, chain: int) -> str:
        return f"chain {self.labels.get(chain, str(chain))}"

    def row(self, r: Any) -> None:
        if r.chain != self.chain:
            self.finish()
            self.chain, self.prev, self.expected = r.chain, genesis(r.chain), 1
            self.seen.add(r.chain)
            if r.chain not in self.heads:
                self.problems.append(f"{self.label(r.chain)}: has rows but no head (its head was deleted)")
        name = self.label(r.chain)
        if r.seq != self.expected:
            self.problems.append(f"{name}: rows {self.expected}..{r.seq - 1} are missing (deleted)")
            self.prev = r.prev_hash  # resynchronise to keep reporting later damage
        if r.prev_hash != self.prev:
            self.problems.append(f"{name}: row {r.seq}: previous-hash link broken")
        if digest(r.prev_hash, r.seq, naive_utc(r.at), r.actor, r.action, r.tenant_path, r.target,
                  r.details) != r.hash:
            self.problems.append(f"{name}: row {r.seq}: content does not match its hash (edited)")
        self.prev, self.expected = r.hash, r.seq + 1

    def finish(self) -> None:
        """Close the chain being walked: its last row must be the one its head names."""
        if self.chain is None or self.chain not in self.heads:
            return
        self._tail(self.chain, self.expected - 1, self.prev)

    def _tail(self, chain: int, last: int, last_hash: str) -> None:
        head_seq, head_hash = self.heads[chain]
        if head_seq != last:
            self.problems.append(f"{self.label(chain)}: the log should end at row {head_seq} but ends at "
                                 f"row {last} (tail deleted)")
        elif last and head_hash != last_hash:
            self.problems.append(f"{self.label(chain)}: row {last} is not the row its head recorded "
                                 "(rewritten)")

    def empty_chains(self) -> None:
        for chain, (head_seq, _hash) in self.heads.items():
            if chain not in self.seen and head_seq:
                self._tail(chain, 0, genesis(chain))


def _labels(session: Session) -> dict[int, str]:
    labels = {INSTALLATION: "installation", LEGACY: "legacy"}
    t = Tenant.__table__
    labels.update({tid: code for tid, code in session.execute(select(t.c.id, t.c.code))})
    return labels


def verify(session: Session, progress: Any = None) -> VerifyResult:
    """Walk every chain; report every edited, missing or reordered row and every missing chain."""
    h = AuditChain.__table__
    heads = {c: (s, hs) for c, s, hs in session.execute(select(h.c.chain, h.c.last_seq, h.c.last_hash))}
    walk = _Walk(heads=heads, labels=_labels(session))
    counted = session.get(CoreState, CHAINS_KEY)
    if (counted.version if counted else 0) != len(heads):
        missing = (counted.version if counted else 0) - len(heads)
        walk.problems.append(f"{missing} audit chain(s) are missing (deleted with their head)" if missing > 0
                             else f"{-missing} audit chain(s) were added outside the log")
    checked = 0
    for r in _rows(session):
        walk.row(r)
        checked += 1
        if progress is not None:
            progress(1)
    walk.finish()
    walk.empty_chains()
    return VerifyResult(ok=not walk.problems, checked=checked, problems=walk.problems, chains=len(heads))
