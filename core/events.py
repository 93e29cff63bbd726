"""Domain events: written to an outbox in the caller's transaction, delivered to plugins at least once.

``publish`` adds a row to ``outbox_events`` inside the transaction that makes the change, so an event
exists exactly when its change committed. ``dispatch_pending`` (called by the job runner every second,
and directly by tests) hands each pending event to ``govhall_handle_event`` of every plugin enabled at
the event's tenant. Each (event, plugin) delivery runs in its own transaction, scoped to the event's
tenant, that also inserts the ``event_deliveries`` row: a handler's database writes and its delivery
record commit together (exactly-once for database effects), anything else a handler does (mail, HTTP)
is at-least-once, so handlers stay idempotent by event id. See docs/operations.md, "Events".
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.contracts import Event
from core.db.base import Base, BigId, TenantScoped, UTCDateTime, utcnow
from core.db.engine import nested_connections_allowed
from core.db.notify import notify
from core.db.scope import Scope

if TYPE_CHECKING:
    from core.platform import Platform
    from core.tenancy.directory import TenantRef

log = structlog.get_logger(__name__)


def _table(cls: Any) -> Table:
    """The mapped class's Table, typed for Core statements."""
    return cast(Table, cls.__table__)

EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
MAX_BACKOFF_SECONDS = 3600
HANDLER_HOOK = "govhall_handle_event"


class OutboxEvent(TenantScoped, Base):
    """One domain event. Pending while ``dispatched_at`` is null; ``retry_at`` delays a failed one."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        # Only pending rows are indexed, so the dispatcher's scan stays small however long the log grows.
        Index("ix_outbox_events_pending", "id", postgresql_where=text("dispatched_at IS NULL"),
              sqlite_where=text("dispatched_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[Any] = mapped_column(JSON, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EventDelivery(Base):
    """A handler of ``plugin`` committed for ``event_id``; it is never called for that event again."""

    __tablename__ = "event_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "plugin", name="uq_event_deliveries_event_plugin"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox_events.id"), index=True)
    plugin: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EventError(ValueError):
    """``publish`` was called with a malformed type or a payload that is not JSON."""


def publish(session: Session, *, tenant: TenantRef, type: str, payload: dict[str, Any],  # noqa: A002
            actor: str = "") -> int:
    """Write an event to the outbox in the caller's transaction; returns its id.

    ``type`` is ``<plugin>.<entity>.<verb>``; ``payload`` must be a JSON object. The session's scope must
    cover ``tenant`` (the ORM guard refuses the row otherwise).
    """
    if not EVENT_TYPE_RE.match(type or ""):
        raise EventError(f"event type {type!r} must look like plugin.entity.verb")
    if not isinstance(payload, dict):
        raise EventError(f"event payload must be a dict, not {payload.__class__.__name__}")
    try:
        # Round-trip so that what handlers receive is what was stored, and NaN never reaches the database.
        stored = json.loads(json.dumps(payload, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise EventError(f"event payload of {type!r} is not JSON-serialisable: {exc}") from None
    row = OutboxEvent(type=type, tenant_id=tenant.id, tenant_path=tenant.path, payload=stored,
                      actor=actor[:100], occurred_at=utcnow(), attempts=0)
    session.add(row)
    session.flush()
    notify(session, "events")  # wakes listening dispatchers at commit (they poll less while listening)
    return row.id


def publish_rows(session: Session, *, type: str, rows: Select[Any]) -> None:  # noqa: A002
    """Write one ``type`` event per row of ``rows`` in the caller's transaction, with one
    ``INSERT ... SELECT`` (a bulk ``publish`` for thousands of events computed by the database).

    ``rows`` selects exactly ``(tenant_id, tenant_path, payload, actor, occurred_at)``, in that order;
    ``payload`` a JSON object built by the database, ``actor`` at most 100 characters.
    """
    if not EVENT_TYPE_RE.match(type or ""):
        raise EventError(f"event type {type!r} must look like plugin.entity.verb")
    sel = rows.add_columns(literal(type, String()), literal(0, Integer()))
    session.execute(insert(_table(OutboxEvent)).from_select(
        ["tenant_id", "tenant_path", "payload", "actor", "occurred_at", "type", "attempts"], sel))
    notify(session, "events")


# -- dispatch ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Pending:
    id: int
    type: str
    tenant_id: int
    payload: Any
    actor: str
    occurred_at: datetime
    attempts: int


def dispatch_pending(platform: Platform, limit: int = 500, *, now: datetime | None = None) -> int:
    """Deliver pending events (oldest first) to the handlers that have not had them; returns the number
    of successful deliveries. Safe to run in several processes at once on PostgreSQL (rows are claimed
    with ``FOR UPDATE SKIP LOCKED``); on SQLite one process runs it (the app or ``govhall worker``)."""
    handlers = _handlers(platform)
    delivered = 0
    with _claim(platform, limit, now or utcnow()) as (events, finish):
        if not events:
            return 0
        done = _deliveries(platform, [e.id for e in events])
        for ev in events:
            count, errors, complete = _dispatch_one(platform, handlers, ev, done.get(ev.id, set()))
            delivered += count
            finish(ev, errors, complete)
    return delivered


def _handlers(platform: Platform) -> dict[str, Any]:
    """{plugin name: its govhall_handle_event HookImpl}, from the plugin manager itself."""
    caller = getattr(platform.registry.pm.hook, HANDLER_HOOK)
    known = platform.registry.plugins
    return {impl.plugin_name: impl for impl in caller.get_hookimpls() if impl.plugin_name in known}


@contextmanager
def _claim(platform: Platform, limit: int, now: datetime) -> Iterator[tuple[list[_Pending], Any]]:
    """Pending events and a ``finish(event, errors, complete)`` callback that records the outcome.

    PostgreSQL: one transaction holds the row locks while the batch is delivered, so a second process
    skips these rows instead of waiting; the outcome is written in that same transaction. SQLite: a plain
    read, and each outcome in its own short write (holding a read snapshot across writes would fail with
    SQLITE_BUSY_SNAPSHOT), and the outcomes of the batch in one short write at the end; a second SQLite
    process is still safe, only wasteful (see ``_deliver``).
    """
    o = _table(OutboxEvent)
    stmt = (select(o.c.id, o.c.type, o.c.tenant_id, o.c.payload, o.c.actor, o.c.occurred_at, o.c.attempts)
            .where(o.c.dispatched_at.is_(None), (o.c.retry_at.is_(None)) | (o.c.retry_at <= now))
            .order_by(o.c.id).limit(limit))
    if platform.db.is_postgres:
        # The claim stays open while each delivery commits on a connection of its own: two connections
        # per dispatching thread by design (bounded: one dispatcher per runner), not per request.
        with nested_connections_allowed(), platform.db.transaction(Scope.system()) as s:
            _relaxed_commit(s)
            # NO KEY UPDATE: strong enough to make other dispatchers skip these rows, weak enough that
            # the delivery rows' foreign-key checks (KEY SHARE) from the handler transactions don't wait.
            locked = stmt.with_for_update(skip_locked=True, key_share=True)
            rows = [_Pending(*r) for r in s.execute(locked)]
            yield rows, lambda ev, errors, complete: _finish(s, ev, errors, complete)
        return
    with platform.db.session(Scope.system()) as s:
        rows = [_Pending(*r) for r in s.execute(stmt)]
    outcomes: list[tuple[_Pending, list[str], bool]] = []
    yield rows, lambda ev, errors, complete: outcomes.append((ev, errors, complete))
    if outcomes:  # one write for the batch; lost on a crash, the delivery rows stop any re-run
        with platform.db.transaction(Scope.system()) as w:
            for outcome in outcomes:
                _finish(w, *outcome)


def _finish(s: Session, ev: _Pending, errors: list[str], complete: bool) -> None:
    o = _table(OutboxEvent)
    if complete:
        s.execute(update(o).where(o.c.id == ev.id).values(dispatched_at=utcnow()))
        return
    attempts = ev.attempts + 1
    delay = min(2 ** min(attempts, 12), MAX_BACKOFF_SECONDS)
    s.execute(update(o).where(o.c.id == ev.id).values(
        attempts=attempts, last_error="\n\n".join(errors)[-4000:],
        retry_at=utcnow() + timedelta(seconds=delay)))


def _deliveries(platform: Platform, ids: Sequence[int]) -> dict[int, set[str]]:
    d = _table(EventDelivery)
    out: dict[int, set[str]] = {}
    with platform.db.session(Scope.system()) as s:
        for event_id, plugin in s.execute(select(d.c.event_id, d.c.plugin).where(d.c.event_id.in_(ids))):
            out.setdefault(event_id, set()).add(plugin)
    return out


def _dispatch_one(platform: Platform, handlers: dict[str, Any], ev: _Pending,
                  done: set[str]) -> tuple[int, list[str], bool]:
    """(deliveries made, errors, complete) for one event."""
    tenant = platform.directory.by_id.get(ev.tenant_id)
    if tenant is None:  # the tenant was removed or deactivated: nobody is left to deliver to
        log.warning("event.tenant_gone", event_id=ev.id, tenant_id=ev.tenant_id)
        return 0, [], True
    event = Event(id=ev.id, type=ev.type, tenant_id=tenant.id, tenant_path=tenant.path,
                  payload=dict(ev.payload or {}), occurred_at=ev.occurred_at,
                  actor=ev.actor)
    enabled = platform.enabled(tenant)
    count, errors = 0, []
    for plugin in sorted(handlers):
        if plugin not in enabled or plugin in done:
            continue
        # Each handler gets its own plain-dict copy: one plugin's mutation cannot leak into the next,
        # and the payload stays JSON-serialisable (a read-only proxy would not be).
        own = dataclasses.replace(event, payload=copy.deepcopy(event.payload))
        outcome = _deliver(platform, tenant, plugin, handlers[plugin], own)
        if isinstance(outcome, str):
            errors.append(f"{plugin}: {outcome}")
        else:
            count += int(outcome)
    return count, errors, not errors


class _AlreadyDelivered(Exception):
    """Another process committed this (event, plugin) first."""


def _deliver(platform: Platform, tenant: TenantRef, plugin: str, handler: Any, event: Event) -> bool | str:
    """One handler call and its delivery row in one tenant-scoped transaction.

    Returns True when delivered here, False when another process delivered it first, else the error.
    """
    try:
        with platform.db.transaction(tenant.scope) as s:
            _relaxed_commit(s)
            # Insert the delivery first: a second process delivering the same pair blocks here on the
            # unique key (or SQLite's write lock) and then fails, before its handler runs.
            try:
                s.execute(insert(_table(EventDelivery)).values(event_id=event.id, plugin=plugin,
                                                               delivered_at=utcnow()))
            except IntegrityError as exc:
                raise _AlreadyDelivered from exc
            s.info["platform"] = platform  # for handlers that need tenant settings or hooks
            args = {"event": event, "session": s}
            handler.function(*(args[a] for a in handler.argnames))
    except _AlreadyDelivered:
        log.debug("event.already_delivered", event_id=event.id, plugin=plugin)
        return False
    except Exception as exc:  # a failing handler must not stop the other plugins or later events
        log.warning("event.handler_failed", event_id=event.id, type=event.type, plugin=plugin,
                    error=repr(exc))
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return True


def _relaxed_commit(s: Session) -> None:
    """PostgreSQL: don't wait for the WAL flush when this transaction commits. Safe here: a crash can
    only lose a delivery row together with the handler writes it commits with (or a dispatched_at mark),
    and the event, committed durably by its publisher, is then delivered again: at-least-once holds."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL synchronous_commit TO OFF"))


def pending_count(platform: Platform) -> int:
    """Events not yet delivered to every handler (for health checks and ``govhall worker --once``)."""
    from sqlalchemy import func

    o = _table(OutboxEvent)
    with platform.db.session(Scope.system()) as s:
        return int(s.execute(select(func.count()).select_from(o).where(o.c.dispatched_at.is_(None))).scalar()
                   or 0)
