"""Interaction: the duty team's ticket list (page and JSON API) over many tickets at one hall.

    python bench/bench_interaction.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                      [--tickets 50000] [--requests 300]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree, writes N tickets at Donghu in every state (set-based, one executemany; a tenth overdue) and some
at Xihu, then measures in one process through the ASGI app (Starlette's TestClient: the whole middleware
chain with login, permission check and plugin gate, no network), p50/p95 over M requests each:

* ``GET /t/360102/interaction/tickets`` (the newest 100, rendered) and ``?overdue=1``;
* ``GET /api/t/360102/interaction/tickets?limit=50`` (keyset page);
* against ``GET /healthz`` through the same client as the baseline.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, insert
from starlette.testclient import TestClient

from core.api import add_working_days
from core.db import Scope, migrate
from core.demo import JIANGXI
from core.logging import configure_logging
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import loader

PASSWORD = "Bench2026password"
STATES = ["submitted", "accepted", "dispatched", "replied", "closed", "closed", "closed", "rejected"]


def fresh_url(server: str | None, tmp: Path) -> str:
    if not server:
        return f"sqlite:///{tmp}/bench.db"
    name = f"govhall_bench_interaction_{uuid.uuid4().hex[:6]}"
    engine = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def drop(server: str, url: str) -> None:
    engine = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    engine.dispose()


def setup(url: str, tmp: Path) -> Platform:
    settings = load_settings(
        overrides={"database_url": url, "data_dir": str(tmp), "env": "test", "log_level": "warning"}
    )
    platform = Platform.start(settings)
    configure_logging(platform.settings)
    migrate.upgrade(platform.db, platform.registry.migration_dirs())
    tree, lines, path = loader.load_file(JIANGXI)
    platform.refresh(force=True)
    loader.validate(tree, lines, path, platform.directory, platform.settings)
    with platform.db.transaction(Scope.system()) as s:
        loader.apply(s, tree, platform.directory, actor="bench")
    platform.refresh(force=True)
    return platform


def seed(platform: Platform, n: int) -> None:
    from plugins.interaction.models import Ticket

    day = date(2026, 11, 2)
    platform.clock.set(day)
    rnd = random.Random(7)
    rows = []
    for code, count in (("360102", n), ("360103", n // 10)):
        t = platform.directory.get(code)
        for i in range(count):
            received = add_working_days(date(2025, 1, 2), i * 450 // max(count, 1))
            state = STATES[i % len(STATES)]
            due = add_working_days(received, 13) if i % 10 else add_working_days(date(2026, 10, 1), 3)
            rows.append(
                {
                    "tenant_id": t.id,
                    "tenant_path": t.path,
                    "number": f"{code}{i:08d}",
                    "kind": rnd.choice(["consultation", "complaint", "suggestion", "help"]),
                    "state": state,
                    "title": f"基准工单 {i} <b>标题</b>",
                    "content": "内容" * 20,
                    "name": f"诉求人{i}",
                    "phone": f"139{i:08d}",
                    "received_on": received,
                    "due_on": due,
                    "created_at": platform.clock.now(),
                    "version": 1,
                }
            )
    with platform.db.transaction(Scope.system()) as s:
        for start in range(0, len(rows), 5000):
            s.execute(insert(Ticket), rows[start : start + 5000])


def staff(platform: Platform) -> None:
    from core.access.grants import grant
    from core.identity.service import add_membership, create_account

    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        account = create_account(
            s, kind="staff", username="bench_duty", password=PASSWORD, display_name="值班"
        )
        add_membership(s, account.id, tenant, None)
        grant(
            s,
            platform,
            account_id=account.id,
            role="interaction_officer",
            tenant=tenant,
            subtree=False,
            actor="bench",
        )


def login(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login",
        data={"username": "bench_duty", "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.status_code


def latencies(client: TestClient, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    try:
        platform = setup(url, tmp)
        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        seed(platform, args.tickets)
        staff(platform)
        print(
            f"interaction bench on {backend}: {args.tickets} tickets at Donghu, {args.requests} requests each"
        )
        from core.app import create_app

        with TestClient(create_app(platform=platform)) as client:
            login(client)
            base = latencies(client, "/healthz", args.requests)
            b95 = pct(base, 95)
            print(f"  baseline /healthz ms: p50 {pct(base, 50):.2f}  p95 {b95:.2f}")
            for label, path in (
                ("ticket list page", "/t/360102/interaction/tickets"),
                ("overdue filter page", "/t/360102/interaction/tickets?overdue=1"),
                ("JSON API page of 50", "/api/t/360102/interaction/tickets?limit=50"),
            ):
                client.get(path)
                ms = latencies(client, path, args.requests)
                p95 = pct(ms, 95)
                print(f"  {label} ms: p50 {pct(ms, 50):.2f}  p95 {p95:.2f}  ({p95 / b95:.1f}x baseline p95)")
        platform.close()
    finally:
        if args.database_url:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
