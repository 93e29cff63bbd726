"""Data sharing (plugins/exchange): the gateway's own overhead, signed log appends, catalogue search.

    python bench/bench_exchange.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--calls 300] [--appends 500] [--resources 100000] [--queries 200]

A fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi tree.
Measured in one process, each against a baseline from the same run:

* gateway: ``gateway.serve`` for credit's report at Nanchang (an in-process provider returning one row:
  the subject's warning level) — credential check, grant and fields, the provider, projection, a signed
  log entry committed — against the bare provider call (a session at the provider's scope + ``fetch``);
* log: signed appends per second, one transaction each (``msglog.record``), 50 per transaction, and four
  threads at once on one tenant's chain and on four chains, against the Ed25519 signature alone;
* catalogue: ``services.search`` for words over N resources spread over the tree, in the subtree scope
  of the province (what the catalogue page runs), p50/p95, against the old search (``LIKE '%word%'``
  alone, checked to give the same results) and an exact look-up by code; and a rare word (one
  resource's number).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from core import signing
from core.db import Scope, migrate
from core.demo import JIANGXI
from core.logging import configure_logging
from core.platform import Platform
from core.settings import load_settings
from core.tenancy import loader

WORDS = [
    "信用",
    "户籍",
    "社保",
    "营业执照",
    "不动产",
    "婚姻",
    "学历",
    "车辆",
    "纳税",
    "医保",
    "公积金",
    "企业",
    "人口",
    "法人",
    "许可",
    "处罚",
    "证照",
    "统计",
    "环保",
    "交通",
]


def fresh_url(server: str | None, tmp: Path, name: str = "") -> str:
    if not server:
        return f"sqlite:///{tmp}/bench.db"
    name = name or f"govhall_bench_exchange_{uuid.uuid4().hex[:6]}"
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


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def gateway_overhead(platform: Platform, calls: int) -> dict[str, float]:
    from datetime import timedelta

    from core.clock import today
    from plugins.credit.exchange import fetch
    from plugins.exchange import gateway, services

    provider, consumer = platform.directory.get("360100"), platform.directory.get("360102")
    with platform.db.transaction(provider.scope) as s:
        services.sync_plugin_resources(s, platform, provider)
        req = services.request_access(
            s,
            platform,
            provider,
            consumer,
            resource_code="credit.report",
            department="xzspj",
            purpose="bench",
            fields=["subject_code", "level"],
            actor="bench",
        )
        services.answer(
            s,
            platform,
            provider,
            req.id,
            decision="approve",
            version=req.version,
            expires_on=today(platform) + timedelta(days=30),
            actor="bench",
        )
    with platform.db.transaction(consumer.scope) as s:
        cred, secret = services.create_system(s, consumer, "xzspj", "bench", "bench", actor="bench")
        client_id = cred.client_id
    params = {"subject_code": "91360100MA35123453"}

    def bare() -> Any:
        with platform.db.session(provider.scope) as s:
            return fetch(session=s, platform=platform, tenant=provider, params=params)

    def through() -> Any:
        ans = gateway.serve(
            platform,
            provider,
            client_id=client_id,
            secret=secret,
            code="credit.report",
            asked=[],
            params=params,
        )
        assert ans.status == 200, ans
        return ans

    for _ in range(20):
        bare(), through()
    b, g = [], []
    for _ in range(calls):  # interleaved, so load on the shared machine hits both alike
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        through()
        t2 = time.perf_counter()
        b.append(t1 - t0)
        g.append(t2 - t1)
    return {
        "bare_p50": pct(b, 50),
        "gw_p50": pct(g, 50),
        "bare_mean": statistics.mean(b) * 1000,
        "gw_mean": statistics.mean(g) * 1000,
        "ratio_p50": pct(g, 50) / pct(b, 50),
        "ratio_mean": statistics.mean(g) / statistics.mean(b),
    }


def log_appends(platform: Platform, n: int) -> dict[str, float]:
    from plugins.exchange import msglog

    t = platform.directory.get("360102")
    facts = {"subsystem": "bench", "request_digest": "0" * 64, "response_digest": "1" * 64, "fields": ["a"]}
    t0 = time.perf_counter()
    for i in range(n):
        msglog.record(platform, t, resource="r", consumer=f"c{i}", result="ok", status=200, facts=facts)
    single = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(n // 50):
        with platform.db.transaction(t.scope) as s:
            for i in range(50):
                msglog.append(
                    s, platform, t, resource="r", consumer=f"c{i}", result="ok", status=200, facts=facts
                )
    batched = (n // 50) * 50 / (time.perf_counter() - t0)

    def threaded(tenants: list[Any], threads: int = 4) -> float:
        """Appends per second by ``threads`` callers at once, thread i on tenants[i % len(tenants)]."""
        from concurrent.futures import ThreadPoolExecutor

        def run(i: int) -> None:
            for j in range(n // threads):
                msglog.record(
                    platform, tenants[i % len(tenants)], resource="r", consumer=f"c{j}", result="ok",
                    status=200, facts=facts,
                )

        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, range(threads)))
        return (n // threads) * threads / (time.perf_counter() - start)

    rt = []  # the machine's round trip now: what one statement costs before any work
    with platform.db.engine.connect() as conn:
        for _ in range(200):
            t1 = time.perf_counter()
            conn.exec_driver_sql("SELECT 1").scalar()
            rt.append(time.perf_counter() - t1)
    same_chain = threaded([t])
    others = [platform.directory.get(c) for c in ("360100", "360102", "360103", "360000")]
    four_chains = threaded(others)
    with platform.db.transaction(Scope.system()) as s:
        signer = signing.signer_for(s, platform.settings["secret_key"], t.path)
    t0 = time.perf_counter()
    for i in range(n * 4):
        signer.sign_b64(f"{i:064d}".encode())
    sign_only = n * 4 / (time.perf_counter() - t0)
    ok = True
    for x in [t, *others]:
        with platform.db.session(x.scope) as s:
            ok &= msglog.verify_export(msglog.export(s, x)).ok
    return {"single": single, "batched": batched, "sign_only": sign_only, "verified": float(ok),
            "same_chain": same_chain, "four_chains": four_chains, "rt_p50": pct(rt, 50)}


def catalogue_search(platform: Platform, n: int, queries: int) -> dict[str, float]:
    from plugins.exchange import search as search_tokens
    from plugins.exchange import services
    from plugins.exchange.models import Resource, ResourceToken

    tenants = [t for t in platform.directory.by_id.values() if t.path.startswith("360000")]
    rnd = random.Random(7)
    table = Resource.__table__
    rows = []
    now = datetime.now(UTC)
    for i in range(n):
        t = tenants[i % len(tenants)]
        w1, w2 = rnd.choice(WORDS), rnd.choice(WORDS)
        name = f"{t.name}{w1}{w2}数据{i}"
        rows.append(
            {
                "tenant_id": t.id,
                "tenant_path": t.path,
                "code": f"r{i}",
                "name": name,
                "name_en": "",
                "description": "",
                "provider_department": "xzspj",
                "provider_identifier": f"GOV:{t.path}:xzspj",
                "provider_name": "行政审批局",
                "fields": [{"name": "a", "label": w1}],
                "update_cycle": "daily",
                "sharing": "conditional",
                "legal_basis": "",
                "format": "json",
                "source": "plugin",
                "plugin": "bench",
                "url": "",
                "method": "GET",
                "openapi": {},
                "log_bodies": False,
                "search_text": f"r{i} {name} a {w1}".lower(),
                "active": True,
                "version": 1,
                "last_updated_at": now,
                "created_at": now,
            }
        )
    sa = __import__("sqlalchemy")
    t0 = time.perf_counter()
    with platform.db.transaction(Scope.system()) as s:
        for i in range(0, n, 5000):
            s.execute(insert(table), rows[i : i + 5000])
        # the search tokens, as services.index_resources writes them (bulk, from the stored rows)
        stored = s.execute(
            sa.select(table.c.id, table.c.tenant_id, table.c.tenant_path, table.c.search_text).where(
                table.c.plugin == "bench"
            )
        ).mappings().all()
        toks = list(search_tokens.token_rows(dict(r) for r in stored))
        for i in range(0, len(toks), 20000):
            s.execute(insert(ResourceToken.__table__), toks[i : i + 20000])
    if platform.db.is_postgres:  # as autovacuum would leave them: statistics, visibility map, hint bits
        with platform.db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE exchange_resources")
            conn.exec_driver_sql("VACUUM ANALYZE exchange_resource_tokens")
    load_s = time.perf_counter() - t0
    root = platform.directory.get("360000")
    scope = Scope.below(root.id, root.path)

    def like_only(s: Any, q: str) -> list[int]:  # the search before the token index: LIKE over the subtree
        stmt = sa.select(Resource.id).where(Resource.active.is_(True))
        for w in search_tokens.words(q):
            stmt = stmt.where(Resource.search_text.like(f"%{services.escape_like(w)}%", escape="\\"))
        return list(s.scalars(stmt.order_by(Resource.id.desc()).limit(20)))

    search, old, exact, rare = [], [], [], []
    same = True
    for q in range(queries):
        word = rnd.choice(WORDS) if q % 4 else rnd.choice(WORDS) + " " + rnd.choice(WORDS)
        rare_q = f"数据{rnd.randrange(n)}"  # one resource's own number: the rarest word
        with platform.db.session(scope) as s:
            s.connection()  # the scope's round trip (set_config) before the clocks, for all four alike
            t0 = time.perf_counter()
            got = [r.id for r in services.search(s, word, limit=20)]
            search.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            was = like_only(s, word)
            old.append(time.perf_counter() - t0)
            same &= got == was
            t0 = time.perf_counter()
            got = [r.id for r in services.search(s, rare_q, limit=20)]
            rare.append(time.perf_counter() - t0)
            same &= got == like_only(s, rare_q)
            t0 = time.perf_counter()
            s.scalars(
                sa.select(Resource).where(
                    Resource.tenant_id == tenants[q % len(tenants)].id, Resource.code == f"r{q}"
                )
            ).first()
            exact.append(time.perf_counter() - t0)
    return {
        "load_s": load_s,
        "tokens": len(toks),
        "p50": pct(search, 50),
        "p95": pct(search, 95),
        "rare_p50": pct(rare, 50),
        "rare_p95": pct(rare, 95),
        "old_p50": pct(old, 50),
        "old_p95": pct(old, 95),
        "exact_p50": pct(exact, 50),
        "exact_p95": pct(exact, 95),
        "same": float(same),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--appends", type=int, default=500)
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--parts", default="gateway,log,catalogue", help="which measurements, comma-separated")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (to explain plans)")
    ap.add_argument("--database-name", default="", help="the new PostgreSQL database's name (dropped after)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_url(args.database_url, Path(tmp), args.database_name)
        platform = setup(url, Path(tmp))
        try:
            parts = set(args.parts.split(","))
            g = gateway_overhead(platform, args.calls) if "gateway" in parts else None
            if g:
                print(
                    f"gateway: bare provider p50 {g['bare_p50']:.2f} ms (mean {g['bare_mean']:.2f}); "
                    f"through the gateway p50 {g['gw_p50']:.2f} ms (mean {g['gw_mean']:.2f}); "
                    f"ratio p50 {g['ratio_p50']:.2f}x, "
                    f"mean {g['ratio_mean']:.2f}x"
                )
            lg = log_appends(platform, args.appends) if "log" in parts else None
            if lg:
                print(
                    f"log: {lg['single']:.0f} signed appends/s (one transaction each), {lg['batched']:.0f}/s "
                    f"(50 per transaction); 4 threads on one chain {lg['same_chain']:.0f}/s, on four chains "
                    f"{lg['four_chains']:.0f}/s; Ed25519 signing alone {lg['sign_only']:.0f}/s; "
                    f"chains verify: {bool(lg['verified'])}; "
                    f"a round trip (SELECT 1) p50 {lg['rt_p50']:.2f} ms"
                )
            c = catalogue_search(platform, args.resources, args.queries) if "catalogue" in parts else None
            if c:
                print(
                    f"catalogue: {args.resources} resources and {c['tokens']} search tokens loaded in "
                    f"{c['load_s']:.1f} s; search p50 {c['p50']:.1f} ms, p95 {c['p95']:.1f} ms (LIKE alone, "
                    f"the old search: p50 {c['old_p50']:.1f} ms, p95 {c['old_p95']:.1f} ms); a rare word p50 "
                    f"{c['rare_p50']:.1f} ms, p95 {c['rare_p95']:.1f} ms; exact look-up p50 "
                    f"{c['exact_p50']:.2f} ms, p95 {c['exact_p95']:.2f} ms; "
                    f"same results as LIKE: {bool(c['same'])}"
                )
        finally:
            platform.close()
            if args.database_url and not args.keep:
                drop(args.database_url, url)


if __name__ == "__main__":
    main()
