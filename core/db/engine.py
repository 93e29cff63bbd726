"""Engine and sessions; every session carries a Scope and is guarded by it.

Data path (see docs/operations.md, "Why a sync engine"): SQLAlchemy 2 sync sessions, psycopg 3 on
PostgreSQL and the stdlib sqlite3 driver on SQLite. One code path serves requests, CLI, jobs and tests.
Requests do their database work in one threadpool hand-off on PostgreSQL and inline on SQLite, where a
query is microseconds and the hand-off would cost more than the query (BASELINES.md: ~2,400 vs ~850 rps).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from core.db.base import TenantScoped
from core.db.counter import count_statements, note, ping_when_idle
from core.db.scope import Scope

T = TypeVar("T")
log = structlog.get_logger(__name__)

RLS_ROLE = "govhall_app"
DB_THREADS = 40  # worker threads for Database.run (Starlette's threadpool default)
_EXECUTOR_LOCK = threading.Lock()


class ScopeError(RuntimeError):
    """A session was used without a scope, or wrote a row outside its scope."""


class Database:
    """Owns the engine and the session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10, pool_timeout: float = 30.0,
                 ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgres = url.startswith("postgresql")
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
            if ":memory:" in url:
                raise ValueError("in-memory SQLite is not supported: every process must see one database")
        else:
            # No pool_pre_ping: it costs a round trip on every checkout. A connection idle for longer than
            # PING_IDLE_SECONDS is pinged instead (ping_when_idle), and a connection that fails mid-request
            # invalidates the pool (SQLAlchemy's disconnect handling), so a restart costs one failed request.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=pool_timeout)
            # Custom plans only. psycopg prepares a statement on its fifth run on a connection, and
            # PostgreSQL may then switch to a generic plan, which cannot see that a tenant-path range
            # keeps a handful of rows: agriculture's public lookup went from 0.3 ms to 535 ms (a scan of
            # every lot of the province) on such a plan. Planning each run costs a fraction of a
            # millisecond; every scoped query of every plugin is safe from the switch.
            kwargs["connect_args"] = {"options": "-c plan_cache_mode=force_custom_plan"}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            ping_when_idle(self.engine)
        one_connection_per_thread(self.engine)
        count_statements(self.engine, autocommit=False, sqlite=self.is_sqlite)
        self._factory = sessionmaker(self.engine, expire_on_commit=False, class_=GuardedSession)
        self._kwargs = kwargs
        self._reader: Engine | None = None
        self._read_factory: sessionmaker[GuardedSession] | None = None
        self._stable_engine: Engine | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def reader(self) -> Engine:
        """An AUTOCOMMIT engine for single-statement reads of core tables keyed by tenant (the hall's
        tenant and department API): no BEGIN/ROLLBACK round trips around the one SELECT (BASELINES.md:
        ~710 -> ~230 µs per checkout + query on PostgreSQL). It runs without a scope and without the
        role switch, so it must never read a tenant-scoped (row-level-secured) table; callers filter by
        tenant explicitly. On SQLite it is an engine of its own over the same file (its own pool, so a
        look-up inside a request's transaction never takes a second connection of the transaction pool).
        """
        if self._reader is None:
            if self.is_sqlite:  # a pool of its own (WAL: readers do not wait for the writer)
                reader = create_engine(self.url, **self._kwargs)
                event.listen(reader, "connect", _sqlite_pragmas)
                count_statements(reader, autocommit=True, sqlite=True)
                self._reader = reader
                return reader
            reader = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                   **{**self._kwargs, "pool_size": 5, "max_overflow": 5})
            ping_when_idle(reader)
            count_statements(reader, autocommit=True, sqlite=False)
            self._reader = reader
        return self._reader

    def read(self, scope: Scope) -> GuardedSession:
        """A read-only session in ``scope`` that sends no BEGIN and no ROLLBACK: what a GET handler uses.

        PostgreSQL: a connection of a pool of its own in AUTOCOMMIT, whose row-level-security settings
        (scope range and role) are set for the connection's session by the first statement of every use
        (``_scope_rls``); nothing else draws from that pool, so no use runs on another's settings. Each
        statement reads its own snapshot, as every statement of a READ COMMITTED transaction does. The
        round trips of a one-row read go from BEGIN, set_config, SELECT, ROLLBACK to set_config, SELECT.
        A flush that would write raises ScopeError. (Session pooling only: behind a transaction-pooling
        PgBouncer, session settings would leak between clients; docs/operations.md.) SQLite: ``session``.
        """
        if not self.is_postgres:
            s = self.session(scope)
        else:
            s = self._reads()()
            s.info["scope"] = scope
            s.info["postgres"] = True
            s.info["autocommit"] = True
        s.info["read_only"] = True
        return s

    def _reads(self) -> sessionmaker[GuardedSession]:
        if self._read_factory is None:
            size = self.engine.pool.size()  # type: ignore[attr-defined]
            engine = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                   **{**self._kwargs, "pool_size": size, "max_overflow": size})
            ping_when_idle(engine)
            count_statements(engine, autocommit=True, sqlite=False)
            self._read_factory = sessionmaker(engine, expire_on_commit=False, class_=GuardedSession)
        return self._read_factory

    def _stable_reads(self) -> Engine:
        """The read pool for statements with one best plan (``read_connection(stable_plan=True)``):
        as ``_reads`` but with PostgreSQL's default plan cache, so a statement psycopg has prepared runs
        on its generic plan instead of being planned again on every run."""
        if self._stable_engine is None:
            size = self.engine.pool.size()  # type: ignore[attr-defined]
            kwargs = {k: v for k, v in self._kwargs.items() if k != "connect_args"}
            engine = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                   **{**kwargs, "pool_size": size, "max_overflow": size})
            ping_when_idle(engine)
            count_statements(engine, autocommit=True, sqlite=False)
            self._stable_engine = engine
        return self._stable_engine

    @contextmanager
    def read_connection(self, scope: Scope, *, stable_plan: bool = False) -> Iterator[Connection]:
        """The leanest scoped read: a Connection of the read pool, its scope and role set as for
        ``read`` — no ORM session, so no guard either: for Core statements built once that carry their
        own tenant filter (the hottest reads, e.g. a handler's case). SQLite: a plain connection.

        ``stable_plan=True`` is for statements whose best plan is the same for every value of their
        parameters — a lookup by key (a primary key, or a foreign key to one row, with the tenant filter),
        or one tenant's equality-filtered index range read in the index's order (the workbench queue) — so
        they may run on a generic plan instead of being planned again on every run. Every other pool plans
        each run afresh (``plan_cache_mode=force_custom_plan``, see ``__init__``), which a tenant-path range
        or a skewed filter needs, but planning cost the case read ~0.1 ms and the workbench's queue
        0.3–0.8 ms of the database's CPU on every request. Measure before passing it: the queue's generic
        plan was as fast or faster than the custom one for a busy county department, a quiet one, an empty
        one and a village at 10,000,000 applications (docs/benchmarks.md, issue #14). Never pass it for a
        statement over a subtree (a range of tenant paths) or with a filter whose selectivity varies.
        """
        if not self.is_postgres:
            with self.engine.connect() as conn:
                yield conn
            return
        engine = self._stable_reads() if stable_plan else self._reads().kw["bind"]
        with engine.connect() as conn:
            set_scope(conn, scope, local=False)
            yield conn

    def session(self, scope: Scope) -> GuardedSession:
        """A new session bound to ``scope``. Use as a context manager; commit explicitly."""
        s = self._factory()
        s.info["scope"] = scope
        s.info["postgres"] = self.is_postgres
        return s

    @contextmanager
    def transaction(self, scope: Scope) -> Iterator[GuardedSession]:
        """A session in a transaction that commits on success and rolls back on error."""
        with self.session(scope) as s, s.begin():
            yield s

    async def run(self, fn: Callable[[], T]) -> T:
        """Run blocking database work from async code: inline on SQLite, on a worker thread otherwise.

        The hand-off is asyncio's own ``run_in_executor`` on a pool of DB_THREADS threads (as many as
        Starlette's default threadpool), with the caller's context variables copied as Starlette's
        ``run_in_threadpool`` copies them (request id, statement tally). anyio's hand-off behind
        ``run_in_threadpool`` — capacity limiter, cancel scope, token checks — cost a handler's case read
        ~60 µs more CPU per request, an eighth of it (docs/benchmarks.md, issue #14). The work runs to its
        end either way: a transaction commits or rolls back on its thread even if the request is gone.
        """
        if self.is_sqlite:
            return fn()
        executor = self._executor
        if executor is None:
            with _EXECUTOR_LOCK:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="govhall-db")
                executor = self._executor
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, contextvars.copy_context().run, fn)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def dispose(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
        self.engine.dispose()
        if self._reader is not None:
            self._reader.dispose()
        if self._read_factory is not None:
            self._read_factory.kw["bind"].dispose()
        if self._stable_engine is not None:
            self._stable_engine.dispose()


class NestedConnectionError(RuntimeError):
    """A thread that holds a pooled connection asked the same pool for another (see subsession)."""


_held: dict[int, int] = {}  # id(connection record) -> thread that checked it out
_held_lock = threading.Lock()
_nesting_allowed = threading.local()
STRICT_NESTING = False  # tests set it (tests/conftest.py): a nested checkout raises instead of logging


@contextmanager
def nested_connections_allowed() -> Iterator[None]:
    """For code that deliberately holds two connections of the transaction pool in one thread (the
    event dispatcher keeps its claim open while each delivery commits on its own)."""
    before = getattr(_nesting_allowed, "on", False)
    _nesting_allowed.on = True
    try:
        yield
    finally:
        _nesting_allowed.on = before


def one_connection_per_thread(engine: Engine) -> None:
    """Notice a thread taking a second connection of the transaction pool while it holds one: under load
    every thread doing so holds one connection and waits for another, and the pool deadlocks until its
    time-out (issue #10, item 3). Raises in tests (STRICT_NESTING), logs in production."""

    @event.listens_for(engine, "checkout")
    def _out(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        me = threading.get_ident()
        with _held_lock:
            nested = me in _held.values() and not getattr(_nesting_allowed, "on", False)
            _held[id(record)] = me
        if nested:
            message = ("a thread holding a pooled connection checked out another: pass the caller's "
                       "session to the hook and read through core.db.subsession(session, scope)")
            if STRICT_NESTING:
                with _held_lock:
                    _held.pop(id(record), None)
                raise NestedConnectionError(message)
            log.warning("db.nested_connection", detail=message)

    @event.listens_for(engine, "checkin")
    def _in(dbapi_conn: Any, record: Any) -> None:
        with _held_lock:
            _held.pop(id(record), None)


@contextmanager
def subsession(session: Session, scope: Scope) -> Iterator[GuardedSession]:
    """Read in another scope on ``session``'s own connection and transaction — never a second pooled
    connection. A request holds one connection; a hook it calls inside its transaction (an acceptance
    check reading across the network) must not wait for another, or concurrent requests holding theirs
    (waiting on a row lock the first one holds) exhaust the pool and stall the whole process.

    On PostgreSQL the sub-session runs in a SAVEPOINT whose row-level-security settings are rolled back
    when the block ends, so the caller's scope is in force again; on SQLite it shares the transaction
    (the ORM guard holds each session to its own scope). For reads: whatever it writes is rolled back on
    PostgreSQL, so return plain values, not objects loaded in it.
    """
    postgres = bool(session.info.get("postgres"))
    sub = GuardedSession(bind=session.connection(), expire_on_commit=False,
                         join_transaction_mode="create_savepoint" if postgres else "rollback_only")
    sub.info["scope"] = scope
    sub.info["postgres"] = postgres
    try:
        yield sub
    finally:
        sub.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside the one writer; busy_timeout waits for the writer instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


class GuardedSession(Session):
    @property
    def scope(self) -> Scope:
        scope = self.info.get("scope")
        if scope is None:
            raise ScopeError("session has no scope")
        return scope  # type: ignore[no-any-return]


@event.listens_for(GuardedSession, "do_orm_execute")
def _scope_reads(state: ORMExecuteState) -> None:
    scope: Scope | None = state.session.info.get("scope")
    if scope is None:
        raise ScopeError("database session used without a scope")
    if scope.is_system or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    path = scope.path
    if scope.subtree:
        hi = path + "0"
        crit = with_loader_criteria(
            TenantScoped, lambda cls: (cls.tenant_path >= path) & (cls.tenant_path < hi), include_aliases=True
        )
    else:
        crit = with_loader_criteria(TenantScoped, lambda cls: cls.tenant_path == path, include_aliases=True)
    state.statement = state.statement.options(crit)


@event.listens_for(GuardedSession, "before_flush")
def _scope_writes(session: Session, _ctx: Any, _instances: Any) -> None:
    scope: Scope | None = session.info.get("scope")
    if scope is None:
        raise ScopeError("database session used without a scope")
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ScopeError("a read session (Database.read) cannot write: use Database.transaction")
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_path is None and not scope.subtree and scope.tenant_id is not None:
            obj.tenant_id, obj.tenant_path = scope.tenant_id, scope.path
        if obj.tenant_path is None or not scope.covers(obj.tenant_path):
            raise ScopeError(f"{type(obj).__name__} for tenant path {obj.tenant_path!r} is outside the "
                             f"session scope {scope.path!r}")


@event.listens_for(GuardedSession, "after_begin")
def _scope_rls(session: Session, _tx: Any, connection: Any) -> None:
    """On PostgreSQL, hand the scope to row-level security for this transaction only (SET LOCAL).

    The scope travels as a half-open range [lo, hi) of tenant paths, so the policy is a plain range
    predicate PostgreSQL can use with the tenant_path index (a CASE over current_setting per row cost
    ~7 µs a row at a million rows). Paths are digits and '/': '/' sorts just below '0'.
    """
    if not session.info.get("postgres"):
        return
    # A transaction's settings end with it (SET LOCAL); a read session's connection is in AUTOCOMMIT, so
    # they are set for the connection's session, role included ('none': back to the login role).
    set_scope(connection, session.info["scope"], local=not session.info.get("autocommit"))


def set_scope(connection: Connection, scope: Scope, *, local: bool) -> None:
    """Send the scope's range (and role) to PostgreSQL for the transaction (``local``) or the session."""
    lo, hi = rls_range(scope)
    role = "none" if scope.is_system else RLS_ROLE
    # On the driver's cursor: this runs at the start of every scoped session, and SQLAlchemy's statement
    # machinery around one fixed SELECT cost more than the round trip itself.
    params: tuple[str | bool, ...]
    fairy: Any = connection.connection  # the pool's handle of the DBAPI connection
    if not local:
        # Session-level settings outlive the checkout: a read connection that already holds this scope
        # (its last use was the same tenant) is not sent it again — a round trip saved on every read of
        # a busy hall. ``info`` lives exactly as long as the DBAPI connection (a reconnect starts empty),
        # and nothing else sets these on a read-pool connection (it is AUTOCOMMIT, so no rollback undoes
        # a setting either); a failed set leaves the key unset, so the next use sends it again.
        if fairy.info.get(_HELD) == (lo, hi, role):
            return
        fairy.info.pop(_HELD, None)
    if scope.is_system and local:
        sql, params = _SET_RANGE, (lo, local, hi, local)
    else:
        sql, params = _SET_SCOPE, (lo, local, hi, local, role, local)
    note("select", sql)
    raw: Any = fairy.dbapi_connection  # psycopg's connection
    with raw.cursor() as cur:
        cur.execute(sql, params)
    if not local:
        fairy.info[_HELD] = (lo, hi, role)


_HELD = "govhall.scope"  # connection info: the (lo, hi, role) a read connection's session holds
_SET_RANGE = "SELECT set_config('govhall.lo', %s, %s), set_config('govhall.hi', %s, %s)"
_SET_SCOPE = ("SELECT set_config('govhall.lo', %s, %s), set_config('govhall.hi', %s, %s), "
              "set_config('role', %s, %s)")


def rls_range(scope: Scope) -> tuple[str, str]:
    """[lo, hi) of the tenant paths a scope covers: one tenant, a subtree, or everything."""
    if scope.is_system:
        return "", "~"
    if scope.subtree:
        return scope.path, scope.path + "0"  # the path itself and every path below it
    return scope.path, scope.path + "/"  # the path itself only (its children start with path + "/")
