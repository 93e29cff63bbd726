"""Round trips to the database per request, and the connection health check that replaces pre-ping.

``counting()`` opens a tally in the current context (the request middleware does, and logs it as ``sql``
on the request line); every statement, BEGIN, COMMIT, ROLLBACK and health ping made in that context — in
the threadpool too, which runs in a copy of it — adds one. tests/core/test_statements.py pins the
counts per route, so a round trip added to an authenticated path fails a test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event, exc

PING_IDLE_SECONDS = 10.0  # a pooled connection unused for longer is pinged before it is handed out


@dataclass
class Tally:
    """What one context sent to the database: ``n`` round trips, ``kinds`` by kind. A tally opened inside
    another adds to both (a test wrapped around the app sees what the request's own tally sees)."""

    n: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)
    parent: Tally | None = None

    def add(self, kind: str, statement: str = "") -> None:
        tally: Tally | None = self
        while tally is not None:
            tally.n += 1
            tally.kinds[kind] = tally.kinds.get(kind, 0) + 1
            if len(tally.statements) < 50:
                tally.statements.append(statement or kind.upper())
            tally = tally.parent


_current: ContextVar[Tally | None] = ContextVar("govhall_sql_tally", default=None)


@contextmanager
def counting() -> Iterator[Tally]:
    """Count the round trips made in this context until the block ends."""
    tally = Tally(parent=_current.get())
    token = _current.set(tally)
    try:
        yield tally
    finally:
        _current.reset(token)


def open_tally() -> tuple[Tally, Token[Tally | None]]:
    """``counting()`` without the generator: the request middleware's per-request tally; pass the token
    to ``close_tally`` when the request is done."""
    tally = Tally(parent=_current.get())
    return tally, _current.set(tally)


def close_tally(token: Token[Tally | None]) -> None:
    _current.reset(token)


def current() -> Tally | None:
    return _current.get()


def note(kind: str, statement: str = "") -> None:
    """Count one round trip sent past SQLAlchemy's statement events (e.g. on the driver's cursor)."""
    tally = _current.get()
    if tally is not None:
        tally.add(kind, statement)


def count_statements(engine: Engine, *, autocommit: bool, sqlite: bool) -> None:
    """Add the engine's round trips to the current tally. On an AUTOCOMMIT engine and on SQLite (where
    the driver begins a transaction only before a write, in process) BEGIN/COMMIT/ROLLBACK send nothing."""

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if _current.get() is not None:
            note(statement.lstrip().split(None, 1)[0].lower(), " ".join(statement.split())[:160])

    if autocommit or sqlite:
        return
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, lambda conn, kind=name: note(kind))

    @event.listens_for(engine, "reset")
    def _reset(dbapi_conn: Any, record: Any, state: Any) -> None:
        # A session closed without commit or rollback: the pool rolls back on return. psycopg sends the
        # ROLLBACK only when a transaction is open (status 0 is idle).
        if getattr(dbapi_conn.info, "transaction_status", 0) != 0:
            note("rollback")


def ping_when_idle(engine: Engine, idle: float = PING_IDLE_SECONDS) -> None:
    """Ping a pooled connection before handing it out only if it sat unused for ``idle`` seconds; a dead
    one is replaced (DisconnectionError makes the pool retry with a fresh connection). Busy connections
    are not pinged: pre-ping on every checkout was one round trip per request."""

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle:
            return
        note("ping")
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as e:  # any failure to answer means: do not use this connection
            raise exc.DisconnectionError(f"stale pooled connection: {e}") from e
        if not alive:
            raise exc.DisconnectionError("stale pooled connection")
