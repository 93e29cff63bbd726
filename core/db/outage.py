"""Database outages: telling "the database cannot be reached" from a failing statement, and logging an
outage once per interval instead of once per request.

With PostgreSQL down every request, every round of the job runner and every tick of the directory
watcher fails the same way; logged one by one that was ~100,000 traceback lines in 20 s. Every such
failure goes to ``OUTAGE`` instead: the first is logged (warning, one line, no traceback), then one line
per ``interval`` with how many failures it absorbed, and one line when the database answers again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import structlog
from sqlalchemy import exc as sa_exc

log = structlog.get_logger("govhall.database")

RETRY_AFTER_SECONDS = 30  # what a 503 tells clients to wait before trying again
LOG_INTERVAL_SECONDS = 60.0

# PostgreSQL SQLSTATEs of a connection that cannot be made or was lost (class 08), a server shutting
# down or starting (57P01-57P03) and "too many connections" (53300). Deadlocks, lock and statement
# timeouts are errors of one statement, not outages, and stay 500s with their traceback.
_PG_STATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite: the file cannot be opened or read, or another writer kept it locked past the busy timeout.
_SQLITE_NAMES = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_BUSY", "SQLITE_READONLY_DBMOVED")


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be reached (or is saturated), not that a statement
    failed: a refused or lost connection, an exhausted pool, a server shutting down."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pool connection free within pool_timeout
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig: Any = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return str(name).startswith(_SQLITE_NAMES)
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        state = getattr(orig, "sqlstate", None)
        return state is None or str(state).startswith(_PG_STATES)
    return False


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class OutageLog:
    """One log line per outage and interval, whatever the number of failures. Thread-safe."""

    def __init__(self, interval: float = LOG_INTERVAL_SECONDS) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self.since: float | None = None  # monotonic start of the current outage
        self.last_error = ""
        self._logged_at = 0.0
        self._absorbed = 0
        self.failures = 0  # in the current outage

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, where: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.last_error = first_line(exc)
            self.failures += 1
            if self.since is None:
                self.since, self._logged_at, self._absorbed = now, now, 0
                first = True
            elif now - self._logged_at >= self.interval:
                first, self._logged_at = False, now
            else:
                self._absorbed += 1
                return
            absorbed, self._absorbed = self._absorbed, 0
            seconds = round(now - self.since)
        if first:
            log.warning("database.unavailable", where=where, error=self.last_error,
                        detail="answering 503 until the database is back; logged once a minute meanwhile")
        else:
            log.warning("database.still_unavailable", where=where, error=self.last_error, seconds=seconds,
                        failures_since_last_line=absorbed + 1)

    def ok(self) -> None:
        """The database answered: close the outage, if there was one, with one line."""
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            seconds, failures = round(time.monotonic() - self.since), self.failures
            self.since, self.failures, self._absorbed = None, 0, 0
        log.warning("database.recovered", seconds_down=seconds, failures=failures)

    def status(self) -> dict[str, Any]:
        """For operators (/healthz with the health token)."""
        with self._lock:
            if self.since is None:
                return {"down": False}
            return {"down": True, "seconds": round(time.monotonic() - self.since), "failures": self.failures,
                    "error": self.last_error}


OUTAGE = OutageLog()  # one per process: requests, the job runner and the watcher share it
