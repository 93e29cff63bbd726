"""Supervision feeds (plugins/feeds): ingest of fiscal payment records, streamed, and one full scan of the
fiscal pack.

    python bench/bench_feeds.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                [--records 1000000] [--baseline 100000]

A fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi tree.
Measured in one process:

* ingest: N payment records of Donghu generated one by one (never held as a list) and fed through the
  file import's path (``imports.import_records``: pydantic per record, the natural-key look-up, one
  ``INSERT ... ON CONFLICT`` per chunk, a commit every 10 chunks) — records/s, and the process's RSS
  sampled as it goes (flat: streamed) with the peak; against a baseline in the same run: the same rows,
  pre-built, inserted by a bare Core ``INSERT`` executemany in the same chunks (no validation, no key
  look-up, no conflict clause);
* re-send: the first ``--baseline`` records again — all ``unchanged`` (nothing written);
* scan: the fiscal pack's four rules over the province (supervision's ``run_scan``: the set-based queries,
  the credit check per distinct supplier, cards issued), seconds per rule and cards issued.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from bench.bench_exchange import drop, fresh_url, setup
from core.api import add_calendar_days
from plugins.feeds import demo, imports
from plugins.feeds.ingest import CHUNK, chunks
from plugins.feeds.models import Payment
from plugins.feeds.streams import version_of

TENANT = "360102"
LINES = 10_000
SUPPLIERS = 2_000
SENT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
START = date(2026, 1, 5)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def payments(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """N payment records, one at a time: 2% just under the 1,000,000-yuan procurement threshold."""
    rnd = random.Random(seed)
    codes = [demo.supplier(i) for i in range(SUPPLIERS)]
    days = [add_calendar_days(START, d).isoformat() for d in range(300)]
    for i in range(n):
        under = rnd.random() < 0.02
        cents = rnd.randrange(90_000_000, 100_000_000) if under else rnd.randrange(100_000, 50_000_000)
        s = rnd.randrange(SUPPLIERS)
        yield {
            "payment_no": f"P{i:09d}",
            "line_code": f"L{i % LINES:05d}",
            "supplier_code": codes[s],
            "supplier_name": f"供应商{s:04d}",
            "amount_cents": cents,
            "paid_on": days[rnd.randrange(300)],
            "source_time": SENT.isoformat(),
        }


def lines() -> Iterator[dict[str, Any]]:
    for i in range(LINES):
        yield {
            "line_code": f"L{i:05d}",
            "title": f"预算指标{i}",
            "year": 2026,
            "amount_cents": 2_000_000_000 if i % 50 else 100_000_000,
            "source_time": SENT.isoformat(),
        }


def ingest(platform: Any, n: int) -> dict[str, Any]:
    tenant = platform.directory.get(TENANT)
    imports.import_records(platform, tenant, "fiscal.budget_line", lines(), department="fgw")
    samples: list[tuple[int, float]] = []

    def sampled(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for i, r in enumerate(items):
            if i % (n // 10 or 1) == 0:
                samples.append((i, rss_mb()))
            yield r

    t0 = time.perf_counter()
    feed = imports.import_records(platform, tenant, "fiscal.payment", sampled(payments(n)), department="fgw")
    took = time.perf_counter() - t0
    samples.append((n, rss_mb()))
    assert feed.counts["inserted"] == n, feed.counts
    return {
        "seconds": took,
        "rate": n / took,
        "samples": samples,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def baseline(platform: Any, n: int) -> float:
    """The same rows pre-built, bare Core INSERT in the same chunks, at Nanchang (then removed)."""
    tenant = platform.directory.get("360100")
    rows = []
    for r in payments(n, seed=8):
        rows.append(
            {
                **{k: v for k, v in r.items() if k != "source_time"},
                "paid_on": date.fromisoformat(r["paid_on"]),
                "department_code": "fgw",
                "source_version": version_of(SENT),
                "batch_id": 0,
                "tenant_id": tenant.id,
                "tenant_path": tenant.path,
            }
        )
    t0 = time.perf_counter()
    for part in chunks(rows, CHUNK * 10):
        with platform.db.transaction(tenant.scope) as s:
            for sub in chunks([r for _, r in part], CHUNK):
                s.execute(insert(Payment.__table__), [r for _, r in sub])
    took = time.perf_counter() - t0
    with platform.db.transaction(tenant.scope) as s:
        s.execute(delete(Payment.__table__).where(Payment.__table__.c.tenant_id == tenant.id))
    return n / took


def resend(platform: Any, n: int) -> float:
    tenant = platform.directory.get(TENANT)
    t0 = time.perf_counter()
    feed = imports.import_records(platform, tenant, "fiscal.payment", payments(n), department="fgw")
    assert feed.counts["unchanged"] == n, feed.counts
    return n / (time.perf_counter() - t0)


def fiscal_scan(platform: Any) -> dict[str, Any]:
    from plugins.supervision import scan

    t0 = time.perf_counter()
    result = scan.run_scan(platform, today=date(2026, 11, 30))
    took = time.perf_counter() - t0
    fiscal = {
        k: (round(v, 2), round(result.issue_seconds.get(k, 0), 2), result.by_rule.get(k, 0))
        for k, v in result.scan_seconds.items()
        if k.startswith("feeds.fiscal.")
    }
    return {"seconds": took, "rules": fiscal}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--baseline", type=int, default=100_000)
    ap.add_argument(
        "--scan-only",
        default=None,
        metavar="URL",
        help="Only the fiscal pack's scan, over the database at URL (one a run left behind)",
    )
    args = ap.parse_args()
    if args.scan_only:
        with tempfile.TemporaryDirectory() as tmp:
            platform = setup(args.scan_only, Path(tmp))
            try:
                sc = fiscal_scan(platform)
                print(f"scan: {sc['seconds']:.1f} s; fiscal rules (scan s, issue s, cards): {sc['rules']}")
            finally:
                platform.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_url(args.database_url, Path(tmp))
        platform = setup(url, Path(tmp))
        try:
            got = ingest(platform, args.records)  # first: the peak RSS is the ingest's own
            base = baseline(platform, args.baseline)
            print(
                f"ingest: {args.records:,} payments in {got['seconds']:.1f} s = "
                f"{got['rate']:,.0f} records/s; "
                f"bare INSERT baseline {base:,.0f} rows/s (ratio {base / got['rate']:.1f}x)"
            )
            print(
                "  RSS MB as it went: "
                + ", ".join(f"{i:,}: {mb:.0f}" for i, mb in got["samples"])
                + f"; peak {got['peak_mb']:.0f} MB"
            )
            print(
                f"re-send: {args.baseline:,} records unchanged at "
                f"{resend(platform, args.baseline):,.0f} records/s"
            )
            sc = fiscal_scan(platform)
            print(
                f"scan (all rules of all plugins, province): {sc['seconds']:.1f} s; fiscal rules "
                "(scan s, issue s, cards):"
            )
            for k, v in sorted(sc["rules"].items()):
                print(f"  {k}: {v}")
        finally:
            platform.close()
            if args.database_url:
                drop(args.database_url, url)


if __name__ == "__main__":
    main()
