"""Cross-process policy changes: the ``policy`` version counter in core_state.

Every grant and revoke bumps it in its own transaction (core.access.grants). Each process polls it —
from the app's watcher loop every ``watch_interval`` and, as a safety net where no loop runs (CLI, jobs),
at most once per interval from a check — and drops its per-version caches when it moved. A poll is one
primary-key read, so no notification can be lost the way a disconnected LISTEN loses it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Database
from core.tenancy.directory import bump_version
from core.tenancy.models import CoreState

POLICY_KEY = "policy"
_VERSION = select(CoreState.__table__.c.version).where(CoreState.__table__.c.key == POLICY_KEY)


def policy_version(session: Session) -> int:
    """Read the counter with a real SELECT (never the session's identity map, which would not move)."""
    value = session.execute(select(CoreState.version).where(CoreState.key == POLICY_KEY)).scalar()
    return int(value or 0)


def read_policy_version(db: Database) -> int:
    """One primary-key read on the AUTOCOMMIT reader (no BEGIN/ROLLBACK around it)."""
    with db.reader.connect() as conn:
        return int(conn.execute(_VERSION).scalar() or 0)


def bump_policy(session: Session) -> None:
    """Announce a policy change to every process; call inside the transaction that makes it."""
    bump_version(session, POLICY_KEY)
