"""Periodic tasks that run once across all processes, and the runner that drives them and the outbox.

Each ``PeriodicTask`` (``govhall_periodic_tasks``) runs once per time slot, ``slot = epoch // every_seconds``,
for the whole installation or, with ``per_tenant``, for each tenant where its plugin is enabled. A slot
is claimed in ``job_runs`` with one conditional ``UPDATE ... SET last_slot = :slot WHERE last_slot < :slot
RETURNING tenant_id``: on PostgreSQL a concurrent claimer blocks on the row and then finds the condition
false; on SQLite writers are serialised. So two processes never run the same (task, tenant, slot). A
claimed run that fails is logged and recorded; the next slot runs again (at-most-once per slot, no
pile-up of missed runs). Why this and not procrastinate: docs/operations.md, "Jobs".
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.contracts import PeriodicTask
from core.db.base import Base, UTCDateTime, utcnow
from core.db.notify import FALLBACK_SECONDS
from core.db.outage import OUTAGE, is_unavailable
from core.db.scope import Scope
from core.db.upsert import upsert

if TYPE_CHECKING:
    from core.platform import Platform
    from core.tenancy.directory import TenantRef

log = structlog.get_logger(__name__)


def _table(cls: Any) -> Table:
    """The mapped class's Table, typed for Core statements."""
    return cast(Table, cls.__table__)

INSTALLATION = 0  # tenant_id of a task that runs once for the whole installation
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:100]


class JobRun(Base):
    """The last slot claimed for one (task, tenant); one row per pair, updated in place."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("task", "tenant_id", name="uq_job_runs_task_tenant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    tenant_id: Mapped[int] = mapped_column(Integer, default=INSTALLATION)
    last_slot: Mapped[int] = mapped_column(BigInteger, default=-1)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


def run_due(platform: Platform, now: datetime | None = None) -> list[str]:
    """Run every task whose current slot nobody has claimed yet; returns what ran here, as
    ``plugin.task`` (installation-wide) or ``plugin.task@code`` (per tenant)."""
    now = now or utcnow()
    seen = platform.job_slots
    ran: list[str] = []
    for plugin, tasks in platform.registry.periodic_tasks.items():
        for task in tasks:
            name = f"{plugin}.{task.name}"
            slot = int(now.timestamp()) // max(1, int(task.every_seconds))
            if seen.get(name) == slot:  # this process already claimed or lost this slot: no query
                continue
            ran += _run_slot(platform, plugin, name, task, slot, now)
            seen[name] = slot
    return ran


def _run_slot(platform: Platform, plugin: str, name: str, task: PeriodicTask, slot: int,
              now: datetime) -> list[str]:
    directory = platform.directory
    if task.per_tenant:
        # Enabled sets are cached per tenant in the directory snapshot; this is one dict walk.
        targets: dict[int, TenantRef | None] = {
            t.id: t for t in directory.by_id.values() if plugin in directory.enabled(t)}
    else:
        targets = {INSTALLATION: None}
    if not targets:
        return []
    claimed = [tid for tid in sorted(claim(platform, name, targets, slot, now)) if tid in targets]
    outcomes: list[dict[str, Any]] = []
    ran: list[str] = []
    for tid in claimed:
        tenant = targets[tid]
        error = _run_one(platform, task, tenant)
        outcomes.append({"t": name, "tid": tid, "err": error, "at": utcnow()})
        ran.append(name if tenant is None else f"{name}@{tenant.code}")
    _record(platform, outcomes)
    return ran


def claim(platform: Platform, name: str, tenant_ids: Iterable[int], slot: int, now: datetime) -> set[int]:
    """Claim ``slot`` of task ``name`` for these tenants; returns the tenant ids this call won."""
    j = _table(JobRun)
    wanted = set(tenant_ids)
    with platform.db.session(Scope.system()) as s:
        existing = set(s.scalars(select(j.c.tenant_id).where(j.c.task == name)))
    missing = wanted - existing
    if missing:
        ins = upsert(platform.db.engine, j)
        with platform.db.transaction(Scope.system()) as s:
            s.execute(ins.on_conflict_do_nothing(index_elements=["task", "tenant_id"]),
                      [{"task": name, "tenant_id": t, "last_slot": -1, "claimed_by": ""} for t in missing])
    # The claim is its own short transaction, committed before any task runs: the row lock (PostgreSQL)
    # or the write lock (SQLite) is held for one statement, never for the length of a task.
    with platform.db.transaction(Scope.system()) as s:
        won = s.execute(update(j).where(j.c.task == name, j.c.last_slot < slot)
                        .values(last_slot=slot, claimed_at=now, claimed_by=WORKER_ID)
                        .returning(j.c.tenant_id)).scalars().all()
    return set(won) & wanted


def _run_one(platform: Platform, task: PeriodicTask, tenant: TenantRef | None) -> str | None:
    scope = Scope.system() if tenant is None else tenant.scope
    started = time.perf_counter()
    try:
        with platform.db.transaction(scope) as s:
            task.run(platform=platform, tenant=tenant, session=s)
    except Exception as exc:  # one failing run must not stop the others
        log.warning("job.failed", task=task.name, tenant=getattr(tenant, "code", None), error=repr(exc))
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()[-4000:]
    log.debug("job.ran", task=task.name, tenant=getattr(tenant, "code", None),
              ms=round((time.perf_counter() - started) * 1000, 2))
    return None


def _record(platform: Platform, outcomes: list[dict[str, Any]]) -> None:
    if not outcomes:
        return
    j = _table(JobRun)
    stmt = (update(j).where(j.c.task == bindparam("t"), j.c.tenant_id == bindparam("tid"))
            .values(finished_at=bindparam("at"), last_error=bindparam("err")))
    with platform.db.transaction(Scope.system()) as s:
        s.connection().execute(stmt, outcomes)


# -- the runner ----------------------------------------------------------------------------------------

class JobRunner:
    """Delivers events and runs due tasks every ``interval`` seconds, on two background threads.

    Threads, not asyncio tasks: the work is blocking database I/O (sync engine, see core.db.engine), and
    a thread keeps it off the event loop without a threadpool hand-off per round. Two of them so that a
    slow periodic scan never delays event delivery. Several runners (``govhall serve`` processes,
    ``govhall worker``) may run against one database: claims make each slot and each delivery happen once.
    """

    def __init__(self, platform: Platform, interval: float = 1.0) -> None:
        self.platform = platform
        self.interval = interval
        self._stop = threading.Event()
        self._events = threading.Event()  # set by a NOTIFY of a published event (core.db.notify)
        self._threads: list[threading.Thread] = []
        self.ticks = 0

    def deliver(self) -> int:
        """Deliver pending events until a batch comes back short (or the runner is stopping)."""
        from core.events import dispatch_pending

        delivered = 0
        while True:
            n = dispatch_pending(self.platform, limit=500)
            delivered += n
            if n < 500 or self._stop.is_set():
                return delivered

    def tick(self) -> tuple[int, list[str]]:
        """One full round in the calling thread (``govhall worker --once``, tests): refresh the directory
        if it changed, deliver events, run due tasks. Returns (deliveries, task runs)."""
        self.platform.maybe_refresh()
        delivered = self.deliver()
        ran = run_due(self.platform)
        self.ticks += 1
        return delivered, ran

    def _loop(self, work: Any, wake: threading.Event | None = None) -> None:
        while not self._stop.is_set():
            try:
                self.platform.maybe_refresh()
                work()
                self.ticks += 1
                OUTAGE.ok()
            except Exception as exc:  # the database may be restarting; try again next round
                if is_unavailable(exc):
                    OUTAGE.failed(exc, threading.current_thread().name)
                else:
                    log.exception("jobs.round_failed", thread=threading.current_thread().name)
            if wake is None:
                self._stop.wait(self.interval)
                continue
            # Events: while the listener is up a publish wakes this at once; else poll every interval.
            deadline = time.monotonic() + (FALLBACK_SECONDS if self.platform.listening else self.interval)
            while not self._stop.is_set() and time.monotonic() < deadline:
                if wake.wait(min(self.interval, deadline - time.monotonic())):
                    break
                if not self.platform.listening:
                    break
            wake.clear()

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        if self.platform.listener is not None:
            self.platform.listener.on("events", self._events.set)
            self.platform.listen()
        loops = (("govhall-events", self.deliver, self._events),
                 ("govhall-jobs", lambda: run_due(self.platform), None))
        for name, work, wake in loops:
            thread = threading.Thread(target=self._loop, args=(work, wake), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("jobs.started", worker=WORKER_ID, interval=self.interval)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current round; don't hold up shutdown longer than ``timeout`` for a long task.
        A task cut off by process exit rolls back, and its slot is not run again (at-most-once)."""
        self._stop.set()
        self._events.set()
        deadline = time.monotonic() + timeout
        busy = []
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                busy.append(thread.name)
        self._threads = []
        log.info("jobs.stopped", worker=WORKER_ID, still_running=busy or None)


def install(platform: Platform, interval: float = 1.0) -> JobRunner:
    """Run the job runner for the lifetime of the app built on ``platform`` (its lifespan calls
    ``platform.on_start`` and ``platform.on_stop``)."""
    runner = JobRunner(platform, interval)
    platform.job_runner = runner
    platform.on_start.append(runner.start)
    platform.on_stop.append(runner.stop)
    return runner
