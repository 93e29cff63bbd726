"""The login flow shared by the page and the JSON API: throttle, verify, start a session or a token."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from starlette.requests import Request

from core.db import Scope
from core.errors import DomainError
from core.identity import throttle
from core.identity.models import Account
from core.identity.passwords import hash_password, needs_rehash, verify_password
from core.identity.service import account_by_username
from core.identity.sessions import SESSION_COOKIE, start_session

BAD_LOGIN_EN = "Wrong user name or password"
BAD_LOGIN_ZH = "用户名或密码错误"


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class LoginLocked(DomainError):
    status = 429
    code = "login_locked"


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


@dataclass
class LoggedIn:
    account: Account
    session_token: str


def client_address(request: Request) -> str:
    """The client's address: the peer's, unless the peer is one of the ``trusted_proxies``; then the
    nearest address in ``X-Forwarded-For`` that is not a trusted proxy (each proxy appends the address it
    saw, so the entries right of it are genuine and whatever the client wrote lies left of it)."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(tuple(request.state.ctx.platform.settings["trusted_proxies"]))
    if not networks or not _within(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # not an address: a proxy did not write this
                return peer
    return hops[0][:64] if hops else peer


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(str(v), strict=False) for v in values)


def _within(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a local path may follow a login: no scheme, no host, no '//' or backslash tricks."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return default
    return value


def _verify(platform: Any, creds: Credentials, keys: list[str], address: str) -> Account:
    with platform.db.transaction(Scope.system()) as s:
        account = account_by_username(s, creds.username)
        ok = verify_password(account.password_hash if account else None, creds.password)
        if ok and account is not None and account.active:
            throttle.record_success(s, account.username_key)
            if needs_rehash(account.password_hash):
                account.password_hash = hash_password(creds.password)
            return account
    with platform.db.transaction(Scope.system()) as s:
        throttle.record_failure(s, keys, address=address)
    raise LoginFailed(BAD_LOGIN_EN, BAD_LOGIN_ZH, fields={"password": BAD_LOGIN_ZH + " / " + BAD_LOGIN_EN})


async def authenticate_password(request: Request, creds: Credentials) -> Account:
    """Check a user name and password under the throttle. The answers for an unknown account and a wrong
    password are the same, in words and in time."""
    platform = request.state.ctx.platform
    address = client_address(request)
    keys = throttle.keys_for(creds.username, address)

    def check_lock() -> throttle.Verdict:
        with platform.db.session(Scope.system()) as s:
            return throttle.verdict(s, keys)

    verdict = await platform.db.run(check_lock)
    if verdict.locked_until is not None:
        raise LoginLocked(
            "Too many failed attempts; try again later",
            "登录失败次数过多，请稍后再试",
            fields={"username": "locked until " + verdict.locked_until.strftime("%H:%M UTC")},
        )
    if verdict.delay:
        await asyncio.sleep(verdict.delay)
    return await platform.db.run(lambda: _verify(platform, creds, keys, address))


async def open_session(request: Request, account: Account) -> str:
    """Rotate: revoke whatever session the client came with and start a new one."""
    platform = request.state.ctx.platform

    def start() -> str:
        with platform.db.transaction(Scope.system()) as s:
            return start_session(
                s,
                account,
                days=platform.settings["session_days"],
                address=client_address(request),
                user_agent=request.headers.get("user-agent", ""),
                replaces=request.cookies.get(SESSION_COOKIE),
            )

    return await platform.db.run(start)


def session_cookie(platform: Any, raw: str) -> dict[str, Any]:
    """Keyword arguments for Response.set_cookie: one cookie for every hall (path /)."""
    return {
        "key": SESSION_COOKIE,
        "value": raw,
        "max_age": platform.settings["session_days"] * 86400,
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": bool(platform.settings["https"]),
    }
