"""The core inbox: messages addressed to a person or a department, and their delivery channels.

Any plugin tells someone something with ``notify`` (exported as ``core.api.notify``) in the transaction
that makes the change. A message is produced once per ``dedupe_key`` at a tenant, so a handler that runs
again for a redelivered event adds nothing. It is written in both languages and carries the recipient's
language (the account's chosen one, else Chinese): the inbox shows the language of the reader, the
outside channels (SMS, e-mail) send the recipient's. The hall plugin's periodic task ``messages`` hands
each new message to a person to the channel providers (``govhall_message_providers``) its tenant's
settings name, once per (message, channel) across all processes (core.delivery) — the inbox itself needs
no provider. A job and not an outbox event: a handler of every event in the hall plugin would add a
delivery transaction to every event.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.contracts import MessageProvider
from core.db.base import Base, BigId, TenantScoped, UTCDateTime, utcnow
from core.errors import Invalid

if TYPE_CHECKING:
    from core.tenancy.directory import TenantRef

__all__ = ["Message", "MessageDelivery", "MessageProvider", "OutgoingMessage", "notify"]
log = structlog.get_logger(__name__)
CHANNELS = ("sms", "email")


class Message(TenantScoped, Base):
    """One message in an inbox: to one account, or to one department of the tenant (a shared inbox)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key", name="uq_messages_tenant_dedupe"),
        Index("ix_messages_account", "to_account_id", "id"),
        Index("ix_messages_department", "to_department_id", "id"),
        # Only messages still to hand to the channels are indexed: the delivery job's scan stays small.
        Index("ix_messages_undelivered", "id", postgresql_where=text("delivered_at IS NULL"),
              sqlite_where=text("delivered_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    to_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    href: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    channels: Mapped[Any] = mapped_column(JSON, default=list)  # outside channels it was handed to
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh-CN" else self.title_en

    def body(self, lang: str) -> str:
        return self.body_zh if lang == "zh-CN" else self.body_en


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel provider sends: already in the recipient's language."""

    message_id: int
    channel: str
    tenant_code: str
    account_id: int
    username: str
    display_name: str
    language: str
    title: str
    body: str
    href: str
    # Stable for this (message, channel) across retries: a provider passes it to the outside service and
    # drops a second send with a key it has already accepted (docs/hooks.md, govhall_message_providers).
    idempotency_key: str = ""


def _limit(value: str, size: int, name: str) -> str:
    value = (value or "").strip()
    if len(value) > size:
        raise Invalid(f"{name} is longer than {size} characters", f"{name} 超过 {size} 个字符",
                      code="message_too_long", fields={name: f"at most {size} characters"})
    return value


def notify(session: Session, *, tenant: TenantRef, kind: str, title_zh: str, title_en: str,
           dedupe_key: str, to_account: int | None = None, to_department: str | None = None,
           body_zh: str = "", body_en: str = "", href: str = "") -> int:
    """Put a message in the inbox of one account or of one department (by code) at ``tenant``, in the
    caller's transaction; returns its id. Produced once: a second call with the same ``dedupe_key`` at
    the same tenant returns the first message's id and changes nothing (name the cause in the key,
    e.g. ``approval.accepted:<event id>`` or ``payment.due:<order id>``). ``href`` is relative to the
    tenant's hall (``/t/{code}/``). The session's scope must cover ``tenant``."""
    if (to_account is None) == (to_department is None):
        raise Invalid("A message goes to an account or to a department", "消息须发给一个账户或一个部门",
                      code="message_recipient")
    key = _limit(dedupe_key, 200, "dedupe_key")
    if not key:
        raise Invalid("A message needs a dedupe key", "消息须有去重键", code="message_dedupe_key")
    found = _existing(session, tenant.id, key)
    if found is not None:
        return found
    department_id = _department_id(session, tenant, to_department) if to_department is not None else None
    row = Message(tenant_id=tenant.id, tenant_path=tenant.path, to_account_id=to_account,
                  to_department_id=department_id, kind=_limit(kind, 64, "kind"),
                  title_zh=_limit(title_zh, 200, "title_zh"), title_en=_limit(title_en, 200, "title_en"),
                  body_zh=body_zh or "", body_en=body_en or "", href=_limit(href, 300, "href"),
                  language=_language_of(session, to_account, tenant), dedupe_key=key, channels=[],
                  created_at=utcnow(), delivered_at=None if to_account is not None else utcnow())
    try:
        with session.begin_nested():  # a concurrent producer of the same key wins; we return its row
            session.add(row)
        _unread_changed(session)
    except IntegrityError:
        found = _existing(session, tenant.id, key)
        if found is None:
            raise
        return found
    return row.id


def _existing(session: Session, tenant_id: int, key: str) -> int | None:
    return session.scalar(select(Message.id).where(Message.tenant_id == tenant_id, Message.dedupe_key == key))


def _department_id(session: Session, tenant: TenantRef, code: str) -> int:
    from core.tenancy.models import Department

    found = session.scalar(select(Department.id).where(Department.tenant_id == tenant.id,
                                                       Department.code == code))
    if found is None:
        raise Invalid(f"No department {code} at {tenant.code}", f"本级没有部门 {code}",
                      code="unknown_department", fields={"to_department": "unknown department"})
    return int(found)


def _language_of(session: Session, account_id: int | None, tenant: TenantRef) -> str:
    from core.identity.models import Account

    chosen = session.scalar(select(Account.language).where(Account.id == account_id)) if account_id else None
    if chosen:
        return str(chosen)
    return "zh-CN"  # the network's default language until the person picks one


def remember_language(platform: Any, account_id: int, lang: str) -> None:
    """The person switched language: later messages to them go out in it (one UPDATE, only on a switch)."""
    from core.db.scope import Scope
    from core.identity.models import Account

    with platform.db.session(Scope.system()) as s:
        s.execute(update(Account).where(Account.id == account_id, or_(Account.language.is_(None),
                                                                      Account.language != lang))
                  .values(language=lang).execution_options(synchronize_session=False))
        s.commit()


# --- reading and marking --------------------------------------------------------------------------------


def _mine(account_id: int, department_ids: Sequence[int] = ()) -> Any:
    who = Message.to_account_id == account_id
    return or_(who, Message.to_department_id.in_(list(department_ids))) if department_ids else who


def inbox(session: Session, account_id: int, *, department_ids: Sequence[int] = (), before: int | None = None,
          limit: int = 50, unread_only: bool = False) -> list[Message]:
    """The account's messages (and its departments'), newest first; ``before`` an id for the next page."""
    q = select(Message).where(_mine(account_id, department_ids))
    if before is not None:
        q = q.where(Message.id < before)
    if unread_only:
        q = q.where(Message.read_at.is_(None))
    return list(session.scalars(q.order_by(Message.id.desc()).limit(limit)))


def unread_count(session: Session, account_id: int, department_ids: Sequence[int] = ()) -> int:
    q = select(func.count()).select_from(Message).where(_mine(account_id, department_ids),
                                                       Message.read_at.is_(None))
    return int(session.scalar(q) or 0)


# The header's unread count is read on every page a signed-in person opens, and most pages read nothing
# else from the database (the hall pages are cached whole): counting on each of them cost two round trips
# and a thread hop per page (docs/benchmarks.md, "Round trips per request"). So the count is kept per
# process for a short while. A change made in this process (a message produced, messages marked read)
# empties the cache at once — and again when its transaction commits, so a count read meanwhile from the
# not-yet-committed state is not kept; one made by another process (the worker) shows within
# UNREAD_TTL seconds.
UNREAD_TTL = 15.0
# (account, staff) -> (count, read at, generation)
_unread_cache: dict[tuple[int, bool], tuple[int, float, int]] = {}
_unread_generation = 0


def _unread_changed(session: Session | None = None) -> None:
    global _unread_generation
    _unread_generation += 1
    _unread_cache.clear()
    if session is not None:
        session.info["govhall_unread_changed"] = True


@event.listens_for(Session, "after_commit")
def _unread_changed_on_commit(session: Session) -> None:
    if session.info.pop("govhall_unread_changed", False):
        _unread_changed()


def cached_unread(account_id: int, staff: bool) -> int | None:
    """The header's count from this process's cache, or None when it must be read (see UNREAD_TTL)."""
    hit = _unread_cache.get((account_id, staff))
    if hit is None or hit[2] != _unread_generation or time.monotonic() - hit[1] > UNREAD_TTL:
        return None
    return hit[0]


def unread_for_header(platform: Any, account_id: int, staff: bool) -> int:
    """The unread count the hall's header shows a signed-in person (with a staff member's departments,
    as the workbench's inbox counts them): one short read under the system scope, then cached."""
    from core.db import Scope

    generation, at = _unread_generation, time.monotonic()
    with platform.db.session(Scope.system()) as s:
        deps = department_ids_of(s, account_id) if staff else []
        count = unread_count(s, account_id, deps)
    if len(_unread_cache) > 10_000:  # bounded: a busy process forgets, it does not grow
        _unread_cache.clear()
    _unread_cache[(account_id, staff)] = (count, at, generation)
    return count


def get(session: Session, message_id: int, account_id: int, department_ids: Sequence[int] = ()) -> Message:
    """One message the account may read; anyone else's answers like a missing one."""
    from core.errors import NotFound

    row = session.scalar(select(Message).where(Message.id == message_id, _mine(account_id, department_ids)))
    if row is None:
        raise NotFound("No such message", "没有这条消息", code="unknown_message")
    return row


def mark_read(session: Session, account_id: int, ids: Sequence[int] | None,
              department_ids: Sequence[int] = ()) -> int:
    """Mark the given messages (all unread ones when ``ids`` is None) read; returns how many changed."""
    q = update(Message).where(_mine(account_id, department_ids), Message.read_at.is_(None))
    if ids is not None:
        q = q.where(Message.id.in_(list(ids)))
    result = session.execute(q.values(read_at=utcnow()).execution_options(synchronize_session=False))
    _unread_changed(session)
    return int(getattr(result, "rowcount", 0) or 0)


def department_ids_of(session: Session, account_id: int) -> list[int]:
    """Departments the staff account belongs to, in every hall it works in (their shared inboxes)."""
    from core.identity.models import StaffMembership

    q = select(StaffMembership.department_id).where(StaffMembership.account_id == account_id,
                                                    StaffMembership.department_id.is_not(None))
    return [int(d) for d in session.scalars(q) if d is not None]


# --- outside channels: the delivery itself is core.delivery --------------------------------------------


class MessageDelivery(TenantScoped, Base):
    """One outside channel of one message (core.delivery): claimed and committed before its provider is
    called, so a channel that went out is never sent again and one that never finished is retried with
    the same idempotency key. ``next_try_at`` is both the lease of a claim and the back-off after a failure;
    ``failed_at`` is set when the delivery gave up after ``core.delivery.MAX_ATTEMPTS``."""

    __tablename__ = "message_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel", name="uq_message_deliveries_message_channel"),
        # The claim's scan: only deliveries still to make are indexed.
        Index("ix_message_deliveries_due", "next_try_at", "id",
              postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
              sqlite_where=text("sent_at IS NULL AND failed_at IS NULL")),
        Index("ix_message_deliveries_failed", "tenant_id", "failed_at",
              postgresql_where=text("failed_at IS NOT NULL"), sqlite_where=text("failed_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id"))
    channel: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


# The keys the development provider has accepted in this process, oldest first (bounded): it honours the
# provider contract the way a real gateway would with its client message ids (docs/hooks.md).
_accepted: OrderedDict[str, None] = OrderedDict()
_accepted_lock = threading.Lock()
ACCEPTED_KEYS = 10_000


def log_provider_send(message: OutgoingMessage) -> None:
    """The development provider: writes the message to the log instead of sending it, once per
    idempotency key (a repeat after a crash between send and record is dropped, as the contract asks)."""
    key = message.idempotency_key
    if key:
        with _accepted_lock:
            repeat = key in _accepted
            _accepted[key] = None
            if len(_accepted) > ACCEPTED_KEYS:
                _accepted.popitem(last=False)
        if repeat:
            log.info("message.repeat_dropped", channel=message.channel, message_id=message.message_id,
                     key=key)
            return
    log.info("message.sent", channel=message.channel, to=message.username, tenant=message.tenant_code,
             message_id=message.message_id, language=message.language, title=message.title, key=key)
