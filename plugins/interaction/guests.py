"""A guest's phone number confirmed by a one-time code sent through the hall's SMS provider, and the
limits that keep repeated submissions from one phone, address or account from flooding the duty team."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core.api import DomainError, Invalid, OutgoingMessage, now, send_now
from plugins.interaction.models import PhoneCode, Ticket

log = structlog.get_logger(__name__)
CODE_MINUTES = 10
CODE_TRIES = 5
CODES_PER_HOUR = 5


class TooMany(DomainError):
    """Repeated submissions beyond the tenant's limit: 429, and nothing is written."""

    status = 429
    code = "rate_limited"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class SmsUnavailable(DomainError):
    """The hall's SMS provider failed: no code was sent, none was kept; try again shortly."""

    status = 503
    code = "sms_unavailable"


def send_code(platform: Any, tenant: Any, phone: str, ip: str) -> None:
    """Send a 6-digit code to ``phone`` through the tenant's SMS provider; at most one a minute and
    ``CODES_PER_HOUR`` an hour per phone or address.

    The code is committed before the provider is called, and the SMS carries the code's idempotency key:
    a record that fails after the send can no longer leave the person holding a code that does not exist,
    and a provider that retries sends it once. A provider that fails takes the code back (SmsUnavailable).
    No automatic retry: the person is waiting and asks again (the same outside-call rule as
    core.delivery, without its back-off)."""
    with platform.db.transaction(tenant.scope) as s:
        code_id, code = _new_code(s, platform, tenant, phone, ip)
    try:
        # Sent once, in this request (no retry): the key only has to be unique, also across databases.
        _deliver(platform, tenant, phone, code, f"interaction-code-{code_id}-{secrets.token_hex(8)}")
    except Exception as exc:  # whatever the provider raised: the code is not kept, the person asks again
        log.warning("interaction.sms_failed", tenant=tenant.code, code_id=code_id, error=repr(exc))
        with platform.db.transaction(tenant.scope) as s:
            s.execute(delete(PhoneCode).where(PhoneCode.id == code_id, PhoneCode.tenant_id == tenant.id))
        raise SmsUnavailable(
            "The text message could not be sent; try again in a minute",
            "短信发送失败，请稍后重试",
        ) from None


def _new_code(session: Session, platform: Any, tenant: Any, phone: str, ip: str) -> tuple[int, str]:
    at = now(platform)
    recent = session.scalars(
        select(PhoneCode.created_at).where(
            PhoneCode.tenant_id == tenant.id,
            or_(PhoneCode.phone == phone, PhoneCode.client_ip == ip),
            PhoneCode.created_at >= at - timedelta(hours=1),
        )
    ).all()
    if len(recent) >= CODES_PER_HOUR or any(t >= at - timedelta(minutes=1) for t in recent):
        raise TooMany(
            "Too many codes requested; wait a minute and try again",
            "验证码请求过于频繁，请稍后再试",
            fields={"phone": "too many codes"},
        )
    code = f"{secrets.randbelow(10**6):06d}"
    row = PhoneCode(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        phone=phone,
        code_hash=_hash(code),
        client_ip=ip[:64],
        created_at=at,
        expires_at=at + timedelta(minutes=CODE_MINUTES),
    )
    session.add(row)
    session.flush()
    return row.id, code


def _deliver(platform: Any, tenant: Any, phone: str, code: str, key: str) -> None:
    sent = send_now(
        platform,
        tenant,
        OutgoingMessage(
            message_id=0,
            channel="sms",
            tenant_code=tenant.code,
            account_id=0,
            username=phone,
            display_name=phone,
            language="zh-CN",
            title=f"验证码 {code}",
            body=f"您在{tenant.name}网上办事大厅提交诉求的验证码为 {code}，{CODE_MINUTES} 分钟内有效。",
            href="",
            idempotency_key=key,
        ),
    )
    if not sent:
        log.warning("interaction.sms_provider_missing", tenant=tenant.code)


def check_code(session: Session, platform: Any, tenant: Any, phone: str, code: str) -> None:
    """Consume the newest unexpired code for ``phone`` if it matches; a wrong code counts a try."""
    bad = Invalid(
        "The verification code is wrong or has expired",
        "验证码错误或已过期",
        code="bad_code",
        fields={"code": "wrong or expired"},
        fields_zh={"code": "验证码错误或已过期"},
    )
    if not phone or not code:
        raise Invalid(
            "A guest confirms the phone number with a code",
            "访客须填写手机号并输入验证码",
            code="code_required",
            fields={"code": "required"},
            fields_zh={"code": "必填"},
        )
    row = session.scalars(
        select(PhoneCode)
        .where(
            PhoneCode.tenant_id == tenant.id,
            PhoneCode.phone == phone,
            PhoneCode.used.is_(False),
            PhoneCode.expires_at > now(platform),
        )
        .order_by(PhoneCode.id.desc())
        .limit(1)
    ).first()
    if row is None or row.attempts >= CODE_TRIES:
        raise bad
    if not hmac.compare_digest(row.code_hash, _hash(code)):
        row.attempts += 1
        session.flush()
        raise bad
    row.used = True
    session.flush()


def check_rate(
    session: Session, platform: Any, tenant: Any, *, phone: str, ip: str, account_id: int | None
) -> None:
    """Refuse a submission when the same phone, address or account already submitted the tenant's
    daily limit here in the last 24 hours."""
    limit = int(platform.tenant_setting(tenant, "interaction.daily_submissions"))
    who = [Ticket.client_ip == ip] if ip else []
    if phone:
        who.append(Ticket.phone == phone)
    if account_id is not None:
        who.append(Ticket.account_id == account_id)
    if not who:
        return
    count = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.tenant_id == tenant.id, or_(*who), Ticket.created_at >= now(platform) - timedelta(hours=24)
        )
    )
    if (count or 0) >= limit:
        raise TooMany(
            f"At most {limit} submissions a day from one phone, address or account",
            f"同一手机号、网络地址或账户每天最多提交 {limit} 件诉求，请勿重复提交",
        )


def new_key() -> tuple[str, str]:
    """A guest's follow-up key and its hash (only the hash is stored)."""
    key = secrets.token_urlsafe(18)
    return key, _hash(key)


def key_matches(stored: str, key: str) -> bool:
    return bool(stored) and hmac.compare_digest(stored, _hash(key or ""))
