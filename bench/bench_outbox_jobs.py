"""Outbox and periodic-job throughput (docs/operations.md, "Events" and "Jobs").

    python bench/bench_outbox_jobs.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with a province
and 20,000 villages, registers one in-process plugin with a no-op event handler and a no-op per-tenant
task, then measures: publishing events (one transaction each), dispatching them, and a per-tenant
periodic slot over all tenants (first slot, a losing runner, the next slot, a memoised tick).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import types
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from core.contracts import PeriodicTask, PluginInfo
from core.db import Scope, migrate
from core.db.base import utcnow
from core.events import dispatch_pending, publish
from core.hookspecs import hookimpl
from core.jobs import run_due
from core.logging import configure_logging
from core.platform import Platform
from core.settings import load_settings
from core.tenancy.models import Tenant

VILLAGES = 20_000


def probe() -> types.ModuleType:
    mod = types.ModuleType("bench_probe")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name="probe", title_zh="测", title_en="Probe", version="0", default_enabled=True)

    @hookimpl
    def govhall_handle_event(event: Any, session: Any) -> None:
        pass

    def noop(*, platform: Any, tenant: Any, session: Any) -> None:
        pass

    @hookimpl
    def govhall_periodic_tasks() -> list[PeriodicTask]:
        return [PeriodicTask("scan", 60, noop, per_tenant=True)]

    for fn in (govhall_plugin_info, govhall_handle_event, govhall_periodic_tasks):
        setattr(mod, fn.__name__, fn)
    return mod


def fresh_url(server: str | None, tmp: Path) -> str:
    if not server:
        return f"sqlite:///{tmp}/bench.db"
    name = f"govhall_bench_{uuid.uuid4().hex[:6]}"
    engine = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    settings = load_settings(overrides={"database_url": url, "data_dir": str(tmp), "env": "test",
                                        "log_level": "warning"})
    p = Platform.start(settings, plugins=["hall"])
    configure_logging(p.settings)
    migrate.upgrade(p.db, p.registry.migration_dirs())
    with p.db.transaction(Scope.system()) as s:
        s.add(Tenant(id=1, code="360000", path="360000", level="province", name="江西省", name_en="Jiangxi"))
        s.flush()
        s.execute(insert(Tenant), [
            dict(id=10 + i, code=f"3601{i:08d}", parent_id=1, path=f"360000/3601{i:08d}", level="village",
                 name=f"村{i}", name_en="") for i in range(VILLAGES)])
    p.registry.add(probe())
    p.refresh(force=True)
    backend = p.db.engine.url.get_backend_name()
    root = p.directory.get("360000")
    t0 = time.perf_counter()
    for i in range(args.events):
        with p.db.transaction(root.scope) as s:
            publish(s, tenant=root, type="probe.thing.happened", payload={"i": i})
    t1 = time.perf_counter()
    delivered = 0
    while (n := dispatch_pending(p)) > 0:
        delivered += n
    t2 = time.perf_counter()
    print(f"{backend}: publish {args.events / (t1 - t0):.0f} events/s (one transaction each); "
          f"dispatch {delivered / (t2 - t1):.0f} deliveries/s")
    now = utcnow()
    timings = []
    for label, at, clear in (("first slot", now, False), ("losing runner, same slot", now, True),
                             ("next slot", now + timedelta(seconds=60), False),
                             ("memoised tick, same slot", now + timedelta(seconds=61), False)):
        if clear:
            p.job_slots.clear()
        started = time.perf_counter()
        ran = run_due(p, now=at)
        timings.append(f"{label}: {len(ran)} runs in {(time.perf_counter() - started) * 1000:.1f} ms")
    print(f"{backend}: per-tenant task over {len(p.directory.by_id)} tenants: " + "; ".join(timings))
    p.close()
    if args.database_url:
        engine = create_engine(args.database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        engine.dispose()


if __name__ == "__main__":
    main()
