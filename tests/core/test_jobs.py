"""Periodic tasks: once per slot across processes, per-tenant only where enabled, failures recorded;
the job runner drives the outbox and the tasks, in the app's lifespan and standalone."""

from __future__ import annotations

import threading
import time
import types
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core import jobs
from core.contracts import PeriodicTask, PluginInfo
from core.db import Scope
from core.events import OutboxEvent, pending_count, publish
from core.hookspecs import hookimpl
from core.jobs import JobRun, JobRunner, run_due
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import service


def hall_only(db_url: str, data_dir: Any) -> Platform:
    """A platform with only the built-in hall plugin: the probes below are the only event handlers and
    tasks, whatever other plugins are installed."""
    settings = load_settings(overrides={"database_url": db_url, "data_dir": str(data_dir), "env": "test",
                                        "watch_interval": 0.2})
    return Platform.start(settings, plugins=["hall"])


@pytest.fixture
def platform(db_url: str, tmp_path: Any) -> Any:
    p = hall_only(db_url, tmp_path)
    yield p
    p.close()

T0 = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)


def task_plugin(name: str, tasks: list[PeriodicTask], handler: Any = None) -> types.ModuleType:
    mod = types.ModuleType(f"jobs_{name}")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name=name, title_zh="测试", title_en="Probe", version="0", default_enabled=True)

    @hookimpl
    def govhall_periodic_tasks() -> list[PeriodicTask]:
        return tasks

    mod.govhall_plugin_info = govhall_plugin_info  # type: ignore[attr-defined]
    mod.govhall_periodic_tasks = govhall_periodic_tasks  # type: ignore[attr-defined]
    if handler is not None:
        mod.govhall_handle_event = hookimpl(handler)  # type: ignore[attr-defined]
    return mod


def due(platform: Any, now: Any = None) -> list[str]:
    """run_due, without the hall's own tasks (its message delivery): these tests watch their probes."""
    return [r for r in run_due(platform, now=now) if not r.startswith("hall.")]


def recorder(calls: list[Any], lock: threading.Lock | None = None, fail_at: str = "") -> Any:
    guard = lock or threading.Lock()

    def run(*, platform: Any, tenant: Any, session: Any) -> None:
        with guard:
            calls.append((getattr(tenant, "code", None), session.scope))
        if tenant is not None and tenant.code == fail_at:
            raise RuntimeError(f"scan failed at {fail_at}")

    return run


def install(platform: Any, *mods: types.ModuleType) -> None:
    for mod in mods:
        platform.registry.add(mod)
    platform.refresh(force=True)


def test_installation_task_runs_once_per_slot(platform):
    calls: list[Any] = []
    install(platform, task_plugin("probe", [PeriodicTask("tick", 60, recorder(calls))]))
    assert due(platform, now=T0) == ["probe.tick"]
    assert due(platform, now=T0 + timedelta(seconds=30)) == []  # same slot
    platform.job_slots.clear()  # even without this process's memo, the database says no
    assert due(platform, now=T0 + timedelta(seconds=59)) == []
    assert due(platform, now=T0 + timedelta(seconds=60)) == ["probe.tick"]
    assert calls == [(None, Scope.system()), (None, Scope.system())]


def test_per_tenant_task_runs_only_where_enabled_in_a_tenant_scoped_session(platform):
    calls: list[Any] = []
    install(platform, task_plugin("probe", [PeriodicTask("scan", 300, recorder(calls), per_tenant=True)]))
    nanchang = platform.directory.get("360100")
    with platform.db.transaction(Scope.system()) as s:
        service.set_plugin_state(s, platform.directory, nanchang, "probe", "off", actor="tests")
    platform.refresh(force=True)
    ran = due(platform, now=T0)
    codes = {code for code, _ in calls}
    everyone = {t.code for t in platform.directory.by_id.values()}
    off = {t.code for t in [nanchang, *platform.directory.descendants(nanchang)]}
    assert codes == everyone - off and len(ran) == len(codes)
    assert "probe.scan@360102" not in ran and "probe.scan@360200" in ran
    for code, scope in calls:
        t = platform.directory.get(code)
        assert scope == Scope.tenant(t.id, t.path)
    calls.clear()
    with platform.db.transaction(Scope.system()) as s:  # switched back on: it joins the next slot
        service.set_plugin_state(s, platform.directory, nanchang, "probe", "inherit", actor="tests")
    platform.refresh(force=True)
    assert due(platform, now=T0 + timedelta(seconds=10)) == []
    due(platform, now=T0 + timedelta(seconds=300))
    assert {code for code, _ in calls} == everyone


def test_a_failing_run_is_recorded_and_does_not_stop_the_others(platform):
    calls: list[Any] = []
    install(platform, task_plugin("probe", [PeriodicTask("scan", 60, recorder(calls, fail_at="360103"),
                                                         per_tenant=True)]))
    ran = due(platform, now=T0)
    assert "probe.scan@360103" in ran and "probe.scan@360104" in ran
    xihu = platform.directory.get("360103")
    with platform.db.session(Scope.system()) as s:
        runs = select(JobRun).where(JobRun.task == "probe.scan")
        bad = s.scalar(runs.where(JobRun.tenant_id == xihu.id))
        good = s.scalar(runs.where(JobRun.tenant_id != xihu.id).limit(1))
    assert "scan failed at 360103" in bad.last_error and bad.finished_at is not None
    assert good.last_error is None and good.finished_at is not None
    assert "probe.scan@360103" in due(platform, now=T0 + timedelta(seconds=60))  # next slot retries


@pytest.mark.parametrize("per_tenant", [False, True])
def test_two_processes_racing_on_one_slot_run_each_once(platform, db_url, tmp_path, per_tenant):
    calls: list[Any] = []
    lock = threading.Lock()
    other = hall_only(db_url, tmp_path)
    try:
        for p in (platform, other):
            install(p, task_plugin("probe", [PeriodicTask("race", 60, recorder(calls, lock),
                                                          per_tenant=per_tenant)]))
        barrier = threading.Barrier(2)
        results: list[list[str]] = []

        def race(p: Any) -> None:
            barrier.wait()
            out = due(p, now=T0 + timedelta(seconds=5))
            with lock:
                results.append(out)

        threads = [threading.Thread(target=race, args=(p,)) for p in (platform, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        expected = len(platform.directory.by_id) if per_tenant else 1
        codes = [code for code, _ in calls]
        assert len(codes) == expected and len(set(codes)) == expected  # every target once, none twice
        assert sum(len(r) for r in results) == expected
    finally:
        other.close()


def test_runner_delivers_events_and_runs_tasks_in_the_background(platform):
    calls: list[Any] = []
    seen: list[int] = []

    def handle(event: Any, session: Any) -> None:
        seen.append(event.id)

    install(platform, task_plugin("probe", [PeriodicTask("tick", 3600, recorder(calls))], handle))
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        event_id = publish(s, tenant=donghu, type="probe.thing.happened", payload={})
    runner = JobRunner(platform, interval=0.05)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while (not seen or not calls) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert seen == [event_id] and len(calls) == 1 and runner.ticks >= 1
    assert pending_count(platform) == 0


def test_app_lifespan_starts_and_stops_the_runner(platform):
    from starlette.testclient import TestClient

    from core.app import create_app

    seen: list[int] = []
    install(platform, task_plugin("probe", [], lambda event, session: seen.append(event.id)))
    runner = jobs.install(platform, interval=0.05)
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        event_id = publish(s, tenant=donghu, type="probe.thing.happened", payload={})
    with TestClient(create_app(platform=platform)):
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner.running
    assert seen == [event_id]
    assert not runner.running  # stopped by the lifespan's on_stop


def test_worker_once_runs_one_round_from_the_command_line(platform, cli):
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        publish(s, tenant=donghu, type="approval.application.submitted", payload={"number": "N1"})
    assert pending_count(platform) == 1
    result = cli("worker", "--once")
    assert result.exit_code == 0, result.output
    assert "delivered" in result.output
    with platform.db.session(Scope.system()) as s:
        row = s.scalars(select(OutboxEvent)).one()
    assert row.dispatched_at is not None or row.attempts == 1  # the round took it up


def test_worker_refuses_bad_interval(cli):
    result = cli("worker", "--interval", "0")
    assert result.exit_code == 2 and "--interval" in result.output


def test_a_slow_task_does_not_hold_up_event_delivery(platform):
    seen: list[int] = []
    started = threading.Event()

    def slow(*, platform: Any, tenant: Any, session: Any) -> None:
        started.set()
        time.sleep(3)

    install(platform, task_plugin("probe", [PeriodicTask("slow", 3600, slow)],
                                  lambda event, session: seen.append(event.id)))
    runner = JobRunner(platform, interval=0.05)
    runner.start()
    try:
        assert started.wait(10)
        donghu = platform.directory.get("360102")
        with platform.db.transaction(donghu.scope) as s:
            event_id = publish(s, tenant=donghu, type="probe.thing.happened", payload={})
        deadline = time.monotonic() + 2
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen == [event_id]  # delivered while the scan is still running
    finally:
        runner.stop()


def test_events_pending_and_retry_commands(platform, cli):
    import json

    def broken(event: Any, session: Any) -> None:
        raise RuntimeError("mail server down")

    install(platform, task_plugin("probe", [], broken))
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        event_id = publish(s, tenant=donghu, type="probe.thing.happened", payload={})
    from core.events import dispatch_pending

    assert dispatch_pending(platform) == 0
    result = cli("events", "pending", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    mine = [r for r in rows if r["id"] == event_id]
    assert mine and mine[0]["attempts"] == 1 and "mail server down" in mine[0]["last_error"]
    assert mine[0]["retry_at"] is not None
    assert cli("events", "retry", str(event_id)).exit_code == 0
    with platform.db.session(Scope.system()) as s:
        assert s.get(OutboxEvent, event_id).retry_at is None
    bad = cli("events", "retry", "999999")
    assert bad.exit_code == 1 and "unknown or already delivered" in bad.output
