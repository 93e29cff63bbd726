"""The outbox: publish in the caller's transaction, at-least-once delivery to enabled plugins, recorded
per (event, plugin), failures retried without disturbing other plugins. Real database, real registry.

The handlers belong to small plugins registered in-process with ``Registry.add``; a handler writes a
counter row (core_state) so that "the handler's writes commit with its delivery" can be checked.
"""

from __future__ import annotations

import json
import threading
import types
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from core.contracts import Event, PluginInfo
from core.db import Scope, ScopeError
from core.db.base import utcnow
from core.events import EventDelivery, EventError, OutboxEvent, dispatch_pending, pending_count, publish
from core.hookspecs import hookimpl
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import service
from core.tenancy.models import CoreState


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


def probe_plugin(name: str, calls: list[tuple[str, int]], *, fail: dict[str, bool] | None = None,
                 lock: threading.Lock | None = None) -> types.ModuleType:
    """A plugin whose handler records each call and bumps a counter row in the handler's session."""
    mod = types.ModuleType(f"probe_{name}")
    fail = fail if fail is not None else {}
    guard = lock or threading.Lock()

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name=name, title_zh="测试", title_en="Probe", version="0", default_enabled=True)

    @hookimpl
    def govhall_handle_event(event: Event, session: Any) -> None:
        with guard:
            calls.append((name, event.id))
        key = f"{name}:{event.id}"
        row = session.get(CoreState, key)
        if row is None:
            session.add(CoreState(key=key, version=1))
        else:
            row.version += 1
        session.flush()
        if fail.get("on"):
            raise RuntimeError(f"{name} is broken")

    mod.govhall_plugin_info = govhall_plugin_info  # type: ignore[attr-defined]
    mod.govhall_handle_event = govhall_handle_event  # type: ignore[attr-defined]
    return mod


def add_plugins(platform: Any, *mods: types.ModuleType) -> None:
    for mod in mods:
        platform.registry.add(mod)
    platform.refresh(force=True)


def counter(platform: Any, key: str) -> int | None:
    with platform.db.session(Scope.system()) as s:
        row = s.get(CoreState, key)
        return row.version if row else None


def emit(platform: Any, code: str, type_: str = "probe.thing.happened", **payload: Any) -> int:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return publish(s, tenant=tenant, type=type_, payload=payload, actor="tester")


def test_publish_writes_in_the_callers_transaction(platform):
    donghu = platform.directory.get("360102")
    with pytest.raises(RuntimeError), platform.db.transaction(donghu.scope) as s:
        publish(s, tenant=donghu, type="approval.application.accepted", payload={"number": "A1"})
        raise RuntimeError("the change fails")
    assert pending_count(platform) == 0  # rolled back with the change
    event_id = emit(platform, "360102", "approval.application.accepted", number="A2", deadline="2026-12-10")
    with platform.db.session(Scope.system()) as s:
        row = s.get(OutboxEvent, event_id)
    assert row.type == "approval.application.accepted" and row.payload["number"] == "A2"
    assert row.tenant_path == donghu.path and row.actor == "tester" and row.dispatched_at is None


@pytest.mark.parametrize("type_,payload,needle", [
    ("accepted", {}, "plugin.entity.verb"),
    ("Approval.application.accepted", {}, "plugin.entity.verb"),
    ("approval.application", {}, "plugin.entity.verb"),
    ("approval.application.accepted", {"when": object()}, "JSON"),
    ("approval.application.accepted", {"x": float("nan")}, "JSON"),
    ("approval.application.accepted", ["not", "a", "dict"], "dict"),
])
def test_publish_refuses_bad_type_or_payload(platform, type_, payload, needle):
    donghu = platform.directory.get("360102")
    with pytest.raises(EventError, match=needle), platform.db.transaction(donghu.scope) as s:
        publish(s, tenant=donghu, type=type_, payload=payload)
    assert pending_count(platform) == 0


def test_publish_for_another_tenant_is_refused_by_the_scope(platform):
    donghu, xihu = platform.directory.get("360102"), platform.directory.get("360103")
    with pytest.raises(ScopeError), platform.db.transaction(donghu.scope) as s:
        publish(s, tenant=xihu, type="approval.application.accepted", payload={})
    assert pending_count(platform) == 0


def test_delivered_once_to_each_enabled_plugin_with_its_writes(platform):
    calls: list[tuple[str, int]] = []
    add_plugins(platform, probe_plugin("alpha", calls), probe_plugin("beta", calls))
    e1 = emit(platform, "360102", n=1)
    e2 = emit(platform, "360100", n=2)
    assert dispatch_pending(platform) == 4
    assert sorted(calls) == sorted([("alpha", e1), ("beta", e1), ("alpha", e2), ("beta", e2)])
    assert counter(platform, f"alpha:{e1}") == 1 and counter(platform, f"beta:{e2}") == 1
    assert dispatch_pending(platform) == 0 and len(calls) == 4  # nothing runs twice
    assert pending_count(platform) == 0
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(OutboxEvent.dispatched_at).where(OutboxEvent.id == e1)) is not None
        pairs = set(s.execute(select(EventDelivery.event_id, EventDelivery.plugin)).all())
    assert pairs == {(e1, "alpha"), (e1, "beta"), (e2, "alpha"), (e2, "beta")}


def test_handler_sees_the_event_and_a_session_scoped_to_its_tenant(platform):
    seen: list[Any] = []
    mod = types.ModuleType("probe_gamma")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name="gamma", title_zh="测试", title_en="Probe", version="0", default_enabled=True)

    @hookimpl
    def govhall_handle_event(event: Event, session: Any) -> None:
        seen.append((event, session.scope))

    mod.govhall_plugin_info = govhall_plugin_info  # type: ignore[attr-defined]
    mod.govhall_handle_event = govhall_handle_event  # type: ignore[attr-defined]
    add_plugins(platform, mod)
    event_id = emit(platform, "360103", number="X-9", applicant_name="张三")
    dispatch_pending(platform)
    (event, scope), = seen
    xihu = platform.directory.get("360103")
    assert event.id == event_id and event.type == "probe.thing.happened" and event.actor == "tester"
    assert event.payload == {"number": "X-9", "applicant_name": "张三"} and event.tenant_id == xihu.id
    assert event.occurred_at.tzinfo is not None
    assert scope == xihu.scope
    assert json.loads(json.dumps(event.payload)) == event.payload  # a plain JSON object


def test_one_handler_mutating_the_payload_does_not_affect_another(platform):
    got: list[dict[str, Any]] = []

    def module(name: str) -> types.ModuleType:
        mod = types.ModuleType(f"probe_{name}")

        @hookimpl
        def govhall_plugin_info() -> PluginInfo:
            return PluginInfo(name=name, title_zh="测试", title_en="Probe", version="0", default_enabled=True)

        @hookimpl
        def govhall_handle_event(event: Event) -> None:  # a handler may take fewer arguments
            got.append(json.loads(json.dumps(event.payload)))
            event.payload["items"].append("changed by " + name)  # type: ignore[index]

        mod.govhall_plugin_info = govhall_plugin_info  # type: ignore[attr-defined]
        mod.govhall_handle_event = govhall_handle_event  # type: ignore[attr-defined]
        return mod

    add_plugins(platform, module("alpha"), module("beta"))
    emit(platform, "360102", items=["original"])
    assert dispatch_pending(platform) == 2
    assert [g["items"][0] for g in got] == ["original", "original"] and len(got[1]["items"]) == 1


def test_plugin_disabled_at_the_tenant_gets_nothing(platform):
    calls: list[tuple[str, int]] = []
    add_plugins(platform, probe_plugin("alpha", calls), probe_plugin("beta", calls))
    donghu = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        service.set_plugin_state(s, platform.directory, donghu, "beta", "off", actor="tests")
    platform.refresh(force=True)
    e_donghu = emit(platform, "360102")
    e_xihu = emit(platform, "360103")
    assert dispatch_pending(platform) == 3
    assert ("beta", e_donghu) not in calls and ("beta", e_xihu) in calls and ("alpha", e_donghu) in calls
    assert pending_count(platform) == 0  # every enabled plugin had it


def test_failing_handler_rolls_back_and_is_retried_alone(platform):
    calls: list[tuple[str, int]] = []
    broken = {"on": True}
    add_plugins(platform, probe_plugin("alpha", calls), probe_plugin("beta", calls, fail=broken))
    event_id = emit(platform, "360102")
    assert dispatch_pending(platform) == 1  # alpha only
    assert counter(platform, f"alpha:{event_id}") == 1
    assert counter(platform, f"beta:{event_id}") is None  # beta's write rolled back with its failure
    with platform.db.session(Scope.system()) as s:
        row = s.get(OutboxEvent, event_id)
        delivered = set(s.scalars(select(EventDelivery.plugin).where(EventDelivery.event_id == event_id)))
    assert row.attempts == 1 and "beta is broken" in row.last_error and row.dispatched_at is None
    assert delivered == {"alpha"}
    # Backed off: not retried straight away.
    assert dispatch_pending(platform) == 0 and len(calls) == 2
    broken["on"] = False
    later = utcnow() + timedelta(minutes=5)
    assert dispatch_pending(platform, now=later) == 1
    assert calls == [("alpha", event_id), ("beta", event_id), ("beta", event_id)]  # alpha not re-run
    assert counter(platform, f"alpha:{event_id}") == 1 and counter(platform, f"beta:{event_id}") == 1
    assert pending_count(platform) == 0


def test_event_of_a_removed_tenant_is_dropped(platform):
    calls: list[tuple[str, int]] = []
    add_plugins(platform, probe_plugin("alpha", calls))
    emit(platform, "360103")
    from core.tenancy.models import Tenant

    with platform.db.transaction(Scope.system()) as s:
        s.execute(update(Tenant).where(Tenant.code == "360103").values(active=False))
    platform.refresh(force=True)
    assert dispatch_pending(platform) == 0 and calls == []
    assert pending_count(platform) == 0


def test_two_dispatchers_racing_deliver_each_pair_once(platform, db_url, tmp_path):
    calls: list[tuple[str, int]] = []
    lock = threading.Lock()
    other = hall_only(db_url, tmp_path)
    try:
        for p in (platform, other):
            add_plugins(p, probe_plugin("alpha", calls, lock=lock), probe_plugin("beta", calls, lock=lock))
        ids = [emit(platform, code) for code in ("360102", "360103", "360100") * 10]
        barrier = threading.Barrier(2)
        totals: list[int] = []

        def run(p: Any) -> None:
            barrier.wait()
            n = 0
            for _ in range(5):
                n += dispatch_pending(p, limit=7)
            with lock:
                totals.append(n)

        threads = [threading.Thread(target=run, args=(p,)) for p in (platform, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(calls) == sorted((name, i) for i in ids for name in ("alpha", "beta"))
        assert sum(totals) == 2 * len(ids)
        assert all(counter(platform, f"{name}:{i}") == 1 for i in ids for name in ("alpha", "beta"))
        assert pending_count(platform) == 0
    finally:
        other.close()
