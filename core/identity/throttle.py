"""Login throttling: failures per account name and per address slow down, then lock for a period.

Keys are the submitted user name (whether or not such an account exists) and the client address, so the
answers — delays, the lock message — are the same for a real and an invented account: nothing reveals
which names exist. Locks are written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.identity.models import LoginThrottle

WINDOW = timedelta(minutes=15)  # failures older than this are forgotten
LOCK_FOR = timedelta(minutes=15)
SLOW_AFTER = 3  # failures before answers slow down
DELAY_STEP = 0.25  # seconds added per failure past SLOW_AFTER
MAX_DELAY = 3.0
LOCK_AFTER = {"account": 8, "address": 40, "register": 20}
REGISTER_PREFIX = "register:"  # registrations per client address (core.identity.views.register_page)


@dataclass(frozen=True)
class Verdict:
    locked_until: datetime | None
    delay: float  # seconds to wait before checking the password


def keys_for(username: str, address: str) -> list[str]:
    """The account key (the name as every comparison sees it: core.identity.service.username_key) and
    the address key."""
    return [account_key(username), f"address:{address[:64]}"]


def account_key(username: str) -> str:
    from core.identity.service import username_key

    return f"account:{username_key(username)[:150]}"


def _live(row: LoginThrottle | None, now: datetime) -> LoginThrottle | None:
    if row is None:
        return None
    start = row.window_start
    locked = row.locked_until
    if (locked is None or locked <= now) and start is not None and now - start > WINDOW:
        return None
    return row


def verdict(session: Session, keys: list[str]) -> Verdict:
    now = utcnow()
    locked: datetime | None = None
    failures = 0
    for key in keys:
        row = _live(session.get(LoginThrottle, key), now)
        if row is None:
            continue
        until = row.locked_until
        if until is not None and until > now:
            locked = max(locked, until) if locked else until
        failures = max(failures, row.failures)
    delay = min(MAX_DELAY, max(0, failures - SLOW_AFTER + 1) * DELAY_STEP) if failures >= SLOW_AFTER else 0.0
    return Verdict(locked, delay)


def record_failure(session: Session, keys: list[str], *, address: str) -> bool:
    """Count one failure under every key; lock a key that reaches its limit. True when a lock started."""
    now = utcnow()
    started = False
    for key in keys:
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            session.add(row)
        elif _live(row, now) is None:
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        limit = LOCK_AFTER[key.split(":", 1)[0]]
        until = row.locked_until
        if row.failures >= limit and (until is None or until <= now):
            row.locked_until = now + LOCK_FOR
            started = True
            audit.record(
                session,
                actor="system",
                action="login.locked",
                target=key,
                details={"failures": row.failures, "until": row.locked_until.isoformat(), "address": address},
            )
    session.flush()
    return started


def record_success(session: Session, username_key: str) -> None:
    """A correct password clears that account's own counter — keyed by the account's stored name, so it
    can never be another account's — and never the address's (one account cannot launder an address
    that is guessing others)."""
    row = session.get(LoginThrottle, account_key(username_key))
    if row is not None:
        session.delete(row)
