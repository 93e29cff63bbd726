"""A province's year of sunshine-medicine orders: the overdue-payment scan and a hospital's order list.

    python bench/bench_medicine.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--lines 5000000] [--hospitals 2000] [--runs 200]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree, a catalogue of 200 products and ``--hospitals`` hospitals spread over every county-level tenant, then
a year of orders with 2 or 3 lines each (``--lines`` lines in all; COPY on PostgreSQL) as the platform
leaves them: nearly all paid within 30 days, the last month's accepted and invoiced ones not yet due, and
one in ten thousand left unpaid past its due day. Measured, p50/p95 over ``--runs`` calls each:

- the overdue scan: supervision's ``medicine.unpaid_overdue`` rule over the whole province (one SELECT);
- a hospital's order list: the first page (20, newest first, with hospital and distributor names) as the
  API's ``GET /orders`` builds it, for a random hospital, in its tenant's scoped session;
- baseline in the same run: one order by primary key in a scoped session (the cheapest scoped read).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_licence import drop, fresh_url, setup  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from core.db import Scope  # noqa: E402

TODAY = date(2026, 12, 1)
DAY0 = TODAY - timedelta(days=365)


def code(prefix: str, n: int) -> str:
    from stdnum.cn import uscc

    body = f"{prefix}{n:07d}"
    return body + uscc.calc_check_digit(body)


def catalogue(platform: Any, hospitals: int) -> list[tuple[int, int, str]]:
    """Companies, 200 products with province prices, hospitals over the county tier: (id, tenant, path)."""
    from plugins.medicine import catalogue as cat

    province = platform.directory.get("360000")
    counties = [t for t in platform.directory.descendants(province) if t.level == "county"]
    with platform.db.transaction(Scope.system()) as s:
        cat.add_company(
            s, credit_code=code("91360000MA", 1), name="基准制药", kind="manufacturer", actor="bench"
        )
        cat.add_company(
            s, credit_code=code("91360100MA", 2), name="基准配送", kind="distributor", actor="bench"
        )
        for i in range(200):
            p = cat.add_product(
                s,
                cat.ProductIn(
                    f"B{i:05d}",
                    f"基准药品{i}",
                    "片剂",
                    "10mg",
                    "28片/盒",
                    code("91360000MA", 1),
                    f"国药准字H{i:08d}",
                ),
                actor="bench",
            )
            cat.set_price(
                s, platform, province, p.id, price_cents=1000 + i, effective_from=TODAY, actor="bench"
            )
        for n in range(hospitals):
            t = counties[n % len(counties)]
            cat.add_hospital(
                s, t, credit_code=code("12360000MB", n), name=f"基准医院{n}", grade="二级", actor="bench"
            )
        rows = s.execute(text("SELECT id, tenant_id, tenant_path FROM medicine_hospitals ORDER BY id")).all()
    return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]


ORDER_COLS = (
    "id",
    "tenant_id",
    "tenant_path",
    "number",
    "hospital_id",
    "distributor_id",
    "status",
    "ordered_on",
    "total_cents",
    "accepted_cents",
    "delivery_note",
    "shipped_on",
    "accepted_on",
    "due_on",
    "paid_on",
    "created_by",
    "created_at",
    "version",
)
LINE_COLS = (
    "id",
    "tenant_id",
    "tenant_path",
    "order_id",
    "product_id",
    "quantity",
    "price_cents",
    "listed_cents",
    "status",
    "decline_reason",
    "shipped_qty",
    "accepted_qty",
    "batch",
    "accepted_on",
)


def rows(
    hospitals: list[tuple[int, int, str]], lines: int, dist_id: int
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Orders and their lines over a year, in id order."""
    rnd = random.Random(7)
    line_id = order_id = 0
    while line_id < lines:
        order_id += 1
        hid, tid, path = hospitals[rnd.randrange(len(hospitals))]
        ordered = DAY0 + timedelta(days=(order_id * 365) // max(1, lines // 2) % 365)
        accepted = ordered + timedelta(days=3)
        due = accepted + timedelta(days=30)
        if accepted > TODAY:
            status, accepted, due, paid = "submitted", None, None, None
        elif due >= TODAY:
            status, paid = ("accepted", "invoiced")[order_id % 2], None
        elif rnd.random() < 0.0001:
            status, paid = "invoiced", None  # unpaid past its due day
        else:
            status, paid = "paid", accepted + timedelta(days=rnd.randrange(5, 40))
        n = 2 + order_id % 2
        total = 0
        for _k in range(n):
            line_id += 1
            pid, qty = 1 + rnd.randrange(200), 10 + rnd.randrange(90)
            price = 1000 + pid - 1
            total += qty * price
            accepted_qty = qty if accepted else 0
            yield (
                "line",
                (
                    line_id,
                    tid,
                    path,
                    order_id,
                    pid,
                    qty,
                    price,
                    price,
                    "confirmed",
                    "",
                    accepted_qty,
                    accepted_qty,
                    "B1" if accepted else "",
                    accepted,
                ),
            )
        yield (
            "order",
            (
                order_id,
                tid,
                path,
                f"B{order_id:09d}",
                hid,
                dist_id,
                status,
                ordered,
                total,
                total if accepted else 0,
                "SHD" if accepted else "",
                accepted,
                accepted,
                due,
                paid,
                "bench",
                ordered.isoformat() + "T08:00:00+00:00",
                1,
            ),
        )


def load(platform: Any, hospitals: list[tuple[int, int, str]], lines: int) -> int:
    with platform.db.session(Scope.system()) as s:
        dist_id = int(
            s.execute(text("SELECT id FROM medicine_companies WHERE kind = 'distributor'")).scalar_one()
        )
    raw = platform.db.engine.raw_connection()
    try:
        if platform.db.is_postgres:
            _copy(raw, hospitals, lines, dist_id)
        else:
            _insert(raw, hospitals, lines, dist_id)
        raw.commit()
    finally:
        raw.close()
    with platform.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        return int(conn.exec_driver_sql("SELECT count(*) FROM medicine_orders").scalar_one())


def _copy(raw: Any, hospitals: list[tuple[int, int, str]], lines: int, dist_id: int) -> None:
    cur = raw.cursor()
    # The lines reference their orders: orders first, from a first pass; lines in a second.
    with cur.copy(f"COPY medicine_orders ({', '.join(ORDER_COLS)}) FROM STDIN") as cp:
        for kind, row in rows(hospitals, lines, dist_id):
            if kind == "order":
                cp.write_row(row)
    with cur.copy(f"COPY medicine_order_lines ({', '.join(LINE_COLS)}) FROM STDIN") as cp:
        for kind, row in rows(hospitals, lines, dist_id):
            if kind == "line":
                cp.write_row(row)


def _insert(raw: Any, hospitals: list[tuple[int, int, str]], lines: int, dist_id: int) -> None:
    cur = raw.cursor()
    orders, items = [], []
    for kind, row in rows(hospitals, lines, dist_id):
        (orders if kind == "order" else items).append(row)
    cur.executemany(
        f"INSERT INTO medicine_orders VALUES ({', '.join('?' * len(ORDER_COLS))})",
        [tuple(str(v) if isinstance(v, date) else v for v in r) for r in orders],
    )
    cur.executemany(
        f"INSERT INTO medicine_order_lines ({', '.join(LINE_COLS)}) VALUES "
        f"({', '.join('?' * len(LINE_COLS))})",
        [tuple(str(v) if isinstance(v, date) else v for v in r) for r in items],
    )


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    fn()  # warm
    lat, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        lat.append((time.perf_counter() - t0) * 1000)
    return statistics.median(lat), statistics.quantiles(lat, n=100)[94], out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--hospitals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    try:
        platform = setup(url, tmp)
        platform.clock.set(TODAY)
        from core.api import paginate
        from core.web.api import PageParams
        from plugins.medicine import present, rules
        from plugins.medicine.models import Order

        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        t0 = time.perf_counter()
        hospitals = catalogue(platform, args.hospitals)
        n_orders = load(platform, hospitals, args.lines)
        print(
            f"medicine bench on {backend}: {args.lines:,} order lines in {n_orders:,} orders of "
            f"{len(hospitals):,} hospitals, loaded in {time.perf_counter() - t0:.0f} s"
        )
        province = platform.directory.get("360000")
        by_id = platform.directory.by_id
        rnd = random.Random(11)

        def scan() -> int:
            with platform.db.session(province.subtree_scope) as s:
                return len(rules.scan_unpaid(session=s, today=TODAY))

        def order_list() -> int:
            hid, tid, _path = hospitals[rnd.randrange(len(hospitals))]
            tenant = by_id[tid]
            with platform.db.session(tenant.scope) as s:
                stmt = select(Order).where(Order.tenant_id == tenant.id, Order.hospital_id == hid)
                page = paginate(s, stmt, PageParams(limit=20), key=[Order.id], desc=True)
                return len(present.orders_out(s, list(page.items), "zh-CN"))

        picks = [1 + rnd.randrange(n_orders) for _ in range(args.runs + 1)]
        with platform.db.session(Scope.system()) as s:
            owners = dict(s.execute(select(Order.id, Order.tenant_id).where(Order.id.in_(picks))).all())
        pick = iter(picks * 2)

        def baseline() -> Any:
            oid = next(pick)
            with platform.db.session(by_id[owners[oid]].scope) as s:
                return s.get(Order, oid)

        b50, b95, _ = timed(baseline, args.runs)
        s50, s95, found = timed(scan, max(20, args.runs // 10))
        l50, l95, shown = timed(order_list, args.runs)
        print(f"baseline (one order by id, scoped session): p50 {b50:.2f} ms  p95 {b95:.2f} ms")
        print(
            f"overdue scan (province, {found} overdue):    p50 {s50:.2f} ms  p95 {s95:.2f} ms  "
            f"({s95 / b95:.1f}x baseline p95)"
        )
        print(
            f"hospital order list (first {shown}):          p50 {l50:.2f} ms  p95 {l95:.2f} ms  "
            f"({l95 / b95:.1f}x baseline p95)"
        )
        platform.close()
    finally:
        if args.database_url:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
