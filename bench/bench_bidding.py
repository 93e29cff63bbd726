"""Sealed bids in the last minute before a deadline: receipts under load, no accepted bid lost, the deadline
enforced to the second.

    python bench/bench_bidding.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--bidders 500] [--kib 100] [--threads 8]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree and one published tender at Donghu with ``--bidders`` registered bidders, each holding a bid sealed
beforehand as a browser would (AES-256-GCM over ``--kib`` KiB of files: 500 x 100 KiB = 50 MB in all).
Then ``--threads`` threads submit them all through ``services.submit_bid`` (one transaction each: checks,
SHA-256, Ed25519-signed receipt, insert), each stamped at an instant spread over the last minute before the
deadline, followed by bids at the deadline and one second after it (all must be refused) and one at the
last microsecond before it (must be accepted). Reported: receipts/s, p50/p95/p99 receipt time, MB/s, and as
the baseline in the same run the same ciphertexts inserted into a bare table (no checks, no signature) by
the same threads; then the count check (accepted receipts = stored bids) and the late bids refused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_licence import drop, fresh_url, setup  # noqa: E402
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, func, insert, select  # noqa: E402

from core.db import Scope  # noqa: E402
from core.errors import DomainError  # noqa: E402


def code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91360100MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def prepare(platform: Any, bidders: int, kib: int) -> tuple[int, str, Any, list[tuple[str, dict[str, str]]]]:
    from plugins.bidding import periods, sealing, services

    tenant = platform.directory.get("360102")
    day = services.today(platform)
    deadline = services.at_local(platform, periods.end(day, periods.BID_DEADLINE) + timedelta(days=1), 9, 30)
    data = services.TenderIn(
        title="基准测试招标项目",
        tenderer_name="东湖区住建局",
        tenderer_code=code(9_999_999),
        estimated_cents=10**10,
        documents_from=day,
        documents_until=periods.end(day, periods.DOCUMENTS),
        deadline=deadline,
    )
    with platform.db.transaction(tenant.scope) as s:
        t = services.create_tender(s, platform, tenant, data, actor="bench")
        services.publish_tender(s, platform, tenant, t.id, t.version, actor="bench")
        for i in range(bidders):
            services.register(
                s, platform, tenant, t.id, credit_code=code(i), name=f"基准投标人{i}", actor="bench"
            )
        tid, ocid = t.id, t.ocid
    sealed = []
    for i in range(bidders):
        blob = os.urandom(kib * 1024)
        env = sealing.seal(ocid, code(i), 1_000_000 + i, [sealing.BidFileIn("技术标.pdf", blob)])
        sealed.append((code(i), env.request()))
    return tid, ocid, services.aware(deadline), sealed


def run_threads(jobs: list[Any], threads: int) -> tuple[float, list[float], list[Any]]:
    """Run the jobs on ``threads`` threads; wall time, per-job latencies (ms) and results."""
    lat: list[float] = []
    results: list[Any] = []
    lock = threading.Lock()
    it = iter(jobs)

    def worker() -> None:
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                return
            t0 = time.perf_counter()
            out = job()
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat.append(ms)
                results.append(out)

    start = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - start, lat, results


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--bidders", type=int, default=500)
    parser.add_argument("--kib", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = fresh_url(args.database_url, tmp)
    try:
        platform = setup(url, tmp)
        from plugins.bidding import services
        from plugins.bidding.models import Bid

        backend = "PostgreSQL" if platform.db.is_postgres else "SQLite"
        tenant = platform.directory.get("360102")
        tid, _ocid, deadline, sealed = prepare(platform, args.bidders, args.kib)
        total_mb = sum(len(r["ciphertext"]) * 3 / 4 for _c, r in sealed) / 1e6
        print(
            f"bidding bench on {backend}: {args.bidders} bids, {total_mb:.1f} MB of ciphertext, "
            f"{args.threads} threads"
        )

        bare = Table(
            "bench_bare_bids",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("who", String(18)),
            Column("ciphertext", LargeBinary),
        )
        with platform.db.transaction(Scope.system()) as s:
            bare.create(s.connection())

        def bare_job(c: str, req: dict[str, str]) -> Any:
            from plugins.bidding.sealing import unb64

            def go() -> None:
                with platform.db.transaction(Scope.system()) as s:
                    s.execute(insert(bare).values(who=c, ciphertext=unb64(req["ciphertext"], "c")))

            return go

        step = 60 / max(1, args.bidders)

        def job(i: int, c: str, req: dict[str, str]) -> Any:
            at = deadline - timedelta(seconds=60) + timedelta(seconds=i * step)

            def go() -> str:
                with platform.db.transaction(tenant.scope) as s:
                    bid = services.submit_bid(
                        s,
                        platform,
                        tenant,
                        tid,
                        credit_code=c,
                        actor="bench",
                        now=at,
                        ip=f"10.0.{i // 250}.{i % 250}",
                        **req,
                    )
                    return bid.ciphertext_sha256

            return go

        base_secs, base_lat, _ = run_threads([bare_job(c, r) for c, r in sealed], args.threads)
        secs, lat, receipts = run_threads([job(i, c, r) for i, (c, r) in enumerate(sealed)], args.threads)

        # The deadline, to the second: at it and after it refused; the last microsecond before it accepted.
        from plugins.bidding import sealing

        extra = args.bidders + 10
        with platform.db.transaction(tenant.scope) as s:
            for k in range(3):
                services.register(
                    s,
                    platform,
                    tenant,
                    tid,
                    credit_code=code(extra + k),
                    name=f"迟到{k}",
                    actor="bench",
                    now=deadline - timedelta(minutes=5),
                )
        refused = 0
        for k, at in enumerate((deadline, deadline + timedelta(seconds=1))):
            try:
                with platform.db.transaction(tenant.scope) as s:
                    env = sealing.seal(_ocid, code(extra + k), 5)
                    services.submit_bid(
                        s,
                        platform,
                        tenant,
                        tid,
                        credit_code=code(extra + k),
                        actor="bench",
                        now=at,
                        **env.request(),
                    )
            except DomainError as e:
                refused += e.code == "late"
        with platform.db.transaction(tenant.scope) as s:
            env = sealing.seal(_ocid, code(extra + 2), 5)
            services.submit_bid(
                s,
                platform,
                tenant,
                tid,
                credit_code=code(extra + 2),
                actor="bench",
                now=deadline - timedelta(microseconds=1),
                **env.request(),
            )
        with platform.db.session(Scope.system()) as s:
            stored = s.scalar(select(func.count()).select_from(Bid).where(Bid.tender_id == tid)) or 0

        print(
            f"receipts/s: {args.bidders / secs:.1f}  MB/s: {total_mb / secs:.1f}  "
            f"ms p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  p99 {pct(lat, 99):.1f}"
        )
        print(
            f"  baseline bare insert of the same bytes, rows/s: {args.bidders / base_secs:.1f}  "
            f"ms p50 {pct(base_lat, 50):.1f}  p95 {pct(base_lat, 95):.1f}"
        )
        print(
            f"  receipt / bare insert, p95: {pct(lat, 95) / pct(base_lat, 95):.2f}x   "
            f"throughput: {base_secs / secs:.2f}x of bare"
        )
        print(
            f"accepted {len(receipts)}, stored {stored} (expect accepted + 1 last-microsecond bid), "
            f"late refused {refused}/2"
        )
        assert stored == len(receipts) + 1 and refused == 2, "a bid was lost or the deadline leaked"
        platform.close()
    finally:
        if args.database_url:
            drop(args.database_url, url)


if __name__ == "__main__":
    main()
