"""The final minute of an online auction: 200 qualified bidders outbidding each other, each bid decided
by the server's clock and serialised per auction; accepted bids/s, p95 time from bid to the "you lead"
answer, and the proof that no accepted bid was lost or accepted twice.

    python bench/bench_equity.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                 [--bidders 200] [--rounds 5] [--threads 8]

Builds a fresh database (SQLite file, or a new PostgreSQL database on the given server) with the Jiangxi
tree and one transfer project at Donghu whose ``--bidders`` buyers are qualified, and an auction already
in its timed period (free bidding ended 10 s ago, countdown 60 s: the final minute). ``--threads`` threads
then play the bidders: each reads the current price and bids one increment above it, ``--rounds`` times per
bidder, through ``bidding.place_bid`` (one transaction each: the row lock, the rule check, the append to
the log). Most bids lose the race and are refused as below the current price, as in a real final minute.
Reported: attempts/s, accepted bids/s, p50/p95 of accepted bids (the "you lead" answer); the baseline in
the same run is the same threads doing the bare serialised write (one UPDATE of a counter row and one
INSERT per transaction). Then the checks: accepted bids = log rows with a sequence number = the
auction's count, every accepted price distinct and rising, and the replay of the log giving the same
winner and price. Last, what one watcher of the live page costs the database per second: the polled
state against a server-sent events tick (plugins/equity/live.py), in statements and time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_licence import drop, fresh_url, setup  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, update  # noqa: E402

from core.db import Scope  # noqa: E402
from core.errors import DomainError  # noqa: E402


def code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91360102MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def prepare(platform: Any, bidders: int) -> int:
    from plugins.equity import buyers, services
    from plugins.equity.models import Auction, Buyer

    t = platform.directory.get("360102")
    platform.clock.set(date(2026, 12, 1))
    with platform.db.transaction(t.scope) as s:
        p = services.create(
            s,
            platform,
            t,
            services.ProjectIn(
                title="基准项目",
                target="某公司 100% 股权",
                seller_name="某国有企业",
                seller_code=code(9_999_999),
                supervisor_name="国资委",
                appraisal_cents=100_000_000_00,
                appraisal_approved_by="国资委",
                appraisal_approved_on=date(2026, 11, 1),
                listing_cents=100_000_000_00,
                increment_cents=10_000_00,
                conditions="企业法人",
            ),
            actor="bench",
        )
        services.review_conditions(s, platform, t, p.id, p.version, fair=True, reason="", actor="bench")
        services.disclose(
            s, platform, t, p.id, p.version, kind="formal", start=date(2026, 12, 1), actor="bench"
        )
        for i in range(bidders):
            buyers.register(s, platform, t, p.id, credit_code=code(i), name=f"竞买人{i}", actor="bench")
        pid = p.id
    platform.clock.set(date(2027, 1, 4))
    with platform.db.transaction(t.scope) as s:
        p = services.advance(s, platform, t, services.load(s, t, pid))
        for b in s.scalars(select(Buyer).where(Buyer.project_id == pid)).all():
            buyers.confirm(s, platform, t, b.id, b.version, qualified=True, actor="bench")
        buyers.proceed(
            s,
            platform,
            t,
            pid,
            p.version,
            starts_at=platform.clock.now(),
            free_minutes=60,
            countdown_seconds=60,
            actor="bench",
        )
    platform.clock.set(None)  # from here the real server clock decides
    now = time.time()
    real = datetime.fromtimestamp(now, UTC)
    with platform.db.transaction(Scope.system()) as s:  # the final minute: free bidding ended 10 s ago
        s.execute(
            update(Auction)
            .where(Auction.project_id == pid)
            .values(
                starts_at=real - timedelta(hours=1),
                free_end=real - timedelta(seconds=10),
                closes_at=real + timedelta(seconds=50),
            )
        )
    return pid


def run_bids(
    platform: Any, pid: int, bidders: int, rounds: int, threads: int
) -> tuple[float, list[float], int]:
    from plugins.equity import bidding
    from plugins.equity.models import Auction

    t = platform.directory.get("360102")
    lat: list[float] = []
    attempts = [0]
    lock = threading.Lock()
    work = [(i, r) for r in range(rounds) for i in range(bidders)]

    def one(i: int) -> None:
        with platform.db.session(t.scope) as s:
            a = s.scalar(select(Auction).where(Auction.project_id == pid))
            amount = (a.current_cents or a.start_cents - a.increment_cents) + a.increment_cents
        t0 = time.perf_counter()
        try:
            with platform.db.transaction(t.scope) as s:
                placed = bidding.place_bid(
                    s, platform, t, pid, credit_code=code(i), amount_cents=amount, actor="b"
                )
        except DomainError:
            return
        with lock:
            attempts[0] += 1
            if placed.accepted and placed.leading:
                lat.append(time.perf_counter() - t0)

    def worker(k: int) -> None:
        for j in range(k, len(work), threads):
            one(work[j][0])

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return time.perf_counter() - start, lat, attempts[0]


def baseline(platform: Any, n: int, threads: int) -> float:
    md = MetaData()
    counter = Table("bench_counter", md, Column("id", Integer, primary_key=True), Column("n", Integer))
    log = Table("bench_log", md, Column("id", Integer, primary_key=True), Column("v", Integer))
    md.create_all(platform.db.engine)
    with platform.db.engine.begin() as conn:
        conn.execute(insert(counter).values(id=1, n=0))

    def worker(k: int) -> None:
        for j in range(k, n, threads):
            with platform.db.engine.begin() as conn:
                conn.execute(update(counter).where(counter.c.id == 1).values(n=counter.c.n + 1))
                conn.execute(insert(log).values(v=j))

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return time.perf_counter() - start


def check(platform: Any, pid: int) -> tuple[int, Any]:
    from plugins.equity import bidding
    from plugins.equity.models import Auction, Bid

    with platform.db.session(Scope.system()) as s:
        a = s.scalar(select(Auction).where(Auction.project_id == pid))
        prices = s.scalars(
            select(Bid.accepted_cents).where(Bid.auction_id == a.id, Bid.seq.is_not(None)).order_by(Bid.seq)
        ).all()
        seqs = s.scalars(
            select(Bid.seq).where(Bid.auction_id == a.id, Bid.seq.is_not(None)).order_by(Bid.seq)
        ).all()
        total = s.scalar(select(func.count()).select_from(Bid).where(Bid.auction_id == a.id))
        out = bidding.replay(s, a)
        assert list(seqs) == list(range(1, a.accepted + 1)), "an accepted bid was lost"
        assert len(set(prices)) == len(prices) == a.accepted, "two bids accepted at one price"
        assert list(prices) == sorted(prices), "accepted prices must rise"
        assert (out.state.leader_id, out.state.current_cents) == (a.leader_id, a.current_cents), (
            "replay differs"
        )
        return int(total or 0), a


def watch_cost(platform: Any, pid: int, n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """What one watcher of the live page costs the database each second, (statements, ms) per tick:
    the polled state (``auction/state``: a write transaction with the close check, the auction, the bids
    and the bidder numbers) against a server-sent events tick with no new bid (``live._tick``: the
    auction row by its key). Both are run ``n`` times after the bids, as a page would once a second."""
    from types import SimpleNamespace

    from sqlalchemy import event

    from plugins.equity import bidding, live

    t = platform.directory.get("360102")
    ctx = SimpleNamespace(platform=platform, tenant=t, lang="zh-CN")
    count = [0]

    def seen(*_: Any) -> None:
        count[0] += 1

    def polled() -> None:
        with platform.db.transaction(t.scope) as s:
            now = datetime.fromtimestamp(time.time(), UTC)
            bidding.close_if_due(s, platform, t, pid, now)
            bidding.public_state(s, bidding.load_auction(s, t, pid), now, None)

    with platform.db.session(t.scope) as s:
        known = bidding.load_auction(s, t, pid).accepted
    out = []
    for fn in (polled, lambda: live._tick(ctx, pid, None, known)):  # noqa: SLF001
        event.listen(platform.db.engine, "before_cursor_execute", seen)
        count[0] = 0
        start = time.perf_counter()
        for _ in range(n):
            fn()
        secs = time.perf_counter() - start
        event.remove(platform.db.engine, "before_cursor_execute", seen)
        out.append((count[0] / n, secs / n * 1000))
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="")
    ap.add_argument("--bidders", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_url(args.database_url or None, Path(tmp))
        platform = setup(url, Path(tmp))
        try:
            pid = prepare(platform, args.bidders)
            secs, lat, attempts = run_bids(platform, pid, args.bidders, args.rounds, args.threads)
            total, a = check(platform, pid)
            base = baseline(platform, attempts, args.threads)
            polled, sse = watch_cost(platform, pid, 200)
            lat.sort()
            p95 = lat[int(0.95 * (len(lat) - 1))] if lat else 0.0
            print(
                f"database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; "
                f"{args.bidders} bidders x {args.rounds} rounds, {args.threads} threads"
            )
            print(
                f"  attempts/s: {attempts / secs:.1f}  accepted bids/s: {a.accepted / secs:.1f}  "
                f"(accepted {a.accepted} of {attempts}; log rows {total})"
            )
            print(f"  bid -> 'you lead' ms: p50 {statistics.median(lat) * 1000:.1f}  p95 {p95 * 1000:.1f}")
            print(
                f"  baseline bare serialised write (UPDATE + INSERT), tx/s: {attempts / base:.1f}  "
                f"ratio attempts/s to baseline: {(attempts / secs) / (attempts / base):.2f}"
            )
            print(
                f"  one live-page watcher per second: polled state {polled[0]:.1f} statements, "
                f"{polled[1]:.2f} ms; server-sent events tick {sse[0]:.1f} statements, {sse[1]:.2f} ms "
                f"(ratio {sse[1] / polled[1]:.2f})"
            )
            print(
                "  checks: no accepted bid lost, none accepted twice at one price, replay gives "
                f"the same winner and price ({a.current_cents / 100:.2f} yuan): OK"
            )
        finally:
            platform.close()
            if args.database_url:
                drop(args.database_url, url)


if __name__ == "__main__":
    main()
