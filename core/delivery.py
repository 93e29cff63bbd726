"""Inbox messages handed to the outside channels (SMS, e-mail): each (message, channel) sent once as far
as govhall can know, and none lost.

The hall's periodic task ``messages`` (core.hall) runs ``deliver_pending``. No transaction is held open
across a provider call (the pattern plugins/payment uses for its gateway); each step is its own short one:

1. plan: a new message to a person gets one ``message_deliveries`` row per channel its hall has a
   provider for (INSERT ... ON CONFLICT DO NOTHING on (message_id, channel)); a message with no channel
   is done at once;
2. claim: due rows (not sent, not given up, ``next_try_at`` passed) are locked with SKIP LOCKED
   (PostgreSQL) and taken by one conditional UPDATE that moves ``next_try_at`` a lease ahead and counts
   the attempt. Only the rows it returns are this process's, so two processes never both send one
   (message, channel), with or without the job slot (core.jobs) that already serialises the task;
3. send, then record ``sent_at`` (retried a few times: SQLite answers "database is locked" while another
   writer works) — or the error, with a back-off. After ``MAX_ATTEMPTS`` the delivery gives up
   (``failed_at``): an error in the log and a warning on the hall's console.

A process that dies between claim and record leaves the claim to run out its lease; the next try sends
with the same ``idempotency_key`` (message id + channel, ``idempotency_key``), which a provider passes
to the outside service so that it drops the duplicate. A channel recorded as sent is never tried again,
whatever happens to the message's other channels or to the message's own record. The message is marked
delivered (``delivered_at``, ``channels``) once each of its deliveries is sent or given up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from time import monotonic, sleep
from typing import Any, cast

import structlog
from sqlalchemy import Table, exists, func, select, update
from sqlalchemy.orm import Session

from core.clock import now as clock_now
from core.contracts import MessageProvider
from core.db.scope import Scope
from core.db.upsert import upsert
from core.messages import CHANNELS, Message, MessageDelivery, OutgoingMessage

log = structlog.get_logger(__name__)
BATCH = 200  # new messages planned, and deliveries tried, per run at most
CLAIM_CHUNK = 20  # claimed at once: each of them is sent well within the lease
LEASE = timedelta(minutes=5)  # a claim not recorded by then is taken again (the process died)
MAX_ATTEMPTS = 8  # then give up: 30 s, 1, 2, 4, 8, 16, 32 min between tries (about an hour in all)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
RECORD_TRIES = 4  # recording a send that went out is worth a short wait: not recording it means a resend
GAVE_UP_WINDOW = timedelta(days=7)  # how far back the console counts deliveries that gave up
HOOK = "govhall_message_providers"


def _d() -> Table:
    return cast(Table, MessageDelivery.__table__)


def idempotency_key(message_id: int, created_at: datetime, channel: str) -> str:
    """The key every try of one (message, channel) carries (``OutgoingMessage.idempotency_key``): the
    message id and channel, with the message's creation instant so that ids reused after a database is
    restored or recreated never collide with keys an outside service still remembers."""
    return f"govhall-message-{message_id}-{round(created_at.timestamp() * 1_000_000)}-{channel}"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: doubling from 30 s, at most an hour."""
    return cast(timedelta, min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_MAX))


def channel_providers(platform: Any, tenant: Any) -> dict[str, MessageProvider]:
    """The provider each channel uses at ``tenant``: the one its ``hall.<channel>_provider`` setting names
    among the plugins enabled there. A channel that is missing is off at that hall."""
    enabled = platform.enabled(tenant)
    offered = {(p.channel, p.name): p for plugin, declared in platform.registry.declared(HOOK).items()
               if plugin in enabled for p in declared}
    out: dict[str, MessageProvider] = {}
    for channel in CHANNELS:
        name = platform.tenant_setting(tenant, f"hall.{channel}_provider")
        provider = offered.get((channel, name)) if name else None
        if provider is not None:
            out[channel] = provider
    return out


def send_now(platform: Any, tenant: Any, message: OutgoingMessage) -> bool:
    """Hand ``message`` to the provider of its channel at ``tenant`` now, in the caller's thread (a code a
    person waits for); False when the channel is off there. Raises what the provider raises. The caller
    records what it sends *before* calling (committed) and sets ``idempotency_key`` to that record's."""
    if not message.idempotency_key:
        raise ValueError("send_now needs the idempotency key of the committed record it sends")
    provider = channel_providers(platform, tenant).get(message.channel)
    if provider is None:
        return False
    provider.send(message)
    return True


# -- the run -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    id: int
    message_id: int
    channel: str
    provider: str
    attempts: int
    tenant_id: int


def deliver_pending(platform: Any, *, limit: int = BATCH) -> int:
    """The hall's ``messages`` task: plan new messages, then claim, send and record due deliveries, oldest
    first; returns how many were sent. Opens its own short transactions (never one across a send)."""
    _plan(platform, limit)
    sent, budget = 0, limit
    while budget > 0:
        claimed = _claim(platform, min(CLAIM_CHUNK, budget))
        if not claimed:
            break
        budget -= len(claimed)
        sent += _send_claimed(platform, claimed)
    _guarded("finish", lambda s: _finish(s, clock_now(platform), limit), platform)
    return sent


def _plan(platform: Any, limit: int) -> None:
    from core.identity.models import Account

    at, d = clock_now(platform), _d()
    with platform.db.transaction(Scope.system()) as s:
        rows = s.execute(
            select(Message.id, Message.tenant_id, Message.tenant_path, Account.active)
            .outerjoin(Account, Account.id == Message.to_account_id)
            .where(Message.delivered_at.is_(None), ~exists().where(d.c.message_id == Message.id))
            .order_by(Message.id).limit(limit)).all()
        per_tenant: dict[int, dict[str, MessageProvider]] = {}
        new: list[dict[str, Any]] = []
        nothing: list[int] = []
        for mid, tid, path, active in rows:
            tenant = platform.directory.by_id.get(tid)
            if tid not in per_tenant:
                per_tenant[tid] = channel_providers(platform, tenant) if tenant is not None else {}
            channels = per_tenant[tid] if active else {}  # no account (a department's) or a closed one
            if not channels:
                nothing.append(mid)
            new += [{"tenant_id": tid, "tenant_path": path, "message_id": mid, "channel": c,
                     "provider": p.name, "attempts": 0, "next_try_at": at, "claimed_by": ""}
                    for c, p in channels.items()]
        if new:
            s.execute(upsert(s, d).on_conflict_do_nothing(index_elements=["message_id", "channel"]), new)
        if nothing:
            s.execute(update(Message).where(Message.id.in_(nothing), Message.delivered_at.is_(None))
                      .values(delivered_at=at, channels=[]).execution_options(synchronize_session=False))


def _claim(platform: Any, limit: int) -> list[_Claimed]:
    at, d = clock_now(platform), _d()
    due = (d.c.sent_at.is_(None), d.c.failed_at.is_(None), d.c.next_try_at <= at)
    with platform.db.transaction(Scope.system()) as s:
        # A claim that ran out its lease on its last attempt (the process died each time) gives up here.
        unanswered = func.coalesce(d.c.last_error, "no answer after claim")
        spent = s.execute(update(d).where(*due, d.c.attempts >= MAX_ATTEMPTS)
                          .values(failed_at=at, last_error=unanswered)
                          .returning(d.c.message_id, d.c.channel, d.c.attempts)).all()
        for message_id, channel, attempts in spent:
            log.error("message.delivery_gave_up", message_id=message_id, channel=channel, attempts=attempts,
                      error="no answer after claim")
        # SKIP LOCKED: rows another process is claiming right now are left to it, not waited for.
        ids = list(s.scalars(select(d.c.id).where(*due).order_by(d.c.next_try_at, d.c.id).limit(limit)
                             .with_for_update(skip_locked=True)))
        if not ids:
            return []
        from core.jobs import WORKER_ID

        won = s.execute(update(d).where(d.c.id.in_(ids), *due)
                        .values(attempts=d.c.attempts + 1, claimed_at=at, claimed_by=WORKER_ID,
                                next_try_at=at + LEASE)
                        .returning(d.c.id, d.c.message_id, d.c.channel, d.c.provider, d.c.attempts,
                                   d.c.tenant_id)).all()
    return sorted((_Claimed(*row) for row in won), key=lambda c: (c.message_id, c.channel))


def _send_claimed(platform: Any, claimed: Sequence[_Claimed]) -> int:
    started = monotonic()
    outgoing = _outgoing(platform, claimed)
    sent = 0
    for i, c in enumerate(claimed):
        if monotonic() - started > LEASE.total_seconds() / 2:  # slow provider: don't outrun the lease
            _guarded("release", partial(_release, rest=claimed[i:]), platform)
            break
        message = outgoing.get(c.message_id)
        tenant = platform.directory.by_id.get(c.tenant_id)
        provider = channel_providers(platform, tenant).get(c.channel) if tenant is not None else None
        if message is None:  # its recipient was closed meanwhile: nothing to send, ever
            _guarded("record", partial(_record_failure, platform=platform, c=c, error="recipient inactive",
                                       final=True), platform)
            continue
        try:
            if provider is None or provider.name != c.provider:
                raise LookupError(f"provider {c.provider!r} for {c.channel} is not available at this hall")
            provider.send(_for_channel(message, c))
        except Exception as exc:  # one provider's outage must not hold back the other deliveries
            _guarded("record", partial(_record_failure, platform=platform, c=c, error=repr(exc)), platform)
            continue
        sent += 1
        if not _guarded("record", partial(_call_record_sent, platform=platform, c=c), platform, RECORD_TRIES):
            log.error("message.delivery_unrecorded", message_id=c.message_id, channel=c.channel,
                      detail="sent but not recorded: retried after the lease with the same key")
    return sent


def _outgoing(platform: Any, claimed: Sequence[_Claimed]) -> dict[int, tuple[OutgoingMessage, datetime]]:
    """The claimed messages as providers get them (channel and key completed per delivery), with their
    creation instant (the key's), read before any send; one whose recipient was closed is left out."""
    from core.identity.models import Account

    ids = sorted({c.message_id for c in claimed})
    out: dict[int, tuple[OutgoingMessage, datetime]] = {}
    with platform.db.session(Scope.system()) as s:
        rows = s.execute(select(Message, Account).join(Account, Account.id == Message.to_account_id)
                         .where(Message.id.in_(ids), Account.active.is_(True))).all()
        for m, a in rows:
            tenant = platform.directory.by_id.get(m.tenant_id)
            message = OutgoingMessage(
                message_id=m.id, channel="", tenant_code=tenant.code if tenant is not None else "",
                account_id=a.id, username=a.username, display_name=a.display_name, language=m.language,
                title=m.title(m.language), body=m.body(m.language), href=m.href)
            out[m.id] = (message, m.created_at)
    return out


def _for_channel(message: tuple[OutgoingMessage, datetime], c: _Claimed) -> OutgoingMessage:
    from dataclasses import replace

    return replace(message[0], channel=c.channel,
                   idempotency_key=idempotency_key(c.message_id, message[1], c.channel))


# -- recording ---------------------------------------------------------------------------------------------


def _guarded(what: str, fn: Callable[[Session], Any], platform: Any, tries: int = 1) -> bool:
    """Run ``fn`` in its own transaction, a few times if asked; a failure is logged, never raised: the
    claim's lease and the next run repair what was not written."""
    for attempt in range(1, tries + 1):
        try:
            with platform.db.transaction(Scope.system()) as s:
                fn(s)
            return True
        except Exception as exc:  # "database is locked", a dropped connection: try again, then leave it
            log.warning("message.delivery_write_failed", step=what, attempt=attempt, error=repr(exc))
            if attempt < tries:
                sleep(0.1 * 2 ** attempt)
    return False


def _call_record_sent(s: Session, *, platform: Any, c: _Claimed) -> None:
    _record_sent(s, platform, c)  # looked up at each call: tests make the write fail


def _record_sent(s: Session, platform: Any, c: _Claimed) -> None:
    d = _d()
    s.execute(update(d).where(d.c.id == c.id, d.c.sent_at.is_(None))
              .values(sent_at=clock_now(platform), last_error=None))


def _record_failure(s: Session, platform: Any, c: _Claimed, error: str, *, final: bool = False) -> None:
    at, d = clock_now(platform), _d()
    give_up = final or c.attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[-2000:], "next_try_at": at + backoff(c.attempts)}
    if give_up:
        values["failed_at"] = at
    s.execute(update(d).where(d.c.id == c.id, d.c.sent_at.is_(None)).values(**values))
    if give_up:
        log.error("message.delivery_gave_up", message_id=c.message_id, channel=c.channel,
                  attempts=c.attempts, error=error)
    else:
        log.warning("message.delivery_failed", message_id=c.message_id, channel=c.channel,
                    attempts=c.attempts, retry_at=values["next_try_at"].isoformat(), error=error)


def _release(s: Session, rest: Sequence[_Claimed]) -> None:
    """Claims this run will not get to: due again at once, the attempt not counted."""
    d = _d()
    open_ = (d.c.sent_at.is_(None), d.c.failed_at.is_(None))
    s.execute(update(d).where(d.c.id.in_([c.id for c in rest]), *open_)
              .values(next_try_at=d.c.claimed_at, attempts=d.c.attempts - 1))


def _finish(s: Session, at: datetime, limit: int) -> None:
    """Mark delivered the messages whose every delivery is sent or given up, with the channels sent."""
    d = _d()
    open_ = exists().where(d.c.message_id == Message.id, d.c.sent_at.is_(None), d.c.failed_at.is_(None))
    any_ = exists().where(d.c.message_id == Message.id)
    ids = list(s.scalars(select(Message.id).where(Message.delivered_at.is_(None), any_, ~open_)
                         .order_by(Message.id).limit(limit)))
    if not ids:
        return
    sent: dict[int, list[str]] = {i: [] for i in ids}
    for mid, channel in s.execute(select(d.c.message_id, d.c.channel)
                                  .where(d.c.message_id.in_(ids), d.c.sent_at.is_not(None))):
        sent[mid].append(channel)
    for mid, channels in sent.items():
        s.execute(update(Message).where(Message.id == mid, Message.delivered_at.is_(None))
                  .values(delivered_at=at, channels=sorted(channels))
                  .execution_options(synchronize_session=False))


# -- what an administrator sees ----------------------------------------------------------------------------


def gave_up(s: Session, tenant_id: int, now: datetime) -> tuple[int, Any]:
    """Deliveries at ``tenant_id`` that gave up within GAVE_UP_WINDOW: how many, and the latest
    (channel, failed_at, last_error) — the console's warning."""
    d = _d()
    where = (d.c.tenant_id == tenant_id, d.c.failed_at.is_not(None), d.c.failed_at >= now - GAVE_UP_WINDOW)
    count = int(s.scalar(select(func.count()).select_from(d).where(*where)) or 0)
    latest = s.execute(select(d.c.channel, d.c.failed_at, d.c.last_error).where(*where)
                       .order_by(d.c.failed_at.desc()).limit(1)).first() if count else None
    return count, latest
