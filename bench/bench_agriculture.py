"""Agriculture: the public trace-code lookup at scale (issue #20: p95 under 50 ms at 1,000,000 events on
PostgreSQL).

    python bench/bench_agriculture.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                      [--events 1000000] [--requests 1000]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree, then bulk-loads one county (Donghu) with groups of five lots: a raw lot with 16 events (inputs,
harvest, tests, processing, shipments, receipts) processed into a chain of four lots (one event each),
so 20 events and 4 lineage links per group; every lookup walks 4 hops up or down. Measures in one
process, for random codes (half raw lots, half chain ends):

* ``trace.lookup`` alone as the page runs it (a read session in the network scope; one statement: the
  recursive walks both ways over ``agri_links`` with the lots, producers, certificates and events),
  p50/p95/p99, interleaved with the previous four-statement form in a transaction (the baseline);
* the public page ``GET /t/360102/agriculture/t/<code>`` and ``GET /api/t/360102/agriculture/trace/<code>``
  through the ASGI app (Starlette's TestClient: the whole middleware chain, no network), against
  ``GET /healthz`` through the same client as the baseline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from starlette.testclient import TestClient
from stdnum import luhn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_licence import drop, fresh_url, latencies, pct, setup  # noqa: E402

from core.db import Scope  # noqa: E402
from core.platform import Platform  # noqa: E402
from plugins.agriculture import trace  # noqa: E402
from plugins.agriculture.models import Lot, LotEvent, LotLink, Producer  # noqa: E402

EVENTS_PER_GROUP = 20
CHAIN = 4
RAW_KINDS = ["input"] * 6 + ["harvest"] + ["test"] * 3 + ["processing"] + ["shipment"] * 3 + ["receipt"] * 2
DAY = date(2026, 10, 12)


def code_for(n: int) -> str:
    body = f"360102{n:012d}"
    return body + luhn.calc_check_digit(body)


def load(platform: Platform, groups: int, batch: int = 2000) -> None:
    """Bulk inserts with explicit ids (a fresh database): lots, events, links, one certificate per raw lot
    skipped (certificates are one row per lot and not on the walk's path)."""
    tenant = platform.directory.get("360102")
    assert tenant is not None
    tid, path = tenant.id, tenant.path
    with platform.db.transaction(Scope.system()) as s:
        s.execute(
            insert(Producer.__table__),
            [
                {
                    "id": 1,
                    "tenant_id": tid,
                    "tenant_path": path,
                    "name": "基准合作社",
                    "kind": "cooperative",
                    "state": "confirmed",
                    "created_at": platform_now(),
                    "version": 1,
                }
            ],
        )
    lot_id = event_id = link_id = 0
    started = time.perf_counter()
    for first in range(0, groups, batch):
        lots: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for _g in range(first, min(groups, first + batch)):
            chain = []
            for k in range(CHAIN + 1):
                lot_id += 1
                chain.append(lot_id)
                lots.append(
                    {
                        "id": lot_id,
                        "tenant_id": tid,
                        "tenant_path": path,
                        "code": code_for(lot_id),
                        "producer_id": 1,
                        "product": "芹菜" if k == 0 else f"芹菜加工品{k}",
                        "quantity": 100,
                        "unit": "kg",
                        "origin": "",
                        "created_by": "bench",
                        "created_at": platform_now(),
                    }
                )
            kinds = [(chain[0], kind) for kind in RAW_KINDS] + [(c, "processing") for c in chain[1:]]
            proc_ids = {}
            for lid, kind in kinds:
                event_id += 1
                if kind == "processing":
                    proc_ids[lid] = event_id
                events.append(
                    {
                        "id": event_id,
                        "tenant_id": tid,
                        "tenant_path": path,
                        "lot_id": lid,
                        "kind": kind,
                        "occurred_on": DAY,
                        "place": "",
                        "data": {"bench": True},
                        "passed": True if kind == "test" else None,
                        "phi_days": None,
                        "corrects_id": None,
                        "reason": "",
                        "actor": "bench",
                        "recorded_at": platform_now(),
                    }
                )
            for parent, child in zip(chain, chain[1:], strict=False):
                link_id += 1
                links.append(
                    {
                        "id": link_id,
                        "tenant_id": tid,
                        "tenant_path": path,
                        "parent_lot_id": parent,
                        "child_lot_id": child,
                        "event_id": proc_ids[parent],
                    }
                )
        with platform.db.transaction(Scope.system()) as s:
            s.execute(insert(Lot.__table__), lots)
            s.execute(insert(LotEvent.__table__), events)
            s.execute(insert(LotLink.__table__), links)
        done = min(groups, first + batch)
        rate = done * EVENTS_PER_GROUP / (time.perf_counter() - started)
        print(f"  loaded {done * EVENTS_PER_GROUP:,} events ({rate:,.0f}/s)", flush=True)
    if platform.db.is_postgres:
        with platform.db.transaction(Scope.system()) as s:
            for table in ("agri_lots", "agri_events", "agri_links"):
                s.execute(text(f"ANALYZE {table}"))


def platform_now() -> Any:
    from core.api import utcnow

    return utcnow()


def reopen(url: str, tmp: Path) -> Platform:
    from core.logging import configure_logging
    from core.settings import load_settings

    settings = load_settings(
        overrides={"database_url": url, "data_dir": str(tmp), "env": "test", "log_level": "warning"}
    )
    platform = Platform.start(settings)
    configure_logging(platform.settings)
    platform.refresh(force=True)
    return platform


def lookups(platform: Platform, codes: list[str]) -> list[float]:
    """``trace.lookup`` as the public page runs it: a read session (no BEGIN/ROLLBACK) in the network
    scope, the code checked against the hall's subtree; one statement after the scope's."""
    tenant = platform.directory.get("360102")
    assert tenant is not None
    scope = trace.network_scope(platform, tenant)
    out = []
    for code in codes:
        t = time.perf_counter()
        with platform.db.read(scope) as s:
            answer = trace.lookup(s, code, home=tenant.subtree_scope)
            assert answer.status == "found" and len(answer.chain) == CHAIN, (
                code,
                answer.status,
                len(answer.chain),
            )
        out.append((time.perf_counter() - t) * 1000)
    return out


def previous_lookups(platform: Platform, codes: list[str]) -> list[float]:
    """The lookup as it was before (the baseline in the same run): a session with its transaction, four
    statements (both walks; lots with producers; events; certificates)."""
    from sqlalchemy import or_, select

    from plugins.agriculture.models import Certificate

    tenant = platform.directory.get("360102")
    assert tenant is not None
    out = []
    for code in codes:
        t = time.perf_counter()
        with platform.db.session(tenant.subtree_scope) as s:
            start = select(Lot.id).where(Lot.code == code).scalar_subquery()
            up = trace._walk(LotLink.child_lot_id, LotLink.parent_lot_id, start, "walk_up", 6)
            down = trace._walk(LotLink.parent_lot_id, LotLink.child_lot_id, start, "walk_down", 6)
            hops = [r[0] for r in s.execute(select(up.c.lot_id).union_all(select(down.c.lot_id)))]
            rows = s.execute(
                select(Lot, Producer)
                .join(Producer, Producer.id == Lot.producer_id)
                .where(or_(Lot.code == code, Lot.id.in_(hops or [-1])))
            ).all()
            ids = [lot.id for lot, _ in rows]
            events = trace.events_of(s, ids)
            list(s.scalars(select(Certificate).where(Certificate.lot_id.in_(ids))))
            assert len(rows) == CHAIN + 1 and events
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database for --existing runs")
    parser.add_argument(
        "--existing", default="", help="a database this bench loaded before (kept): measure only"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.existing or fresh_url(args.database_url, tmp)
    try:
        platform = reopen(url, tmp) if args.existing else setup(url, tmp)
        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        groups = max(1, args.events // EVENTS_PER_GROUP)
        print(
            f"agriculture bench on {backend}: {groups * EVENTS_PER_GROUP:,} events, "
            f"{groups * (CHAIN + 1):,} lots, {groups * CHAIN:,} links, {args.requests} requests"
        )
        if not args.existing:
            load(platform, groups)
            if args.keep:
                print(f"kept for --existing: {url}", flush=True)
        rnd = random.Random(7)
        picks = [
            rnd.randrange(groups) * (CHAIN + 1) + (1 if i % 2 == 0 else CHAIN + 1)
            for i in range(args.requests)
        ]
        codes = [code_for(n) for n in picks]
        lookups(platform, codes[:50])  # warm the caches
        previous_lookups(platform, codes[:50])
        svc, old = [], []
        for first in range(0, len(codes), 50):  # interleaved, so both see the same load
            svc += lookups(platform, codes[first : first + 50])
            old += previous_lookups(platform, codes[first : first + 50])
        for name, values in (
            ("trace.lookup (1 statement, read session)", svc),
            ("previous (4 statements)", old),
        ):
            print(
                f"{name} ms: p50 {pct(values, 50):.2f}  p95 {pct(values, 95):.2f}  p99 {pct(values, 99):.2f}"
            )
        from core.app import create_app

        with TestClient(create_app(platform=platform)) as client:
            client.get("/healthz")
            page = latencies(client, [f"/t/360102/agriculture/t/{c}" for c in codes])
            api = latencies(client, [f"/api/t/360102/agriculture/trace/{c}" for c in codes])
            base = latencies(client, ["/healthz"] * args.requests)
        for name, values in (("public page", page), ("API", api), ("baseline /healthz", base)):
            print(
                f"{name} ms: p50 {pct(values, 50):.2f}  p95 {pct(values, 95):.2f}  p99 {pct(values, 99):.2f}"
            )
        print(
            f"page p95 / healthz p95: {pct(page, 95) / pct(base, 95):.1f}x  "
            f"(mean {statistics.mean(page):.1f} ms)"
        )
    finally:
        if args.database_url and not args.keep:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
