"""Server-side login sessions and bearer API tokens, and ``authenticate(request) -> Actor``.

The cookie (or bearer token) is a random secret; the database keeps only its SHA-256, so a stolen copy
of the table opens nothing. Authentication is one indexed lookup, fronted by a tiny per-process cache
(``CACHE_SECONDS``): logging out drops the entry here at once, and other processes within the TTL.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.requests import Request

from core.db import Scope, utcnow
from core.errors import Conflict, Invalid, NotFound
from core.identity.actor import GUEST, Actor, ActorKind
from core.identity.models import Account, ApiToken, LoginSession

SESSION_COOKIE = "govhall_session"
TOKEN_PREFIX = "ghx_"
CACHE_SECONDS = 1.0
TOUCH_EVERY = timedelta(hours=1)  # last-use writes at most hourly: a read-only request stays read-only


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- sessions --------------------------------------------------------------------------------------------


def start_session(
    session: Session,
    account: Account,
    *,
    days: int,
    address: str = "",
    user_agent: str = "",
    replaces: str | None = None,
) -> str:
    """A new session for ``account``; returns the cookie value. ``replaces`` (the raw cookie the client
    came with) is revoked, so a session id planted before login is worthless after it (no fixation)."""
    if replaces:
        revoke_session(session, replaces)
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=digest(raw),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            address=address[:64],
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return raw


def revoke_session(session: Session, raw: str) -> bool:
    hashed = digest(raw)
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == hashed, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _cache.drop(hashed)
    return bool(getattr(result, "rowcount", 0))


def revoke_all_sessions(session: Session, account_id: int) -> int:
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _cache.clear()
    return int(getattr(result, "rowcount", 0))


# -- API tokens ------------------------------------------------------------------------------------------


def create_token(
    session: Session, account: Account, *, name: str, scopes: list[str], days: int, known_permissions: Any
) -> tuple[ApiToken, str]:
    """A named bearer token; returns (row, raw token). The raw token is shown once and never stored."""
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise Invalid(
            "a token name of 1-64 characters is required",
            "请填写令牌名称（1 至 64 字）",
            fields={"name": "required"},
        )
    if not 1 <= days <= 366:
        raise Invalid("a token lasts 1-366 days", "令牌有效期为 1 至 366 天", fields={"days": "1-366"})
    scopes = sorted(set(scopes)) or ["*"]
    unknown = [s for s in scopes if s != "*" and s not in known_permissions]
    if unknown:
        raise Invalid(
            f"unknown permissions in scopes: {', '.join(unknown)}",
            "令牌范围含有未声明的权限",
            fields={"scopes": ", ".join(unknown)},
        )
    if session.scalar(
        select(ApiToken.id).where(
            ApiToken.account_id == account.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ):
        raise Conflict(
            f"{account.username} already has a token named {name!r}",
            "已存在同名令牌",
            fields={"name": "taken"},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=digest(raw),
        account_id=account.id,
        name=name,
        scopes=scopes,
        expires_at=utcnow() + timedelta(days=days),
    )
    stale = session.scalar(select(ApiToken).where(ApiToken.account_id == account.id, ApiToken.name == name))
    if stale is not None:  # a revoked token's name may be reused
        session.delete(stale)
        session.flush()
    session.add(row)
    session.flush()
    return row, raw


def revoke_token(session: Session, account: Account, name: str) -> None:
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.account_id == account.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        raise NotFound(
            f"{account.username} has no active token named {name!r}", "没有该令牌", fields={"name": "unknown"}
        )
    row.revoked_at = utcnow()
    _cache.drop(row.token_hash)


def tokens_of(session: Session, account: Account) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.account_id == account.id).order_by(ApiToken.name))
    )


# -- authentication --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    actor: Actor
    until: float  # monotonic time this cache entry may be used until


class _ActorCache:
    """hash -> Actor for ``CACHE_SECONDS``; dropped at once on logout in this process."""

    def __init__(self) -> None:
        self._items: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, hashed: str) -> Actor | None:
        entry = self._items.get(hashed)
        if entry is None or entry.until < time.monotonic():
            return None
        return entry.actor

    def put(self, hashed: str, actor: Actor) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[hashed] = _Entry(actor, time.monotonic() + CACHE_SECONDS)

    def drop(self, hashed: str) -> None:
        self._items.pop(hashed, None)

    def clear(self) -> None:
        self._items.clear()


_cache = _ActorCache()


def _actor_of(account: Account, **extra: Any) -> Actor:
    return Actor(
        account_id=account.id,
        kind=cast(ActorKind, account.kind),
        display_name=account.display_name,
        username=account.username,
        id_number=account.id_number or "",
        **extra,
    )


def lookup_session(db: Any, raw: str, days: int) -> Actor:
    hashed = digest(raw)
    cached = _cache.get(hashed)
    if cached is not None:
        return cached
    now = utcnow()
    with db.session(Scope.system()) as s:
        row = s.execute(
            select(LoginSession, Account)
            .join(Account, Account.id == LoginSession.account_id)
            .where(LoginSession.token_hash == hashed)
        ).first()
        if row is None:
            return GUEST
        ls, account = row
        if ls.revoked_at is not None or ls.expires_at <= now or not account.active:
            return GUEST
        if now - ls.last_seen_at >= TOUCH_EVERY:  # sliding expiry, written rarely
            ls.last_seen_at, ls.expires_at = now, now + timedelta(days=days)
            s.commit()
    actor = _actor_of(account, session_id=hashed)
    _cache.put(hashed, actor)
    return actor


def lookup_token(db: Any, raw: str) -> Actor | None:
    """The actor a bearer token stands for, or None when it is unknown, expired or revoked."""
    hashed = digest(raw)
    cached = _cache.get(hashed)
    if cached is not None:
        return cached
    with db.session(Scope.system()) as s:
        row = s.execute(
            select(ApiToken, Account)
            .join(Account, Account.id == ApiToken.account_id)
            .where(ApiToken.token_hash == hashed)
        ).first()
        if row is None:
            return None
        token, account = row
        if token.revoked_at is not None or token.expires_at <= utcnow() or not account.active:
            return None
        actor = _actor_of(account, token_id=token.id, token_scopes=tuple(token.scopes or ("*",)))
    _cache.put(hashed, actor)
    return actor


def make_authenticate(platform: Any) -> Any:
    """``authenticate(request) -> Actor``: bearer token under /api/, the session cookie everywhere."""
    db = platform.db
    days = platform.settings["session_days"]

    async def authenticate(request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer " and request.scope["path"].startswith("/api/"):
            raw_token = header[7:].strip()
            # A cached actor is answered here, without a threadpool hand-off for a dict look-up.
            actor = _cache.get(digest(raw_token)) or await db.run(lambda: lookup_token(db, raw_token))
            # A wrong token is not the same as no token: it must not fall back to a cookie session.
            return actor if actor is not None else Actor(None, "guest", GUEST.display_name, token_id=-1)
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw or len(raw) > 100:
            return GUEST
        return _cache.get(digest(raw)) or await db.run(lambda: lookup_session(db, raw, days))

    return authenticate
