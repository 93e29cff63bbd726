"""PostgreSQL LISTEN/NOTIFY: other processes hear of a version bump or a new event at commit, not at the
next poll.

``bump_version`` (directory, policy, settings) and ``events.publish`` send ``NOTIFY govhall, '<topic>'``
inside the transaction that makes the change, so the notice goes out when (and only if) it commits. Each
serving process keeps one extra connection listening on a thread of its own and reacts at once: reload
the directory or the policy, or wake the event dispatcher. While that connection is up, the once-a-second
polls stand down to a fallback every ``FALLBACK_SECONDS``; when it drops, every poll comes back at its
old rate until it is up again (and on reconnecting everything is re-read once, since notices sent while
it was down are lost). SQLite has no listener: everything polls, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import text

log = structlog.get_logger(__name__)
CHANNEL = "govhall"
FALLBACK_SECONDS = 10.0  # polls still run this often while the listener is up
HEARTBEAT_SECONDS = 1.0  # the listener wakes this often to notice stop requests and stay "fresh"


def notify(session: Any, topic: str) -> None:
    """Announce ``topic`` to every listening process when the session's transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:c, :t)"), {"c": CHANNEL, "t": topic})


class Listener:
    """One LISTEN connection and the thread that waits on it; ``on(topic, fn)`` registers reactions."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._handlers: dict[str, list[Callable[[], None]]] = {}
        self._any: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._alive_at = 0.0
        self.notices = 0

    def on(self, topic: str | None, fn: Callable[[], None]) -> None:
        """Call ``fn`` (on the listener thread) when ``topic`` is notified; ``None``: on every topic."""
        if topic is None:
            self._any.append(fn)
        else:
            self._handlers.setdefault(topic, []).append(fn)

    @property
    def fresh(self) -> bool:
        """The connection is up and was heard from within two heartbeats: notices would have arrived."""
        return time.monotonic() - self._alive_at < 2 * HEARTBEAT_SECONDS

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="govhall-listen", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop listening. Not joined: the thread notices within a heartbeat and closes its connection."""
        self._stop.set()
        self._thread = None
        self._alive_at = 0.0

    def _fire(self, topic: str) -> None:
        for fn in (*self._handlers.get(topic, ()), *self._any):
            try:
                fn()
            except Exception:  # a failed reload is retried by the fallback poll
                log.exception("listen.handler_failed", topic=topic)

    def _fire_all(self) -> None:
        seen: list[Callable[[], None]] = []
        for fn in (*(f for fns in self._handlers.values() for f in fns), *self._any):
            if fn not in seen:
                seen.append(fn)
                try:
                    fn()
                except Exception:
                    log.exception("listen.handler_failed", topic="*")

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                # Keepalives: a peer that vanished without closing the socket is noticed in seconds.
                with psycopg.connect(self.url, autocommit=True, keepalives=1, keepalives_idle=5,
                                     keepalives_interval=1, keepalives_count=3) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._alive_at = time.monotonic()
                    self._fire_all()  # anything may have moved while we were not listening
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=HEARTBEAT_SECONDS, stop_after=100):
                            self.notices += 1
                            self._fire(n.payload)
                        self._alive_at = time.monotonic()
            except Exception as exc:  # the database is restarting or unreachable: poll meanwhile
                self._alive_at = 0.0
                log.warning("listen.disconnected", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
                self._stop.wait(HEARTBEAT_SECONDS)
